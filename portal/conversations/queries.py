"""Reads that decide who may reach a conversation or a file, and a conversation's messages.

A family member reaches a conversation only through a child linked to their account; staff only
through a case of their own team. Anything else is None, which the views answer with 404.

The statements of the family's pages (asked on every family page, the unread count, or on each
conversation page) are built once, with the ids as parameters: building a statement costs more
than running it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.orm import contains_eager, joinedload

from portal.conversations.models import Attachment, Conversation, ConversationRead, Message
from portal.ehcp.models import Case
from portal.extensions import db
from portal.models import FamilyLink, Relationship


@dataclass(frozen=True)
class FamilyConversation:
    conversation: Conversation
    case: Case
    relationship: Relationship
    # How far this family member has read (None before their first visit); kept in the session,
    # so marking the conversation read reads it no more.
    read: ConversationRead | None = None

    @property
    def young_person(self) -> bool:
        return self.relationship is Relationship.YOUNG_PERSON


@cache
def _family_conversation_statement():
    user_id = bindparam("user_id", type_=Integer)
    return (
        select(Conversation, FamilyLink.relationship_to_child, ConversationRead)
        .join(Conversation.case)
        .join(Case.child)
        .join(FamilyLink, (FamilyLink.child_id == Case.child_id) & (FamilyLink.user_id == user_id))
        .outerjoin(ConversationRead, (ConversationRead.conversation_id == Conversation.id)
                   & (ConversationRead.user_id == user_id))
        .options(contains_eager(Conversation.case).contains_eager(Case.child),
                 contains_eager(Conversation.case).joinedload(Case.caseworker),
                 contains_eager(Conversation.case).joinedload(Case.team))
        .where(Conversation.id == bindparam("conversation_id", type_=Integer))
    )


def family_conversation(user_id: int, conversation_id: int) -> FamilyConversation | None:
    """The conversation, its case and child, and how far this family member has read it, if the
    child is linked to them."""
    row = db.session.execute(
        _family_conversation_statement(), {"user_id": user_id, "conversation_id": conversation_id}
    ).first()
    if row is None:
        return None
    conversation, relationship, read = row
    return FamilyConversation(conversation, conversation.case, relationship, read)


def team_conversation(team_id: int | None, conversation_id: int) -> Conversation | None:
    """The conversation, with its case, child and caseworker, if the case is in this team."""
    if team_id is None:
        return None
    return db.session.scalar(
        select(Conversation)
        .join(Conversation.case)
        .join(Case.child)
        .options(contains_eager(Conversation.case).contains_eager(Case.child),
                 contains_eager(Conversation.case).joinedload(Case.caseworker),
                 contains_eager(Conversation.case).joinedload(Case.team))
        .where(Conversation.id == conversation_id, Case.team_id == team_id)
    )


@cache
def _messages_statement():
    return (
        select(Message)
        .options(joinedload(Message.author), joinedload(Message.attachments))
        .where(Message.conversation_id == bindparam("conversation_id", type_=Integer))
        .order_by(Message.id)
    )


def messages(conversation_id: int) -> list[Message]:
    """Every message, oldest first, with its author and files: one statement, whatever the
    number of messages (a message has at most a few files)."""
    return list(db.session.scalars(_messages_statement(), {"conversation_id": conversation_id}).unique())


def last_read(user_id: int, conversation_id: int) -> int:
    """The id of the last message this person read in the conversation (0 for none)."""
    return db.session.scalar(
        select(ConversationRead.last_read_message_id).where(
            ConversationRead.conversation_id == conversation_id, ConversationRead.user_id == user_id
        )
    ) or 0


def family_attachment(user_id: int, attachment_id: int) -> Attachment | None:
    return db.session.scalar(
        select(Attachment)
        .join(Attachment.message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(Case, Case.id == Conversation.case_id)
        .join(FamilyLink, (FamilyLink.child_id == Case.child_id) & (FamilyLink.user_id == user_id))
        .where(Attachment.id == attachment_id)
    )


def team_attachment(team_id: int | None, attachment_id: int) -> Attachment | None:
    if team_id is None:
        return None
    return db.session.scalar(
        select(Attachment)
        .join(Attachment.message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(Case, Case.id == Conversation.case_id)
        .where(Attachment.id == attachment_id, Case.team_id == team_id)
    )


@cache
def _family_unread_statement():
    user_id = bindparam("user_id", type_=Integer)
    return (
        select(func.count(Message.id))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(Case, Case.id == Conversation.case_id)
        .join(FamilyLink, (FamilyLink.child_id == Case.child_id) & (FamilyLink.user_id == user_id))
        .outerjoin(ConversationRead, (ConversationRead.conversation_id == Conversation.id)
                   & (ConversationRead.user_id == user_id))
        .where(
            Message.id > func.coalesce(ConversationRead.last_read_message_id, 0),
            Message.author_id.is_distinct_from(user_id),
        )
    )


def family_unread_count(user_id: int) -> int:
    """Messages not yet read by this family member, in every conversation about their children
    (their own messages are read, of course)."""
    return db.session.scalar(_family_unread_statement(), {"user_id": user_id}) or 0



