"""The caseload: the team's cases, nearest legal deadline first, with filters, search, pages and
counts, in a fixed number of queries whatever the caseload's size."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient

from portal.casework.queries import today
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.models import Role
from tests.casework.helpers import Teams, many_cases, set_case
from tests.helpers import Factory, Page, get_page, sign_in_fast


def references(page: Page) -> list[str]:
    return [row.find("td").get_text(strip=True) for row in page.soup.select("main tbody tr")]


def child_names(page: Page) -> list[str]:
    return [row.select("td")[1].get_text(strip=True) for row in page.soup.select("main tbody tr")]


def results_heading(page: Page) -> str:
    return page.soup.find(id="results").get_text(strip=True)


def team_counts(page: Page) -> list[str]:
    return [" ".join(li.get_text().split()) for li in page.soup.select("#team-counts li")]


@pytest.fixture
def caseworker_client(client: FlaskClient, teams: Teams) -> FlaskClient:
    sign_in_fast(client, teams.caseworker)
    return client


def test_caseworker_home_is_the_caseload_with_caseload_before_children_in_the_menu(
    client: FlaskClient, teams: Teams
) -> None:
    sign_in_fast(client, teams.caseworker)
    assert client.get("/").location == "/casework/"
    page = get_page(client, "/casework/")
    assert page.h1 == "Caseload"
    menu = [" ".join(a.get_text().split()) for a in page.soup.select(".govuk-service-navigation__link")]
    assert menu.index("Caseload") == menu.index("Children") - 1
    assert page.soup.select_one(".govuk-service-navigation__item--active").get_text(strip=True) == "Caseload"


def test_shows_only_the_teams_cases_with_the_columns_wanted(caseworker_client: FlaskClient, teams: Teams) -> None:
    page = get_page(caseworker_client, "/casework/")
    assert references(page) == [teams.case.reference]
    assert "Southchild" not in page.text
    headers = [th.get_text(strip=True) for th in page.soup.select("main thead th")]
    assert headers == ["Reference", "Child", "Stage", "Next legal deadline", "Expected date", "Caseworker"]
    cells = page.soup.select("main tbody td")
    link = cells[1].find("a")
    assert link["href"] == f"/casework/cases/{teams.case.id}"
    assert link.get_text() == teams.child.full_name
    assert cells[2].select_one(".govuk-tag").get_text(strip=True) == "Request received"
    assert cells[5].get_text(strip=True) == "Casey Worker"


def test_nearest_deadline_first_then_reference_with_no_deadline_last(
    caseworker_client: FlaskClient, teams: Teams
) -> None:
    now = today()
    [late, soon_b, soon_a, far, none] = many_cases(teams.north, 5)
    set_case(late, next_deadline_on=now - timedelta(days=9))
    set_case(soon_b, next_deadline_on=now + timedelta(days=3), reference="EHC-SORT-B")
    set_case(soon_a, next_deadline_on=now + timedelta(days=3), reference="EHC-SORT-A")
    set_case(far, next_deadline_on=now + timedelta(days=300))
    set_case(none, stage=Stage.FINAL_PLAN, final_plan_on=now, next_deadline_on=None)
    set_case(teams.case, next_deadline_on=now + timedelta(days=40))
    page = get_page(caseworker_client, "/casework/")
    assert references(page) == [
        late.reference, "EHC-SORT-A", "EHC-SORT-B", teams.case.reference, far.reference, none.reference,
    ]
    statuses = [row.select("td")[3] for row in page.soup.select("main tbody tr")]
    late_tag = statuses[0].select_one(".govuk-tag--red")
    assert late_tag is not None and late_tag.get_text(strip=True) == "Late by 9 days"
    assert "Due in 3 days" in statuses[1].get_text()
    assert statuses[1].select_one(".govuk-tag") is None
    assert statuses[-1].get_text(strip=True) == "None"


def test_filters(caseworker_client: FlaskClient, teams: Teams) -> None:
    now = today()
    overdue, soon, later, excepted, mine_only, closed = many_cases(teams.north, 6)
    set_case(overdue, next_deadline_on=now - timedelta(days=1))
    set_case(soon, next_deadline_on=now + timedelta(days=14))
    set_case(later, next_deadline_on=now + timedelta(days=15))
    set_case(excepted, has_exception=True, next_deadline_on=now + timedelta(days=60))
    set_case(
        mine_only, caseworker_id=teams.caseworker.id, stage=Stage.DRAFT_PLAN, next_deadline_on=now + timedelta(days=90)
    )
    set_case(closed, stage=Stage.WITHDRAWN, caseworker_id=teams.caseworker.id)
    set_case(teams.case, next_deadline_on=now + timedelta(days=30))

    def shown(query: str) -> set[str]:
        return set(references(get_page(caseworker_client, f"/casework/?{query}")))

    open_cases = {case.reference for case in (overdue, soon, later, excepted, mine_only, teams.case)}
    assert shown("") == open_cases
    assert shown("closed=y") == open_cases | {closed.reference}
    assert shown("overdue=y") == {overdue.reference}
    assert shown("due_soon=y") == {soon.reference}
    assert shown("overdue=y&due_soon=y") == {overdue.reference, soon.reference}
    assert shown("excepted=y") == {excepted.reference}
    assert shown("mine=y") == {mine_only.reference, teams.case.reference}
    assert shown("mine=y&closed=y") == {mine_only.reference, teams.case.reference, closed.reference}
    assert shown("stage=draft_plan") == {mine_only.reference}
    assert shown("stage=withdrawn") == set()
    assert shown("stage=withdrawn&closed=y") == {closed.reference}
    assert shown("mine=y&stage=draft_plan&due_soon=y") == set()
    # The form shows what was chosen.
    page = get_page(caseworker_client, "/casework/?mine=y&stage=draft_plan")
    assert page.soup.find("input", {"name": "mine"}).has_attr("checked")
    assert not page.soup.find("input", {"name": "overdue"}).has_attr("checked")
    assert page.soup.find("select", {"name": "stage"}).find("option", selected=True)["value"] == "draft_plan"


def test_the_filter_form_is_a_get_form_that_works_without_javascript(caseworker_client: FlaskClient) -> None:
    page = get_page(caseworker_client, "/casework/")
    form = page.soup.select_one("main form")
    assert form["method"] == "get"
    assert form["action"] == "/casework/"
    names = {field["name"] for field in form.select("input, select") if field.get("name")}
    assert names == {"q", "stage", "mine", "overdue", "due_soon", "excepted", "closed"}
    assert form.select_one("button").get_text(strip=True) == "Apply filters"
    assert not form.select("input[name=csrf_token]")


def test_search_by_first_or_last_name_or_reference(caseworker_client: FlaskClient, teams: Teams, make: Factory) -> None:
    amara = make.case(child=make.child(team=teams.north, first_name="Amara"))
    amara.child.last_name = "O'Neill-Smith"
    db.session.commit()
    many_cases(teams.north, 3)

    def found(search: str) -> list[str]:
        return child_names(get_page(caseworker_client, f"/casework/?q={search}"))

    assert found("amara") == ["Amara O'Neill-Smith"]
    assert found("MAR") == ["Amara O'Neill-Smith"]
    assert found("neill") == ["Amara O'Neill-Smith"]
    assert found("amara smith") == ["Amara O'Neill-Smith"]
    assert found("amara jones") == []
    assert found(amara.reference.lower()) == ["Amara O'Neill-Smith"]
    assert found(amara.reference[-5:]) == ["Amara O'Neill-Smith"]
    assert found("%25") == []  # a % sign is a character, not a wildcard
    assert found("_") == []
    assert found("Southchild") == []  # another team's child
    page = get_page(caseworker_client, "/casework/?q=nobody")
    assert results_heading(page) == "0 cases"
    assert "No cases match" in page.text
    assert page.soup.find("input", {"name": "q"})["value"] == "nobody"


def test_pages_of_25_with_filters_kept_in_the_links(caseworker_client: FlaskClient, teams: Teams) -> None:
    many_cases(teams.north, 60, caseworker=teams.caseworker)
    first = get_page(caseworker_client, "/casework/?mine=y")
    assert results_heading(first) == "61 cases"
    assert len(references(first)) == 25
    pagination = first.soup.select_one("nav.govuk-pagination")
    assert pagination is not None
    links = [a["href"] for a in pagination.select("a")]
    assert "/casework/?mine=y&page=2" in links
    assert "/casework/?mine=y&page=3" in links
    third = get_page(caseworker_client, "/casework/?mine=y&page=3")
    assert len(references(third)) == 11
    seen = references(first) + references(get_page(caseworker_client, "/casework/?mine=y&page=2")) + references(third)
    assert len(set(seen)) == 61
    current = third.soup.select_one(".govuk-pagination__item--current").get_text(strip=True)
    assert current == "3"
    get_page(caseworker_client, "/casework/?mine=y&page=4", status=404)


def test_long_caseloads_show_a_few_page_numbers_with_ellipses(caseworker_client: FlaskClient, teams: Teams) -> None:
    many_cases(teams.north, 25 * 9)
    page = get_page(caseworker_client, "/casework/?page=5")
    items = [" ".join(li.get_text().split()) for li in page.soup.select(".govuk-pagination__item")]
    assert items == ["1", "⋯", "4", "5", "6", "⋯", "10"]


def test_counts_for_the_team(caseworker_client: FlaskClient, teams: Teams, make: Factory) -> None:
    now = today()
    overdue = many_cases(teams.north, 3)
    soon = many_cases(teams.north, 2)
    for case in overdue:
        set_case(case, next_deadline_on=now - timedelta(days=2))
    for case in soon:
        set_case(case, next_deadline_on=now)
    set_case(soon[0], has_exception=True)
    closed = many_cases(teams.north, 1)[0]
    set_case(closed, stage=Stage.WITHDRAWN, has_exception=True)
    south = many_cases(teams.south, 4)
    for case in south:
        set_case(case, next_deadline_on=now - timedelta(days=2), has_exception=True)

    page = get_page(caseworker_client, "/casework/")
    assert team_counts(page) == ["3 overdue", "2 due in the next 14 days", "1 with an exception recorded"]
    assert results_heading(page) == "6 cases"
    # The counts stay the team's whatever the filters; the total is what matches.
    page = get_page(caseworker_client, "/casework/?overdue=y")
    assert team_counts(page) == ["3 overdue", "2 due in the next 14 days", "1 with an exception recorded"]
    assert results_heading(page) == "3 cases"
    links = [a["href"] for a in page.soup.select("#team-counts a")]
    assert links == ["/casework/?overdue=y", "/casework/?due_soon=y", "/casework/?excepted=y"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("stage=not-a-stage", "Select a stage from the list"),
        ("stage=%3Cscript%3E", "Select a stage from the list"),
        ("q=" + "x" * 101, "Search must be 100 characters or fewer"),
    ],
)
def test_bad_filters_are_a_400_with_an_error_summary(caseworker_client: FlaskClient, query: str, message: str) -> None:
    page = get_page(caseworker_client, f"/casework/?{query}", status=400)
    assert page.error_messages() == [message]
    assert page.title.startswith("Error: Caseload")
    assert "<script>" not in page.response.get_data(as_text=True)


def test_page_numbers_that_are_not_numbers_mean_the_first_page(caseworker_client: FlaskClient, teams: Teams) -> None:
    assert references(get_page(caseworker_client, "/casework/?page=abc")) == [teams.case.reference]
    assert references(get_page(caseworker_client, "/casework/?page=-3")) == [teams.case.reference]


@pytest.mark.parametrize("role", [Role.FAMILY, Role.COPRODUCTION, Role.ADMIN])
def test_only_case_staff_see_the_caseload(client: FlaskClient, make: Factory, role: Role) -> None:
    sign_in_fast(client, make.user(role))
    assert client.get("/casework/").status_code == 403


@pytest.mark.parametrize("size", [10, 500])
def test_at_most_10_queries_whatever_the_caseload_size(
    client: FlaskClient, teams: Teams, count_queries, size: int
) -> None:
    now = today()
    cases = many_cases(teams.north, size, caseworker=teams.caseworker)
    for case in cases[::7]:
        case.next_deadline_on = now - timedelta(days=3)
        case.has_exception = True
    db.session.commit()
    sign_in_fast(client, teams.caseworker)
    client.get("/casework/")  # warm up: the first connection's set-up queries are not the page's
    last_page = (size + 24) // 25  # the assessing cases, not the fixture's own
    urls = ("/casework/", "/casework/?overdue=y&mine=y&q=bulk", f"/casework/?page={last_page}&closed=y&stage=assessing")
    for url in urls:
        with count_queries() as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        assert queries.count <= 10, (url, queries.count, queries.statements)
    assert size <= 25 or len(references(get_page(client, "/casework/"))) == 25


def test_a_case_due_today_says_so(caseworker_client: FlaskClient, teams: Teams) -> None:
    set_case(teams.case, next_deadline_on=today())
    page = get_page(caseworker_client, "/casework/")
    assert "Due today" in page.soup.select("main tbody td")[3].get_text()


def test_expected_date_column(caseworker_client: FlaskClient, teams: Teams) -> None:
    set_case(teams.case, expected_on=date(2031, 7, 4))
    page = get_page(caseworker_client, "/casework/")
    assert page.soup.select("main tbody td")[4].get_text(strip=True) == "4 July 2031"
