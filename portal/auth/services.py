"""Signing in (password, then a security code for staff), setting up two-factor sign-in and
signing out: each use case is one transaction. Password resets and invitations are in links.py."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from flask_login import login_user
from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import undefer

from portal import audit, sessions
from portal.auth import lockout, two_factor
from portal.claims import claim
from portal.extensions import db
from portal.models import UnknownSignIn, User
from portal.passwords import verify_password


def now_utc() -> datetime:
    return datetime.now(UTC)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


class Outcome(enum.Enum):
    SIGNED_IN = "signed-in"
    NEEDS_CODE = "needs-code"
    NEEDS_SET_UP = "needs-set-up"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass
class SignInResult:
    outcome: Outcome
    user: User | None = None


def _rule() -> lockout.LockoutRule:
    config = current_app.config
    return lockout.LockoutRule(config["LOCKOUT_THRESHOLD"], config["LOCKOUT_WINDOW"], config["LOCKOUT_DURATION"])


def _unknown_counter(email: str, now: datetime) -> UnknownSignIn:
    """The failure counter for an email address with no account, made if need be (safely when
    two requests make it at once), after forgetting counters whose window and lock have ended."""
    rule = _rule()
    db.session.execute(
        delete(UnknownSignIn).where(
            UnknownSignIn.failures_started_at < now - rule.window,
            or_(UnknownSignIn.locked_until.is_(None), UnknownSignIn.locked_until < now),
        )
    )
    key = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(UnknownSignIn).values(email_hash=key, failed_sign_ins=0).on_conflict_do_nothing())
    return db.session.get(UnknownSignIn, key, with_for_update=True, populate_existing=True)


def _failed(counter: lockout.FailureCounter, user: User | None, now: datetime, action: str) -> Outcome:
    """Count a failure for an account or an unknown email, exactly alike. Commits."""
    target = f"user:{user.id}" if user else "unknown-account"
    audit.record(action, actor=user, target=target)
    locked = lockout.record_failure(counter, _rule(), now)
    if locked and user is not None:
        audit.record("account-locked", actor=user, target=target)
    db.session.commit()
    return Outcome.LOCKED if locked else Outcome.WRONG


def count_failure(user: User, now: datetime, action: str) -> Outcome:
    """A wrong password from a signed-in person (changing it) counts as a failed sign-in."""
    return _failed(user, user, now, action)


def check_password(email: str, password: str) -> SignInResult:
    """First step of signing in. Commits the failure count, lock and audit event."""
    now = now_utc()
    user = db.session.scalar(
        select(User).options(undefer(User.password_hash)).where(func.lower(User.email) == email.strip().lower())
    )
    counter: lockout.FailureCounter = user if user is not None else _unknown_counter(email, now)
    if lockout.is_locked(counter, now):
        verify_password(None, password)
        audit.record("sign-in-refused-locked", actor=user, target=f"user:{user.id}" if user else "unknown-account")
        db.session.commit()
        return SignInResult(Outcome.LOCKED, user)
    if user is None or not (verify_password(user.password_hash, password) and user.active):
        if user is None:
            verify_password(None, password)
        return SignInResult(_failed(counter, user, now, "sign-in-failed"), user)
    if user.is_staff and not current_app.config["DEV_SKIP_TWO_FACTOR"]:
        return SignInResult(Outcome.NEEDS_CODE if user.totp_secret else Outcome.NEEDS_SET_UP, user)
    complete_sign_in(user)
    return SignInResult(Outcome.SIGNED_IN, user)


def complete_sign_in(user: User, action: str = "sign-in") -> None:
    """Start a fresh session for the user (a new cookie, nothing carried over)."""
    sessions.end()
    lockout.clear(user)
    user.last_signed_in_at = now_utc()
    audit.record(action, actor=user, target=f"user:{user.id}")
    db.session.commit()
    login_user(user)
    sessions.start()


def _claim_step(user: User, step: int) -> bool:
    """Record that this time step's code is used, unless another request already used it or a
    later one: a conditional update, so two requests with the same code cannot both pass."""
    return claim(User, User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step),
                 totp_last_step=step)


def check_security_code(user: User, code: str) -> SignInResult:
    """Second step for staff. A wrong or already used code counts towards the lock-out."""
    now = now_utc()
    if lockout.is_locked(user, now):
        return SignInResult(Outcome.LOCKED, user)
    step = two_factor.matching_step(user.totp_secret or "", code, user.totp_last_step)
    if step is None or not _claim_step(user, step):
        return SignInResult(_failed(user, user, now, "security-code-failed"), user)
    db.session.refresh(user)
    complete_sign_in(user)
    return SignInResult(Outcome.SIGNED_IN, user)


def pending_secret(user: User) -> str:
    """The secret being set up, kept encrypted on the account (never in the session cookie)
    until the person proves they have it, so that a reload shows the same QR code."""
    if user.totp_pending_secret is None:
        user.totp_pending_secret = two_factor.new_secret()
        db.session.commit()
    return user.totp_pending_secret


def set_up_two_factor(user: User, code: str) -> bool:
    secret = user.totp_pending_secret
    step = two_factor.matching_step(secret, code, None) if secret else None
    if step is None:
        return False
    # Only if two-factor sign-in was not set up meanwhile (by this person in another tab).
    if not claim(
        User, User.id == user.id, User.totp_secret.is_(None),
        totp_secret=secret, totp_pending_secret=None, totp_last_step=step,
    ):
        return False
    audit.record("two-factor-set-up", actor=user, target=f"user:{user.id}")
    db.session.flush()
    db.session.refresh(user)
    complete_sign_in(user)
    return True


def sign_out(user: User) -> None:
    """End this session and every copy of its cookie: the stored session version moves on."""
    user.session_version += 1
    audit.record("sign-out", actor=user, target=f"user:{user.id}")
    db.session.commit()
    sessions.end()
