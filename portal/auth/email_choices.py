"""A person's choice of optional emails: one use case, one transaction each. Stage changes of a
family's own case and account emails (invitations, password resets and changes) always go."""

from __future__ import annotations

from portal import audit
from portal.extensions import db
from portal.models import Role, User

# Which optional email each role can turn on or off (the User column that holds it).
OPTIONAL_EMAIL = {
    Role.FAMILY: "message_emails",
    Role.CASEWORKER: "digest_emails",
    Role.MANAGER: "digest_emails",
}


def choose_message_emails(user: User, wanted: bool) -> None:
    """A family member turns emails about new messages on or off."""
    if user.role is not Role.FAMILY:
        raise ValueError("only families get emails about new messages")
    user.message_emails = wanted
    audit.record("message-emails-on" if wanted else "message-emails-off", actor=user, target=f"user:{user.id}")
    db.session.commit()


def choose_digest_emails(user: User, wanted: bool) -> None:
    """A caseworker or manager turns the daily digest on or off."""
    if OPTIONAL_EMAIL.get(user.role) != "digest_emails":
        raise ValueError("only caseworkers and managers get the daily digest")
    user.digest_emails = wanted
    audit.record("digest-emails-on" if wanted else "digest-emails-off", actor=user, target=f"user:{user.id}")
    db.session.commit()
