"""Use cases on "You said, we did" actions. Each is one transaction.

When an action is published, and again when it is marked done, each family member whose own
non-anonymous feedback it answers is told, in the portal (an ActionNotice) and by email through
the outbox, at most once for each. The email names no one else and quotes no feedback; anonymous
feedback leads to no one, so it tells no one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask import current_app, url_for
from sqlalchemy import delete, func, select

from portal import audit
from portal.extensions import db
from portal.feedback.models import (
    Action,
    ActionFeedback,
    ActionNotice,
    ActionStatus,
    ActionTheme,
    Feedback,
)
from portal.models import User
from portal.outbox import queue_email

PUBLISHED, DONE = "published", "done"


class ActionProblem(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ActionDraft:
    you_said: str
    we_did: str
    status: ActionStatus
    done_on: date | None = None
    theme_ids: tuple[int, ...] = field(default=())


def _check(draft: ActionDraft, today: date) -> None:
    if draft.status is ActionStatus.DONE and draft.done_on is None:
        raise ActionProblem("Enter the date it was done", "done_on")
    if draft.done_on is not None and draft.done_on > today:
        raise ActionProblem("The date it was done must be today or in the past", "done_on")
    if draft.status is not ActionStatus.DONE and draft.done_on is not None:
        raise ActionProblem("Only give a date it was done if its status is done", "done_on")


def save_action(actor: User, draft: ActionDraft, today: date, action: Action | None = None) -> Action:
    """Create an action, or change one. A published action marked done tells its families."""
    _check(draft, today)
    was_done = action is not None and action.status is ActionStatus.DONE
    if action is None:
        action = Action(created_by_id=actor.id)
        db.session.add(action)
    action.you_said, action.we_did = draft.you_said, draft.we_did
    action.status, action.done_on = draft.status, draft.done_on
    db.session.flush()
    db.session.execute(delete(ActionTheme).where(ActionTheme.action_id == action.id))
    db.session.add_all(
        ActionTheme(action_id=action.id, theme_id=theme_id) for theme_id in dict.fromkeys(draft.theme_ids)
    )
    audit.record("action-saved", actor=actor, target=f"action:{action.id}")
    if action.published_at is not None and action.status is ActionStatus.DONE and not was_done:
        _tell_families(action, DONE)
    db.session.commit()
    return action


def link_feedback(actor: User, action: Action, feedback_ids: list[int]) -> None:
    """The feedback this action answers (replacing the earlier choice). A published action tells
    any family newly linked (once)."""
    db.session.execute(delete(ActionFeedback).where(ActionFeedback.action_id == action.id))
    known = db.session.scalars(select(Feedback.id).where(Feedback.id.in_(feedback_ids))).all() if feedback_ids else []
    db.session.add_all(ActionFeedback(action_id=action.id, feedback_id=feedback_id) for feedback_id in known)
    audit.record("action-feedback-linked", actor=actor, target=f"action:{action.id}", detail=f"{len(known)} responses")
    db.session.flush()
    if action.published_at is not None:
        _tell_families(action, _news(action))
    db.session.commit()


def publish(actor: User, action: Action) -> bool:
    """Publish an action to families and the public page, and tell the families it answers.
    False if it was published already."""
    if action.published_at is not None:
        return False
    action.published_at = datetime.now(UTC)
    audit.record("action-published", actor=actor, target=f"action:{action.id}")
    _tell_families(action, _news(action))
    db.session.commit()
    return True


def unpublish(actor: User, action: Action) -> bool:
    """Take an action off the families' and the public page. Families already told stay told."""
    if action.published_at is None:
        return False
    action.published_at = None
    audit.record("action-unpublished", actor=actor, target=f"action:{action.id}")
    db.session.commit()
    return True


def _news(action: Action) -> str:
    """What a family is told when an action is published to them: that it is done, if it is (one
    email, not "we are acting" and "it led to a change" at once), or that it is under way."""
    return DONE if action.status is ActionStatus.DONE else PUBLISHED


def _tell_families(action: Action, event: str) -> None:
    """Each family member whose own, non-anonymous feedback the action answers, once per event."""
    people = db.session.execute(
        select(User.id, User.email)
        .join(Feedback, Feedback.user_id == User.id)
        .join(ActionFeedback, ActionFeedback.feedback_id == Feedback.id)
        .where(ActionFeedback.action_id == action.id, Feedback.anonymous.is_(False), User.active.is_(True))
        .distinct()
    ).all()
    told = set(
        db.session.scalars(
            select(ActionNotice.user_id).where(ActionNotice.action_id == action.id, ActionNotice.event == event)
        )
    )
    link = current_app.config["PORTAL_BASE_URL"].rstrip("/") + url_for("feedback.you_said_we_did")
    for user_id, email in people:
        if user_id in told:
            continue
        db.session.add(ActionNotice(action_id=action.id, user_id=user_id, event=event))
        queue_email(
            email,
            "Your feedback led to a change" if event == DONE else "We are acting on your feedback",
            "action_update",
            event_key=f"action-{event}:{action.id}:{user_id}",
            user_id=user_id,
            done=event == DONE,
            link=link,
        )


def unseen_notices(user_id: int) -> int:
    """How many actions the family member has been told about and not yet looked at."""
    return db.session.scalar(
        select(func.count()).select_from(ActionNotice)
        .where(ActionNotice.user_id == user_id, ActionNotice.seen_at.is_(None))
    )


def mark_notices_seen(user_id: int) -> None:
    notices = db.session.scalars(
        select(ActionNotice).where(ActionNotice.user_id == user_id, ActionNotice.seen_at.is_(None))
    ).all()
    if notices:
        now = datetime.now(UTC)
        for notice in notices:
            notice.seen_at = now
        db.session.commit()
