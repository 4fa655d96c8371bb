"""Emails to a family about their case. Plain functions called inside a use case's transaction:
each email is an outbox row committed with the change that causes it."""

from __future__ import annotations

from flask import current_app, url_for
from sqlalchemy import select

from portal.ehcp.models import Case
from portal.extensions import db
from portal.models import FamilyLink, Relationship, User
from portal.outbox import queue_email


def notify_family_of_stage_change(case: Case) -> None:
    """The one place a stage-change email is created: an outbox row per family member, always
    sent whatever their settings. Only the child's first name and the new stage go in it."""
    members = db.session.execute(
        select(User.email, FamilyLink.relationship_to_child).join(FamilyLink, FamilyLink.user_id == User.id)
        .where(FamilyLink.child_id == case.child_id, User.active.is_(True))
    ).all()
    link = current_app.config["PORTAL_BASE_URL"].rstrip("/") + url_for("family.case", case_id=case.id)
    first_name = case.child.first_name
    for email, relationship in members:
        # Words for the reader: the young person reads "your", a parent or carer the child's name.
        young_person = relationship is Relationship.YOUNG_PERSON
        whose = "Your" if young_person else f"{first_name}’s"
        queue_email(
            email,
            f"{whose} EHC needs assessment or plan has moved to a new stage",
            "stage_changed",
            child_first_name=first_name,
            young_person=young_person,
            stage=case.stage.label,
            link=link,
        )
