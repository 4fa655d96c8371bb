"""Whether a family was reached: an email about a case that fails for good (permanent- or
technical-failure) flags the case "Family not reached", so that a caseworker phones or writes
instead. Called in the same transaction as the status change, by the worker and the webhook."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from portal.ehcp.models import Case
from portal.extensions import db
from portal.outbox import OutboxEmail

FAILED_FOR_GOOD = ("permanent-failure", "technical-failure")


def flag_not_reached(email_id: int, now: datetime) -> None:
    """Flag the email's case, if it has one and is not flagged already. A plain UPDATE: it does
    not bump the case's version, so a caseworker's form open on the case still saves."""
    case_id = select(OutboxEmail.case_id).where(OutboxEmail.id == email_id).scalar_subquery()
    db.session.execute(
        update(Case)
        .where(Case.id == case_id, Case.family_not_reached_since.is_(None))
        .values(family_not_reached_since=now)
        .execution_options(synchronize_session=False)
    )
