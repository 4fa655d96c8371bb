"""The staff digest: one email each working morning to each caseworker (or manager) who wants it,
listing their assigned open cases whose legal deadline is within the next 7 days or has passed.
No email when there is nothing to list.

Each email's event key is `digest:<user_id>:<date>`, so running the command twice on one day sends
one email. Only a child's first name and the case reference go in it, never a surname or a note.

A second section lists conversations waiting for the council: on each person's assigned cases,
those whose reply is due within 2 working days or overdue; for a manager, also every overdue
conversation of their team (an overdue conversation is escalated to the team's managers). Each
line says whose case and by when, never the message's text or subject.

Extension point: a digest is a `Digest` of sections: a field on `Digest`, a query beside
`_deadlines` and `_conversations`, and a block in templates/email/digest.*; `has_content` then
counts it too. The whole digest takes a fixed number of queries, whatever the number of people.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app, has_request_context, url_for
from sqlalchemy import and_, or_, select

from portal.access import CASE_STAFF
from portal.conversations import reply_by
from portal.conversations.models import ClosureDay, Conversation, ConversationStatus
from portal.ehcp import milestones
from portal.ehcp.models import Case
from portal.ehcp.timeline import deadline_status
from portal.extensions import db
from portal.family.wording import duty_sentence
from portal.models import Child, Role, User
from portal.outbox import OutboxEmail, queue_email

DAYS_AHEAD = 7


@dataclass(frozen=True)
class DeadlineLine:
    """A case whose legal deadline is near or passed, as the digest lists it."""

    case_id: int
    reference: str
    first_name: str
    duty: str  # "The council must issue the final EHC plan by 13 December 2026"
    status: str  # "Due in 3 days", "Due today", "Late by 9 days"
    due_on: date


@dataclass(frozen=True)
class ConversationLine:
    """A conversation waiting for the council whose reply is due soon or overdue."""

    conversation_id: int
    reference: str
    first_name: str
    due_on: date
    overdue: bool

    @property
    def status(self) -> str:
        """"Reply due by Tuesday 15 December 2026" or "Reply overdue since Tuesday 15 December 2026"."""
        words = "Reply overdue since" if self.overdue else "Reply due by"
        return f"{words} {reply_by.long_date(self.due_on)}"


@dataclass
class Digest:
    user_id: int
    email: str
    team_id: int | None = None
    manager: bool = False
    deadlines: list[DeadlineLine] = field(default_factory=list)
    # Conversations on this person's assigned cases, due within 2 working days or overdue.
    messages_due: list[ConversationLine] = field(default_factory=list)
    # For a manager: the team's other overdue conversations (escalated).
    team_overdue: list[ConversationLine] = field(default_factory=list)

    @property
    def has_content(self) -> bool:
        return bool(self.deadlines or self.messages_due or self.team_overdue)


def event_key(user_id: int, today: date) -> str:
    return f"digest:{user_id}:{today.isoformat()}"


def _recipients() -> dict[int, Digest]:
    """Active caseworkers and managers who have not turned the digest off."""
    rows = db.session.execute(
        select(User.id, User.email, User.team_id, User.role).where(
            User.role.in_(CASE_STAFF), User.active.is_(True), User.digest_emails.is_(True)
        ).order_by(User.id)
    ).all()
    return {row.id: Digest(row.id, row.email, row.team_id, row.role is Role.MANAGER) for row in rows}


def _deadlines(user_ids: list[int], today: date) -> dict[int, list[DeadlineLine]]:
    """Each person's assigned open cases due within DAYS_AHEAD days or late, nearest first."""
    cases = db.session.execute(
        select(Case, Child.first_name)
        .join(Child, Child.id == Case.child_id)
        .where(
            Case.caseworker_id.in_(user_ids),
            Case.closed.is_(False),
            Case.next_deadline_on.is_not(None),
            Case.next_deadline_on <= today + timedelta(days=DAYS_AHEAD),
        )
        .order_by(Case.next_deadline_on, Case.id)
    ).all()
    found: dict[int, list[DeadlineLine]] = defaultdict(list)
    for case, first_name in cases:
        milestone = milestones.next_milestone(case.dates)
        if milestone is None or not milestone.council_owns:
            continue
        found[case.caseworker_id].append(DeadlineLine(
            case.id, case.reference, first_name, duty_sentence(milestone),
            deadline_status(milestone.due_on, today).text, milestone.due_on,
        ))
    return found


