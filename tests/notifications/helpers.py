"""Shared by the notification tests: queue emails, read rows back, check request bodies."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from sqlalchemy import select

from portal.extensions import db
from portal.outbox import OutboxEmail, queue_email

SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "mail_send.request.schema.json").read_text())


def queue(n: int = 1, prefix: str = "test") -> list[int]:
    """Queue n password-reset emails (no personal details) and commit; their ids."""
    emails = [
        queue_email(f"person{i}@example.org", "Reset your password", "password_reset",
                    event_key=f"{prefix}:{i}", link=f"http://localhost/reset/{i}")
        for i in range(n)
    ]
    db.session.commit()
    return [email.id for email in emails]


def row(email_id: int) -> OutboxEmail:
    db.session.expire_all()
    return db.session.get(OutboxEmail, email_id)


def all_rows() -> list[OutboxEmail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def check_bodies(fake) -> None:
    """Every body the fake received is a valid SendGrid v3 mail/send request."""
    for request in fake.requests:
        jsonschema.validate(request["body"], SCHEMA)
        assert set(request["body"]["custom_args"]) == {"outbox_id"}


def use_sendgrid(app, fake, **settings) -> None:
    app.config.update(EMAIL_BACKEND="sendgrid", SENDGRID_HOST=fake.url, SENDGRID_API_KEY="SG.test-key", **settings)
