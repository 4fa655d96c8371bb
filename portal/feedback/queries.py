"""Reads for the family's feedback pages and links."""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.feedback.models import (
    Action,
    ActionFeedback,
    ActionStatus,
    Feedback,
    FeedbackInvitation,
    FeedbackSource,
)


def latest_invitation(user_id: int, case_id: int) -> FeedbackInvitation | None:
    """The family member's newest invitation to say how a stage of this case went (one
    statement); an invitation about a conversation is on the conversation's page."""
    return db.session.scalar(
        select(FeedbackInvitation)
        .where(FeedbackInvitation.user_id == user_id, FeedbackInvitation.case_id == case_id,
               FeedbackInvitation.source == FeedbackSource.STAGE_CHANGE)
        .order_by(FeedbackInvitation.created_at.desc(), FeedbackInvitation.id.desc())
        .limit(1)
    )


def invitation_about(user_id: int, source: FeedbackSource, subject_id: int) -> FeedbackInvitation | None:
    """The family member's invitation to give feedback about one thing (a conversation, say)."""
    return db.session.scalar(
        select(FeedbackInvitation).where(
            FeedbackInvitation.user_id == user_id,
            FeedbackInvitation.source == source,
            FeedbackInvitation.subject_id == subject_id,
        )
    )


def published_actions() -> list[Action]:
    """Every published "You said, we did" action with its themes: in progress and planned first,
    then done (newest first), then those not possible (two statements)."""
    order = case(
        (Action.status == ActionStatus.IN_PROGRESS, 0), (Action.status == ActionStatus.PLANNED, 1),
        (Action.status == ActionStatus.DONE, 2), else_=3,
    )
    return list(
        db.session.scalars(
            select(Action)
            .where(Action.published_at.is_not(None))
            .options(selectinload(Action.themes))
            .order_by(order, Action.done_on.desc(), Action.published_at.desc(), Action.id.desc())
        )
    )


def actions_answering(user_id: int) -> set[int]:
    """The actions that answer this family member's own non-anonymous feedback."""
    return set(
        db.session.scalars(
            select(ActionFeedback.action_id)
            .join(Feedback, Feedback.id == ActionFeedback.feedback_id)
            .where(Feedback.user_id == user_id, Feedback.anonymous.is_(False))
        )
    )
