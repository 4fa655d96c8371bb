"""The outbox worker: claim a batch, commit the claim, send each email, record each result.

On PostgreSQL a batch is claimed with SELECT ... FOR UPDATE SKIP LOCKED and a lease (status
sending, lease_until), so several workers share the queue and never claim the same row; rows
whose lease has passed (their worker crashed) are claimed again. SQLite has no row locks: run one
worker there. Each result is committed as soon as it is known, so a crash loses at most the email
in hand, which goes again after its lease.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select, text, update

from portal.email import deliver, render_email
from portal.extensions import db
from portal.models import utcnow
from portal.notifications.reach import flag_not_reached
from portal.notifications.retry import Failure, backoff_seconds, classify
from portal.outbox import OutboxEmail, OutboxStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claimed:
    id: int
    to: str
    subject: str
    template: str
    context: dict[str, Any]
    attempts: int
    created_at: datetime
    lease_until: datetime


def claim_batch(now: datetime) -> list[Claimed]:
    """Claim up to NOTIFICATIONS_BATCH_SIZE due rows in one committed transaction."""
    config = current_app.config
    due = or_(
        and_(OutboxEmail.status == OutboxStatus.PENDING, OutboxEmail.next_attempt_at <= now),
        and_(OutboxEmail.status == OutboxStatus.SENDING, OutboxEmail.lease_until < now),
    )
    rows = db.session.scalars(
        select(OutboxEmail)
        .where(due)
        .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
        .limit(config["NOTIFICATIONS_BATCH_SIZE"])
        .with_for_update(skip_locked=True)
    ).all()
    lease_until = utcnow() + timedelta(seconds=config["NOTIFICATIONS_LEASE_SECONDS"])
    claimed = []
    for row in rows:
        row.status, row.status_changed_at = OutboxStatus.SENDING, utcnow()
        row.lease_until = lease_until
        row.attempts += 1
        claimed.append(
            Claimed(row.id, row.to_email, row.subject, row.template, dict(row.context), row.attempts,
                    row.created_at, lease_until)
        )
    db.session.commit()
    return claimed


def _record(email_id: int, **values: Any) -> None:
    """The result for a row this worker still holds (an event already recorded is kept).

    On PostgreSQL this commit does not wait for the disk (synchronous_commit off, for this
    transaction only): a worker that dies right after loses nothing, as the server has the commit.
    Only a crash of the database server itself could lose the last fraction of a second of
    results, and those emails would go again after their lease. Waiting for the disk on every
    email would make that disk's flush rate the ceiling for every worker together."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL synchronous_commit TO OFF"))
    # Core, not the ORM: this runs once per email and nothing in the session needs to know.
    table = OutboxEmail.__table__
    connection.execute(
        update(table)
        .where(table.c.id == email_id, table.c.status == OutboxStatus.SENDING)
        .values(status_changed_at=utcnow(), lease_until=None, **values)
    )
    if values.get("status") is OutboxStatus.TECHNICAL_FAILURE:
        flag_not_reached(email_id, utcnow())
    db.session.commit()


def send_claimed(item: Claimed) -> bool:
    """Send one claimed email and record what happened. True if the provider accepted it."""
    try:
        email = render_email(item.to, item.subject, item.template, **item.context)
        message_id = deliver(email, item.id)
    except Exception as exception:  # noqa: BLE001 - every failure is recorded, none is lost
        db.session.rollback()
        _record_failure(item, classify(exception, utcnow()))
        return False
    _record(item.id, status=OutboxStatus.SENT, sent_at=utcnow(), provider_message_id=message_id, last_error=None)
    return True


def _record_failure(item: Claimed, failure: Failure) -> None:
    config = current_app.config
    now = utcnow()
    delay = backoff_seconds(
        item.attempts, config["NOTIFICATIONS_RETRY_BASE_SECONDS"], config["NOTIFICATIONS_RETRY_CAP_SECONDS"],
        failure.retry_after,
    )
    next_attempt_at = now + timedelta(seconds=delay)
    give_up_at = item.created_at + timedelta(hours=config["NOTIFICATIONS_GIVE_UP_HOURS"])
    out_of_attempts = item.attempts >= config["NOTIFICATIONS_MAX_ATTEMPTS"]
    log.warning("Outbox email %s, attempt %s: %s", item.id, item.attempts, failure.error)
    if not failure.retry:
        _record(item.id, status=OutboxStatus.TECHNICAL_FAILURE, last_error=failure.error[:500])
    elif out_of_attempts or next_attempt_at > give_up_at:
        error = f"Gave up after {item.attempts} attempts. {failure.error}"
        _record(item.id, status=OutboxStatus.TECHNICAL_FAILURE, last_error=error[:500])
    else:
        _record(item.id, status=OutboxStatus.PENDING, next_attempt_at=next_attempt_at, last_error=failure.error[:500])


def release(items: list[Claimed]) -> None:
    """Give back rows claimed but not started (on shutdown), so another worker takes them now."""
    if not items:
        return
    db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id.in_([item.id for item in items]), OutboxEmail.status == OutboxStatus.SENDING)
        .values(status=OutboxStatus.PENDING, lease_until=None, attempts=OutboxEmail.attempts - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def send_pending(now: datetime | None = None, stop: threading.Event | None = None) -> int:
    """One pass: send every email due at `now` (default: the start of the pass). Emails that fail
    are due later, so a pass always ends. Returns how many the provider accepted."""
    now = now or utcnow()
    stop = stop or threading.Event()
    config = current_app.config
    # Time to send one email: stop a batch before its lease could run out in the middle of one.
    margin = timedelta(seconds=min(config["SENDGRID_TIMEOUT_SECONDS"] + 1, config["NOTIFICATIONS_LEASE_SECONDS"] / 2))
    accepted = 0
    while not stop.is_set():
        batch = claim_batch(now)
        if not batch:
            break
        for index, item in enumerate(batch):
            # Stop between emails when asked to, or before the lease could run out mid-send.
            if stop.is_set() or (index and utcnow() + margin >= item.lease_until):
                release(batch[index:])
                break
            accepted += send_claimed(item)
    return accepted


def work(stop: threading.Event, threads: int | None = None) -> None:
    """Send emails as they become due until `stop` is set; then finish the emails in hand.

    A send spends most of its time waiting for the provider (SendGrid answers in tens to hundreds
    of milliseconds), so a worker sends with several threads at once (NOTIFICATIONS_THREADS), each
    claiming its own batches. On SQLite, which has no row locks, it uses one."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    count = sender_threads(threads)
    if count == 1:
        _loop(stop)
        return
    senders = [threading.Thread(target=_loop_in_app, args=(app, stop), name=f"outbox-sender-{n}")
               for n in range(count)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()


def sender_threads(threads: int | None = None) -> int:
    if db.engine.dialect.name == "sqlite":
        return 1
    return max(1, threads or current_app.config["NOTIFICATIONS_THREADS"])


def _loop_in_app(app: Any, stop: threading.Event) -> None:
    with app.app_context():  # each thread its own app context, so its own database session
        _loop(stop)


def _loop(stop: threading.Event) -> None:
    poll = current_app.config["NOTIFICATIONS_POLL_SECONDS"]
    while not stop.is_set():
        try:
            sent = send_pending(stop=stop)
        except Exception:  # a lost database connection, say: wait and try again
            log.exception("The outbox worker's pass failed")
            db.session.rollback()
            sent = 0
        db.session.remove()
        if not sent:
            stop.wait(poll)
