"""`flask notifications digest`: each caseworker's assigned open cases whose legal deadline is in
the next 7 days or has passed, one email a day at most, none when there is nothing to list."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from portal.ehcp.stages import Stage
from portal.email import render_email
from portal.extensions import db
from portal.models import Role, User
from portal.outbox import OutboxEmail
from tests.helpers import Factory

DAY = date(2026, 3, 2)  # a Monday


def run_digest(app: Flask, day: date = DAY) -> str:
    result = app.test_cli_runner().invoke(args=["notifications", "digest", "--date", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def digests() -> list[OutboxEmail]:
    db.session.expire_all()
    query = select(OutboxEmail).where(OutboxEmail.template == "digest").order_by(OutboxEmail.id)
    return list(db.session.scalars(query))


def received_for_deadline(due: date) -> date:
    """The request date that puts the decision whether to assess (6 weeks) on `due`."""
    return due - timedelta(weeks=6)


@pytest.fixture
def caseworker(make: Factory) -> User:
    return make.user(Role.CASEWORKER, name="Casey Worker")


def case_due(make: Factory, caseworker: User | None, due: date, first_name: str, **fields):
    child = make.child(team=caseworker.team if caseworker else None, first_name=first_name)
    case = make.case(child=child, caseworker=caseworker, request_received_on=received_for_deadline(due), **fields)
    assert case.next_deadline_on == due or case.closed
    return case


def test_one_email_lists_the_cases_due_within_7_days_or_late_nearest_first(
    app: Flask, make: Factory, caseworker: User
) -> None:
    late = case_due(make, caseworker, DAY - timedelta(days=9), "Latechild")
    soon = case_due(make, caseworker, DAY + timedelta(days=7), "Soonchild")
    today = case_due(make, caseworker, DAY, "Todaychild")
    case_due(make, caseworker, DAY + timedelta(days=8), "Laterchild")
    case_due(make, caseworker, DAY - timedelta(days=3), "Closedchild", stage=Stage.WITHDRAWN)
    colleague = make.user(Role.CASEWORKER, team=caseworker.team)
    case_due(make, colleague, DAY, "Otherschild")
    case_due(make, None, DAY, "Unassignedchild")

    assert "Queued 2 digest emails for 2026-03-02." in run_digest(app)

    email, theirs = digests()
    assert theirs.to_email == colleague.email
    assert [line["first_name"] for line in theirs.context["deadlines"]] == ["Otherschild"]
    assert email.to_email == caseworker.email
    assert email.user_id == caseworker.id
    assert email.event_key == f"digest:{caseworker.id}:2026-03-02"
    assert email.subject == "3 of your cases have a legal deadline soon or passed"
    lines = email.context["deadlines"]
    assert [line["reference"] for line in lines] == [late.reference, today.reference, soon.reference]
    assert [line["status"] for line in lines] == ["Late by 9 days", "Due today", "Due in 7 days"]
    assert lines[0]["duty"] == (
        "The council must decide whether to carry out an EHC needs assessment by 21 February 2026"
    )
    with app.app_context():
        rendered = render_email(email.to_email, email.subject, email.template, **email.context)
    for body in (rendered.text, rendered.html):
        assert "Latechild" in body and "Todaychild" in body and "Soonchild" in body
        assert "Laterchild" not in body and "Closedchild" not in body and "Otherschild" not in body
        assert "Testsurname" not in body
        assert f"http://localhost/casework/cases/{late.id}" in body
        assert "http://localhost/account/emails" in body
    assert "Late by 9 days" in rendered.text


def test_running_twice_a_day_sends_once_and_the_next_day_again(app: Flask, make: Factory, caseworker: User) -> None:
    case_due(make, caseworker, DAY, "Todaychild")
    run_digest(app)
    assert "Queued 0 digest emails" in run_digest(app)
    assert len(digests()) == 1
    run_digest(app, DAY + timedelta(days=1))
    assert [email.event_key for email in digests()] == [
        f"digest:{caseworker.id}:2026-03-02", f"digest:{caseworker.id}:2026-03-03"
    ]


def test_no_email_when_there_is_nothing_to_list(app: Flask, make: Factory, caseworker: User) -> None:
    case_due(make, caseworker, DAY + timedelta(days=20), "Farchild")
    assert "Queued 0 digest emails" in run_digest(app)
    assert digests() == []


def test_no_digest_for_someone_who_turned_it_off_or_is_deactivated(app: Flask, make: Factory) -> None:
    off = make.user(Role.CASEWORKER, digest_emails=False)
    gone = make.user(Role.CASEWORKER, active=False)
    manager = make.user(Role.MANAGER)
    for person in (off, gone, manager):
        case_due(make, person, DAY, f"Child{person.id}x")
    run_digest(app)
    assert [email.to_email for email in digests()] == [manager.email]  # a manager's assigned cases too


def test_the_command_defaults_to_today(app: Flask, make: Factory, caseworker: User, time_machine) -> None:
    time_machine.move_to(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))  # a Tuesday
    case_due(make, caseworker, date.today(), "Todaychild")
    result = app.test_cli_runner().invoke(args=["notifications", "digest"])
    assert result.exit_code == 0, result.output
    assert [email.event_key for email in digests()] == [f"digest:{caseworker.id}:2026-12-01"]


@pytest.mark.parametrize("today", [date(2026, 12, 25), date(2026, 12, 28), date(2026, 12, 5)],
                         ids=["Christmas Day", "Boxing Day moved to Monday", "a Saturday"])
def test_no_digest_on_a_day_that_is_not_a_working_day(
    app: Flask, make: Factory, caseworker: User, time_machine, today: date
) -> None:
    time_machine.move_to(datetime.combine(today, time(8), tzinfo=UTC))
    case_due(make, caseworker, today, "Holidaychild")
    result = app.test_cli_runner().invoke(args=["notifications", "digest"])
    assert result.exit_code == 0, result.output
    assert "not a working day" in result.output
    assert digests() == []
    # Asked for that day on purpose, it runs.
    run_digest(app, today)
    assert len(digests()) == 1
