"""Use cases on conversations. Each is one transaction: the messages, files' records, read
state, audit event and notification emails are committed together, or not at all.

Status follows who wrote last: a family message leaves the council to reply (the clock runs, see
reply_by.py); a council message leaves it with the family (the clock stops). Closing stops it too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import current_app
from sqlalchemy import Date, bindparam, func, select
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.conversations import attachments, notify, reply_by
from portal.conversations.models import (
    Attachment,
    ClosureDay,
    Conversation,
    ConversationRead,
    ConversationStatus,
    Message,
    UrgentReason,
)
from portal.ehcp.models import Case
from portal.extensions import db
from portal.feedback import services as feedback
from portal.feedback.models import FeedbackSource
from portal.models import FamilyLink, Relationship, Role, User

P = ParamSpec("P")
R = TypeVar("R")

STAFF_TITLES = {Role.CASEWORKER: "SEND caseworker", Role.MANAGER: "SEND team manager"}
FAMILY_TITLES = {Relationship.PARENT: "parent", Relationship.CARER: "carer", Relationship.YOUNG_PERSON: "young person"}


class ConversationProblem(ValueError):
    """A change refused for a reason the person can fix; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Draft:
    """What someone wrote: the text, the checked files and the form's one-time key."""

    body: str
    submission_key: str
    files: tuple[attachments.CheckedFile, ...] = ()


def use_case(function: Callable[P, R]) -> Callable[P, R]:
    """Anything unexpected rolls the whole use case back, so nothing half-done is saved later."""

    @wraps(function)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except Exception:
            db.session.rollback()
            raise

    return wrapped


def targets() -> reply_by.Targets:
    config = current_app.config
    return reply_by.Targets(config["REPLY_TARGET_WORKING_DAYS"], config["URGENT_REPLY_TARGET_WORKING_DAYS"])


ALL_CLOSURE_DAYS = select(ClosureDay.day)
CLOSURE_DAYS_SINCE = select(ClosureDay.day).where(ClosureDay.day >= bindparam("since", type_=Date))


def closure_days(since: date | None = None) -> frozenset[date]:
    if since is None:
        return frozenset(db.session.scalars(ALL_CLOSURE_DAYS))
    return frozenset(db.session.scalars(CLOSURE_DAYS_SINCE, {"since": since}))


def author_title(actor: User, case: Case) -> str:
    if actor.role in STAFF_TITLES:
        return STAFF_TITLES[actor.role]
    relationship = db.session.scalar(
        select(FamilyLink.relationship_to_child).where(
            FamilyLink.user_id == actor.id, FamilyLink.child_id == case.child_id
        )
    )
    return FAMILY_TITLES.get(relationship, "family member")


def already_sent(actor: User, submission_key: str) -> Message | None:
    """The message this form already made, if it was sent before (Send pressed twice)."""
    return db.session.scalar(
        select(Message).where(Message.author_id == actor.id, Message.submission_key == submission_key)
    )


def unanswered_since(conversation: Conversation) -> datetime | None:
    """When the family's first message with no council reply after it was sent, if there is one."""
    last_from_council = select(func.max(Message.id)).where(
        Message.conversation_id == conversation.id, Message.from_council.is_(True)
    ).scalar_subquery()
    return db.session.scalar(
        select(func.min(Message.sent_at)).where(
            Message.conversation_id == conversation.id,
            Message.from_council.is_(False),
            Message.id > func.coalesce(last_from_council, 0),
        )
    )


def _start_clock(conversation: Conversation, now: datetime) -> None:
    """The council owes a reply from `now`: the family's message, or (reopening a conversation
    closed without an answer) the first of their messages still unanswered."""
    started_on = reply_by.local_date(now)
    conversation.status = ConversationStatus.WAITING_FOR_COUNCIL
    conversation.waiting_since = now
    conversation.reply_due_on = reply_by.reply_due(
        started_on, conversation.urgent, targets(), closure_days(started_on)
    )


