"""The caseload: the team's cases, nearest legal deadline first, with filters, search, pages and
counts, in a fixed number of queries whatever the caseload's size."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.casework import queries
from portal.casework.queries import today
from portal.ehcp import lateness
from portal.ehcp.milestones import next_milestone
from portal.ehcp.models import Case
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.models import Role
from tests.casework.helpers import Teams, many_cases, set_case
from tests.helpers import Factory, Page, get_page, sign_in_fast


def references(page: Page) -> list[str]:
    rows = page.soup.select("main tbody tr")
    return [row.select_one(".app-caseload__reference").get_text(strip=True) for row in rows]


def child_names(page: Page) -> list[str]:
    return [row.select_one("td a").get_text(strip=True) for row in page.soup.select("main tbody tr")]


def column(page: Page, header: str) -> list[str]:
    """Each row's text in the column with this header, spaces tidied."""
    headers = [th.get_text(strip=True) for th in page.soup.select("main thead th")]
    index = headers.index(header)
    return [" ".join(row.select("td")[index].get_text(" ").split()) for row in page.soup.select("main tbody tr")]


def results_heading(page: Page) -> str:
    return page.soup.find(id="results").get_text(strip=True)


def team_counts(page: Page) -> list[str]:
    return [" ".join(li.get_text().split()) for li in page.soup.select("#team-counts li")]


@pytest.fixture
def caseworker_client(client: FlaskClient, teams: Teams) -> FlaskClient:
    sign_in_fast(client, teams.caseworker)
    return client


def test_caseworker_home_is_the_caseload_with_caseload_then_the_inbox_first_in_the_menu(
    client: FlaskClient, teams: Teams
) -> None:
    sign_in_fast(client, teams.caseworker)
    assert client.get("/").location == "/casework/"
    page = get_page(client, "/casework/")
    assert page.h1 == "Caseload"
    menu = [" ".join(a.get_text().split()) for a in page.soup.select(".govuk-service-navigation__link")]
    assert menu[:4] == ["Caseload", "Team inbox", "New requests", "Children"]
    assert page.soup.select_one(".govuk-service-navigation__item--active").get_text(strip=True) == "Caseload"


def test_shows_only_the_teams_cases_with_the_columns_wanted(caseworker_client: FlaskClient, teams: Teams) -> None:
    page = get_page(caseworker_client, "/casework/")
    assert references(page) == [teams.case.reference]
    assert "Southchild" not in page.text
    headers = [th.get_text(strip=True) for th in page.soup.select("main thead th")]
    assert headers == [
        "Child and reference", "Stage", "Received", "Next legal deadline", "Expected date", "Caseworker",
    ]
    cells = page.soup.select("main tbody td")
    link = cells[0].find("a")
    assert link["href"] == f"/casework/cases/{teams.case.id}"
    assert link.get_text() == teams.child.full_name
    assert cells[1].select_one(".govuk-tag").get_text(strip=True) == "Request received"
    received = teams.case.request_received_on
    assert cells[2].get_text(strip=True) == f"{received.day} {received:%b} {received.year}".replace("Sep ", "Sept ")
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
    assert "due in 3 days" in statuses[1].get_text()
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
    assert names == {
        "q", "stage", "sort", "mine", "unassigned", "overdue", "late_without_reason", "due_soon", "not_reached",
        "excepted", "closed",
    }
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
    soon = many_cases(teams.north, 2, caseworker=teams.caseworker)
    for case in overdue:
        set_case(case, next_deadline_on=now - timedelta(days=2))
    # The family has been told why: an expected date to come and a reason.
    set_case(overdue[0], expected_on=now + timedelta(days=10), delay_reason="We are waiting for health advice.")
    for case in soon:
        set_case(case, next_deadline_on=now)
    set_case(soon[0], has_exception=True)
    closed = many_cases(teams.north, 1)[0]
    set_case(closed, stage=Stage.WITHDRAWN, has_exception=True)
    south = many_cases(teams.south, 4)
    for case in south:
        set_case(case, next_deadline_on=now - timedelta(days=2), has_exception=True,
                 family_not_reached_since=datetime.now(UTC))
    set_case(soon[1], family_not_reached_since=datetime.now(UTC))
    set_case(closed, family_not_reached_since=datetime.now(UTC))
    counts = [
        "3 late",
        "2 late and the family not told why",
        "2 due in the next 14 days",
        "3 not assigned",
        "1 with an exception recorded",
        "1 where we could not email the family",
    ]

    page = get_page(caseworker_client, "/casework/")
    assert team_counts(page) == counts
    assert results_heading(page) == "6 cases"
    # The counts stay the team's whatever the filters; the total is what matches.
    page = get_page(caseworker_client, "/casework/?overdue=y")
    assert team_counts(page) == counts
    assert results_heading(page) == "3 cases"
    links = [a["href"] for a in page.soup.select("#team-counts a")]
    assert links == [
        "/casework/?overdue=y",
        "/casework/?late_without_reason=y",
        "/casework/?due_soon=y",
        "/casework/?unassigned=y",
        "/casework/?excepted=y",
        "/casework/?not_reached=y",
    ]
    for link, count in zip(links, counts, strict=True):
        assert results_heading(get_page(caseworker_client, link)).split()[0] == count.split()[0]
    # A case the family could not be emailed about links to its case, with a tag, and no markup shown as text.
    page = get_page(caseworker_client, "/casework/?not_reached=y")
    [row] = page.soup.select("main table tbody tr")
    link = row.select_one(f"a[href='/casework/cases/{soon[1].id}']")
    assert link is not None and row.select_one(".govuk-tag").get_text(strip=True) == "Family not reached"
    assert "<a" not in row.get_text() and "<br>" not in row.get_text()


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
    urls = (
        "/casework/",
        "/casework/?overdue=y&mine=y&q=bulk",
        f"/casework/?page={last_page}&closed=y&stage=assessing",
        "/casework/?late_without_reason=y&unassigned=y&mine=y&sort=stage",
        f"/casework/?page={(len(cases[::7]) + 24) // 25}&sort=received&due_soon=y&overdue=y&excepted=y",
    )
    for url in urls:
        with count_queries() as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        assert queries.count <= 10, (url, queries.count, queries.statements)
    assert size <= 25 or len(references(get_page(client, "/casework/"))) == 25


