"""The governance report as managers and the oversight board meet it: the page, the period and
team choice, the national picture, the CSV, the small-number rule and the query budget."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient

from portal.conversations.reply_by import today_in_england
from portal.ehcp.models import Case, TimelineException
from portal.ehcp.stages import Stage
from portal.ehcp.timeline import ExceptionType
from portal.extensions import db
from portal.governance import periods
from portal.models import Role, Team
from tests.helpers import Factory, get_page, sign_in_fast

MARCH = date(2026, 3, 1)


def plans(make: Factory, team: Team, days: list[int], issued_on: date = date(2026, 3, 10), excepted: int = 0) -> None:
    """New plans issued on `issued_on`, each `days` after its request; the first `excepted` have an exception."""
    for number, taken in enumerate(days):
        child = make.child(team=team, first_name=f"Planchild{number}")
        case = make.case(child=child, stage=Stage.FINAL_PLAN, request_received_on=issued_on - timedelta(days=taken))
        case.first_final_plan_on = case.final_plan_on = issued_on
        if number < excepted:
            db.session.add(TimelineException(case_id=case.id, type=ExceptionType.PERSONAL_CIRCUMSTANCES,
                                             reason="A family reason.", applies_from=case.request_received_on))
            case.has_exception = True
    db.session.commit()


def row_text(page, label: str) -> list[str]:
    """The cells of the table row headed `label`."""
    for row in page.soup.select("tr"):
        header = row.find("th")
        if header and header.get_text(strip=True) == label:
            return [cell.get_text(strip=True) for cell in row.find_all("td")]
    raise AssertionError(f"No row {label!r}")


@pytest.mark.parametrize("role", [Role.MANAGER, Role.BOARD])
def test_managers_and_the_board_read_the_last_full_month_by_default(client: FlaskClient, make: Factory, role) -> None:
    sign_in_fast(client, make.user(role))
    page = get_page(client, "/reports/")
    last = periods.last_full_month(today_in_england())
    assert page.h1 == f"Governance report: {last.label}"
    assert page.soup.select_one("#period option[selected]")["value"] == last.key


def test_a_months_figures_follow_the_sen2_rules_and_hide_small_numbers(client: FlaskClient, make: Factory) -> None:
    north = make.team("North SEND team")
    # 10 plans: day 140 is within 20 weeks, day 141 is not; 2 have an exception (both within).
    plans(make, north, [100, 100, 140, 140, 140, 141, 141, 200, 300, 400], excepted=2)
    sign_in_fast(client, make.user(Role.BOARD))
    page = get_page(client, "/reports/?period=2026-03")
    assert page.h1 == "Governance report: March 2026"
    assert row_text(page, "New plans issued within 20 weeks, including exceptions") == ["5", "10", "50.0%"]
    # Excluding exceptions: 3 within out of 8.
    excluding = row_text(page, "New plans issued within 20 weeks, excluding exceptions")
    assert excluding == ["fewer than 5", "8", "fewer than 5"]
    assert row_text(page, "New plans taking a year or more") == ["fewer than 5", "10", "fewer than 5"]
    assert row_text(page, "Average time from request to final plan") == ["25.7 weeks", "10", ""]
    # Nothing to count is "no data", never 0%.
    assert row_text(page, "Review decisions made within 4 weeks of the meeting") == ["no data", "no data", "no data"]
    # Each section says how it is counted.
    assert len(page.soup.select("details.app-how-we-count")) >= 6
    assert "day 141 is not" in page.text
    # Never a child's name.
    assert "Planchild" not in page.text


def test_a_calendar_year_is_set_beside_englands_published_figures(client: FlaskClient, make: Factory) -> None:
    sign_in_fast(client, make.user(Role.MANAGER))
    page = get_page(client, "/reports/?period=2024")
    assert row_text(page, "England") == ["2024 (published)", "46.4%", "45.9%"]
    assert "not yet published" not in page.text
    later = get_page(client, "/reports/?period=2026-Q3")
    assert later.h1 == "Governance report: July to September 2026"
    assert "not yet published figures for 2026" in later.text


@pytest.mark.parametrize("asked", ["2026-13", "next-month", "2999-01", "9" * 40])
def test_a_period_not_understood_shows_the_last_full_month(client: FlaskClient, make: Factory, asked) -> None:
    sign_in_fast(client, make.user(Role.MANAGER))
    page = get_page(client, f"/reports/?period={asked}")
    last = periods.last_full_month(today_in_england())
    assert page.h1 == f"Governance report: {last.label}"
    assert "We could not show the period you asked for" in page.text


def test_one_teams_figures(client: FlaskClient, make: Factory) -> None:
    north, south = make.team("North SEND team"), make.team("South SEND team")
    plans(make, north, [100] * 5)
    plans(make, south, [200] * 6)
    sign_in_fast(client, make.user(Role.BOARD))
    page = get_page(client, f"/reports/?period=2026-03&team={south.id}")
    assert page.soup.select_one(".govuk-caption-l").get_text(strip=True) == "South SEND team"
    assert row_text(page, "New plans issued within 20 weeks, including exceptions")[:2] == ["0", "6"]
    # The teams side by side, then all teams.
    captions = [c.get_text(strip=True) for c in page.soup.select("#teams ~ div caption")][:3]
    assert captions == ["North SEND team", "South SEND team", "All teams"]


def test_a_teams_report_shows_the_services_feedback_and_says_so(client: FlaskClient, make: Factory) -> None:
    from tests.coproduction.support import many

    south = make.team("South SEND team")
    many(7, month=date(2026, 3, 1))
    sign_in_fast(client, make.user(Role.BOARD))
    service = row_text(get_page(client, "/reports/?period=2026-03"), "Feedback responses")
    page = get_page(client, f"/reports/?period=2026-03&team={south.id}")
    assert row_text(page, "Feedback responses") == service and service[0] == "7"
    assert "These are for the whole service, not the South SEND team alone" in page.text


def test_the_csv_has_the_same_figures_and_neutralises_formulas(client: FlaskClient, make: Factory) -> None:
    team = make.team("=HYPERLINK(\"http://example.com\")")
    plans(make, team, [100] * 6)
    sign_in_fast(client, make.user(Role.MANAGER))
    response = client.get(f"/reports/report.csv?period=2026-03&team={team.id}")
    assert response.status_code == 200
    disposition = f'attachment; filename="governance-report-2026-03-team-{team.id}.csv"'
    assert response.headers["Content-Disposition"] == disposition
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffPeriod,Team,Section,Measure,Number,Out of,Rate")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    within = [r for r in rows if r[3] == "New plans issued within 20 weeks, including exceptions" and r[2] != "Trends"]
    assert within[0] == ["March 2026", "'=HYPERLINK(\"http://example.com\")", "New EHC plans",
                         "New plans issued within 20 weeks, including exceptions", "6", "6", "100.0%"]
    assert all(not cell.startswith("=") for row in rows for cell in row)


@pytest.mark.parametrize("cases", [10, 500])
def test_the_report_makes_at_most_10_sql_statements(client: FlaskClient, make: Factory, count_queries, cases) -> None:
    team = make.team("North SEND team")
    child = make.child(team=team)
    db.session.add_all(
        Case(reference=f"GOV{n:05d}", child_id=child.id, team_id=team.id, request_received_on=MARCH,
             stage=Stage.FINAL_PLAN, stage_since=MARCH + timedelta(days=140),
             first_final_plan_on=MARCH + timedelta(days=n % 200))
        for n in range(cases)
    )
    db.session.commit()
    sign_in_fast(client, make.user(Role.BOARD))
    for url in ("/reports/?period=2026", "/reports/report.csv?period=2026-Q3"):
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        assert counter.count <= 10, url


def test_the_councils_own_published_figures_and_its_regions_are_shown(new_app, make: Factory) -> None:
    devon = new_app(COUNCIL_LA_CODE="878")
    client = devon.test_client()
    sign_in_fast(client, make.user(Role.BOARD))
    page = get_page(client, "/reports/?period=2021")
    assert row_text(page, "England")[1] == "59.9%"
    assert row_text(page, "South West")[0] == "2021 (published)"
    assert row_text(page, "Devon")[1] == "38.8%"
