"""The email outbox: a notification is a row written in the same transaction as the change that
causes it, so that a failed send never rolls the change back and nothing is lost.

Sending (a worker with retries and backoff) reads this table; `queue_email` is the one place
where rows are created.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models import enum_column, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxEmail(db.Model):
    __tablename__ = "outbox_email"
    __table_args__ = (Index("ix_outbox_email_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(String(60))
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[OutboxStatus] = mapped_column(enum_column(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def queue_email(to: str, subject: str, template: str, **context: Any) -> OutboxEmail:
    """Add an email to the outbox in the caller's transaction. Context must be JSON-safe and hold
    no personal details beyond a child's first name."""
    email = OutboxEmail(to_email=to, subject=subject, template=template, context=context)
    db.session.add(email)
    return email
