"""Reads for the co-production team's "You said, we did" pages. Never a child, a case or a
message: feedback is shown as the workspace shows it (rating, stage, month, comment)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.feedback.models import Action, ActionFeedback, ActionTheme, Feedback, FeedbackTheme, Theme

LINKABLE = 100


def all_actions() -> list[tuple[Action, int]]:
    """Every action, newest first, with how many responses it answers (two statements)."""
    answered = (
        select(ActionFeedback.action_id, func.count().label("responses"))
        .group_by(ActionFeedback.action_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Action, func.coalesce(answered.c.responses, 0))
        .outerjoin(answered, answered.c.action_id == Action.id)
        .options(selectinload(Action.themes))
        .order_by(Action.created_at.desc(), Action.id.desc())
    ).all()
    return [(action, responses) for action, responses in rows]


def action(action_id: int) -> Action | None:
    return db.session.scalar(select(Action).where(Action.id == action_id).options(selectinload(Action.themes)))


def themes() -> list[Theme]:
    return list(db.session.scalars(select(Theme).order_by(Theme.name)))


def linkable_feedback(action: Action) -> list[Feedback]:
    """The feedback the action may answer: what it answers already, and the newest responses with
    a comment tagged with any of its themes (at most LINKABLE)."""
    linked = select(ActionFeedback.feedback_id).where(ActionFeedback.action_id == action.id)
    tagged = (
        select(FeedbackTheme.feedback_id)
        .join(ActionTheme, ActionTheme.theme_id == FeedbackTheme.theme_id)
        .where(ActionTheme.action_id == action.id)
    )
    return list(
        db.session.scalars(
            select(Feedback)
            .where(Feedback.id.in_(linked) | (Feedback.id.in_(tagged) & Feedback.has_comment.is_(True)))
            .order_by(Feedback.month.desc(), Feedback.id.desc())
            .limit(LINKABLE)
        )
    )


def linked_ids(action: Action) -> list[int]:
    return list(db.session.scalars(select(ActionFeedback.feedback_id).where(ActionFeedback.action_id == action.id)))
