"""The request inbox (/casework/requests): every team's received requests, oldest first, with the
days since received and the decision deadline as the council's duty; pages of 25; at most 10
statements whatever the number of requests; only for caseworkers and managers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.ehcp.milestones import long_date
from portal.ehcp.timeline import decision_to_assess_due
from portal.extensions import db
from portal.intake.models import AssessmentRequest, RequestChannel, Requester, RequestStatus
from portal.models import Role
from tests.helpers import Factory, get_page, sign_in_fast
from tests.intake.conftest import add_received_request


def add_many(count: int, received_on: date) -> None:
    """`count` received requests in one transaction."""
    requests = [
        AssessmentRequest(
            status=RequestStatus.RECEIVED, requester=Requester.PARENT, requester_name=f"Parent {number}",
            child_first_name=f"Bulk{number}", child_last_name="Requestson", child_date_of_birth=date(2016, 1, 1),
            received_on=received_on, reference=f"R2026-9{number:04d}",
        )
        for number in range(count)
    ]
    db.session.add_all(requests)
    db.session.commit()


@pytest.fixture
def caseworker(make: Factory, client):
    user = make.user(Role.CASEWORKER, name="Casey Worker")
    sign_in_fast(client, user)
    return user


def row_text(page, request: AssessmentRequest) -> str:
    return " ".join(page.soup.select_one(f"#request-{request.id}").get_text(" ").split())


def test_received_requests_oldest_first_with_their_deadline(client, caseworker) -> None:
    today = date.today()
    newer = add_received_request(received_on=today - timedelta(days=2), child_first_name="Newer")
    older = add_received_request(
        received_on=today - timedelta(days=50), child_first_name="Older", channel=RequestChannel.LETTER,
        requester=Requester.SCHOOL, requester_name="Example Primary School",
    )
    today_request = add_received_request(received_on=today, child_first_name="Todays")
    for status in (RequestStatus.DRAFT, RequestStatus.AWAITING_EMAIL, RequestStatus.CLOSED):
        add_received_request(child_first_name=f"Not{status.value}", status=status)

    page = get_page(client, "/casework/requests")

    rows = [row.get("id") for row in page.soup.select("tbody tr")]
    assert rows == [f"request-{older.id}", f"request-{newer.id}", f"request-{today_request.id}"]
    assert "Not" not in " ".join(row_text(page, r) for r in (older, newer, today_request))
    assert "3 requests waiting for a decision" in page.text
    assert "a request made online has no team until someone opens a case" in page.text

    old = row_text(page, older)
    assert old.startswith(f"{older.reference} Older Requestson A school or setting Example Primary School Letter")
    assert f"{long_date(today - timedelta(days=50))} 50 days ago" in old
    due = decision_to_assess_due(older.received_on)
    assert f"The council must decide whether to assess by {long_date(due)}" in old
    assert f"Overdue: late by {(today - due).days} days" in old

    recent = row_text(page, newer)
    assert "2 days ago" in recent and "Overdue" not in recent
    assert f"decide whether to assess by {long_date(decision_to_assess_due(newer.received_on))}" in recent
    assert "Today" in row_text(page, today_request)
    link = page.soup.select_one(f"#request-{older.id} a")
    assert link["href"] == f"/casework/requests/{older.id}" and link.get_text() == older.reference


def test_the_deadline_shown_is_the_timelines(client, caseworker) -> None:
    """Across month and year ends and leap days, the inbox shows decision_to_assess_due."""
    days = [date(2024, 2, 29), date(2025, 12, 31), date(2026, 1, 18), date(2026, 11, 3)]
    requests = [add_received_request(received_on=day) for day in days]
    page = get_page(client, "/casework/requests")
    for request in requests:
        expected = long_date(decision_to_assess_due(request.received_on))
        assert f"must decide whether to assess by {expected}" in row_text(page, request)


def test_every_teams_requests_are_shown_to_any_team(client, make, caseworker) -> None:
    request = add_received_request()
    other = make.user(Role.MANAGER, name="Other Manager")
    assert other.team_id != caseworker.team_id
    sign_in_fast(client, other)
    page = get_page(client, "/casework/requests")
    assert row_text(page, request).startswith(request.reference)


def test_nothing_waiting(client, caseworker) -> None:
    page = get_page(client, "/casework/requests")
    assert "There are no new requests." in page.text
    assert "0 requests waiting" in page.text


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER])
def test_the_staff_navigation_has_new_requests(client, make, role) -> None:
    sign_in_fast(client, make.user(role))
    page = get_page(client, "/casework/")
    links = {a.get_text(strip=True): a["href"] for a in page.soup.select("a.govuk-service-navigation__link")}
    assert links.get("New requests") == "/casework/requests"
    inbox = get_page(client, "/casework/requests")
    register = inbox.soup.select_one('a[href="/casework/requests/new"]')
    assert register.get_text(strip=True) == "Register a request"


@pytest.mark.parametrize("role", [Role.FAMILY, Role.COPRODUCTION, Role.ADMIN])
def test_other_roles_are_refused(client, make, role) -> None:
    sign_in_fast(client, make.user(role))
    get_page(client, "/casework/requests", status=403)


def test_pages_of_25(client, caseworker) -> None:
    add_many(30, date.today() - timedelta(days=5))
    first = get_page(client, "/casework/requests")
    assert len(first.soup.select("tbody tr")) == 25
    assert first.soup.select_one(".govuk-pagination__next a")["href"] == "/casework/requests?page=2"
    second = get_page(client, "/casework/requests?page=2")
    assert len(second.soup.select("tbody tr")) == 5
    assert "30 requests waiting" in second.text
    get_page(client, "/casework/requests?page=3", status=404)
    assert len(get_page(client, "/casework/requests?page=abc").soup.select("tbody tr")) == 25


@pytest.mark.parametrize("size", [10, 500])
def test_at_most_10_statements(client, caseworker, count_queries, size) -> None:
    add_many(size, date.today() - timedelta(days=5))
    get_page(client, "/casework/requests")  # warm up: the chrome is cached per role
    with count_queries() as queries:
        page = get_page(client, "/casework/requests?page=2" if size > 25 else "/casework/requests")
    assert len(page.soup.select("tbody tr")) == min(size, 25)
    assert queries.count <= 10, queries.statements