def _stop_clock(conversation: Conversation, message: Message, now: datetime) -> None:
    """A council message: record how it stood against the date, and the first reply's time."""
    if conversation.status is ConversationStatus.WAITING_FOR_COUNCIL and conversation.reply_due_on:
        replied_on = reply_by.local_date(now)
        waited_from = reply_by.local_date(conversation.waiting_since or now)
        closures = closure_days(min(waited_from, conversation.reply_due_on))
        message.answered_due_on = conversation.reply_due_on
        message.working_days_late = reply_by.working_days_late(conversation.reply_due_on, replied_on, closures)
        if conversation.first_reply_at is None:
            conversation.first_reply_at = now
            conversation.first_reply_working_days = reply_by.working_days_between(waited_from, replied_on, closures)
    conversation.status = ConversationStatus.WAITING_FOR_FAMILY
    conversation.waiting_since = None
    conversation.reply_due_on = None


def _add_message(conversation: Conversation, actor: User, case: Case, draft: Draft, now: datetime) -> Message:
    message = Message(
        conversation_id=conversation.id,
        author_id=actor.id,
        author_title=author_title(actor, case),
        from_council=actor.is_staff,
        body=draft.body,
        sent_at=now,
        submission_key=draft.submission_key,
    )
    if actor.is_staff:
        _stop_clock(conversation, message, now)
    elif conversation.status is not ConversationStatus.WAITING_FOR_COUNCIL:
        _start_clock(conversation, now)
    db.session.add(message)
    for file in draft.files:
        message.attachments.append(Attachment(
            file_name=file.file_name, stored_name=attachments.store(file),
            content_type=file.content_type, size_bytes=len(file.content),
        ))
    db.session.flush()
    conversation.last_message_id = message.id
    conversation.last_message_at = now
    conversation.message_count += 1
    _mark_read(actor.id, conversation.id, message.id, now)
    return message


def _mark_read(user_id: int, conversation_id: int, message_id: int, now: datetime) -> None:
    read = db.session.get(ConversationRead, (conversation_id, user_id))
    if read is None:
        db.session.add(ConversationRead(
            conversation_id=conversation_id, user_id=user_id, last_read_message_id=message_id, read_at=now
        ))
    elif read.last_read_message_id < message_id:
        read.last_read_message_id = message_id
        read.read_at = now


