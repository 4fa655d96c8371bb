"""Delivery status from SendGrid's Event Webhook: a batch of events applied in one transaction.

Plain Python over the database session (the webhook view in portal/webhooks/ checks the signature
and calls `parse_events` and `apply_events`). Rules:

- Each event is applied once: its `sg_event_id` is recorded in `provider_event`, and an event seen
  before (in an earlier batch or earlier in this one) changes nothing.
- An event older than the one last applied to an email (`OutboxEmail.provider_event_at`) changes
  nothing, and nothing moves an email out of a final status (delivered, permanent-failure,
  technical-failure).
- Events for an outbox id we do not have, or with none, change nothing (they are still recorded).
- An email that ends in permanent-failure flags its case "Family not reached" (`reach`).
- Statements: one to lock the emails the batch names, one to read the event ids already seen, one
  to record the new events, one to update the emails, and one per email newly failed for good.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db
from portal.notifications.reach import flag_not_reached
from portal.outbox import OutboxEmail, OutboxStatus, ProviderEvent
from portal.request_guard import MAX_ID

# The events we act on (tick these in SendGrid) and the status each gives. A spam report means the
# person refuses our mail: treat it as a permanent failure, so that a caseworker phones instead.
# (It usually follows delivered, a final status, and then changes nothing; SendGrid then drops
# later emails to the address as "Spam Reporting Address", and those fail for good.)
EVENT_STATUS = {
    "processed": OutboxStatus.SENT,
    "deferred": OutboxStatus.TEMPORARY_FAILURE,
    "delivered": OutboxStatus.DELIVERED,
    "bounce": OutboxStatus.PERMANENT_FAILURE,  # a bounce of type "blocked" is temporary: see below
    "dropped": OutboxStatus.PERMANENT_FAILURE,
    "spamreport": OutboxStatus.PERMANENT_FAILURE,
}
# When two events carry the same second, the one further along wins (sent, then a failure that may
# pass, then a final status), whatever order they arrive in.
RANK = {OutboxStatus.SENT: 1, OutboxStatus.TEMPORARY_FAILURE: 2}
FINAL_RANK = 3
MAX_REASON = 300  # characters of the provider's reason kept in last_error


class MalformedBatch(ValueError):
    """The body is not a JSON array of event objects."""


@dataclass(frozen=True)
class Event:
    sg_event_id: str
    event: str
    occurred_at: datetime
    outbox_id: int | None
    status: OutboxStatus
    error: str | None  # for last_error: what happened and the provider's reason, no content

    @property
    def rank(self) -> int:
        return FINAL_RANK if self.status.is_final else RANK.get(self.status, 0)


def parse_events(payload: Any) -> list[Event]:
    """The events we act on, from SendGrid's decoded JSON body. Events of other kinds (open,
    click, ...) and events without a usable id or timestamp are left out."""
    if not isinstance(payload, list) or not all(isinstance(item, dict) for item in payload):
        raise MalformedBatch("expected a JSON array of objects")
    events = []
    for item in payload:
        kind, sg_event_id, occurred_at = item.get("event"), item.get("sg_event_id"), _time(item.get("timestamp"))
        if kind not in EVENT_STATUS or not isinstance(sg_event_id, str) or not 0 < len(sg_event_id) <= 100:
            continue
        if occurred_at is None:
            continue
        status, error = _outcome(kind, item)
        events.append(Event(sg_event_id, kind, occurred_at, _outbox_id(item.get("outbox_id")), status, error))
    return events


def apply_events(events: list[Event], now: datetime) -> int:
    """Apply a batch in the caller's transaction (the caller commits); how many emails changed."""
    unique = list({event.sg_event_id: event for event in reversed(events)}.values())  # the first of each
    if not unique:
        return 0
    outbox_ids = sorted({event.outbox_id for event in unique if event.outbox_id is not None})
    # Locked (on PostgreSQL) in id order before reading what was seen: a concurrent delivery of the
    # same events waits here, then sees them recorded. The worker claims with SKIP LOCKED.
    rows = {
        row.id: row
        for row in db.session.execute(
            select(OutboxEmail.id, OutboxEmail.status, OutboxEmail.provider_event_at, OutboxEmail.last_error)
            .where(OutboxEmail.id.in_(outbox_ids))
            .order_by(OutboxEmail.id)
            .with_for_update()
        )
    } if outbox_ids else {}
    seen = set(
        db.session.scalars(
            select(ProviderEvent.sg_event_id).where(ProviderEvent.sg_event_id.in_([e.sg_event_id for e in unique]))
        )
    )
    fresh = [event for event in unique if event.sg_event_id not in seen]
    if not fresh:
        return 0
    _record(fresh, rows.keys(), now)

    state = {row_id: (row.status, row.provider_event_at, row.last_error) for row_id, row in rows.items()}
    for event in sorted(fresh, key=lambda event: (event.occurred_at, event.rank)):
        if event.outbox_id in state and _applies(event, *state[event.outbox_id][:2]):
            state[event.outbox_id] = (event.status, event.occurred_at, event.error)
    changed = [
        {"b_id": row_id, "b_status": status, "b_at": at, "b_error": error}
        for row_id, (status, at, error) in state.items()
        if (status, at) != (rows[row_id].status, rows[row_id].provider_event_at)
    ]
    if changed:
        table = OutboxEmail.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(status=bindparam("b_status"), provider_event_at=bindparam("b_at"),
                    last_error=bindparam("b_error"), status_changed_at=now),
            changed,
        )
    for item in changed:
        if item["b_status"] == OutboxStatus.PERMANENT_FAILURE:
            flag_not_reached(item["b_id"], now)
    return len(changed)


