"""Use cases on family feedback. Each is one transaction.

Anonymous feedback is stored with no account, no case and no day: only the answers, the stage
and the month. An answer to an invitation keeps a keyed hash of the invitation (`reply_key`), so
answering it again updates that answer, anonymous or not; without the app's secret the hash says
nothing about which invitation, or whose, it was.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy import select

from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.feedback.models import Feedback, FeedbackInvitation, FeedbackSource, Rating
from portal.models import Child, FamilyLink, User


class FeedbackProblem(ValueError):
    """Answers that cannot be kept as given; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Answer:
    rating: Rating
    stage: Stage | None
    worked_well: str | None = None
    could_be_better: str | None = None
    anonymous: bool = True
    contact_ok: bool = False


def reply_key(invitation_id: int) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"feedback-invitation:{invitation_id}".encode(), hashlib.sha256).hexdigest()


def invitation_for(user: User, invitation_id: int | None) -> FeedbackInvitation | None:
    """The signed-in family member's own invitation (None for anyone else's, or none)."""
    if invitation_id is None:
        return None
    return db.session.scalar(
        select(FeedbackInvitation).where(FeedbackInvitation.id == invitation_id, FeedbackInvitation.user_id == user.id)
    )


def earlier_answer(invitation: FeedbackInvitation | None) -> Feedback | None:
    """The answer already given to this invitation, to show and update."""
    if invitation is None or invitation.answered_at is None:
        return None
    return db.session.scalar(select(Feedback).where(Feedback.reply_key == reply_key(invitation.id)))


# Case and request references ("EHC-2026-00042", "R2026-00008"): never shown to the co-production team.
REFERENCE = re.compile(r"\b(?:EHC-\d{4}-\d{3,}|R\d{4}-\d{3,})\b", re.IGNORECASE)


def redact(text: str | None, names: set[str]) -> str | None:
    """The comment without case references or these names (the family's children's, and for
    anonymous feedback the writer's own): the co-production team never sees a child's name or a
    case, and anonymous feedback names no one."""
    if not text:
        return text
    text = REFERENCE.sub("[reference removed]", text)
    for name in sorted((name for name in names if len(name) >= 2), key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(name)}\b", "[name removed]", text, flags=re.IGNORECASE)
    return text


def _names_to_remove(user: User | None, anonymous: bool) -> set[str]:
    if user is None:
        return set()
    names = {
        part
        for first, last in db.session.execute(
            select(Child.first_name, Child.last_name)
            .join(FamilyLink, FamilyLink.child_id == Child.id)
            .where(FamilyLink.user_id == user.id)
        )
        for part in (first, last)
    }
    if anonymous:
        names.update(user.name.split())
    return names


def give_feedback(
    user: User | None, answer: Answer, today: date, invitation: FeedbackInvitation | None = None,
    source: FeedbackSource = FeedbackSource.ANY_TIME,
) -> Feedback:
    """Keep a family's feedback, or update their earlier answer to the same invitation."""
    anonymous = answer.anonymous or user is None
    if anonymous and answer.contact_ok:
        raise FeedbackProblem("You cannot be contacted about anonymous feedback. Choose one", "contact_ok")
    names = _names_to_remove(user, anonymous)  # read before the new row joins the session
    key = reply_key(invitation.id) if invitation is not None else None
    feedback = db.session.scalar(select(Feedback).where(Feedback.reply_key == key)) if key else None
    if feedback is None:
        feedback = Feedback(reply_key=key)
        db.session.add(feedback)
    now = datetime.now(UTC)
    feedback.rating = int(answer.rating)
    feedback.stage = answer.stage
    feedback.worked_well = redact(answer.worked_well, names) or None
    feedback.could_be_better = redact(answer.could_be_better, names) or None
    feedback.has_comment = bool(feedback.worked_well or feedback.could_be_better)
    feedback.source = invitation.source if invitation is not None else source
    feedback.anonymous = anonymous
    feedback.contact_ok = answer.contact_ok and not anonymous
    feedback.month = today.replace(day=1)
    # Anonymous: nothing that leads back to the account or the child, and no day.
    feedback.user_id = None if anonymous else user.id
    feedback.case_id = None if anonymous or invitation is None else invitation.case_id
    feedback.given_at = None if anonymous else now
    if invitation is not None and invitation.answered_at is None:
        invitation.answered_at = now
    db.session.commit()
    return feedback


def invite(user_ids: list[int], source: FeedbackSource, subject_id: int, case_id: int | None,
           stage: Stage | None) -> dict[int, int]:
    """Invite each family member to say how it went, in the caller's transaction, and give each
    one's invitation id. Inviting the same person about the same thing again makes no new one."""
    if not user_ids:
        return {}
    invited = dict(
        db.session.execute(
            select(FeedbackInvitation.user_id, FeedbackInvitation.id).where(
                FeedbackInvitation.user_id.in_(user_ids),
                FeedbackInvitation.source == source,
                FeedbackInvitation.subject_id == subject_id,
            )
        ).all()
    )
    new = [
        FeedbackInvitation(user_id=user_id, source=source, subject_id=subject_id, case_id=case_id, stage=stage)
        for user_id in dict.fromkeys(user_ids) if user_id not in invited
    ]
    if new:
        db.session.add_all(new)
        db.session.flush()
        invited.update({invitation.user_id: invitation.id for invitation in new})
    return invited
