"""Administrators add and remove council closure days: the day, the audit event and the reply-by
dates of the conversations waiting for the council move together."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.conversations.models import ClosureDay, Conversation, UrgentReason
from portal.extensions import db
from portal.models import AuditEvent, Role
from tests.casework.helpers import date_fields
from tests.conversations.helpers import reply, start
from tests.helpers import Factory, check_page, get_page, post_page, sign_in_fast

URL = "/admin/closure-days"
# Tuesday 1 December 2026, in the morning.
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.fixture
def today():
    with time_machine.travel(NOW, tick=False):
        yield NOW.date()


@pytest.fixture
def admin_client(app: Flask, make: Factory, today) -> FlaskClient:
    client = app.test_client()
    sign_in_fast(client, make.user(Role.ADMIN, name="Addy Admin"))
    return client


def add(client: FlaskClient, day: date, description: str = "Staff training day", status: int = 302):
    response = client.post(URL, data={**date_fields("day", day), "description": description})
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response


def due(conversation: Conversation) -> date | None:
    db.session.expire_all()
    return db.session.get(Conversation, conversation.id).reply_due_on


def test_adding_a_closure_day_moves_waiting_conversations_one_working_day_and_removing_moves_them_back(
    admin_client, people
):
    waiting = start(people.parent, people.case, now=NOW)  # due Tuesday 15 December
    earlier = start(people.parent, people.case, now=datetime(2026, 11, 30, 9, tzinfo=UTC))
    urgent = start(people.parent, people.case, urgent=UrgentReason.SAFETY, now=NOW)  # due Thursday 3rd
    answered = start(people.parent, people.case, now=NOW)
    reply(people.caseworker, answered, now=NOW)
    assert due(waiting) == date(2026, 12, 15)
    assert due(earlier) == date(2026, 12, 14)
    assert due(urgent) == date(2026, 12, 3)

    response = add(admin_client, date(2026, 12, 10), "Staff training day")
    assert response.location.endswith(URL)
    assert due(waiting) == date(2026, 12, 16)
    assert due(earlier) == date(2026, 12, 15)
    assert due(urgent) == date(2026, 12, 3)  # due before the closure day: unchanged
    assert due(answered) is None  # waiting for the family: no date to move
    page = get_page(admin_client, URL)
    assert "Thursday 10 December 2026 added as a closure day. 2 reply-by dates changed." in page.text
    [row] = page.soup.select("tbody tr")
    assert "Thursday 10 December 2026" in row.get_text() and "Staff training day" in row.get_text()
    closure = db.session.get(ClosureDay, date(2026, 12, 10))
    assert closure.description == "Staff training day"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "closure-day-added")).all()
    assert [event.target for event in events] == ["closure-day:2026-12-10"]

    response = admin_client.post(f"{URL}/remove", data={"day": "2026-12-10"})
    assert response.status_code == 302
    assert due(waiting) == date(2026, 12, 15)
    assert due(earlier) == date(2026, 12, 14)
    assert due(urgent) == date(2026, 12, 3)
    assert db.session.get(ClosureDay, date(2026, 12, 10)) is None
    page = get_page(admin_client, URL)
    assert "no longer a closure day" in page.text
    assert "There are no closure days from today on." in page.text
    removed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "closure-day-removed")).all()
    assert [event.target for event in removed] == ["closure-day:2026-12-10"]


def test_a_closure_day_after_the_reply_by_date_moves_nothing(admin_client, people):
    waiting = start(people.parent, people.case, now=NOW)
    add(admin_client, date(2026, 12, 16))
    assert due(waiting) == date(2026, 12, 15)
    assert "No reply-by dates changed." in get_page(admin_client, URL).text


@pytest.mark.parametrize(("fields", "error"), [
    ({**date_fields("day", date(2026, 11, 30)), "description": "Training"}, "The date must be today or in the future"),
    ({**date_fields("day", date(2026, 12, 5)), "description": "Training"},
     "The date must be a weekday: weekends already do not count as working days"),
    ({**date_fields("day", date(2026, 12, 28)), "description": "Christmas"},
     "The date is a bank holiday, which already does not count as a working day"),
    ({"day": ["", "", ""], "description": "Training"}, "Enter the date the council is closed"),
    ({**date_fields("day", date(2026, 12, 10)), "description": "  "}, "Enter a description"),
    ({**date_fields("day", date(2026, 12, 10)), "description": "x" * 101},
     "Description must be 100 characters or fewer"),
    ({**date_fields("day", date(2026, 12, 10)), "description": "<b>Training</b>"}, "Description must not include HTML"),
])
def test_errors(admin_client, fields, error):
    page = post_page(admin_client, URL, fields, status=400)
    assert page.title.startswith("Error: Council closure days")
    assert page.error_messages() == [error]
    assert page.field_errors() == [f"Error: {error}"]
    assert db.session.scalar(select(ClosureDay.day)) is None


def test_a_day_already_closed_is_refused_and_unknown_days_cannot_be_removed(admin_client):
    add(admin_client, date(2026, 12, 24), "Christmas Eve")
    page = post_page(admin_client, URL, {**date_fields("day", date(2026, 12, 24)), "description": "Again"}, 400)
    assert page.error_messages() == ["Thursday 24 December 2026 is already a closure day"]
    assert admin_client.post(f"{URL}/remove", data={"day": "2026-12-23"}).status_code == 404
    assert admin_client.post(f"{URL}/remove", data={"day": "not a date"}).status_code == 400
    assert admin_client.post(f"{URL}/remove", data={}).status_code == 400
    assert db.session.get(ClosureDay, date(2026, 12, 24)).description == "Christmas Eve"


def test_only_administrators(app: Flask, make: Factory, today, people):
    client = app.test_client()
    sign_in_fast(client, people.manager)
    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}/remove", data={"day": "2026-12-24"}).status_code == 403


def test_the_forms_need_the_csrf_token(csrf_app: Flask, make: Factory, today):
    client = csrf_app.test_client()
    sign_in_fast(client, make.user(Role.ADMIN))
    page = check_page(client.get(URL))
    without_token = {**date_fields("day", date(2026, 12, 10)), "description": "Training"}
    assert client.post(URL, data=without_token).status_code == 400
    token = page.csrf_token()
    response = client.post(URL, data={**date_fields("day", date(2026, 12, 10)), "description": "Training",
                                      "csrf_token": token})
    assert response.status_code == 302
    assert client.post(f"{URL}/remove", data={"day": "2026-12-10"}).status_code == 400
    page = check_page(client.get(URL))
    form = page.soup.select_one(f"form[action='{URL}/remove']")
    assert form.select_one("input[name=day]")["value"] == "2026-12-10"
    data = {field["name"]: field["value"] for field in form.select("input[type=hidden]")}
    assert client.post(f"{URL}/remove", data=data).status_code == 302
    assert db.session.get(ClosureDay, date(2026, 12, 10)) is None


@pytest.mark.parametrize("number", [1, 40])
def test_the_page_takes_at_most_ten_queries(admin_client, count_queries, number):
    for offset in range(number):
        db.session.add(ClosureDay(day=date(2026, 12, 2) + timedelta(days=offset), description=f"Closed {offset}"))
    db.session.commit()
    with count_queries() as queries:
        page = get_page(admin_client, URL)
    assert len(page.soup.select("tbody tr")) == number
    assert queries.count <= 10
