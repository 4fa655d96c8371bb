"""Demo conversations between the demo families and their case teams, so that every state shows:
waiting for the council (on track), overdue, urgent, answered (waiting for the family), closed,
and one whose caseworker is away (the family sees who will reply instead, and the team inbox shows
it as needing cover).

Each is made through the conversation use cases with times in the past, so the service computes
the reply-by dates as it would have. Messages are synthetic and plain. No email is left in the
outbox: the seeded history is not news to anyone. Running it again adds nothing: a conversation
is known by its case and subject, and the absence is made once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, select

from portal.conversations import services
from portal.conversations.models import Conversation, StaffAbsence, UrgentReason
from portal.ehcp.models import Case
from portal.extensions import db
from portal.models import Child, User
from portal.outbox import OutboxEmail

PARENT = "parent.two.children@example.org"
CARER = "carer.one@example.org"
SECOND_CARER = "carer.two@example.org"
YOUNG_PERSON = "young.person@example.org"
CASEWORKER_NORTH = "caseworker.north@example.org"
MANAGER_NORTH = "manager.north@example.org"
CASEWORKER_SOUTH = "caseworker.south@example.org"

# The demo caseworker who is away: from 3 days ago until 6 days from today.
AWAY = CASEWORKER_SOUTH
AWAY_FROM_AGO, AWAY_UNTIL_IN = 3, 6

MESSAGE_TEMPLATES = ("message_to_family", "message_to_staff")


@dataclass(frozen=True)
class Said:
    """A message: who wrote it (an email address of a demo account) and how long ago."""

    by: str
    days_ago: int
    text: str
    hour: int = 10


@dataclass(frozen=True)
class DemoConversation:
    child: str  # a demo child's first name (its latest case)
    subject: str
    messages: tuple[Said, ...]
    urgent: UrgentReason | None = None
    closed_ago: int | None = None  # closed by the case's caseworker this many days ago


CONVERSATIONS: tuple[DemoConversation, ...] = (
    # Waiting for the council, on track.
    DemoConversation("Amara", "Advice from Amara’s school", (
        Said(PARENT, 2, "Hello,\nThe school told me they sent their advice last week. Can you confirm you have it?\n"
                        "Thank you,\nPat"),
    )),
    # Urgent, with a reason: the clock is 2 working days.
    DemoConversation("Amara", "Amara has not been to school this week", (
        Said(PARENT, 1, "Amara has not been able to go to school since Monday. The school says it cannot meet her "
                        "needs at the moment. Please can someone call me?", hour=8),
    ), urgent=UrgentReason.OUT_OF_EDUCATION),
    # Overdue: no reply in 10 working days.
    DemoConversation("Ben", "Visiting the school we named", (
        Said(PARENT, 24, "We would like to visit the school we named for Ben before we send our comments. "
                         "Who should we contact?"),
    )),
    # Answered: waiting for the family.
    DemoConversation("Ben", "Comments on Ben’s draft plan", (
        Said(PARENT, 6, "Can we send our comments on the draft plan by email as well as on the portal?"),
        Said(CASEWORKER_NORTH, 4, "Yes, you can. Send them on the portal if you can, so they are kept with "
                                  "Ben’s case. We will reply to every comment.\nCasey"),
    )),
    # Closed after the question was answered.
    DemoConversation("Ben", "New address", (
        Said(PARENT, 45, "We have moved house. Our new address is 12 Example Road, Sampletown."),
        Said(CASEWORKER_NORTH, 43, "Thank you. We have updated your address on Ben’s case."),
    ), closed_ago=43),
    # Overdue for the manager's own case, with a second carer's message that does not move the date.
    DemoConversation("Cleo", "Cleo’s speech and language therapy", (
        Said(CARER, 20, "Cleo’s speech and language therapist has written a report. Do you need a copy?"),
        Said(SECOND_CARER, 16, "I have a copy of the report too, if that helps."),
    )),
    # The caseworker is away: the young person is told the team will reply.
    DemoConversation("Taylor", "Moving to college", (
        Said(YOUNG_PERSON, 2, "I have been offered a place at college from September. What do I need to do "
                              "about my plan?"),
    )),
)


def _moment(today: date, days_ago: int, hour: int) -> datetime:
    """That day at that hour, and never later than now."""
    return min(datetime.combine(today - timedelta(days=days_ago), time(hour), tzinfo=UTC), datetime.now(UTC))


def _key(spec: DemoConversation, index: int) -> str:
    """A stable one-time key for each demo message (as a form would have)."""
    return "demo-" + hashlib.sha256(f"{spec.child}:{spec.subject}:{index}".encode()).hexdigest()[:40]


def _latest_case(first_name: str) -> Case | None:
    return db.session.scalar(
        select(Case).join(Child, Child.id == Case.child_id)
        .where(Child.first_name == first_name).order_by(Case.id.desc()).limit(1)
    )


def seed_conversations(users: dict[str, User], today: date) -> None:
    """Add the demo conversations and the away caseworker's absence, if not there yet."""
    _absence(users[AWAY], today)
    case_ids = []
    for spec in CONVERSATIONS:
        case = _latest_case(spec.child)
        if case is None:
            continue
        case_ids.append(case.id)
        exists = db.session.scalar(
            select(Conversation.id).where(Conversation.case_id == case.id, Conversation.subject == spec.subject)
        )
        if exists is None:
            _conversation(spec, case, users, today)
    # The use cases queue the emails they would send: the demo's history is not news to anyone.
    db.session.execute(delete(OutboxEmail).where(
        OutboxEmail.case_id.in_(case_ids), OutboxEmail.template.in_(MESSAGE_TEMPLATES)
    ))
    db.session.commit()


def _absence(user: User, today: date) -> None:
    if db.session.scalar(select(StaffAbsence.id).where(StaffAbsence.user_id == user.id).limit(1)) is None:
        db.session.add(StaffAbsence(
            user_id=user.id, starts_on=today - timedelta(days=AWAY_FROM_AGO),
            ends_on=today + timedelta(days=AWAY_UNTIL_IN),
        ))
        db.session.commit()


def _conversation(spec: DemoConversation, case: Case, users: dict[str, User], today: date) -> None:
    first, *rest = spec.messages
    conversation = services.start(
        users[first.by], case, spec.subject, services.Draft(first.text, _key(spec, 0)), spec.urgent,
        now=_moment(today, first.days_ago, first.hour),
    )
    for index, said in enumerate(rest, start=1):
        services.reply(users[said.by], conversation, services.Draft(said.text, _key(spec, index)),
                       now=_moment(today, said.days_ago, said.hour))
    if spec.closed_ago is not None:
        services.close(case.caseworker, conversation, now=_moment(today, spec.closed_ago, 15))
