"""Reply-by dates: plain Python, no Flask.

The council aims to reply within a number of working days (REPLY_TARGET_WORKING_DAYS, 10 by
default; URGENT_REPLY_TARGET_WORKING_DAYS, 2, for urgent conversations). A working day is Monday
to Friday, not an England and Wales bank holiday and not a council closure day.

The clock runs only while a conversation waits for the council. It starts with the family
message that leaves the council to answer (a new conversation, or a reply to one that was waiting
for the family) and stops when the council replies: days spent waiting for the family never
count. More family messages while the council is already due to reply do not move the date.

Counting: the reply is due on the Nth working day after the day the wait started, so a message
sent on Tuesday 1 December 2026 with a target of 10 working days is due by Tuesday 15 December.
A message sent at a weekend, on a bank holiday or a closure day counts from the next working day.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from portal.working_days import is_working_day

LONDON = ZoneInfo("Europe/London")
DUE_SOON_WORKING_DAYS = 2


@dataclass(frozen=True)
class Targets:
    """How many working days the council aims to reply within."""

    normal: int = 10
    urgent: int = 2

    def for_conversation(self, urgent: bool) -> int:
        return self.urgent if urgent else self.normal


def local_date(moment: datetime) -> date:
    """The day in England on which something happened (stored times are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LONDON).date()


def today_in_england() -> date:
    return local_date(datetime.now(UTC))


def is_council_working_day(day: date, closures: Collection[date]) -> bool:
    return is_working_day(day) and day not in closures


def add_working_days(start: date, days: int, closures: Collection[date] = ()) -> date:
    """The `days`th working day after `start` (`start` itself never counts)."""
    if days < 1:
        raise ValueError("a reply target is at least 1 working day")
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_council_working_day(day, closures):
            counted += 1
    return day


def working_days_between(start: date, end: date, closures: Collection[date] = ()) -> int:
    """How many working days come after `start`, up to and including `end` (0 if end <= start)."""
    counted = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_council_working_day(day, closures):
            counted += 1
    return counted


def reply_due(waiting_since: date, urgent: bool, targets: Targets, closures: Collection[date] = ()) -> date:
    return add_working_days(waiting_since, targets.for_conversation(urgent), closures)


def working_days_late(due_on: date, replied_on: date, closures: Collection[date] = ()) -> int:
    """How many working days after its due date a reply came: 0 when it came on time."""
    return working_days_between(due_on, replied_on, closures)


class ReplyStatus:
    """How a waiting conversation stands against its date, for the inbox's tags."""

    ON_TRACK = "on track"
    DUE_SOON = "due soon"
    DUE_TODAY = "due today"
    OVERDUE = "overdue"


def reply_status(due_on: date, today: date, closures: Collection[date] = ()) -> str:
    if today > due_on:
        return ReplyStatus.OVERDUE
    if today == due_on:
        return ReplyStatus.DUE_TODAY
    if working_days_between(today, due_on, closures) <= DUE_SOON_WORKING_DAYS:
        return ReplyStatus.DUE_SOON
    return ReplyStatus.ON_TRACK


def due_soon_cutoff(today: date, closures: Collection[date] = ()) -> date:
    """The last date that counts as due soon: DUE_SOON_WORKING_DAYS working days from today."""
    return add_working_days(today, DUE_SOON_WORKING_DAYS, closures)


def long_date(day: date) -> str:
    """Tuesday 15 December 2026"""
    return f"{day:%A} {day.day} {day:%B %Y}"