def test_a_case_due_today_says_so(caseworker_client: FlaskClient, teams: Teams) -> None:
    set_case(teams.case, next_deadline_on=today())
    page = get_page(caseworker_client, "/casework/")
    assert "due today" in page.soup.select("main tbody td")[3].get_text()


def test_expected_date_column(caseworker_client: FlaskClient, teams: Teams) -> None:
    set_case(teams.case, expected_on=date(2031, 7, 4))
    page = get_page(caseworker_client, "/casework/")
    assert page.soup.select("main tbody td")[4].get_text(strip=True) == "4 Jul 2031"


# --- Late without a reason, unassigned, the deadline column and sorting -------------------------

# (deadline, expected date, delay reason) in days from today: one case for each branch of the rule.
LATENESS_CASES = {
    "no deadline": (None, None, None),
    "deadline to come": (5, None, None),
    "deadline today": (0, None, None),
    "late, nothing said": (-3, None, None),
    "late, reason but no expected date": (-3, None, "Waiting for the school's advice."),
    "late, expected date passed": (-3, -1, "Waiting for the school's advice."),
    "late, expected today with a reason": (-3, 0, "Waiting for the school's advice."),
    "late, expected date but no reason": (-3, 10, None),
    "late, expected date but an empty reason": (-3, 10, ""),
    "late, expected date but a blank reason": (-3, 10, " \n\t\u00a0\u3000 "),
    "late, expected date and a reason": (-3, 10, "Waiting for the school's advice."),
    "late, expected date and a reason with spaces": (-3, 10, "  Waiting.\n"),
}


def lateness_cases(teams: Teams) -> dict[str, Case]:
    now = today()
    cases = dict(zip(LATENESS_CASES, many_cases(teams.north, len(LATENESS_CASES)), strict=True))
    for name, (deadline, expected, reason) in LATENESS_CASES.items():
        set_case(
            cases[name],
            next_deadline_on=None if deadline is None else now + timedelta(days=deadline),
            expected_on=None if expected is None else now + timedelta(days=expected),
            delay_reason=reason,
        )
    return cases


def test_late_without_a_reason_in_sql_agrees_with_the_rule(
    caseworker_client: FlaskClient, teams: Teams
) -> None:
    now = today()
    cases = lateness_cases(teams)
    by_rule = {
        case.reference
        for case in cases.values()
        if lateness.late_without_reason(case.next_deadline_on, case.expected_on, case.delay_reason, now)
    }
    assert {name for name, case in cases.items() if case.reference in by_rule} == {
        "late, nothing said",
        "late, reason but no expected date",
        "late, expected date passed",
        "late, expected date but no reason",
        "late, expected date but an empty reason",
        "late, expected date but a blank reason",
    }
    in_sql = set(
        db.session.scalars(
            select(Case.reference).where(Case.team_id == teams.north.id, queries.late_without_reason(now))
        )
    )
    assert in_sql == by_rule
    assert queries.team_counts(teams.north.id, now).late_without_reason == len(by_rule)
    page = get_page(caseworker_client, "/casework/?late_without_reason=y")
    assert set(references(page)) == by_rule
    # The caseload flags each of them, and no other case.
    page = get_page(caseworker_client, "/casework/")
    flagged = {
        row.select_one(".app-caseload__reference").get_text(strip=True)
        for row in page.soup.select("main tbody tr")
        if "Family not told why" in row.get_text()
    }
    assert flagged == by_rule


