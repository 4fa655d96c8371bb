"""Emails about new messages, written to the outbox in the message's own transaction.

- A council message: each family member linked to the child who has not turned message emails
  off.
- A family message: the assigned caseworker; the team's managers instead while the caseworker is
  away (or when no one is assigned); an urgent one to the caseworker and the managers at once.
  Someone is always told (see staff_recipients).

Emails say only that there is a new message, about whom (the child's first name at most, and the
case reference for staff) and link to it: never the message's text or subject.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, has_request_context, url_for
from sqlalchemy import select

from portal.conversations.absence import away_until
from portal.conversations.models import Conversation, Message
from portal.conversations.reply_by import long_date
from portal.ehcp.models import Case
from portal.extensions import db
from portal.models import FamilyLink, Relationship, Role, User
from portal.outbox import queue_email


def _link(endpoint: str, **values: object) -> str:
    base = current_app.config["PORTAL_BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context():  # a command or the worker: no request of its own
        return base + url_for(endpoint, **values)


def new_message(conversation: Conversation, case: Case, message: Message, author: User, today: date) -> None:
    if message.from_council:
        _to_family(conversation, case, message)
    else:
        _to_staff(conversation, case, message, today)


def _to_family(conversation: Conversation, case: Case, message: Message) -> None:
    members = db.session.execute(
        select(User.id, User.email, FamilyLink.relationship_to_child)
        .join(FamilyLink, FamilyLink.user_id == User.id)
        .where(FamilyLink.child_id == case.child_id, User.active.is_(True), User.message_emails.is_(True))
    ).all()
    first_name = case.child.first_name
    link = _link("conversations.family_conversation", conversation_id=conversation.id)
    for user_id, email, relationship in members:
        young_person = relationship is Relationship.YOUNG_PERSON
        about = "your EHC needs assessment or plan" if young_person else f"{first_name}’s EHC needs assessment or plan"
        queue_email(
            email, f"You have a new message about {about}", "message_to_family",
            event_key=f"message:{message.id}:{user_id}", user_id=user_id, case_id=case.id,
            about=about, link=link, settings_link=_link("auth.email_settings"),
        )


def team_managers(team_id: int) -> list[tuple[int, str, str]]:
    return [tuple(row) for row in db.session.execute(
        select(User.id, User.email, User.name).where(
            User.team_id == team_id, User.role == Role.MANAGER, User.active.is_(True)
        ).order_by(User.id)
    )]


def _team_caseworkers(team_id: int) -> list[tuple[int, str]]:
    return [tuple(row) for row in db.session.execute(
        select(User.id, User.email).where(
            User.team_id == team_id, User.role == Role.CASEWORKER, User.active.is_(True)
        ).order_by(User.id)
    )]


def _administrators() -> list[tuple[int, str]]:
    return [tuple(row) for row in db.session.execute(
        select(User.id, User.email).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id)
    )]


def staff_recipients(case: Case, urgent: bool, today: date) -> tuple[dict[int, str], dict[int, str], date | None]:
    """Who is told about a family's message, why (user id -> the reason's words, for everyone but
    the assigned caseworker) and the caseworker's last day away if they are away.

    The caseworker, unless away; the team's managers for an urgent message, or when the
    caseworker is away or none is assigned. Never no one: a team without managers falls back to
    its caseworkers who are not away, and then to the service's administrators."""
    caseworker = case.caseworker if case.caseworker is not None and case.caseworker.active else None
    away = away_until([caseworker.id], today).get(caseworker.id) if caseworker else None
    recipients: dict[int, str] = {}
    why: dict[int, str] = {}
    if caseworker is not None and away is None:
        recipients[caseworker.id] = caseworker.email
    if caseworker is None:
        reason = "no caseworker is assigned to this case"
    elif away is not None:
        reason = f"{caseworker.name} is away until {long_date(away)}"
    else:
        reason = f"the message is urgent and you manage the {case.team.name}"
    if urgent or not recipients:
        for user_id, email, _name in team_managers(case.team_id):
            recipients.setdefault(user_id, email)
            why.setdefault(user_id, reason)
    if not recipients:
        absent = away_until([user_id for user_id, _ in _team_caseworkers(case.team_id)], today)
        for user_id, email in _team_caseworkers(case.team_id):
            if user_id not in absent:
                recipients[user_id] = email
                why[user_id] = f"{reason}, and the {case.team.name} has no manager to take it"
    if not recipients:
        for user_id, email in _administrators():
            recipients[user_id] = email
            why[user_id] = f"{reason}, and no one else in the {case.team.name} can take it: pass it on"
    return recipients, why, away


def _to_staff(conversation: Conversation, case: Case, message: Message, today: date) -> None:
    recipients, why, _away = staff_recipients(case, conversation.urgent, today)
    subject = f"A family has sent a message about case {case.reference}"
    if conversation.urgent:
        subject = f"Urgent: {subject[0].lower()}{subject[1:]}"
    link = _link("conversations.staff_conversation", conversation_id=conversation.id)
    for user_id, email in recipients.items():
        queue_email(
            email, subject, "message_to_staff",
            event_key=f"message:{message.id}:{user_id}", user_id=user_id, case_id=case.id,
            reference=case.reference, child_first_name=case.child.first_name,
            urgent=conversation.urgent,
            urgent_reason=conversation.urgent_reason.short if conversation.urgent_reason else None,
            reply_due=long_date(conversation.reply_due_on) if conversation.reply_due_on else None,
            covering=why.get(user_id),
            link=link,
        )
