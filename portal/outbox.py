"""The email outbox: a notification is a row written in the same transaction as the change that
causes it, so that a failed send never rolls the change back and nothing is lost.

`queue_email` is the one place where rows are created; the worker (portal/notifications/) is the
one place that sends them. Each row has a unique event key, so one event never makes two emails
however often anything is retried.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models import enum_column, utcnow


class OutboxStatus(enum.StrEnum):
    """GOV.UK Notify's delivery statuses."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    TEMPORARY_FAILURE = "temporary-failure"
    PERMANENT_FAILURE = "permanent-failure"
    TECHNICAL_FAILURE = "technical-failure"

    @property
    def description(self) -> str:
        """What the status means, in plain English, for staff."""
        return STATUS_DESCRIPTIONS[self]

    @property
    def is_final(self) -> bool:
        return self in (OutboxStatus.DELIVERED, OutboxStatus.PERMANENT_FAILURE, OutboxStatus.TECHNICAL_FAILURE)


STATUS_DESCRIPTIONS = {
    OutboxStatus.PENDING: "Waiting to be sent",
    OutboxStatus.SENDING: "Being sent now",
    OutboxStatus.SENT: "Sent to the email provider, not yet delivered",
    OutboxStatus.DELIVERED: "Delivered to the person’s inbox",
    OutboxStatus.TEMPORARY_FAILURE: "Not delivered yet: the person’s inbox is full or their email "
    "provider is not accepting mail for now",
    OutboxStatus.PERMANENT_FAILURE: "Not delivered: the address does not exist or refuses mail",
    OutboxStatus.TECHNICAL_FAILURE: "Not sent: a problem on our side. The email was not delivered",
}


class OutboxEmail(db.Model):
    __tablename__ = "outbox_email"
    __table_args__ = (Index("ix_outbox_email_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the email is about, e.g. "stage-change:<stage_change_id>:<user_id>": unique.
    event_key: Mapped[str] = mapped_column(String(200), unique=True)
    to_email: Mapped[str] = mapped_column(String(254))
    # The recipient's account, when they have one, and the case the email is about, if any.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("ehc_case.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(String(60))
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[OutboxStatus] = mapped_column(enum_column(OutboxStatus), default=OutboxStatus.PENDING)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # While a worker holds the row (status sending); another may take it once this has passed.
    lease_until: Mapped[datetime | None]
    provider_message_id: Mapped[str | None] = mapped_column(String(100), index=True)
    sent_at: Mapped[datetime | None]
    # Why the last attempt failed: a status code and the provider's reason, never the content.
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # When the provider's latest applied event happened (SendGrid's timestamp): an older event
    # never overwrites a newer one, and nothing overwrites a final status.
    provider_event_at: Mapped[datetime | None]
    # An administrator's "send again" makes a new row pointing at the one that failed.
    resend_of_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_email.id"))


class ProviderEvent(db.Model):
    """A SendGrid Event Webhook event already applied, so a repeated delivery changes nothing."""

    __tablename__ = "provider_event"

    sg_event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_email.id"), index=True)
    event: Mapped[str] = mapped_column(String(30))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


def queue_email(
    to: str,
    subject: str,
    template: str,
    *,
    event_key: str,
    user_id: int | None = None,
    case_id: int | None = None,
    **context: Any,
) -> OutboxEmail:
    """Add an email to the outbox in the caller's transaction. Context must be JSON-safe and hold
    no personal details beyond a child's first name."""
    email = OutboxEmail(
        event_key=event_key, to_email=to, user_id=user_id, case_id=case_id,
        subject=subject, template=template, context=context,
    )
    db.session.add(email)
    return email
