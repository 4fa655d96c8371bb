"""The staff digest's conversations: on a person's assigned cases, those waiting for the council
whose reply is due within 2 working days or overdue; for a manager, also every overdue
conversation of their team. Never the message's text or subject; a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from portal.conversations import services
from portal.conversations.models import ClosureDay, UrgentReason
from portal.email import render_email
from portal.extensions import db
from portal.models import Role, Team, User
from portal.notifications import digest
from portal.outbox import OutboxEmail
from tests.conversations.helpers import reply, start
from tests.helpers import Factory

DAY = date(2026, 12, 1)  # a Tuesday: "due soon" runs to Thursday 3 December
SECRET_SUBJECT = "About the school placement"
SECRET_BODY = "Our private worry about the annual review"


def at(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=UTC)


def run_digest(app: Flask, day: date = DAY) -> str:
    result = app.test_cli_runner().invoke(args=["notifications", "digest", "--date", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def digest_to(user: User) -> OutboxEmail | None:
    db.session.expire_all()
    return db.session.scalar(
        select(OutboxEmail).where(OutboxEmail.template == "digest", OutboxEmail.to_email == user.email)
    )


def lines(email: OutboxEmail, section: str = "messages_due") -> list[tuple[str, str]]:
    return [(line["first_name"], line["status"]) for line in email.context[section]]


class North:
    def __init__(self, make: Factory):
        self.make = make
        self.team = make.team()
        self.caseworker = make.user(Role.CASEWORKER, team=self.team, name="Casey Worker")
        self.colleague = make.user(Role.CASEWORKER, team=self.team, name="Cole League")
        self.manager = make.user(Role.MANAGER, team=self.team, name="Morgan Manager")
        self.parent = make.user(Role.FAMILY, name="Pat Parent")

    def conversation(self, first_name: str, caseworker: User | None, sent: datetime, team: Team | None = None,
                     urgent: UrgentReason | None = None):
        child = self.make.child(team=team or self.team, family=[self.parent], first_name=first_name)
        case = self.make.case(child=child, caseworker=caseworker, request_received_on=DAY - timedelta(weeks=1))
        return start(self.parent, case, SECRET_SUBJECT, SECRET_BODY, urgent=urgent, now=sent)


@pytest.fixture
def north(make: Factory) -> North:
    return North(make)


def test_a_caseworker_gets_their_conversations_due_within_two_working_days_or_overdue(app: Flask, north: North):
    overdue = north.conversation("Overduechild", north.caseworker, at(13))  # due Friday 27 November
    today = north.conversation("Todaychild", north.caseworker, at(17))  # due Tuesday 1 December
    north.conversation("Urgentchild", north.caseworker, at(1, 12), urgent=UrgentReason.SAFETY)  # Thursday 3rd
    north.conversation("Laterchild", north.caseworker, at(30))  # due Monday 14 December: not yet
    answered = north.conversation("Answeredchild", north.caseworker, at(13))
    reply(north.caseworker, answered, now=at(20))  # waiting for the family: nothing to do
    north.conversation("Otherschild", north.colleague, at(17))

    run_digest(app)

    email = digest_to(north.caseworker)
    assert email.subject == "3 conversations need a reply soon or are overdue"
    assert lines(email) == [
        ("Overduechild", "Reply overdue since Friday 27 November 2026"),
        ("Todaychild", "Reply due by Tuesday 1 December 2026"),
        ("Urgentchild", "Reply due by Thursday 3 December 2026"),
    ]
    assert email.context["deadlines"] == [] and email.context["team_overdue"] == []
    assert [line["reference"] for line in email.context["messages_due"]][:2] == [
        overdue.case.reference, today.case.reference
    ]
    with app.app_context():
        rendered = render_email(email.to_email, email.subject, email.template, **email.context)
    for body in (rendered.text, rendered.html):
        assert "Overduechild" in body and "Todaychild" in body and "Urgentchild" in body
        assert "Laterchild" not in body and "Answeredchild" not in body and "Otherschild" not in body
        assert "Reply overdue since Friday 27 November 2026" in body
        assert f"http://localhost/casework/conversations/{overdue.id}" in body
        assert SECRET_SUBJECT not in body and SECRET_BODY not in body
        assert "Testsurname" not in body
        assert "legal deadline" not in body
    assert "Families are waiting for a reply in these conversations on your cases." in rendered.text


def test_a_manager_also_gets_every_overdue_conversation_of_their_team(app: Flask, make: Factory, north: North):
    north.conversation("Caseyslate", north.caseworker, at(13))  # overdue
    north.conversation("Colessoon", north.colleague, at(18))  # due Wednesday 2 December: not escalated
    north.conversation("Unassignedlate", None, at(12))  # due Thursday 26 November
    north.conversation("Managerslate", north.manager, at(12))
    south = make.team()
    south_worker = make.user(Role.CASEWORKER, team=south)
    north.conversation("Southlate", south_worker, at(12), team=south)

    run_digest(app)

    email = digest_to(north.manager)
    assert lines(email) == [("Managerslate", "Reply overdue since Thursday 26 November 2026")]
    assert lines(email, "team_overdue") == [
        ("Unassignedlate", "Reply overdue since Thursday 26 November 2026"),
        ("Caseyslate", "Reply overdue since Friday 27 November 2026"),
    ]
    assert email.subject == "3 conversations need a reply soon or are overdue"
    with app.app_context():
        rendered = render_email(email.to_email, email.subject, email.template, **email.context)
    assert "These conversations in your team are overdue" in rendered.text
    assert "Southlate" not in rendered.text and "Colessoon" not in rendered.text
    assert lines(digest_to(north.colleague)) == [("Colessoon", "Reply due by Wednesday 2 December 2026")]
    assert lines(digest_to(north.caseworker)) == [("Caseyslate", "Reply overdue since Friday 27 November 2026")]
    assert [line[0] for line in lines(digest_to(south_worker))] == ["Southlate"]


def test_legal_deadlines_and_conversations_in_one_email(app: Flask, make: Factory, north: North):
    child = make.child(team=north.team, first_name="Deadlinechild")
    make.case(child=child, caseworker=north.caseworker, request_received_on=DAY - timedelta(weeks=6))
    north.conversation("Todaychild", north.caseworker, at(17))
    run_digest(app)
    email = digest_to(north.caseworker)
    assert email.subject == (
        "1 of your cases has a legal deadline soon or passed, and 1 conversation needs a reply soon or is overdue"
    )
    assert [line["first_name"] for line in email.context["deadlines"]] == ["Deadlinechild"]
    assert lines(email) == [("Todaychild", "Reply due by Tuesday 1 December 2026")]


def test_nothing_due_soon_means_no_email(app: Flask, north: North):
    north.conversation("Laterchild", north.caseworker, at(30))
    closed = north.conversation("Closedchild", north.caseworker, at(13))
    services.close(north.caseworker, closed, now=at(20))
    assert "Queued 0 digest emails" in run_digest(app)


def test_a_closure_day_counts_for_due_soon(app: Flask, north: North):
    north.conversation("Fridaychild", north.caseworker, at(20))  # due Friday 4 December
    assert caseworkers_lines(north) == []  # 2 working days from Tuesday 1st: to Thursday 3rd
    db.session.add(ClosureDay(day=date(2026, 12, 2), description="Training"))
    db.session.commit()
    assert caseworkers_lines(north) == [("Fridaychild", "Reply due by Friday 4 December 2026")]


def caseworkers_lines(north: North) -> list[tuple[str, str]]:
    found = {found.user_id: found for found in digest.digests(DAY)}
    mine = found.get(north.caseworker.id)
    return [(line.first_name, line.status) for line in mine.messages_due] if mine else []


def test_a_fixed_number_of_queries_whatever_the_numbers(app: Flask, make: Factory, north: North, count_queries):
    north.conversation("Onechild", north.caseworker, at(13))
    with count_queries() as few:
        assert len(digest.digests(DAY)) == 2
    for number in range(12):
        worker = make.user(Role.CASEWORKER, team=north.team)
        north.conversation(f"Child{number}x", worker, at(13))
        north.conversation(f"Other{number}x", north.caseworker, at(17))
    with count_queries() as many:
        found = digest.digests(DAY)
    assert len(found) == 14
    assert many.count == few.count
