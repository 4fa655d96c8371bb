"""Conversations between a family and the case team, their messages, who has read what, files,
council closure days and staff absences (SQLAlchemy 2 typed models).

A conversation belongs to a case, and so to the case's team, never to one person: a caseworker's
leave or a reassignment strands nothing. Staff-only case notes (portal.ehcp.models.CaseNote) are
a separate table and never part of a conversation.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.ehcp.models import Case
from portal.extensions import db
from portal.models import User, enum_column, utcnow

MAX_MESSAGE_LENGTH = 5000
MAX_SUBJECT_LENGTH = 120


class ConversationStatus(enum.StrEnum):
    WAITING_FOR_COUNCIL = "waiting_for_council"
    WAITING_FOR_FAMILY = "waiting_for_family"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            ConversationStatus.WAITING_FOR_COUNCIL: "Waiting for the council",
            ConversationStatus.WAITING_FOR_FAMILY: "Waiting for the family",
            ConversationStatus.CLOSED: "Closed",
        }[self]


class UrgentReason(enum.StrEnum):
    OUT_OF_EDUCATION = "out_of_education"
    APPEAL_DEADLINE = "appeal_deadline"
    SAFETY = "safety"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            UrgentReason.OUT_OF_EDUCATION: "Out of education (not in school, college or a setting)",
            UrgentReason.APPEAL_DEADLINE: "An appeal deadline is soon",
            UrgentReason.SAFETY: "Safety or wellbeing",
            UrgentReason.OTHER: "Another urgent reason",
        }[self]

    @property
    def short(self) -> str:
        return {
            UrgentReason.OUT_OF_EDUCATION: "Out of education",
            UrgentReason.APPEAL_DEADLINE: "Appeal deadline soon",
            UrgentReason.SAFETY: "Safety or wellbeing",
            UrgentReason.OTHER: "Other",
        }[self]


WAITING = {"postgresql_where": text("status = 'waiting_for_council'"),
           "sqlite_where": text("status = 'waiting_for_council'")}


class Conversation(db.Model):
    __tablename__ = "conversation"
    __table_args__ = (
        # The team inbox: a team's conversations waiting for the council, urgent first, nearest
        # date first, read in order from the index (docs/benchmarks.md: the inbox's plans). The
        # descending key is PostgreSQL's; SQLite's copy keeps the plain columns.
        Index("ix_conversation_team_waiting", "team_id", text("urgent DESC"), "reply_due_on", "id",
              postgresql_include=["case_id"], **WAITING).ddl_if(dialect="postgresql"),
        Index("ix_conversation_team_waiting_sqlite", "team_id", "urgent", "reply_due_on", "id",
              **WAITING).ddl_if(dialect="sqlite"),
        # The other inbox views (waiting for the family, closed): newest first (read backwards).
        Index("ix_conversation_team_status_latest", "team_id", "status", "last_message_at", "id"),
        Index("ix_conversation_case_updated", "case_id", "last_message_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ehc_case.id"))
    # The case's team, copied so that the inbox reads one team's conversations from an index
    # instead of joining every case. Set from the case when the conversation starts; a trigger
    # (migration 0011) moves it with the case should the case's team ever change.
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    subject: Mapped[str] = mapped_column(String(MAX_SUBJECT_LENGTH))
    status: Mapped[ConversationStatus] = mapped_column(enum_column(ConversationStatus))
    urgent: Mapped[bool] = mapped_column(default=False)
    urgent_reason: Mapped[UrgentReason | None] = mapped_column(enum_column(UrgentReason))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    # While it waits for the council: since when (the family message that started the wait) and
    # the date the council aims to reply by. Both empty otherwise: the clock has stopped.
    waiting_since: Mapped[datetime | None]
    reply_due_on: Mapped[date | None]
    last_message_id: Mapped[int | None]
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    message_count: Mapped[int] = mapped_column(default=0)
    # For the governance report: when the council first replied to the family, and how many
    # working days after the family's first message that was.
    first_reply_at: Mapped[datetime | None] = mapped_column(index=True)
    first_reply_working_days: Mapped[int | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative API

    case: Mapped[Case] = relationship()
    started_by: Mapped[User | None] = relationship(foreign_keys=[started_by_id])


class Message(db.Model):
    __tablename__ = "message"
    __table_args__ = (
        Index("ix_message_conversation_id", "conversation_id", "id"),
        # Pressing Send twice, or resubmitting the form, makes one message.
        UniqueConstraint("author_id", "submission_key", name="uq_message_author_submission"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # Who wrote it, as the family and staff read it, fixed when it was sent: "SEND caseworker",
    # "Parent", "Young person".
    author_title: Mapped[str] = mapped_column(String(60))
    from_council: Mapped[bool]
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    submission_key: Mapped[str] = mapped_column(String(64))
    # For a council reply that answered a wait: the date it was due by and how many working days
    # late it was (0 when on time). Empty for family messages and for staff messages sent while
    # nothing was waiting.
    answered_due_on: Mapped[date | None]
    working_days_late: Mapped[int | None]

    author: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.id", back_populates="message")


class ConversationRead(db.Model):
    """The last message each person has read in a conversation."""

    __tablename__ = "conversation_read"

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)
    last_read_message_id: Mapped[int]
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(db.Model):
    """A file sent with a message, stored outside the web root under a random name."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))  # as the sender named it: shown as text only
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[Message] = relationship(back_populates="attachments")


class ClosureDay(db.Model):
    """A day the council is closed (besides weekends and bank holidays): not a working day."""

    __tablename__ = "closure_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    description: Mapped[str] = mapped_column(String(100))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffAbsence(db.Model):
    """A caseworker's or manager's leave: from the first day away to the last, both included."""

    __tablename__ = "staff_absence"
    __table_args__ = (Index("ix_staff_absence_user_ends", "user_id", "ends_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
