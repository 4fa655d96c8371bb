"""Lists for the family's messages pages: every conversation about the children linked to a family
member, with how many messages they have not read. One statement whatever the number of
conversations or messages; a case is only ever reached through a family link to its child."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from portal.conversations.models import Conversation, ConversationRead, ConversationStatus, Message
from portal.ehcp.models import Case
from portal.extensions import db
from portal.models import FamilyLink


@dataclass(frozen=True)
class ConversationLine:
    id: int
    case_id: int
    child_id: int
    subject: str
    status: ConversationStatus
    urgent: bool
    reply_due_on: date | None
    last_message_at: datetime
    unread: int


def _unread(user_id: int):
    """Messages after the last one this person read, not written by them. Counted only when the
    conversation's last message is unread, so a conversation read to the end costs nothing."""
    read = aliased(ConversationRead)
    last_read = (
        select(read.last_read_message_id)
        .where(read.conversation_id == Conversation.id, read.user_id == user_id)
        .correlate(Conversation)
        .scalar_subquery()
    )
    count = (
        select(func.count(Message.id))
        .where(
            Message.conversation_id == Conversation.id,
            Message.id > func.coalesce(last_read, 0),
            Message.author_id.is_distinct_from(user_id),
        )
        .correlate(Conversation)
        .scalar_subquery()
    )
    return case((Conversation.last_message_id > func.coalesce(last_read, 0), count), else_=0)


def _lines(user_id: int, *where) -> list[ConversationLine]:
    rows = db.session.execute(
        select(
            Conversation.id, Conversation.case_id, Case.child_id, Conversation.subject, Conversation.status,
            Conversation.urgent, Conversation.reply_due_on, Conversation.last_message_at,
            _unread(user_id).label("unread"),
        )
        .join(Case, Case.id == Conversation.case_id)
        .join(FamilyLink, (FamilyLink.child_id == Case.child_id) & (FamilyLink.user_id == user_id))
        .where(*where)
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    ).all()
    return [ConversationLine(*row) for row in rows]


def family_conversations(user_id: int) -> list[ConversationLine]:
    """Every conversation about this family member's children, newest activity first."""
    return _lines(user_id)


def case_conversations(user_id: int, case_id: int) -> list[ConversationLine]:
    """The conversations about one case (already checked to be linked), newest activity first."""
    return _lines(user_id, Conversation.case_id == case_id)


def read_state(user_id: int, conversation_id: int) -> ConversationRead | None:
    """How far this person has read (kept in the session, so marking it read reads it no more)."""
    return db.session.get(ConversationRead, (conversation_id, user_id))
