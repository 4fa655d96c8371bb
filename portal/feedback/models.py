"""Family feedback, its themes, the invitations to give it, and "You said, we did" actions
(SQLAlchemy 2 typed models).

Anonymous feedback keeps nothing the co-production team could follow back to the account or the
child: no account, no case, no day, only the stage and the month. An answer to an invitation (after
a stage change, say) carries `reply_key`, a keyed hash of the invitation made with the app's
secret, so that answering the same invitation again updates the answer even when it is anonymous,
while the database alone cannot tie the two together.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.ehcp.models import Case, _trigram
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.models import User, enum_column, utcnow

MAX_COMMENT_LENGTH = 2000
MAX_THEME_LENGTH = 60


class Rating(enum.IntEnum):
    VERY_DISSATISFIED = 1
    DISSATISFIED = 2
    NEITHER = 3
    SATISFIED = 4
    VERY_SATISFIED = 5

    @property
    def label(self) -> str:
        return {
            Rating.VERY_DISSATISFIED: "Very dissatisfied",
            Rating.DISSATISFIED: "Dissatisfied",
            Rating.NEITHER: "Neither satisfied nor dissatisfied",
            Rating.SATISFIED: "Satisfied",
            Rating.VERY_SATISFIED: "Very satisfied",
        }[self]

    @property
    def is_dissatisfied(self) -> bool:
        return self <= Rating.DISSATISFIED


class FeedbackSource(enum.StrEnum):
    ANY_TIME = "any_time"
    STAGE_CHANGE = "stage_change"
    CONVERSATION_CLOSED = "conversation_closed"
    REQUEST = "request"

    @property
    def label(self) -> str:
        return {
            FeedbackSource.ANY_TIME: "Given at any time",
            FeedbackSource.STAGE_CHANGE: "After a stage change",
            FeedbackSource.CONVERSATION_CLOSED: "After a conversation closed",
            FeedbackSource.REQUEST: "After a request for an assessment",
        }[self]


class FeedbackInvitation(db.Model):
    """An invitation to a family member to say how something went: a stage change of their
    child's case, a conversation closed, a request sent. Shown on their case page."""

    __tablename__ = "feedback_invitation"
    __table_args__ = (
        UniqueConstraint("user_id", "source", "subject_id", name="uq_feedback_invitation_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("ehc_case.id"), index=True)
    source: Mapped[FeedbackSource] = mapped_column(enum_column(FeedbackSource))
    # What it is about: the stage change's, conversation's or request's id.
    subject_id: Mapped[int]
    stage: Mapped[Stage | None] = mapped_column(enum_column(Stage))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    case: Mapped[Case | None] = relationship()


class Feedback(db.Model):
    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_1_to_5"),
        # Willing to be contacted means known: never anonymous.
        CheckConstraint("NOT (anonymous AND contact_ok)", name="contact_not_anonymous"),
        # Anonymous feedback holds no account and no case.
        CheckConstraint("NOT anonymous OR (user_id IS NULL AND case_id IS NULL)", name="anonymous_holds_no_one"),
        Index("ix_feedback_month_stage", "month", "stage"),
        # The co-production team's comments, newest month first: with or without a comment, or either.
        Index("ix_feedback_comment_newest", "has_comment", "month", "id"),
        Index("ix_feedback_newest", "month", "id"),
        # The same, for one stage: the rows of the stage in order, so that a theme's matches (a
        # check of each row's tags) stop at the page's or the count's limit.
        Index("ix_feedback_stage_comment_newest", "stage", "has_comment", "month", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rating: Mapped[int] = mapped_column(SmallInteger)
    worked_well: Mapped[str | None] = mapped_column(Text)
    could_be_better: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[Stage | None] = mapped_column(enum_column(Stage))
    source: Mapped[FeedbackSource] = mapped_column(enum_column(FeedbackSource))
    anonymous: Mapped[bool] = mapped_column(default=False)
    contact_ok: Mapped[bool] = mapped_column(default=False)
    # The first day of the month it was given: all that anonymous feedback keeps of the date.
    month: Mapped[date]
    # Only when not anonymous.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("ehc_case.id"), index=True)
    given_at: Mapped[datetime | None]
    # A keyed hash of the invitation answered (see the module's docstring); None at any time.
    reply_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    has_comment: Mapped[bool] = mapped_column(default=False, index=True)

    user: Mapped[User | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary="feedback_theme", order_by="Theme.name")

    @property
    def rating_label(self) -> str:
        return Rating(self.rating).label


class Theme(db.Model):
    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_THEME_LENGTH), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeedbackTheme(db.Model):
    __tablename__ = "feedback_theme"

    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True, index=True)


class ActionStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_POSSIBLE = "not_possible"

    @property
    def label(self) -> str:
        return {
            ActionStatus.PLANNED: "Planned",
            ActionStatus.IN_PROGRESS: "In progress",
            ActionStatus.DONE: "Done",
            ActionStatus.NOT_POSSIBLE: "Not possible",
        }[self]


class Action(db.Model):
    """A "You said, we did" action: what families said, and what the council did (or why not)."""

    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    you_said: Mapped[str] = mapped_column(Text)
    we_did: Mapped[str] = mapped_column(Text)
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus), default=ActionStatus.PLANNED)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    done_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    themes: Mapped[list[Theme]] = relationship(secondary="action_theme", order_by="Theme.name")


class ActionFeedback(db.Model):
    """The feedback an action answers."""

    __tablename__ = "action_feedback"

    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), primary_key=True)
    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True, index=True,
    )


class ActionTheme(db.Model):
    __tablename__ = "action_theme"

    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True, index=True)


class ActionNotice(db.Model):
    """A family member told about an action their feedback led to (in the portal and by email),
    once for its publication and once when it is done."""

    __tablename__ = "action_notice"
    __table_args__ = (UniqueConstraint("action_id", "user_id", "event", name="uq_action_notice_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    event: Mapped[str] = mapped_column(String(20))  # "published" or "done"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime | None]


# The co-production team's search of the comments (PostgreSQL: trigram indexes on the lower-cased text).
_trigram("ix_feedback_worked_well_trgm", func.lower(Feedback.worked_well))
_trigram("ix_feedback_could_be_better_trgm", func.lower(Feedback.could_be_better))

# How many responses share a month, a stage, a rating and whether they have a comment. On PostgreSQL
# a trigger on `feedback` (migration 0013) changes it in the same transaction as every insert,
# update and delete of feedback, however it is made, so the co-production overview's figures and
# the comments' counts sum a few hundred rows whatever the number of responses. SQLite gets the
# table but no trigger: there the figures come from the feedback (portal/coproduction/queries.py).
feedback_tally = Table(
    "feedback_tally",
    db.metadata,
    Column("month", Date, nullable=False),
    Column("stage", String(20)),
    Column("rating", SmallInteger, nullable=False),
    Column("has_comment", Boolean, nullable=False),
    Column("responses", Integer, nullable=False),
    UniqueConstraint("month", "stage", "rating", "has_comment", name="uq_feedback_tally_key",
                     postgresql_nulls_not_distinct=True),
)
