"""A signed-in person changes their own password: one transaction, then a fresh session.

A wrong current password counts towards the lock-out exactly as a failed sign-in does; the
failure that locks the account also ends every session of it, this one included. While the
account is locked (after failed sign-ins, say) nothing is checked. On success
every other session ends (the session version moves on), this one starts afresh, unused
password reset links stop working, and an email tells the account holder.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from flask import current_app, url_for
from flask_login import login_user
from sqlalchemy import select
from sqlalchemy.orm import undefer

from portal import audit, sessions
from portal.auth import lockout, services
from portal.auth.links import set_password
from portal.extensions import db
from portal.models import User
from portal.outbox import queue_email
from portal.passwords import verify_password
from portal.uk_time import day_and_time


def uk_time(moment: datetime) -> str:
    """GOV.UK style: "1 December 2026 at 3:05pm", in UK time."""
    return day_and_time(moment)


class Outcome(enum.Enum):
    CHANGED = "changed"
    WRONG = "wrong"
    SAME = "same"
    LOCKED = "locked"  # locked already: nothing was checked
    LOCKED_NOW = "locked-now"  # this attempt locked the account and ended every session of it


def now_utc() -> datetime:
    return datetime.now(UTC)


def _wrong(user: User, now: datetime) -> Outcome:
    """Count the failure as a failed sign-in is counted (committed)."""
    if services.count_failure(user, now, "password-change-failed") is services.Outcome.WRONG:
        return Outcome.WRONG
    user.session_version += 1
    db.session.commit()
    sessions.end()
    return Outcome.LOCKED_NOW


def change_password(user: User, current: str, new: str) -> Outcome:
    """Check the current password, then set the new one."""
    now = now_utc()
    # The password hash is a deferred column; the failure counts are read afresh, and the row
    # is locked for this transaction so that attempts at the same moment are all counted.
    user = db.session.scalar(
        select(User)
        .options(undefer(User.password_hash))
        .where(User.id == user.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if lockout.is_locked(user, now):
        db.session.rollback()
        return Outcome.LOCKED
    if not verify_password(user.password_hash, current):
        return _wrong(user, now)
    if new == current:
        db.session.rollback()
        return Outcome.SAME
    set_password(user, new, now)
    audit.record("password-changed", actor=user, target=f"user:{user.id}")
    queue_email(
        user.email,
        "Your password has been changed",
        "password_changed",
        event_key=f"password-changed:{user.id}:{user.session_version}",
        user_id=user.id,
        changed_at=uk_time(now),
        reset_link=current_app.config["PORTAL_BASE_URL"].rstrip("/") + url_for("auth.forgot_password"),
    )
    db.session.commit()
    # A fresh session for this browser, with the new session version: every other one has ended.
    sessions.end()
    login_user(user)
    sessions.start()
    return Outcome.CHANGED
