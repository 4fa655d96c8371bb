"""Emails to a family about their case. Plain functions called inside a use case's transaction:
each email is an outbox row committed with the change that causes it."""

from __future__ import annotations

from datetime import date

from flask import current_app, url_for
from sqlalchemy import func, select

from portal.ehcp import milestones
from portal.ehcp.milestones import CaseDates
from portal.ehcp.models import Case, StageChange
from portal.extensions import db
from portal.family.stage_text import stage_text
from portal.family.wording import action_sentence, duty_sentence
from portal.feedback import services as feedback
from portal.feedback.models import FeedbackSource
from portal.models import FamilyLink, Relationship, User
from portal.outbox import queue_email


def stage_email_words(dates: CaseDates, young_person: bool, today: date) -> dict[str, str | None]:
    """What a stage-change email says beyond the stage's name, in the family pages' words: what
    the stage means, the family's own date to act by, and the council's next legal duty. Dates
    already passed are left out (the case page explains them). Nothing personal."""
    family_date = next(
        (action_sentence(m) if m.action.startswith("appeal") else duty_sentence(m)
         for m in milestones.family_dates(dates) if m.due_on >= today),
        None,
    )
    duty = milestones.next_milestone(dates)
    council_duty = duty_sentence(duty) if duty is not None and duty.council_owns and duty.due_on >= today else None
    return {
        "meaning": stage_text(dates.stage, young_person).happening,
        "family_date": family_date,
        "council_duty": council_duty,
    }


def notify_family_of_stage_change(case: Case, today: date | None = None) -> None:
    """The one place a stage-change email is created: an outbox row per family member, always
    sent whatever their settings. Only the child's first name, the new stage, what it means and
    its dates go in it: never a note, a surname or a date of birth."""
    today = today or date.today()
    db.session.flush()  # the new stage change gets its id: the emails' event keys name it
    stage_change_id = db.session.scalar(select(func.max(StageChange.id)).where(StageChange.case_id == case.id))
    members = db.session.execute(
        select(User.id, User.email, FamilyLink.relationship_to_child).join(FamilyLink, FamilyLink.user_id == User.id)
        .where(FamilyLink.child_id == case.child_id, User.active.is_(True))
    ).all()
    base = current_app.config["PORTAL_BASE_URL"].rstrip("/")
    link = base + url_for("family.case", case_id=case.id)
    # Each family member is invited to say how the stage went (the email and the case page link to it).
    invitations = feedback.invite(
        [user_id for user_id, _, _ in members], FeedbackSource.STAGE_CHANGE, stage_change_id, case.id, case.stage,
    )
    first_name = case.child.first_name
    for user_id, email, relationship in members:
        # Words for the reader: the young person reads "your", a parent or carer the child's name.
        young_person = relationship is Relationship.YOUNG_PERSON
        whose = "Your" if young_person else f"{first_name}’s"
        queue_email(
            email,
            f"{whose} EHC needs assessment or plan has moved to a new stage",
            "stage_changed",
            event_key=f"stage-change:{stage_change_id}:{user_id}",
            user_id=user_id,
            case_id=case.id,
            child_first_name=first_name,
            young_person=young_person,
            stage=case.stage.label,
            link=link,
            feedback_link=base + url_for("feedback.give", invitation=invitations[user_id]),
            **stage_email_words(case.dates, young_person, today),
        )
