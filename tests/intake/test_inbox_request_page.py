"""One request as the team sees it (/casework/requests/<id>): the requester's answers as escaped
text with their line breaks, the decision deadline, children already known with the same name and
date of birth, and who may see it (any team's staff until a case is opened; then the case's team)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.ehcp.milestones import long_date
from portal.ehcp.timeline import decision_to_assess_due
from portal.extensions import db
from portal.intake import services
from portal.intake.models import ClosureReason, RequestStatus
from portal.models import AuditEvent, Role
from tests.helpers import Factory, get_page, sign_in_fast
from tests.intake.conftest import add_received_request
from tests.intake.test_inbox import add_many


@pytest.fixture
def north(make: Factory):
    team = make.team("North SEND team")
    return team, make.user(Role.CASEWORKER, team=team, name="Casey Worker")


def summary(page) -> dict[str, str]:
    rows = page.soup.select(".govuk-summary-list__row")
    return {
        " ".join(row.select_one("dt").get_text().split()): " ".join(row.select_one("dd").get_text().split())
        for row in rows
    }


def test_the_answers_are_shown_as_written(client, north) -> None:
    hostile = "<script>alert(1)</script> & <b>bold</b>"
    odd = "Zoë 👩‍👧 שלום ⁦x⁩ Ǹ̀" + "x" * 2900
    request = add_received_request(
        needs=f"First line {hostile}\n\nSecond line", support=odd, reasons=None, requester_phone="01632 960 001",
    )
    sign_in_fast(client, north[1])

    page = get_page(client, f"/casework/requests/{request.id}")

    html = page.response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    rows = summary(page)
    needs_row = next(row for row in page.soup.select(".govuk-summary-list__row")
                     if row.dt.get_text(strip=True) == "The child’s needs")
    needs = [p.get_text() for p in needs_row.dd.select("p")]
    assert needs == [f"First line {hostile}", "Second line"]
    assert rows["Support they have now"] == odd
    assert rows["Why an assessment is needed"] == "Not given"
    assert rows["Phone number"] == "01632 960 001"
    assert rows["Who asked"] == "A parent" and rows["How it arrived"] == "Online, through the portal"
    assert page.h1 == f"Request {request.reference}: Robin Requestson"
    due = decision_to_assess_due(request.received_on)
    assert f"The council must decide whether to assess by {long_date(due)}" in page.text
    assert page.soup.select_one(f"form[action='/casework/requests/{request.id}/open-case']") is not None
    assert page.soup.select_one(f"a[href='/casework/requests/{request.id}/close']") is not None


def test_children_with_the_same_name_and_date_of_birth_are_warned_about(client, north, make) -> None:
    team, caseworker = north
    south = make.team("South SEND team")
    known = make.child(team=south, first_name="Robin")
    with_case = make.child(team=team, first_name="Robin")
    other = make.child(team=team, first_name="Robin")  # another date of birth
    for child in (known, with_case, other):
        child.last_name = "Requestson"
    known.date_of_birth = with_case.date_of_birth = date(2016, 5, 4)
    db.session.commit()
    make.case(child=with_case)
    request = add_received_request()
    sign_in_fast(client, caseworker)

    page = get_page(client, f"/casework/requests/{request.id}")

    warning = " ".join(page.soup.select_one(".govuk-warning-text").get_text(" ").split())
    assert "Children already known have the same name and date of birth" in warning
    assert "Robin Requestson, born 4 May 2016, South SEND team: no open case" in warning
    assert "Robin Requestson, born 4 May 2016, North SEND team: has an open case" in warning
    assert warning.count("Robin Requestson") == 2
    choices = [label.get_text(strip=True) for label in page.soup.select("input[name=child] + label")]
    assert choices == [
        "Robin Requestson, born 4 May 2016, South SEND team (no open case)",
        "Robin Requestson, born 4 May 2016, North SEND team (has an open case)",
        "Register a new child",
    ]


def test_no_warning_without_a_match(client, north) -> None:
    request = add_received_request(child_first_name="Unique")
    sign_in_fast(client, north[1])
    page = get_page(client, f"/casework/requests/{request.id}")
    assert page.soup.select(".govuk-warning-text") == []
    assert page.soup.select("input[name=child]") == []


def test_every_view_is_audited(client, north) -> None:
    request = add_received_request()
    sign_in_fast(client, north[1])
    get_page(client, f"/casework/requests/{request.id}")
    get_page(client, f"/casework/requests/{request.id}")
    viewed = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "request-viewed", AuditEvent.target == f"request:{request.id}")
    ).all()
    assert len(viewed) == 2 and {event.actor_id for event in viewed} == {north[1].id}


def test_unsent_and_unconfirmed_requests_are_not_found(client, north) -> None:
    sign_in_fast(client, north[1])
    for status in (RequestStatus.DRAFT, RequestStatus.AWAITING_EMAIL):
        request = add_received_request(status=status, received_on=None, reference=None)
        page = get_page(client, f"/casework/requests/{request.id}", status=404)
        assert "Robin" not in page.text
    get_page(client, "/casework/requests/999999", status=404)


def test_an_opened_request_is_only_for_the_cases_team(client, north, make, app) -> None:
    team, caseworker = north
    request = add_received_request()
    with app.test_request_context():
        services.open_case_from_request(request, caseworker, services.Opening(None, team))
    sign_in_fast(client, caseworker)
    page = get_page(client, f"/casework/requests/{request.id}")
    decision = page.soup.select_one("#decision").get_text(" ")
    assert "Casey Worker opened case" in " ".join(decision.split())
    assert page.soup.select("form[action$='/open-case']") == [] and "Close this request" not in page.text

    sign_in_fast(client, make.user(Role.CASEWORKER, name="Sol South"))
    refused = get_page(client, f"/casework/requests/{request.id}", status=404)
    assert refused.h1 == "Page not found" and "Robin" not in refused.text
    assert db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "record-refused", AuditEvent.target == f"request:{request.id}"
    ))


def test_a_closed_request_shows_why_to_any_team(client, north, make) -> None:
    request = add_received_request()
    services.close_request(request, north[1], ClosureReason.DUPLICATE, "Same as R2026-00001.\nSent twice.")
    sign_in_fast(client, make.user(Role.MANAGER, name="Sol South"))
    page = get_page(client, f"/casework/requests/{request.id}")
    assert "Casey Worker closed this request" in " ".join(page.soup.select_one("#decision").get_text().split())
    rows = summary(page)
    assert rows["Reason"] == ClosureReason.DUPLICATE.label
    assert rows["Explanation"] == "Same as R2026-00001. Sent twice."
    assert page.soup.select("form[action$='/open-case']") == []
    assert "Close this request" not in page.text


@pytest.mark.parametrize("role", [Role.FAMILY, Role.COPRODUCTION, Role.ADMIN])
def test_other_roles_are_refused(client, make, role) -> None:
    request = add_received_request()
    sign_in_fast(client, make.user(role))
    get_page(client, f"/casework/requests/{request.id}", status=403)
    get_page(client, f"/casework/requests/{request.id}/close", status=403)


@pytest.mark.parametrize("size", [10, 500])
def test_at_most_10_statements(client, north, make, count_queries, size) -> None:
    team, caseworker = north
    add_many(size, date.today() - timedelta(days=4))
    for number in range(3):
        make.user(Role.CASEWORKER, team=make.team(f"Team {size}-{number}"))
        child = make.child(team=team, first_name="Robin")
        child.last_name, child.date_of_birth = "Requestson", date(2016, 5, 4)
    db.session.commit()
    request = add_received_request()
    sign_in_fast(client, caseworker)
    get_page(client, f"/casework/requests/{request.id}")
    with count_queries() as queries:
        page = get_page(client, f"/casework/requests/{request.id}")
    assert len(page.soup.select("input[name=child]")) == 4
    assert queries.count <= 10, queries.statements
