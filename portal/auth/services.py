"""Sign-in, sign-out, password reset and invitations: each use case is one transaction."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, url_for
from flask_login import login_user
from limits import parse
from sqlalchemy import func, select

from portal import audit, sessions
from portal.auth import two_factor
from portal.email import send_email
from portal.extensions import db, limiter
from portal.models import FamilyLink, Invitation, PasswordReset, Role, User
from portal.passwords import hash_password, verify_password
from portal.tokens import hash_token, new_token


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


def _unknown_account_limit():
    return parse(f"{current_app.config['LOCKOUT_THRESHOLD']} per 15 minutes")


def _unknown_account_key(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()


def _unknown_account_failed(email: str) -> bool:
    """Count failures for emails with no account the same way as for real ones, so the
    lock-out message appears at the same point and reveals nothing. True once 'locked'."""
    strategy = limiter.limiter
    limit = _unknown_account_limit()
    key = _unknown_account_key(email)
    strategy.hit(limit, "sign-in-unknown", key)
    return not strategy.test(limit, "sign-in-unknown", key)


def _unknown_account_locked(email: str) -> bool:
    return not limiter.limiter.test(_unknown_account_limit(), "sign-in-unknown", _unknown_account_key(email))


def check_password(email: str, password: str) -> SignInResult:
    """First step of signing in. Commits the failure count, lock and audit event."""
    now = now_utc()
    config = current_app.config
    user = find_user_by_email(email)
    if user is None:
        verify_password(None, password)
        locked = _unknown_account_locked(email) or _unknown_account_failed(email)
        audit.record("sign-in-failed", target="unknown-account")
        db.session.commit()
        return SignInResult(Outcome.LOCKED if locked else Outcome.WRONG)
    if user.is_locked(now):
        verify_password(None, password)
        audit.record("sign-in-refused-locked", actor=user, target=f"user:{user.id}")
        db.session.commit()
        return SignInResult(Outcome.LOCKED)
    if not (verify_password(user.password_hash, password) and user.active):
        user.failed_sign_ins += 1
        audit.record("sign-in-failed", actor=user, target=f"user:{user.id}")
        outcome = Outcome.WRONG
        if user.failed_sign_ins >= config["LOCKOUT_THRESHOLD"]:
            user.locked_until = now + config["LOCKOUT_DURATION"]
            user.failed_sign_ins = 0
            audit.record("account-locked", actor=user, target=f"user:{user.id}")
            outcome = Outcome.LOCKED
        db.session.commit()
        return SignInResult(outcome, user)
    if user.is_staff and not config["DEV_SKIP_TWO_FACTOR"]:
        return SignInResult(Outcome.NEEDS_CODE if user.totp_secret else Outcome.NEEDS_SET_UP, user)
    complete_sign_in(user)
    return SignInResult(Outcome.SIGNED_IN, user)


def complete_sign_in(user: User, action: str = "sign-in") -> None:
    """Start a fresh session for the user (a new cookie, nothing carried over)."""
    sessions.end()
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_signed_in_at = now_utc()
    audit.record(action, actor=user, target=f"user:{user.id}")
    db.session.commit()
    login_user(user)
    sessions.start()


def check_security_code(user: User, code: str) -> SignInResult:
    """Second step for staff. A wrong code counts towards the lock-out like a wrong password."""
    now = now_utc()
    if user.is_locked(now):
        return SignInResult(Outcome.LOCKED, user)
    step = two_factor.matching_step(user.totp_secret or "", code, user.totp_last_step)
    if step is None:
        user.failed_sign_ins += 1
        audit.record("security-code-failed", actor=user, target=f"user:{user.id}")
        outcome = Outcome.WRONG
        if user.failed_sign_ins >= current_app.config["LOCKOUT_THRESHOLD"]:
            user.locked_until = now + current_app.config["LOCKOUT_DURATION"]
            user.failed_sign_ins = 0
            audit.record("account-locked", actor=user, target=f"user:{user.id}")
            outcome = Outcome.LOCKED
        db.session.commit()
        return SignInResult(outcome, user)
    user.totp_last_step = step
    complete_sign_in(user)
    return SignInResult(Outcome.SIGNED_IN, user)


def set_up_two_factor(user: User, secret: str, code: str) -> bool:
    step = two_factor.matching_step(secret, code, None)
    if step is None:
        return False
    user.totp_secret = secret
    user.totp_last_step = step
    audit.record("two-factor-set-up", actor=user, target=f"user:{user.id}")
    complete_sign_in(user)
    return True


def sign_out(user: User) -> None:
    """End this session and every copy of its cookie: the stored session version moves on."""
    user.session_version += 1
    audit.record("sign-out", actor=user, target=f"user:{user.id}")
    db.session.commit()
    sessions.end()


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists. The caller shows the same page either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        audit.record("password-reset-requested", target="unknown-account")
        db.session.commit()
        return
    token, token_hash = new_token()
    db.session.add(
        PasswordReset(
            user=user,
            token_hash=token_hash,
            expires_at=now_utc() + current_app.config["PASSWORD_RESET_LIFETIME"],
        )
    )
    audit.record("password-reset-requested", actor=user, target=f"user:{user.id}")
    db.session.commit()
    send_email(
        user.email,
        "Reset your password",
        "password_reset",
        link=_external("auth.reset_password", token=token),
    )


def usable_password_reset(token: str) -> PasswordReset | None:
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == hash_token(token)))
    if reset is None or not reset.is_usable(now_utc()) or not reset.user.active:
        return None
    return reset


def reset_password(reset: PasswordReset, password: str) -> None:
    now = now_utc()
    user = reset.user
    user.password_hash = hash_password(password)
    user.session_version += 1
    user.failed_sign_ins = 0
    user.locked_until = None
    for other in db.session.scalars(
        select(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
    ):
        other.used_at = now
    audit.record("password-reset", actor=user, target=f"user:{user.id}")
    db.session.commit()
    sessions.end()


def usable_invitation(token: str) -> Invitation | None:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None or not invitation.is_usable(now_utc()):
        return None
    return invitation


def accept_invitation(invitation: Invitation, name: str, password: str) -> User | None:
    """Create the account the invitation is for. None if its email has an account already."""
    if find_user_by_email(invitation.email) is not None:
        return None
    user = User(
        email=invitation.email,
        name=name,
        role=invitation.role,
        team_id=invitation.team_id,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    if invitation.child_id is not None and invitation.relationship_to_child is not None:
        db.session.add(
            FamilyLink(user=user, child_id=invitation.child_id, relationship_to_child=invitation.relationship_to_child)
        )
    invitation.used_at = now_utc()
    db.session.flush()
    audit.record("invitation-accepted", actor=user, target=f"invitation:{invitation.id}")
    audit.record("password-set", actor=user, target=f"user:{user.id}")
    if user.role is Role.FAMILY or current_app.config["DEV_SKIP_TWO_FACTOR"]:
        complete_sign_in(user, action="sign-in")
    else:
        db.session.commit()
    return user


def _external(endpoint: str, **values: object) -> str:
    return current_app.config["PORTAL_BASE_URL"].rstrip("/") + url_for(endpoint, **values)
