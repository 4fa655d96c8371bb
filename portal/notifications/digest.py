"""The staff digest: one email each working morning to each caseworker (or manager) who wants it,
listing their assigned open cases whose legal deadline is within the next 7 days or has passed.
No email when there is nothing to list.

Each email's event key is `digest:<user_id>:<date>`, so running the command twice on one day sends
one email. Only a child's first name and the case reference go in it, never a surname or a note.

Extension point: a digest is a `Digest` of sections. The conversations issue adds a section of
messages due within 2 working days or overdue: a field on `Digest`, a query beside `_deadlines`,
and a block in templates/email/digest.*; `has_content` then counts it too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app, has_request_context, url_for
from sqlalchemy import select

from portal.access import CASE_STAFF
from portal.ehcp import milestones
from portal.ehcp.models import Case
from portal.ehcp.timeline import deadline_status
from portal.extensions import db
from portal.family.wording import duty_sentence
from portal.models import Child, User
from portal.outbox import OutboxEmail, queue_email

DAYS_AHEAD = 7


@dataclass(frozen=True)
class DeadlineLine:
    """A case whose legal deadline is near or passed, as the digest lists it."""

    case_id: int
    reference: str
    first_name: str
    duty: str  # "The council must issue the final EHC plan by 13 December 2026"
    status: str  # "Due in 3 days", "Due today", "Late by 9 days"
    due_on: date


@dataclass
class Digest:
    user_id: int
    email: str
    deadlines: list[DeadlineLine] = field(default_factory=list)
    # messages_due: added by the conversations issue (see the module's docstring).

    @property
    def has_content(self) -> bool:
        return bool(self.deadlines)


def event_key(user_id: int, today: date) -> str:
    return f"digest:{user_id}:{today.isoformat()}"


def _recipients() -> dict[int, Digest]:
    """Active caseworkers and managers who have not turned the digest off."""
    rows = db.session.execute(
        select(User.id, User.email).where(
            User.role.in_(CASE_STAFF), User.active.is_(True), User.digest_emails.is_(True)
        ).order_by(User.id)
    ).all()
    return {row.id: Digest(row.id, row.email) for row in rows}


def _deadlines(user_ids: list[int], today: date) -> dict[int, list[DeadlineLine]]:
    """Each person's assigned open cases due within DAYS_AHEAD days or late, nearest first."""
    cases = db.session.execute(
        select(Case, Child.first_name)
        .join(Child, Child.id == Case.child_id)
        .where(
            Case.caseworker_id.in_(user_ids),
            Case.closed.is_(False),
            Case.next_deadline_on.is_not(None),
            Case.next_deadline_on <= today + timedelta(days=DAYS_AHEAD),
        )
        .order_by(Case.next_deadline_on, Case.id)
    ).all()
    found: dict[int, list[DeadlineLine]] = defaultdict(list)
    for case, first_name in cases:
        milestone = milestones.next_milestone(case.dates)
        if milestone is None or not milestone.council_owns:
            continue
        found[case.caseworker_id].append(DeadlineLine(
            case.id, case.reference, first_name, duty_sentence(milestone),
            deadline_status(milestone.due_on, today).text, milestone.due_on,
        ))
    return found


def digests(today: date) -> list[Digest]:
    """Who gets a digest today and what is in it: only those with something to list."""
    recipients = _recipients()
    if not recipients:
        return []
    for user_id, lines in _deadlines(list(recipients), today).items():
        recipients[user_id].deadlines = lines
    return [digest for digest in recipients.values() if digest.has_content]


def _absolute(endpoint: str, **values: object) -> str:
    base = current_app.config["PORTAL_BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context():
        return base + url_for(endpoint, **values)


def queue_digests(today: date) -> int:
    """Queue today's digests (one transaction) and return how many were queued. Anyone whose
    digest for today is already in the outbox is skipped."""
    due = digests(today)
    keys = {event_key(digest.user_id, today): digest for digest in due}
    if keys:
        already = set(db.session.scalars(select(OutboxEmail.event_key).where(OutboxEmail.event_key.in_(keys))))
    else:
        already = set()
    settings_link = _absolute("auth.email_settings")
    queued = 0
    for key, digest in keys.items():
        if key in already:
            continue
        count = len(digest.deadlines)
        queue_email(
            digest.email,
            f"{count} of your cases {'has' if count == 1 else 'have'} a legal deadline soon or passed",
            "digest",
            event_key=key,
            user_id=digest.user_id,
            deadlines=[
                {"first_name": line.first_name, "reference": line.reference, "duty": line.duty,
                 "status": line.status, "link": _absolute("casework.case", case_id=line.case_id)}
                for line in digest.deadlines
            ],
            days_ahead=DAYS_AHEAD,
            settings_link=settings_link,
        )
        queued += 1
    db.session.commit()
    return queued
