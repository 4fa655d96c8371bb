"""Caseworkers and managers record when they will be away. While a caseworker is away, emails
about new family messages go to the team's managers instead; urgent ones go to both at once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.conversations.models import StaffAbsence, UrgentReason
from portal.extensions import db
from portal.models import AuditEvent, Role
from portal.outbox import OutboxEmail
from tests.casework.helpers import date_fields
from tests.conversations.helpers import start
from tests.helpers import Factory, get_page, post_page, sign_in_fast

URL = "/casework/absence"
# Tuesday 1 December 2026, in the morning.
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
SENTENCE = (
    "While you are away, your cases’ conversations show in the team inbox as needing cover, families are told "
    "the team will reply, and emails about new messages go to your team’s managers."
)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(NOW, tick=False):
        yield NOW.date()


@pytest.fixture
def caseworker_client(app: Flask, people) -> FlaskClient:
    client = app.test_client()
    sign_in_fast(client, people.caseworker)
    return client


def dates(starts_on: date | None, ends_on: date | None) -> dict:
    fields = {}
    fields.update(date_fields("starts_on", starts_on) if starts_on else {"starts_on": ["", "", ""]})
    fields.update(date_fields("ends_on", ends_on) if ends_on else {"ends_on": ["", "", ""]})
    return fields


def record(client: FlaskClient, starts_on: date, ends_on: date) -> None:
    response = client.post(URL, data=dates(starts_on, ends_on))
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    assert response.location.endswith(URL)


def absences(user_id: int) -> list[StaffAbsence]:
    db.session.expire_all()
    return list(db.session.scalars(select(StaffAbsence).where(StaffAbsence.user_id == user_id)
                                   .order_by(StaffAbsence.id)))


def recipients(template: str = "message_to_staff") -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(OutboxEmail.to_email).where(OutboxEmail.template == template)))


def test_the_page_explains_what_happens_and_lists_nothing_yet(caseworker_client):
    page = get_page(caseworker_client, URL)
    assert page.h1 == "Your absences"
    assert SENTENCE in page.text
    assert "You have not recorded any absences to come." in page.text
    assert page.soup.select("input[name=starts_on]") and page.soup.select("input[name=ends_on]")


def test_the_account_page_links_to_it_for_caseworkers_and_managers_only(app: Flask, make: Factory, people):
    for user, linked in ((people.caseworker, True), (people.manager, True),
                         (make.user(Role.ADMIN), False), (people.parent, False)):
        client = app.test_client()
        sign_in_fast(client, user)
        page = get_page(client, "/account")
        assert bool(page.soup.select(f"a[href='{URL}']")) is linked, user.role


def test_record_an_absence_and_cancel_it(caseworker_client, people):
    record(caseworker_client, date(2026, 12, 21), date(2027, 1, 4))
    record(caseworker_client, date(2026, 12, 1), date(2026, 12, 8))
    page = get_page(caseworker_client, URL)
    assert "Absence saved: away from Tuesday 1 December 2026 to Tuesday 8 December 2026." in page.text
    rows = [" ".join(row.get_text(" ").split()) for row in page.soup.select("#absences .govuk-summary-list__row")]
    assert rows[0].startswith("Away now Until Tuesday 8 December 2026 Cancel")
    assert rows[1].startswith("From Monday 21 December 2026 To Monday 4 January 2027 Cancel")
    later, now = absences(people.caseworker.id)
    assert (later.starts_on, later.ends_on) == (date(2026, 12, 21), date(2027, 1, 4))
    events = db.session.scalars(select(AuditEvent.target).where(AuditEvent.action == "absence-recorded")).all()
    assert sorted(events) == sorted([f"absence:{later.id}", f"absence:{now.id}"])

    form = page.soup.select_one(f"form[action='{URL}/{later.id}/cancel']")
    assert form is not None
    response = caseworker_client.post(f"{URL}/{later.id}/cancel")
    assert response.status_code == 302
    page = get_page(caseworker_client, URL)
    assert "Absence cancelled." in page.text
    assert "21 December" not in page.text
    assert absences(people.caseworker.id)[0].cancelled_at is not None
    assert caseworker_client.post(f"{URL}/{later.id}/cancel").status_code == 404  # already cancelled


def test_only_they_and_their_own_managers_cancel_an_absence(app: Flask, make: Factory, caseworker_client, people):
    record(caseworker_client, date(2026, 12, 2), date(2026, 12, 3))
    [absence] = absences(people.caseworker.id)
    colleague = make.user(Role.CASEWORKER, team=people.team, name="Cole League")
    south_manager = make.user(Role.MANAGER, team=people.south_case.team, name="Sam South")
    for person in (colleague, south_manager, people.south_caseworker):
        other = app.test_client()
        sign_in_fast(other, person)
        assert other.post(f"{URL}/{absence.id}/cancel").status_code == 404
        assert absences(people.caseworker.id)[0].cancelled_at is None
    manager = app.test_client()
    sign_in_fast(manager, people.manager)
    assert manager.post(f"{URL}/{absence.id}/cancel").status_code == 302
    assert absences(people.caseworker.id)[0].cancelled_at is not None


def test_a_manager_records_a_caseworkers_absence_and_the_family_is_told_who_will_reply(
    app: Flask, make: Factory, people, client
):
    """A caseworker phones in ill: their manager records it, and cover starts at once."""
    manager = app.test_client()
    sign_in_fast(manager, people.manager)
    page = get_page(manager, URL)
    assert page.h1 == "Absences in your team"
    options = [option.get_text() for option in page.soup.select("select[name=person] option")]
    assert options == ["You (Morgan Manager)", "Casey Worker"]
    response = manager.post(URL, data={"person": str(people.caseworker.id), **dates(date(2026, 12, 1),
                                                                                     date(2026, 12, 4))})
    assert response.status_code == 302
    [absence] = absences(people.caseworker.id)
    assert (absence.starts_on, absence.ends_on) == (date(2026, 12, 1), date(2026, 12, 4))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "absence-recorded"))
    assert event.actor_id == people.manager.id and event.detail.startswith("Casey Worker:")
    listed = get_page(manager, URL)
    assert "Absence saved: Casey Worker is away from Tuesday 1 December 2026 to Friday 4 December 2026." in listed.text
    assert "Casey Worker: away now" in listed.soup.select_one("#absences").get_text(" ", strip=True)
    # The family's conversation waiting for a reply says who will reply.
    conversation = start(people.parent, people.case, "Transport")
    sign_in_fast(client, people.parent)
    assert "Casey is away until 4 December 2026: the North SEND team will reply." in get_page(
        client, f"/family/messages/{conversation.id}").text


def test_a_manager_cannot_record_for_someone_outside_their_team(app: Flask, people):
    manager = app.test_client()
    sign_in_fast(manager, people.manager)
    page = post_page(manager, URL, {"person": str(people.south_caseworker.id),
                                    **dates(date(2026, 12, 2), date(2026, 12, 3))}, status=400)
    assert page.error_messages() == ["Select someone in your team"]
    assert absences(people.south_caseworker.id) == []


def test_a_caseworker_records_only_their_own(caseworker_client, people):
    page = get_page(caseworker_client, URL)
    assert page.soup.select_one("select[name=person]") is None
    response = caseworker_client.post(URL, data={"person": str(people.manager.id),
                                                 **dates(date(2026, 12, 2), date(2026, 12, 3))})
    assert response.status_code == 302
    assert absences(people.manager.id) == [] and len(absences(people.caseworker.id)) == 1


def test_past_absences_are_not_listed(caseworker_client, people):
    db.session.add(StaffAbsence(user_id=people.caseworker.id, starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 30)))
    db.session.commit()
    assert "You have not recorded any absences to come." in get_page(caseworker_client, URL).text


@pytest.mark.parametrize(("starts_on", "ends_on", "errors"), [
    (date(2026, 12, 10), date(2026, 12, 9), ["The last day away must be the same as or after the first day away"]),
    (date(2026, 11, 20), date(2026, 11, 30), ["The last day away must be today or in the future"]),
    (date(2026, 12, 10), date(2027, 12, 11), ["An absence must be a year or shorter"]),
    (None, None, ["Enter your first day away", "Enter your last day away"]),
    (date(2026, 12, 10), None, ["Enter your last day away"]),
])
def test_errors(caseworker_client, people, starts_on, ends_on, errors):
    page = post_page(caseworker_client, URL, dates(starts_on, ends_on), status=400)
    assert page.title.startswith("Error: Your absences")
    assert page.error_messages() == errors
    assert page.field_errors() == [f"Error: {error}" for error in errors]
    assert absences(people.caseworker.id) == []


def test_while_away_the_managers_get_the_email_and_the_caseworker_does_not(app, caseworker_client, people, mail):
    record(caseworker_client, date(2026, 12, 1), date(2026, 12, 8))
    start(people.parent, people.case, now=NOW)

    assert mail.to(people.caseworker.email) == []
    [email] = mail.to(people.manager.email)
    text = mail.text(email)
    assert "You are getting this email because Casey Worker is away until Tuesday 8 December 2026." in text
    assert "Could you tell me" not in text  # never the message


def test_an_urgent_message_goes_to_the_caseworker_and_the_managers(people):
    start(people.parent, people.case, urgent=UrgentReason.SAFETY, now=NOW)
    assert recipients() == {people.caseworker.email, people.manager.email}


def test_an_urgent_message_while_away_goes_to_the_managers(caseworker_client, people):
    record(caseworker_client, date(2026, 12, 1), date(2026, 12, 8))
    start(people.parent, people.case, urgent=UrgentReason.SAFETY, now=NOW)
    assert recipients() == {people.manager.email}


def test_after_the_absence_the_caseworker_gets_the_emails_again(caseworker_client, people):
    record(caseworker_client, date(2026, 12, 1), date(2026, 12, 8))
    start(people.parent, people.case, now=NOW)
    assert recipients() == {people.manager.email}
    db.session.execute(OutboxEmail.__table__.delete())
    db.session.commit()
    start(people.parent, people.case, now=NOW + timedelta(days=8))  # Wednesday 9 December
    assert recipients() == {people.caseworker.email}


def test_a_cancelled_absence_sends_the_emails_to_the_caseworker(caseworker_client, people):
    record(caseworker_client, date(2026, 12, 1), date(2026, 12, 8))
    [absence] = absences(people.caseworker.id)
    assert caseworker_client.post(f"{URL}/{absence.id}/cancel").status_code == 302
    start(people.parent, people.case, now=NOW)
    assert recipients() == {people.caseworker.email}


def test_family_and_admin_cannot_use_the_page(app: Flask, make: Factory, people):
    for user in (people.parent, make.user(Role.ADMIN)):
        client = app.test_client()
        sign_in_fast(client, user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, data=dates(date(2026, 12, 2), date(2026, 12, 3))).status_code == 403


def test_the_forms_need_the_csrf_token(csrf_app: Flask, people):
    client = csrf_app.test_client()
    sign_in_fast(client, people.caseworker)
    assert client.post(URL, data=dates(date(2026, 12, 2), date(2026, 12, 3))).status_code == 400
    token = get_page(client, URL).csrf_token()
    response = client.post(URL, data={**dates(date(2026, 12, 2), date(2026, 12, 3)), "csrf_token": token})
    assert response.status_code == 302
    [absence] = absences(people.caseworker.id)
    assert client.post(f"{URL}/{absence.id}/cancel").status_code == 400
    assert client.post(f"{URL}/{absence.id}/cancel", data={"csrf_token": token}).status_code == 302


@pytest.mark.parametrize("number", [1, 40])
def test_the_page_takes_at_most_ten_queries(caseworker_client, people, count_queries, number):
    for offset in range(number):
        first = date(2026, 12, 2) + timedelta(days=3 * offset)
        db.session.add(StaffAbsence(user_id=people.caseworker.id, starts_on=first, ends_on=first + timedelta(days=1)))
    db.session.commit()
    with count_queries() as queries:
        page = get_page(caseworker_client, URL)
    assert len(page.soup.select("#absences .govuk-summary-list__row")) == number
    assert queries.count <= 10
