"""Requests for an EHC needs assessment, from the moment someone starts one to the case it opens
(SQLAlchemy 2 typed models).

A request is made online (a family, through the public pages), or registered by staff when it
arrives by letter, email, phone or from a school. Day 0 of the statutory timeline is the day the
council receives it: for an online request, the day its sender confirms their email address.
Nothing is ever deleted: a request the team does not take forward is closed with a reason.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.ehcp.models import Case
from portal.extensions import db
from portal.models import Child, Relationship, Team, User, enum_column, utcnow

# Each of the family's own words: enough for a full account, short enough to read in triage.
MAX_ANSWER_LENGTH = 3000


class RequestStatus(enum.StrEnum):
    DRAFT = "draft"  # being filled in online
    AWAITING_EMAIL = "awaiting_email"  # sent, but the email address is not confirmed yet
    RECEIVED = "received"  # received by the council: the team has not confirmed it yet
    CASE_OPENED = "case_opened"
    CLOSED = "closed"  # not genuine, or a duplicate: kept, never deleted

    @property
    def label(self) -> str:
        return {
            RequestStatus.DRAFT: "Not sent yet",
            RequestStatus.AWAITING_EMAIL: "Email address not confirmed",
            RequestStatus.RECEIVED: "New",
            RequestStatus.CASE_OPENED: "Case opened",
            RequestStatus.CLOSED: "Closed",
        }[self]


class RequestChannel(enum.StrEnum):
    ONLINE = "online"
    LETTER = "letter"
    EMAIL = "email"
    PHONE = "phone"
    SCHOOL = "school"

    @property
    def label(self) -> str:
        return {
            RequestChannel.ONLINE: "Online, through the portal",
            RequestChannel.LETTER: "Letter",
            RequestChannel.EMAIL: "Email",
            RequestChannel.PHONE: "Phone",
            RequestChannel.SCHOOL: "From a school or setting",
        }[self]


class Requester(enum.StrEnum):
    """Who asked. Online, only a parent, a carer or the young person themself can ask; staff also
    register requests from a school or another professional."""

    PARENT = "parent"
    CARER = "carer"
    YOUNG_PERSON = "young_person"
    SCHOOL = "school"
    PROFESSIONAL = "professional"

    @property
    def label(self) -> str:
        return {
            Requester.PARENT: "A parent",
            Requester.CARER: "A carer",
            Requester.YOUNG_PERSON: "The young person themself",
            Requester.SCHOOL: "A school or setting",
            Requester.PROFESSIONAL: "Another professional",
        }[self]

    @property
    def relationship(self) -> Relationship | None:
        """How the requester is related to the child, for their portal account (None: no account)."""
        return {
            Requester.PARENT: Relationship.PARENT,
            Requester.CARER: Relationship.CARER,
            Requester.YOUNG_PERSON: Relationship.YOUNG_PERSON,
        }.get(self)


ONLINE_REQUESTERS = (Requester.PARENT, Requester.CARER, Requester.YOUNG_PERSON)


class ClosureReason(enum.StrEnum):
    NOT_GENUINE = "not_genuine"
    DUPLICATE = "duplicate"

    @property
    def label(self) -> str:
        return {
            ClosureReason.NOT_GENUINE: "It is not a genuine request",
            ClosureReason.DUPLICATE: "It duplicates a request or case we already have",
        }[self]


class AssessmentRequest(db.Model):
    __tablename__ = "assessment_request"
    __table_args__ = (
        # The request inbox: requests received and not yet confirmed, oldest first.
        Index(
            "ix_assessment_request_waiting",
            "received_on", "id",
            postgresql_where=text("status = 'received'"),
            sqlite_where=text("status = 'received'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Given when the request is received: what the family quotes ("R2026-00042").
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus), default=RequestStatus.DRAFT)
    channel: Mapped[RequestChannel] = mapped_column(enum_column(RequestChannel), default=RequestChannel.ONLINE)

    # Who asked, and how to reach them.
    requester: Mapped[Requester | None] = mapped_column(enum_column(Requester))
    requester_name: Mapped[str | None] = mapped_column(String(100))
    requester_email: Mapped[str | None] = mapped_column(String(254))
    requester_phone: Mapped[str | None] = mapped_column(String(30))
    # A family member who asked while signed in (for another child, or a re-assessment).
    requester_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)

    # The child, as the requester gave them; `child_id` once matched (or chosen by a signed-in
    # family member from their own children).
    child_first_name: Mapped[str | None] = mapped_column(String(100))
    child_last_name: Mapped[str | None] = mapped_column(String(100))
    child_date_of_birth: Mapped[date | None]
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), index=True)
    is_reassessment: Mapped[bool] = mapped_column(default=False)

    # The family's own words.
    school: Mapped[str | None] = mapped_column(String(200))
    needs: Mapped[str | None] = mapped_column(Text)
    support: Mapped[str | None] = mapped_column(Text)
    reasons: Mapped[str | None] = mapped_column(Text)
    professionals: Mapped[str | None] = mapped_column(Text)
    consent_to_contact: Mapped[bool | None]

    # An online draft is found by a key kept in the sender's session (only its hash is stored),
    # and expires if it is never sent.
    draft_key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None]
    # The link that confirms the email address (only its hash is stored).
    email_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    email_token_expires_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    email_confirmed_at: Mapped[datetime | None]
    # Day 0 of the statutory timeline.
    received_on: Mapped[date | None]
    # Staff who registered it (a request by letter, email, phone or from a school).
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)

    # What the team decided.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("ehc_case.id"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    decided_at: Mapped[datetime | None]
    closure_reason: Mapped[ClosureReason | None] = mapped_column(enum_column(ClosureReason))
    closure_note: Mapped[str | None] = mapped_column(Text)
    # The team chosen when a case was opened (kept for the record; the case has its own).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    requester_user: Mapped[User | None] = relationship(foreign_keys=[requester_user_id])
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    child: Mapped[Child | None] = relationship()
    case: Mapped[Case | None] = relationship()
    team: Mapped[Team | None] = relationship()

    @property
    def child_name(self) -> str:
        return " ".join(part for part in (self.child_first_name, self.child_last_name) if part)
