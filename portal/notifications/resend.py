"""Sending an email again: a new outbox row copying the one that failed (its template, subject and
context, so the same words go out), pointing back at it with `resend_of_id`. The nth resend of
email 12 has the event key "resend:12:n", so one request never makes two emails."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.extensions import db
from portal.models import User
from portal.notifications.status_words import FAILED
from portal.outbox import OutboxEmail, queue_email

# A password reset link works for an hour: sending an old one again would only disappoint.
NOT_SENT_AGAIN = {"password_reset": "A password reset link only works for an hour. Ask the person to reset their "
                                    "password again from the sign-in page."}


class CannotSendAgain(ValueError):
    """Why an email cannot be sent again, in words for the person who asked."""


def resends(email_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(OutboxEmail).where(OutboxEmail.resend_of_id == email_id)
    ) or 0


def queue_again(original: OutboxEmail, to_email: str | None = None) -> OutboxEmail:
    """Queue a copy of `original` in the caller's transaction, to `to_email` if given."""
    email = queue_email(
        to_email or original.to_email,
        original.subject,
        original.template,
        event_key=f"resend:{original.id}:{resends(original.id) + 1}",
        user_id=original.user_id,
        case_id=original.case_id,
    )
    email.context = dict(original.context or {})
    email.resend_of_id = original.id
    return email


def send_again(actor: User, original: OutboxEmail) -> OutboxEmail:
    """An administrator's "Send again": one transaction. Refused (CannotSendAgain) when it has
    already been sent again, so that a second click never sends a second copy."""
    if original.status not in FAILED:
        raise CannotSendAgain("Only an email that was not delivered can be sent again.")
    if original.template in NOT_SENT_AGAIN:
        raise CannotSendAgain(NOT_SENT_AGAIN[original.template])
    if resends(original.id):
        raise CannotSendAgain(f"This email to {original.to_email} has already been sent again. "
                              "Its new copy is listed with it.")
    email = queue_again(original)
    audit.record("email-sent-again", actor=actor, target=f"outbox-email:{original.id}")
    try:
        db.session.commit()
    except IntegrityError:
        # Someone else sent it again at the same moment: their copy is the one that goes.
        db.session.rollback()
        raise CannotSendAgain(f"This email to {original.to_email} has already been sent again.") from None
    return email
