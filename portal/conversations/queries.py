"""Reads that decide who may reach a conversation or a file, and a conversation's messages.

A family member reaches a conversation only through a child linked to their account; staff only
through a case of their own team. Anything else is None, which the views answer with 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
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

    @property
    def young_person(self) -> bool:
        return self.relationship is Relationship.YOUNG_PERSON


def family_conversation(user_id: int, conversation_id: int) -> FamilyConversation | None:
    """The conversation, its case and child, if the child is linked to this family member."""
    row = db.session.execute(
        select(Conversation, FamilyLink.relationship_to_child)
        .join(Conversation.case)
        .join(Case.child)
        .join(FamilyLink, (FamilyLink.child_id == Case.child_id) & (FamilyLink.user_id == user_id))
        .options(contains_eager(Conversation.case).contains_eager(Case.child),
                 contains_eager(Conversation.case).joinedload(Case.caseworker),
                 contains_eager(Conversation.case).joinedload(Case.team))
        .where(Conversation.id == conversation_id)
    ).first()
    if row is None:
        return None
    conversation, relationship = row
    return FamilyConversation(conversation, conversation.case, relationship)


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


def messages(conversation_id: int) -> list[Message]:
    """Every message, oldest first, with its author and files: one statement, whatever the
    number of messages (a message has at most a few files)."""
    return list(db.session.scalars(
        select(Message)
        .options(joinedload(Message.author), joinedload(Message.attachments))
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.id)
    ).unique())


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


def family_unread_count(user_id: int) -> int:
    """Messages not yet read by this family member, in every conversation about their children
    (their own messages are read, of course)."""
    return db.session.scalar(
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
    ) or 0



