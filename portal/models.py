"""Accounts, teams, children and the audit log (SQLAlchemy 2 typed models).

The schema is built only by the Alembic migrations in migrations/; these classes describe it.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from portal.crypto import EncryptedText
from portal.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column(cls: type[enum.Enum], name: str | None = None) -> Enum:
    """A string column with a CHECK constraint (named after `name`, else the enum)."""
    return Enum(
        cls,
        native_enum=False,
        length=max(20, *(len(str(member.value)) for member in cls)),
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
        create_constraint=True,
        name=name or cls.__name__.lower(),
    )


class Role(enum.StrEnum):
    FAMILY = "family"
    CASEWORKER = "caseworker"
    MANAGER = "manager"
    COPRODUCTION = "coproduction"
    ADMIN = "admin"
    # A member of the independent oversight board: reads the governance reports and nothing else.
    BOARD = "board"

    @property
    def is_staff(self) -> bool:
        return self is not Role.FAMILY

    @property
    def label(self) -> str:
        return {
            Role.FAMILY: "Family member",
            Role.CASEWORKER: "Caseworker",
            Role.MANAGER: "Manager",
            Role.COPRODUCTION: "Co-production team",
            Role.ADMIN: "Administrator",
            Role.BOARD: "Oversight board member",
        }[self]


STAFF_ROLES = frozenset(role for role in Role if role.is_staff)


class Relationship(enum.StrEnum):
    PARENT = "parent"
    CARER = "carer"
    YOUNG_PERSON = "young_person"

    @property
    def label(self) -> str:
        return {
            Relationship.PARENT: "Parent",
            Relationship.CARER: "Carer",
            Relationship.YOUNG_PERSON: "The young person",
        }[self]


class Team(db.Model):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    # Deferred: loaded only by the sign-in and password use cases that need them, never by a page
    # that lists or shows other accounts.
    password_hash: Mapped[str | None] = mapped_column(String(255), deferred=True)
    active: Mapped[bool] = mapped_column(default=True)
    deactivated_at: Mapped[datetime | None]
    # Failed sign-ins counted in a window from the first one: the same rules as UnknownSignIn.
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    failures_started_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
    # Bumped at sign-out and password change: every older session cookie stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    # Encrypted at rest (portal.crypto); the pending one is kept only while two-factor is set up.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText, deferred=True)
    totp_pending_secret: Mapped[str | None] = mapped_column(EncryptedText, deferred=True)
    # The last TOTP time step accepted, so that a code cannot be used twice.
    totp_last_step: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_signed_in_at: Mapped[datetime | None]
    # Email choices. Stage changes of a family's own case always go; these are the optional ones.
    message_emails: Mapped[bool] = mapped_column(default=True)  # families: new messages
    digest_emails: Mapped[bool] = mapped_column(default=True)  # staff: the daily digest
    # When a family member last opened their dashboard: updates after this are "new to you".
    updates_seen_at: Mapped[datetime | None]

    team: Mapped[Team | None] = relationship()
    child_links: Mapped[list[FamilyLink]] = relationship(back_populates="user")

    def get_id(self) -> str:
        # Flask-Login's "alternative token": the session holds id and version together.
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


# One account per email address, whatever its case.
Index("uq_user_account_email_lower", func.lower(User.email), unique=True)


class Child(db.Model):
    """A child or young person. Synthetic data only in demo and tests."""

    __tablename__ = "child"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date]
    # The SEND team responsible for the child.
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    team: Mapped[Team] = relationship()
    family_links: Mapped[list[FamilyLink]] = relationship(back_populates="child")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class FamilyLink(db.Model):
    """A family member's link to a child, and how they are related."""

    __tablename__ = "family_link"
    __table_args__ = (UniqueConstraint("user_id", "child_id", name="uq_family_link_user_child"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    relationship_to_child: Mapped[Relationship] = mapped_column(enum_column(Relationship))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="child_links")
    child: Mapped[Child] = relationship(back_populates="family_links")


class Invitation(db.Model):
    """A single-use invitation link. Only a hash of its token is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), index=True)
    relationship_to_child: Mapped[Relationship | None] = mapped_column(enum_column(Relationship))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # For a family invitation: the person said the child is not theirs, or staff withdrew it.
    declined_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_sent_at: Mapped[datetime | None]

    team: Mapped[Team | None] = relationship()
    child: Mapped[Child | None] = relationship()
    invited_by: Mapped[User] = relationship()

    def is_usable(self, now: datetime) -> bool:
        return (
            self.used_at is None and self.declined_at is None and self.revoked_at is None and self.expires_at > now
        )


class PasswordReset(db.Model):
    """A single-use password reset link. Only a hash of its token is stored."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and self.expires_at > now


class AuditEvent(db.Model):
    """Who did what, to what, when and from where. Never a password or a token."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    target: Mapped[str | None] = mapped_column(String(120))
    # A short reason or search text given by staff; never a password, token or message.
    detail: Mapped[str | None] = mapped_column(String(500))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()


class UnknownSignIn(db.Model):
    """Failed sign-ins for an email address with no account, counted exactly as an account's are
    (portal.auth.lockout), so that the answers and their timing reveal nothing. Keyed by a hash."""

    __tablename__ = "unknown_sign_in"

    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    failures_started_at: Mapped[datetime | None] = mapped_column(index=True)
    locked_until: Mapped[datetime | None]


# Whether two-factor sign-in is set up, read without loading (or decrypting) the secret itself.
User.has_two_factor = column_property(User.__table__.c.totp_secret.is_not(None))
