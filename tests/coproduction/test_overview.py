"""The overview: responses, average satisfaction and the share dissatisfied, by month and by stage,
from SQL aggregates; "fewer than 5" for any figure made from fewer than 5 responses; the charts as
images with a headline, a text summary and a table of the same numbers."""

from __future__ import annotations

import base64

import pytest

from portal.coproduction import figures
from portal.coproduction.figures import Group
from portal.ehcp.stages import Stage
from portal.models import Role
from tests.coproduction.support import feedback, many, months_ago, this_month
from tests.helpers import get_page, sign_in_fast


@pytest.fixture
def team_member(client, make):
    sign_in_fast(client, make.user(Role.COPRODUCTION, name="Cora Coproduction"))
    return client


def _table(page, caption: str) -> dict[str, list[str]]:
    table = next(t for t in page.soup.select("table") if t.caption and t.caption.get_text(strip=True) == caption)
    return {row.th.get_text(strip=True): [td.get_text(strip=True) for td in row.select("td")]
            for row in table.tbody.select("tr")}


def test_group_figures_exactly() -> None:
    group = Group("Assessing", responses=16, rating_total=16 * 3 + 6, dissatisfied=6)  # 3.375, 37.5%
    assert (group.average, group.share_dissatisfied) == (3.4, 38)
    assert (group.responses_text, group.average_text, group.share_text) == ("16", "3.4", "38%")


@pytest.mark.parametrize(("dissatisfied", "text"), [(0, "0%"), (1, "fewer than 5 dissatisfied"),
                                                   (4, "fewer than 5 dissatisfied"), (5, "13%")])
def test_a_share_made_from_fewer_than_5_dissatisfied_is_not_shown(dissatisfied: int, text: str) -> None:
    group = Group("Assessing", responses=38, rating_total=38 * 3, dissatisfied=dissatisfied)
    assert group.share_text == text
    assert (group.share_dissatisfied is None) is (0 < dissatisfied < 5)


@pytest.mark.parametrize(("responses", "shown"), [(0, False), (1, False), (4, False), (5, True), (6, True)])
def test_small_numbers_are_fewer_than_5(responses: int, shown: bool) -> None:
    group = Group("May 2026", responses, responses * 2, responses)
    assert group.shown is shown
    if shown:
        assert group.responses_text == str(responses) and group.average_text == "2.0" and group.share_text == "100%"
    elif responses == 0:
        assert (group.responses_text, group.average_text, group.share_text) == ("0", "No responses", "No responses")
    else:
        assert {group.responses_text, group.average_text, group.share_text} == {"fewer than 5"}
    assert figures.count_text(responses) == (str(responses) if shown or not responses else "fewer than 5")


def test_headlines_compare_the_last_two_months_shown() -> None:
    months = [Group("September 2026", 10, 40, 1), Group("October 2026", 10, 25, 5), Group("November 2026", 3, 3, 3)]
    assert figures.satisfaction_headline(months) == "Satisfaction fell in October"
    assert figures.responses_headline(months) == "Responses stayed the same in October"
    assert figures.satisfaction_headline(months[:1]) == "Average satisfaction by month"
    stages = [Group("Assessing", 10, 20, 6), Group("Draft plan issued", 50, 200, 5), Group("Annual review", 4, 4, 4)]
    assert figures.dissatisfied_headline(stages) == "Families were most often dissatisfied at assessing"
    summary = figures.dissatisfied_summary(stages)
    assert "Highest 60% in Assessing, lowest 10% in Draft plan issued." in summary
    assert "1 with fewer than 5 responses (or none) is not shown." in summary


def test_the_overview_shows_the_figures_from_known_data(team_member, app) -> None:
    # This month: 5 at Assessing (ratings 1, 2, 3, 4, 5) and 4 at the draft plan (all 5s).
    for rating in (1, 2, 3, 4, 5):
        feedback(rating, Stage.ASSESSING)
    for _ in range(4):
        feedback(5, Stage.DRAFT_PLAN)
    # Last month: 6, all rated 4, about no stage in particular.
    for _ in range(6):
        feedback(4, None, months_ago(1))
    # 13 months ago: outside the 12 months shown.
    for _ in range(7):
        feedback(1, Stage.ASSESSING, months_ago(12))

    page = get_page(team_member, "/coproduction/")
    assert page.h1 == "Feedback overview"
    this, last = f"{this_month():%B %Y}", f"{months_ago(1):%B %Y}"
    by_month = _table(page, "Average satisfaction by month")
    assert by_month[this] == ["9", "3.9"]  # (1+2+3+4+5+20) / 9 = 3.89
    assert by_month[last] == ["6", "4.0"]
    assert f"{months_ago(12):%B %Y}" not in by_month and len(by_month) == 12
    assert by_month[f"{months_ago(2):%B %Y}"] == ["0", "No responses"]
    by_stage = _table(page, "Satisfaction by stage")
    assert by_stage["Assessing"] == ["5", "3.0", "fewer than 5 dissatisfied"]  # 2 of 5
    assert by_stage["Draft plan issued"] == ["fewer than 5", "fewer than 5", "fewer than 5"]
    assert by_stage["Not one part in particular"] == ["6", "4.0", "0%"]
    assert by_stage["Final plan issued"] == ["0", "No responses", "No responses"]
    assert _table(page, "Responses by month")[this] == ["9"]
    assert "15 responses" in page.text


def test_each_chart_is_an_image_in_a_figure_with_a_headline_summary_and_table(team_member) -> None:
    for rating in (1, 1, 2, 2, 2):
        feedback(rating, Stage.ASSESSING, months_ago(1))
    for _ in range(5):
        feedback(5, Stage.ASSESSING, months_ago(2))
        feedback(5, Stage.ASSESSING)  # this month has only begun: the headlines leave it out
    page = get_page(team_member, "/coproduction/")
    figures_found = page.soup.select("figure")
    assert len(figures_found) == 3
    headlines = [figure.figcaption.get_text(strip=True) for figure in figures_found]
    assert headlines[1] == f"Satisfaction fell in {months_ago(1):%B}"
    assert headlines[2] == "Families were most often dissatisfied at assessing"
    for figure in figures_found:
        image = figure.img
        assert image["alt"] and figure.table is not None
        assert image["src"].startswith("data:image/svg+xml;base64,")
        svg = base64.b64decode(image["src"].split(",", 1)[1]).decode()
        assert svg.startswith("<svg") and "viewBox" in svg and "<script" not in svg
        assert 'width="' not in svg.split(">", 1)[0]  # scales to its column
    assert "fewer than 5" not in figures_found[1].img["alt"] or "not shown" in figures_found[1].img["alt"]
    assert not page.soup.select("main script") and not page.soup.select("main svg")


def test_the_overview_with_no_feedback_at_all(team_member) -> None:
    page = get_page(team_member, "/coproduction/")
    assert "0 responses" in page.text
    assert page.soup.select("figure figcaption")[1].get_text(strip=True) == "Average satisfaction by month"


@pytest.mark.parametrize("responses", [10, 5000])
def test_the_overview_takes_at_most_10_statements(team_member, count_queries, responses: int) -> None:
    many(responses)
    with count_queries() as queries:
        get_page(team_member, "/coproduction/")
    assert queries.count <= 10, queries.statements
    assert sum("GROUP BY" in statement for statement in queries.statements) == 2
    assert not any("SELECT feedback.id" in s and "GROUP BY" not in s for s in queries.statements)
