"""Single-use links: password resets and invitations. Each use case is one transaction, and a
link is claimed with a conditional update, so that however many requests use one link at the
same moment, exactly one succeeds and the others get the ordinary "link already used" answer."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import current_app, url_for
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal import audit, sessions
from portal.auth import lockout
from portal.auth.services import complete_sign_in, find_user_by_email
from portal.claims import claim
from portal.extensions import db
from portal.models import FamilyLink, Invitation, PasswordReset, Role, User
from portal.outbox import queue_email
from portal.passwords import hash_password
from portal.tokens import hash_token, new_token


def now_utc() -> datetime:
    return datetime.now(UTC)


def _external(endpoint: str, **values: object) -> str:
    return current_app.config["PORTAL_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


@contextmanager
def at_least(seconds: float) -> Iterator[None]:
    """Take at least this long, so that the time an answer takes says nothing about the data."""
    started = time.monotonic()
    yield
    remaining = seconds - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists. The caller shows the same page either way, and
    this takes the same time either way (PASSWORD_RESET_MIN_SECONDS)."""
    with at_least(current_app.config["PASSWORD_RESET_MIN_SECONDS"]):
        token, token_hash = new_token()
        user = find_user_by_email(email)
        if user is None or not user.active:
            audit.record("password-reset-requested", target="unknown-account")
            db.session.commit()
            return
        expires_at = now_utc() + current_app.config["PASSWORD_RESET_LIFETIME"]
        reset = PasswordReset(user=user, token_hash=token_hash, expires_at=expires_at)
        db.session.add(reset)
        db.session.flush()
        audit.record("password-reset-requested", actor=user, target=f"user:{user.id}")
        # Queued, not sent: the request takes the same time whether or not the account exists.
        queue_email(
            user.email, "Reset your password", "password_reset",
            event_key=f"password-reset:{reset.id}", user_id=user.id,
            link=_external("auth.reset_password", token=token),
        )
        db.session.commit()


def usable_password_reset(token: str) -> PasswordReset | None:
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == hash_token(token)))
    if reset is None or not reset.is_usable(now_utc()) or not reset.user.active:
        return None
    return reset


def reset_password(reset: PasswordReset, password: str) -> bool:
    """Set the new password, if this request is the one that uses the link. False if another
    request used it first (nothing is changed)."""
    now = now_utc()
    unused = (PasswordReset.id == reset.id, PasswordReset.used_at.is_(None), PasswordReset.expires_at > now)
    if not claim(PasswordReset, *unused, used_at=now):
        return False
    user = reset.user
    set_password(user, password, now)
    audit.record("password-reset", actor=user, target=f"user:{user.id}")
    db.session.commit()
    sessions.end()
    return True


def set_password(user: User, password: str, now: datetime) -> None:
    """A new password, in the caller's transaction: its argon2id hash, every session ended (the
    session version moves on), the lock-out cleared and every unused reset link cancelled."""
    user.password_hash = hash_password(password)
    user.session_version += 1
    lockout.clear(user)
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )


def usable_invitation(token: str) -> Invitation | None:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None or not invitation.is_usable(now_utc()):
        return None
    return invitation


class InvitationUsed(Exception):
    """Another request used the invitation first."""


def accept_invitation(invitation: Invitation, name: str, password: str) -> User | None:
    """Create the account the invitation is for. None if its email has an account already;
    InvitationUsed if another request used the invitation first. Nothing is saved in either case."""
    now = now_utc()
    still_open = (
        Invitation.id == invitation.id,
        Invitation.used_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.declined_at.is_(None),
        Invitation.expires_at > now,
    )
    # Claimed first: on PostgreSQL a second request for the same invitation waits for this row,
    # then finds it used. Then the email: another invitation may have made its account already.
    if not claim(Invitation, *still_open, used_at=now):
        raise InvitationUsed
    if find_user_by_email(invitation.email) is not None:
        db.session.rollback()
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
    try:
        db.session.flush()
    except IntegrityError:
        # Another invitation for the same email was accepted at the same moment.
        db.session.rollback()
        return None
    audit.record("invitation-accepted", actor=user, target=f"invitation:{invitation.id}")
    audit.record("password-set", actor=user, target=f"user:{user.id}")
    if user.role is Role.FAMILY or current_app.config["DEV_SKIP_TWO_FACTOR"]:
        complete_sign_in(user, action="sign-in")
    else:
        db.session.commit()
    return user