def test_unassigned_and_the_deadline_filters_combine(caseworker_client: FlaskClient, teams: Teams) -> None:
    cases = lateness_cases(teams)
    set_case(cases["late, expected date and a reason"], caseworker_id=teams.caseworker.id)
    set_case(cases["deadline to come"], caseworker_id=teams.other_caseworker.id)

    def shown(query: str) -> set[str]:
        return {name for name, case in cases.items() if case.reference in references(get_page(
            caseworker_client, f"/casework/?{query}"))}

    everything = set(LATENESS_CASES)
    assert shown("unassigned=y") == everything - {"late, expected date and a reason", "deadline to come"}
    # Within a group, any ticked condition will do.
    assert shown("mine=y&unassigned=y") == everything - {"deadline to come"}
    assert shown("mine=y") == {"late, expected date and a reason"}
    late = {name for name in everything if name.startswith("late")}
    assert shown("overdue=y") == late
    told = {"late, expected today with a reason", "late, expected date and a reason",
            "late, expected date and a reason with spaces"}
    assert shown("late_without_reason=y") == late - told
    assert shown("late_without_reason=y&overdue=y") == late
    assert shown("late_without_reason=y&due_soon=y") == late - told | {"deadline to come", "deadline today"}
    # Across groups, every one must match.
    assert shown("late_without_reason=y&mine=y") == set()
    page = get_page(caseworker_client, "/casework/?late_without_reason=y&unassigned=y")
    for name in ("late_without_reason", "unassigned"):
        assert page.soup.find("input", {"name": name}).has_attr("checked")
    assert not page.soup.find("input", {"name": "mine"}).has_attr("checked")


def test_the_deadline_column_says_which_deadline(caseworker_client: FlaskClient, teams: Teams, make: Factory) -> None:
    now = today()
    draft = make.case(child=make.child(team=teams.north), stage=Stage.DRAFT_PLAN, draft_served_on=now)
    page = get_page(caseworker_client, "/casework/")
    cells = dict(zip(references(page), column(page, "Next legal deadline"), strict=True))
    for case in (teams.case, draft):
        db.session.refresh(case)
        milestone = next_milestone(case.dates)
        assert milestone.council_owns and milestone.due_on == case.next_deadline_on
        due = case.next_deadline_on
        assert cells[case.reference].startswith(f"{milestone.label} {due.day} ")
        assert str(due.year) in cells[case.reference]
    assert next_milestone(teams.case.dates).label != next_milestone(draft.dates).label


def test_sort_by_stage_or_date_received_keeping_the_filters(caseworker_client: FlaskClient, teams: Teams) -> None:
    now = today()
    [draft, assessing, review] = many_cases(teams.north, 3, caseworker=teams.caseworker)
    set_case(draft, stage=Stage.DRAFT_PLAN, request_received_on=now - timedelta(weeks=30), reference="EHC-SORT-C")
    set_case(assessing, request_received_on=now - timedelta(weeks=10), reference="EHC-SORT-A")
    set_case(review, stage=Stage.ANNUAL_REVIEW, final_plan_on=now - timedelta(weeks=50),
             request_received_on=now - timedelta(weeks=80), reference="EHC-SORT-B")
    set_case(teams.case, request_received_on=now - timedelta(weeks=1), caseworker_id=teams.other_caseworker.id)
    order = [teams.case.reference, "EHC-SORT-A", "EHC-SORT-C", "EHC-SORT-B"]  # the law's order
    assert references(get_page(caseworker_client, "/casework/?sort=stage")) == order
    received = ["EHC-SORT-B", "EHC-SORT-C", "EHC-SORT-A", teams.case.reference]  # oldest first
    page = get_page(caseworker_client, "/casework/?sort=received")
    assert references(page) == received
    assert page.soup.find("select", {"name": "sort"}).find("option", selected=True)["value"] == "received"
    assert page.soup.select_one("th[aria-sort]").get_text(strip=True) == "Received"
    assert "oldest request first" in page.soup.select_one("main caption").get_text()
    assert references(get_page(caseworker_client, "/casework/?sort=received&mine=y")) == received[:3]
    deadlines = references(get_page(caseworker_client, "/casework/"))
    assert deadlines == references(get_page(caseworker_client, "/casework/?sort=deadline"))
    assert get_page(caseworker_client, "/casework/").soup.select_one("th[aria-sort]").get_text(strip=True) == (
        "Next legal deadline"
    )


def test_pages_keep_the_sort_and_filters(caseworker_client: FlaskClient, teams: Teams) -> None:
    many_cases(teams.north, 30)
    page = get_page(caseworker_client, "/casework/?sort=stage&unassigned=y&late_without_reason=")
    links = [a["href"] for a in page.soup.select("nav.govuk-pagination a")]
    assert "/casework/?unassigned=y&sort=stage&page=2" in links
    # The default sort is left out of the links.
    page = get_page(caseworker_client, "/casework/?sort=deadline&unassigned=y")
    assert "/casework/?unassigned=y&page=2" in [a["href"] for a in page.soup.select("nav.govuk-pagination a")]


def test_a_made_up_sort_is_a_400(caseworker_client: FlaskClient) -> None:
    page = get_page(caseworker_client, "/casework/?sort=reference", status=400)
    assert page.error_messages() == ["Select how to sort the cases from the list"]