def _conversations(recipients: dict[int, Digest], today: date) -> None:
    """Fill each digest's conversations: two queries (closure days, then the conversations)."""
    closures = frozenset(db.session.scalars(select(ClosureDay.day).where(ClosureDay.day >= today)))
    cutoff = reply_by.due_soon_cutoff(today, closures)
    managed_teams = {digest.team_id for digest in recipients.values() if digest.manager and digest.team_id}
    wanted = and_(Case.caseworker_id.in_(list(recipients)), Conversation.reply_due_on <= cutoff)
    if managed_teams:
        wanted = or_(wanted, and_(Conversation.team_id.in_(managed_teams), Conversation.reply_due_on < today))
    rows = db.session.execute(
        select(Conversation.id, Conversation.reply_due_on, Case.reference, Case.caseworker_id, Conversation.team_id,
               Child.first_name)
        .join(Case, Case.id == Conversation.case_id)
        .join(Child, Child.id == Case.child_id)
        .where(Conversation.status == ConversationStatus.WAITING_FOR_COUNCIL, Conversation.reply_due_on.is_not(None),
               wanted)
        .order_by(Conversation.reply_due_on, Conversation.id)
    ).all()
    managers_of: dict[int, list[Digest]] = defaultdict(list)
    for digest in recipients.values():
        if digest.manager and digest.team_id:
            managers_of[digest.team_id].append(digest)
    for row in rows:
        line = ConversationLine(row.id, row.reference, row.first_name, row.reply_due_on, row.reply_due_on < today)
        assigned = recipients.get(row.caseworker_id)
        if assigned is not None and row.reply_due_on <= cutoff:
            assigned.messages_due.append(line)
        if line.overdue:
            for manager in managers_of.get(row.team_id, ()):
                if manager is not assigned:
                    manager.team_overdue.append(line)


def digests(today: date) -> list[Digest]:
    """Who gets a digest today and what is in it: only those with something to list."""
    recipients = _recipients()
    if not recipients:
        return []
    for user_id, lines in _deadlines(list(recipients), today).items():
        recipients[user_id].deadlines = lines
    _conversations(recipients, today)
    return [digest for digest in recipients.values() if digest.has_content]


def subject(digest: Digest) -> str:
    parts = []
    if digest.deadlines:
        count = len(digest.deadlines)
        parts.append(f"{count} of your cases {'has' if count == 1 else 'have'} a legal deadline soon or passed")
    conversations = len(digest.messages_due) + len(digest.team_overdue)
    if conversations:
        words = "conversation needs" if conversations == 1 else "conversations need"
        parts.append(f"{conversations} {words} a reply soon or {'is' if conversations == 1 else 'are'} overdue")
    return ", and ".join(parts)


def _conversation_lines(lines: list[ConversationLine]) -> list[dict]:
    return [
        {"first_name": line.first_name, "reference": line.reference, "status": line.status,
         "overdue": line.overdue,
         "link": _absolute("conversations.staff_conversation", conversation_id=line.conversation_id)}
        for line in lines
    ]


def _absolute(endpoint: str, **values: object) -> str:
    base = current_app.config["PORTAL_BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context():
        return base + url_for(endpoint, **values)


def queue_digests(today: date) -> int:
    """Queue today's digests (one transaction) and return how many were queued. Anyone whose
    digest for today is already in the outbox is skipped."""
    due = digests(today)
    keys = {event_key(digest.user_id, today): digest for digest in due}
    if keys:
        already = set(db.session.scalars(select(OutboxEmail.event_key).where(OutboxEmail.event_key.in_(keys))))
    else:
        already = set()
    settings_link = _absolute("auth.email_settings")
    queued = 0
    for key, digest in keys.items():
        if key in already:
            continue
        queue_email(
            digest.email,
            subject(digest),
            "digest",
            event_key=key,
            user_id=digest.user_id,
            deadlines=[
                {"first_name": line.first_name, "reference": line.reference, "duty": line.duty,
                 "status": line.status, "link": _absolute("casework.case", case_id=line.case_id)}
                for line in digest.deadlines
            ],
            days_ahead=DAYS_AHEAD,
            messages_due=_conversation_lines(digest.messages_due),
            team_overdue=_conversation_lines(digest.team_overdue),
            settings_link=settings_link,
        )
        queued += 1
    db.session.commit()
    return queued
