"""Lists for the family's messages pages: every conversation about the children linked to a family
member, with how many messages they have not read. One statement whatever the number of
conversations or messages; a case is only ever reached through a family link to its child.

The statements are built once, with the person (and case) as parameters: building them took
more of the family's messages page than running them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import Integer, bindparam, case, func, select
from sqlalchemy.orm import aliased

from portal.conversations.models import Conversation, ConversationRead, ConversationStatus, Message
from portal.ehcp.models import Case
from portal.extensions import db
from portal.models import Child, FamilyLink, Relationship


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


@dataclass(frozen=True)
class ChildLine:
    """A child linked to the family member, with their newest case (by the date of the request)."""

    child_id: int
    first_name: str
    relationship: Relationship
    case_id: int | None


@cache
def _children_statement():
    newest_case = (
        select(Case.id).where(Case.child_id == Child.id)
        .order_by(Case.request_received_on.desc(), Case.id.desc()).limit(1)
        .correlate(Child).scalar_subquery()
    )
    return (
        select(Child.id, Child.first_name, FamilyLink.relationship_to_child, newest_case)
        .join(FamilyLink, FamilyLink.child_id == Child.id)
        .where(FamilyLink.user_id == bindparam("user_id", type_=Integer))
        .order_by(Child.first_name, Child.id)
    )


def children(user_id: int) -> list[ChildLine]:
    """The children linked to this family member, by first name, each with their newest case:
    the headings of their messages page (columns only, no records to build)."""
    return [ChildLine(*row) for row in db.session.execute(_children_statement(), {"user_id": user_id})]


def _unread(user_id):
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


@cache
def _lines_statement(one_case: bool):
    """The lines of the family member `:user_id`, of every case or only of `:case_id`."""
    user_id = bindparam("user_id", type_=Integer)
    statement = (
        select(
            Conversation.id, Conversation.case_id, Case.child_id, Conversation.subject, Conversation.status,
            Conversation.urgent, Conversation.reply_due_on, Conversation.last_message_at,
            _unread(user_id).label("unread"),
        )
        .join(Case, Case.id == Conversation.case_id)
        .join(FamilyLink, (FamilyLink.child_id == Case.child_id) & (FamilyLink.user_id == user_id))
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    )
    if one_case:
        statement = statement.where(Conversation.case_id == bindparam("case_id", type_=Integer))
    return statement


def family_conversations(user_id: int) -> list[ConversationLine]:
    """Every conversation about this family member's children, newest activity first."""
    rows = db.session.execute(_lines_statement(False), {"user_id": user_id})
    return [ConversationLine(*row) for row in rows]


def case_conversations(user_id: int, case_id: int) -> list[ConversationLine]:
    """The conversations about one case (already checked to be linked), newest activity first."""
    rows = db.session.execute(_lines_statement(True), {"user_id": user_id, "case_id": case_id})
    return [ConversationLine(*row) for row in rows]