def _commit_once(actor: User, draft: Draft) -> None:
    """Commit; a second submission of the same form that raced this one is not an error."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if already_sent(actor, draft.submission_key) is None:
            raise


@use_case
def start(
    actor: User, case: Case, subject: str, draft: Draft, urgent_reason: UrgentReason | None = None,
    now: datetime | None = None,
) -> Conversation:
    """A family member or a member of the case team starts a conversation about a case."""
    now = now or datetime.now(UTC)
    sent = already_sent(actor, draft.submission_key)
    if sent is not None:
        return db.session.get(Conversation, sent.conversation_id)
    conversation = Conversation(
        case_id=case.id, team_id=case.team_id, subject=subject, started_by_id=actor.id, started_at=now,
        urgent=urgent_reason is not None and not actor.is_staff,
        urgent_reason=urgent_reason if not actor.is_staff else None,
        status=ConversationStatus.WAITING_FOR_FAMILY,
        last_message_at=now,
    )
    db.session.add(conversation)
    db.session.flush()
    message = _add_message(conversation, actor, case, draft, now)
    audit.record("conversation-started", actor=actor, target=f"conversation:{conversation.id}")
    notify.new_message(conversation, case, message, actor, reply_by.local_date(now))
    _commit_once(actor, draft)
    return conversation


@use_case
def reply(actor: User, conversation: Conversation, draft: Draft, now: datetime | None = None) -> Message:
    """A reply from the family or the case team. A family reply to a closed conversation opens it
    again, so that nothing the family writes is left unread."""
    now = now or datetime.now(UTC)
    sent = already_sent(actor, draft.submission_key)
    if sent is not None:
        return sent
    case = conversation.case
    reopened = conversation.status is ConversationStatus.CLOSED
    if reopened and actor.is_staff:
        raise ConversationProblem("This conversation is closed. Open it again to reply.")
    if reopened:
        conversation.closed_at = None
        conversation.closed_by_id = None
        waiting_from = unanswered_since(conversation)
        if waiting_from is not None:  # closed while the family still waited: that wait goes on
            _start_clock(conversation, waiting_from)
    message = _add_message(conversation, actor, case, draft, now)
    if actor.is_staff:
        audit.record("conversation-replied", actor=actor, target=f"conversation:{conversation.id}")
    notify.new_message(conversation, case, message, actor, reply_by.local_date(now))
    _commit_once(actor, draft)
    return message


@use_case
def close(actor: User, conversation: Conversation, now: datetime | None = None) -> bool:
    """Staff close a conversation; the clock stops. False if it was already closed."""
    if conversation.status is ConversationStatus.CLOSED:
        return False
    now = now or datetime.now(UTC)
    conversation.status = ConversationStatus.CLOSED
    conversation.waiting_since = None
    conversation.reply_due_on = None
    conversation.closed_at = now
    conversation.closed_by_id = actor.id
    audit.record("conversation-closed", actor=actor, target=f"conversation:{conversation.id}")
    _invite_feedback(conversation)
    db.session.commit()
    return True


def _invite_feedback(conversation: Conversation) -> None:
    """The family is invited to say how the conversation went (on its page)."""
    case = conversation.case
    family = db.session.scalars(
        select(FamilyLink.user_id).join(User, User.id == FamilyLink.user_id)
        .where(FamilyLink.child_id == case.child_id, User.active.is_(True))
    ).all()
    feedback.invite(list(family), FeedbackSource.CONVERSATION_CLOSED, conversation.id, case.id, case.stage)


@use_case
def reopen(actor: User, conversation: Conversation, now: datetime | None = None) -> bool:
    """Staff open a closed conversation again. If the family wrote last, the council still owes
    them a reply, counted from their first unanswered message (closing never excuses a wait);
    otherwise it waits for the family."""
    if conversation.status is not ConversationStatus.CLOSED:
        return False
    now = now or datetime.now(UTC)
    conversation.closed_at = None
    conversation.closed_by_id = None
    waiting_from = unanswered_since(conversation)
    if waiting_from is None:
        conversation.status = ConversationStatus.WAITING_FOR_FAMILY
    else:
        _start_clock(conversation, waiting_from)
    audit.record("conversation-reopened", actor=actor, target=f"conversation:{conversation.id}")
    db.session.commit()
    return True


def mark_read(user: User, conversation: Conversation, now: datetime | None = None) -> None:
    """Everything in the conversation is now read by this person. Writes only when it changes."""
    if conversation.last_message_id is None:
        return
    read = db.session.get(ConversationRead, (conversation.id, user.id))
    if read is not None and read.last_read_message_id >= conversation.last_message_id:
        return
    _mark_read(user.id, conversation.id, conversation.last_message_id, now or datetime.now(UTC))
    db.session.commit()


def recount_due_dates(since: date) -> int:
    """After a closure day is added or removed (on `since`): the reply-by date of every
    conversation waiting for the council whose date is on or after that day, counted again. In
    the caller's transaction; returns how many dates changed."""
    closures = closure_days()
    waiting = db.session.scalars(
        select(Conversation).where(
            Conversation.status == ConversationStatus.WAITING_FOR_COUNCIL,
            Conversation.reply_due_on >= since,
        )
    ).all()
    changed = 0
    for conversation in waiting:
        started_on = reply_by.local_date(conversation.waiting_since)
        due = reply_by.reply_due(started_on, conversation.urgent, targets(), closures)
        if due != conversation.reply_due_on:
            conversation.reply_due_on = due
            changed += 1
    return changed