def _applies(event: Event, status: OutboxStatus, last_event_at: datetime | None) -> bool:
    if status.is_final:
        return False
    if last_event_at is None or event.occurred_at > last_event_at:
        return True
    current_rank = RANK.get(status, 0)
    return event.occurred_at == last_event_at and event.rank > current_rank


def _record(events: list[Event], known_ids, now: datetime) -> None:
    """Insert the new events; one that a concurrent delivery has just inserted is skipped."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    rows = [
        {
            "sg_event_id": event.sg_event_id,
            "outbox_id": event.outbox_id if event.outbox_id in known_ids else None,
            "event": event.event,
            "occurred_at": event.occurred_at,
            "received_at": now,
        }
        for event in events
    ]
    db.session.execute(dialect.insert(ProviderEvent.__table__).on_conflict_do_nothing(), rows)


def _time(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or not 0 < value < 2**33:
        return None
    return datetime.fromtimestamp(int(value), UTC)


def _outbox_id(value: Any) -> int | None:
    """Our custom arg: the outbox row's id as a string (SendGrid sends custom args as strings)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def _outcome(kind: str, item: dict[str, Any]) -> tuple[OutboxStatus, str | None]:
    """The status an event gives and the plain error to keep: the provider's reason, never content."""
    reason = _plain(item.get("reason")) or _plain(item.get("response"))
    if kind == "bounce" and item.get("type") == "blocked":
        return OutboxStatus.TEMPORARY_FAILURE, _with("Blocked: the receiving server refused it for now", reason)
    if kind == "bounce":
        return OutboxStatus.PERMANENT_FAILURE, _with("Bounced: the address does not exist or refuses mail", reason)
    if kind == "dropped":
        return OutboxStatus.PERMANENT_FAILURE, _with("Dropped by SendGrid, not sent", reason)
    if kind == "spamreport":
        return OutboxStatus.PERMANENT_FAILURE, "Reported as spam by the recipient"
    if kind == "deferred":
        return OutboxStatus.TEMPORARY_FAILURE, _with("Deferred: the receiving server asked to try later", reason)
    return EVENT_STATUS[kind], None


def _plain(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    text = "".join(char if char.isprintable() else " " for char in value)
    return " ".join(text.split())[:MAX_REASON]


def _with(summary: str, reason: str) -> str:
    return f"{summary} ({reason})" if reason else summary
