"""Lock-out after repeated failed sign-ins. Plain rules, no Flask: the same for an account
(`User`) and for an email address with no account (`UnknownSignIn`), so that neither the answers
nor the way failures expire tell anyone whether an account exists.

Failures are counted in a window that starts at the first one; a window that has ended starts
the count again. Reaching the threshold locks sign-in for a fixed time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


class FailureCounter(Protocol):
    failed_sign_ins: int
    failures_started_at: datetime | None
    locked_until: datetime | None


@dataclass(frozen=True)
class LockoutRule:
    threshold: int
    window: timedelta
    duration: timedelta


def is_locked(counter: FailureCounter, now: datetime) -> bool:
    return counter.locked_until is not None and counter.locked_until > now


def record_failure(counter: FailureCounter, rule: LockoutRule, now: datetime) -> bool:
    """Count one failure. True when this failure locks sign-in."""
    started = counter.failures_started_at
    if started is None or now - started >= rule.window:
        counter.failed_sign_ins = 0
        counter.failures_started_at = now
    counter.failed_sign_ins += 1
    if counter.failed_sign_ins < rule.threshold:
        return False
    counter.locked_until = now + rule.duration
    counter.failed_sign_ins = 0
    counter.failures_started_at = None
    return True


def clear(counter: FailureCounter) -> None:
    counter.failed_sign_ins = 0
    counter.failures_started_at = None
    counter.locked_until = None
