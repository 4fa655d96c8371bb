"""The other forms on the case page: expected date, annual review dates, exceptions, advice, staff
notes and (for managers) assigning the case. Each saves through its use case and comes back to
the case with a banner; each problem is a 400 with the message on its field, and nothing saved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.casework.queries import today
from portal.ehcp.models import AdviceProvider, AdviceRequest, CaseNote, TimelineException
from portal.ehcp.stages import Stage
from portal.ehcp.timeline import ExceptionType
from portal.extensions import db
from portal.models import AuditEvent, Role
from tests.casework.helpers import Teams, case_row, date_fields, set_case, snapshot, typed_date
from tests.helpers import Factory, check_page, get_page, sign_in_fast


@pytest.fixture
def signed_in(client: FlaskClient, teams: Teams) -> FlaskClient:
    sign_in_fast(client, teams.caseworker)
    return client


def banner_after(client: FlaskClient, response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = get_page(client, response.location)
    return " ".join(page.soup.select_one(".govuk-notification-banner").get_text().split())


def audited(action: str) -> list[int | None]:
    return list(db.session.scalars(select(AuditEvent.actor_id).where(AuditEvent.action == action)))


# --- Expected date ------------------------------------------------------------------------------


def expected(teams: Teams, on: date | None, reason: str = "") -> dict:
    dates = date_fields("expected-expected_on", on) if on else typed_date("expected-expected_on", "", "", "")
    return {"expected-version": str(teams.case.version), **dates, "expected-delay_reason": reason}


def test_an_expected_date_on_or_before_the_legal_date_needs_no_reason(signed_in: FlaskClient, teams: Teams) -> None:
    legal = teams.case.next_deadline_on
    response = signed_in.post(f"/casework/cases/{teams.case.id}/expected-date", data=expected(teams, legal, "Ignored"))
    assert "Expected date saved" in banner_after(signed_in, response)
    db.session.refresh(teams.case)
    assert (teams.case.expected_on, teams.case.delay_reason) == (legal, None)
    assert audited("expected-date-set") == [teams.caseworker.id]


def test_an_expected_date_after_the_legal_date_needs_a_reason(signed_in: FlaskClient, teams: Teams) -> None:
    late = teams.case.next_deadline_on + timedelta(days=10)
    before = snapshot()
    for reason in ("", "   "):
        page = check_page(
            signed_in.post(f"/casework/cases/{teams.case.id}/expected-date", data=expected(teams, late, reason)), 400
        )
        assert page.error_messages() == ["Enter the reason for the delay. The family will see it"]
        assert page.soup.select_one(".govuk-error-summary a")["href"] == "#expected-delay_reason"
        assert snapshot() == before

    response = signed_in.post(
        f"/casework/cases/{teams.case.id}/expected-date", data=expected(teams, late, "The panel moved.")
    )
    assert response.status_code == 302
    db.session.refresh(teams.case)
    assert (teams.case.expected_on, teams.case.delay_reason) == (late, "The panel moved.")
    page = get_page(signed_in, f"/casework/cases/{teams.case.id}")
    assert "The panel moved." in page.text


def test_the_expected_date_can_be_removed(signed_in: FlaskClient, teams: Teams) -> None:
    set_case(teams.case, expected_on=today())
    response = signed_in.post(f"/casework/cases/{teams.case.id}/expected-date", data=expected(teams, None))
    assert "Expected date removed" in banner_after(signed_in, response)
    db.session.refresh(teams.case)
    assert teams.case.expected_on is None


def test_a_made_up_expected_date_is_refused(signed_in: FlaskClient, teams: Teams) -> None:
    before = snapshot()
    data = expected(teams, None) | typed_date("expected-expected_on", "31", "2", "2025")
    page = check_page(signed_in.post(f"/casework/cases/{teams.case.id}/expected-date", data=data), 400)
    assert page.error_messages() == ["Expected date must be a real date"]
    assert snapshot() == before


def test_an_overtaken_expected_date_is_refused(signed_in: FlaskClient, teams: Teams) -> None:
    data = expected(teams, today())
    set_case(teams.case, caseworker_id=teams.other_caseworker.id)  # someone else's change
    before = case_row(teams.case.id)
    page = check_page(signed_in.post(f"/casework/cases/{teams.case.id}/expected-date", data=data), 409)
    assert page.error_messages()[0].endswith("Check the latest details and make your change again.")
    assert case_row(teams.case.id) == before


# --- Annual review dates ----------------------------------------------------------------------


def test_review_dates(signed_in: FlaskClient, teams: Teams) -> None:
    plan = today() - timedelta(days=300)
    set_case(teams.case, stage=Stage.ANNUAL_REVIEW, final_plan_on=plan, first_final_plan_on=plan,
             stage_since=today() - timedelta(days=20))
    meeting = today() - timedelta(days=10)
    data = {"review-version": str(teams.case.version), **date_fields("review-review_meeting_on", meeting),
            **date_fields("review-amendments_proposed_on", today())}
    assert "Review dates saved" in banner_after(signed_in, signed_in.post(
        f"/casework/cases/{teams.case.id}/review-dates", data=data))
    db.session.refresh(teams.case)
    assert (teams.case.review_meeting_on, teams.case.amendments_proposed_on) == (meeting, today())
    assert teams.case.next_deadline_on == min(today() + timedelta(weeks=8), meeting + timedelta(weeks=12))


def test_review_dates_problems(signed_in: FlaskClient, teams: Teams) -> None:
    set_case(teams.case, stage=Stage.ANNUAL_REVIEW, final_plan_on=date(2025, 1, 1))
    url = f"/casework/cases/{teams.case.id}/review-dates"
    version = str(teams.case.version)
    before = snapshot()
    cases = [
        ({}, "Enter the date of the review meeting"),
        ({**date_fields("review-amendments_proposed_on", today() - timedelta(days=5)),
          **date_fields("review-review_meeting_on", today())},
         "The amendments must be proposed on or after the review meeting"),
        ({**date_fields("review-review_meeting_on", today()),
          **date_fields("review-amendments_proposed_on", today() + timedelta(days=1))},
         "The date amendments were proposed must be today or in the past"),
    ]
    for fields, message in cases:
        page = check_page(signed_in.post(url, data={"review-version": version, **fields}), 400)
        assert page.error_messages() == [message]
    assert snapshot() == before


def test_review_dates_outside_an_annual_review_are_refused(signed_in: FlaskClient, teams: Teams) -> None:
    before = snapshot()
    data = {"review-version": str(teams.case.version), **date_fields("review-review_meeting_on", today())}
    page = check_page(signed_in.post(f"/casework/cases/{teams.case.id}/review-dates", data=data), 400)
    assert page.error_messages() == ["Review dates can only be recorded during an annual review"]
    assert snapshot() == before


# --- Exceptions ---------------------------------------------------------------------------------


def exception_form(teams: Teams, **changes) -> dict:
    return {
        "exception-version": str(teams.case.version),
        "exception-exception_type": "personal_circumstances",
        "exception-reason": "The family were in hospital.",
        **date_fields("exception-applies_from", today()),
        **changes,
    }


def test_recording_an_exception(signed_in: FlaskClient, teams: Teams) -> None:
    data = exception_form(teams, **{"exception-staff_note": "STAFF-ONLY mother said not to call before 10"})
    response = signed_in.post(f"/casework/cases/{teams.case.id}/exceptions", data=data)
    assert "Exception recorded" in banner_after(signed_in, response)
    exception = db.session.scalar(select(TimelineException))
    assert (exception.type, exception.reason, exception.applies_from, exception.recorded_by_id) == (
        ExceptionType.PERSONAL_CIRCUMSTANCES, "The family were in hospital.", today(), teams.caseworker.id
    )
    assert exception.staff_note == "STAFF-ONLY mother said not to call before 10"
    db.session.refresh(teams.case)
    assert teams.case.has_exception
    assert audited("exception-recorded") == [teams.caseworker.id]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"exception-exception_type": ""}, "Select the exception that applies"),
        ({"exception-exception_type": "made_up"}, "Select one of the exceptions shown"),
        ({"exception-reason": "  "}, "Enter the explanation for the family"),
        ({"exception-reason": "r" * 2001}, "Explanation for the family must be 2,000 characters or fewer"),
        ({"exception-reason": "<p>Hospital</p>"}, "Explanation for the family must not include HTML"),
        ({"exception-staff_note": "n" * 5001}, "Note for staff must be 5,000 characters or fewer"),
        ({**typed_date("exception-applies_from", "", "", ""), "exception-applies_from_when": "another"},
         "Enter the date the exception applies from"),
        (typed_date("exception-applies_from", "", "", ""),
         "Select if the exception applies from today or another date"),
        ({"exception-applies_from_when": "tomorrow"}, "Select if the exception applies from today or another date"),
        (lambda: date_fields("exception-applies_from", today() + timedelta(days=1)),
         "The date must be today or in the past"),
        (date_fields("exception-applies_from", date(2000, 1, 1)),
         "The date must be on or after the date the request was received"),
    ],
)
def test_exception_problems(signed_in: FlaskClient, teams: Teams, changes, message: str) -> None:
    changes = changes() if callable(changes) else changes  # dates from today are worked out when the test runs
    before = snapshot()
    response = signed_in.post(f"/casework/cases/{teams.case.id}/exceptions", data=exception_form(teams, **changes))
    page = check_page(response, 400)
    assert page.error_messages() == [message]
    assert snapshot() == before


# --- Advice -------------------------------------------------------------------------------------


def test_asking_for_advice_and_marking_it_received(signed_in: FlaskClient, teams: Teams) -> None:
    asked = teams.case.request_received_on + timedelta(days=1)
    response = signed_in.post(
        f"/casework/cases/{teams.case.id}/advice",
        data={"advice-provider": "educational_psychologist", **date_fields("advice-requested_on", asked)},
    )
    assert "Advice request recorded" in banner_after(signed_in, response)
    advice = db.session.scalar(select(AdviceRequest))
    assert (advice.provider, advice.requested_on, advice.due_on, advice.received_on) == (
        AdviceProvider.EDUCATIONAL_PSYCHOLOGIST, asked, asked + timedelta(weeks=6), None
    )

    url = f"/casework/cases/{teams.case.id}/advice/{advice.id}/received"
    version = {f"received-{advice.id}-version": str(teams.case.version)}
    before = snapshot()
    page = check_page(
        signed_in.post(url, data={**version, **date_fields(f"received-{advice.id}-received_on", asked - timedelta(1))}),
        400,
    )
    assert page.error_messages() == ["The date advice was received must be on or after the date it was asked for"]
    assert page.soup.select_one(".govuk-error-summary a")["href"] == f"#received-{advice.id}-received_on-day"
    assert snapshot() == before

    response = signed_in.post(url, data={**version, **date_fields(f"received-{advice.id}-received_on", today())})
    assert "Advice from educational psychologist marked as received" in banner_after(signed_in, response)
    db.session.refresh(advice)
    assert advice.received_on == today()
    assert audited("advice-requested") == audited("advice-received") == [teams.caseworker.id]


def test_a_stale_advice_received_form_is_refused_and_says_who_changed_the_case(
    signed_in: FlaskClient, teams: Teams, make
) -> None:
    """Two caseworkers open the case; one marks the advice received on one date, the other then
    sends an older form with another date. The second is refused; the first date stays."""
    asked = teams.case.request_received_on + timedelta(days=1)
    signed_in.post(
        f"/casework/cases/{teams.case.id}/advice",
        data={"advice-provider": "health", **date_fields("advice-requested_on", asked)},
    )
    advice = db.session.scalar(select(AdviceRequest))
    db.session.refresh(teams.case)
    loaded_version = {f"received-{advice.id}-version": str(teams.case.version)}
    url = f"/casework/cases/{teams.case.id}/advice/{advice.id}/received"
    colleague = signed_in.application.test_client()
    sign_in_fast(colleague, make.user(Role.CASEWORKER, team=teams.north, name="Cal Colleague"))
    first = colleague.post(url, data={**loaded_version, **date_fields(f"received-{advice.id}-received_on", asked)})
    assert first.status_code == 302
    before = snapshot()

    late = signed_in.post(url, data={**loaded_version, **date_fields(f"received-{advice.id}-received_on", today())})

    page = check_page(late, 409)
    assert "Cal Colleague changed this case" in page.text
    assert "Check the latest details and make your change again" in page.text
    assert snapshot() == before
    db.session.refresh(advice)
    assert advice.received_on == asked


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (lambda: {"advice-provider": "health"}, "Select if advice was asked for today or on another date"),
        (lambda: {"advice-provider": "health", "advice-requested_on_when": "another"},
         "Enter the date advice was asked for"),
        (lambda: {"advice-provider": "the-moon", **date_fields("advice-requested_on", today())},
         "Select one of the options shown"),
        (lambda: date_fields("advice-requested_on", today()), "Select who was asked for advice"),
        (lambda: {"advice-provider": "health", **date_fields("advice-requested_on", today() + timedelta(days=1))},
         "The date advice was asked for must be today or in the past"),
    ],
)
def test_advice_problems(signed_in: FlaskClient, teams: Teams, data, message: str) -> None:
    data = data()  # dates from today are worked out when the test runs
    before = snapshot()
    page = check_page(signed_in.post(f"/casework/cases/{teams.case.id}/advice", data=data), 400)
    assert page.error_messages() == [message]
    assert snapshot() == before


# --- Staff notes --------------------------------------------------------------------------------


def test_adding_a_staff_note(signed_in: FlaskClient, teams: Teams) -> None:
    response = signed_in.post(f"/casework/cases/{teams.case.id}/notes", data={"note-text": "  Rang the school.  "})
    assert "Note added" in banner_after(signed_in, response)
    note = db.session.scalar(select(CaseNote))
    assert (note.text, note.author_id) == ("Rang the school.", teams.caseworker.id)
    page = get_page(signed_in, f"/casework/cases/{teams.case.id}")
    assert "Rang the school." in page.soup.find(id="notes").find_next("ul").get_text()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter the note"),
        ("\r\n  \t", "Enter the note"),
        ("n" * 5001, "Note must be 5,000 characters or fewer"),
        ("<script>alert(1)</script>", "Note must not include HTML"),
    ],
)
def test_staff_note_problems(signed_in: FlaskClient, teams: Teams, text: str, message: str) -> None:
    before = snapshot()
    page = check_page(signed_in.post(f"/casework/cases/{teams.case.id}/notes", data={"note-text": text}), 400)
    assert page.error_messages() == [message]
    assert page.soup.select_one(".govuk-error-summary a")["href"] == "#note-text"
    assert snapshot() == before


# --- Assigning the case (managers only) -----------------------------------------------------------


def reassign(client: FlaskClient, teams: Teams, value: str, version: int | None = None):
    data = {"reassign-version": str(version or teams.case.version), "reassign-caseworker": value}
    return client.post(f"/casework/cases/{teams.case.id}/caseworker", data=data)


def test_a_manager_assigns_the_case(client: FlaskClient, teams: Teams) -> None:
    sign_in_fast(client, teams.manager)
    response = reassign(client, teams, str(teams.other_caseworker.id))
    assert "Case assigned to Robin Caseworker" in banner_after(client, response)
    db.session.refresh(teams.case)
    assert teams.case.caseworker_id == teams.other_caseworker.id
    assert audited("case-reassigned") == [teams.manager.id]
    response = reassign(client, teams, "")
    assert "Case is not assigned to anyone" in banner_after(client, response)
    db.session.refresh(teams.case)
    assert teams.case.caseworker_id is None


def test_a_caseworker_cannot_assign_the_case(signed_in: FlaskClient, teams: Teams) -> None:
    before = snapshot()
    response = reassign(signed_in, teams, str(teams.other_caseworker.id))
    page = check_page(response, 403)
    assert page.h1 == "You do not have permission to see this page"
    assert snapshot() == before


@pytest.mark.parametrize("who", ["south", "family", "inactive", "made-up", "html"])
def test_only_active_staff_of_the_cases_team_can_be_given_it(
    client: FlaskClient, teams: Teams, make: Factory, who: str
) -> None:
    value = {
        "south": str(teams.south_caseworker.id),
        "family": str(teams.parent.id),
        "inactive": str(make.user(Role.CASEWORKER, team=teams.north, active=False).id),
        "made-up": "999999",
        "html": "<script>",
    }[who]
    sign_in_fast(client, teams.manager)
    before = snapshot()
    page = check_page(reassign(client, teams, value), 400)
    assert page.error_messages() == ["Select a caseworker from the list"]
    assert snapshot() == before


def test_an_overtaken_assignment_is_refused(client: FlaskClient, teams: Teams) -> None:
    sign_in_fast(client, teams.manager)
    old = teams.case.version
    assert reassign(client, teams, str(teams.other_caseworker.id)).status_code == 302
    before = case_row(teams.case.id)
    page = check_page(reassign(client, teams, "", version=old), 409)
    assert page.error_messages()[0].startswith("Morgan Manager changed this case at ")
    assert case_row(teams.case.id) == before
