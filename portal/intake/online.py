"""Online requests for an assessment, as their sender makes them. Each use case is one transaction.

A draft is saved as the sender answers each page, found again by a key in their session; sending
it emails a link to confirm the address, and the day they confirm is the day the council received
the request (day 0). A family member already signed in has a confirmed address, so their request
is received the day they send it. Their dashboard lists what they sent, from their own answers
only: nothing staff entered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app, url_for
from sqlalchemy import select

from portal import audit
from portal.claims import claim
from portal.conversations.reply_by import today_in_england
from portal.ehcp import timeline
from portal.ehcp.milestones import long_date
from portal.extensions import db
from portal.intake.models import AssessmentRequest, RequestChannel, Requester, RequestStatus
from portal.models import User
from portal.outbox import queue_email
from portal.tokens import hash_token, new_token

# The answers a draft holds, page by page; nothing else is set from a form.
ANSWER_FIELDS = frozenset({
    "requester", "requester_name", "requester_email", "requester_phone",
    "child_first_name", "child_last_name", "child_date_of_birth", "child_id", "is_reassessment",
    "school", "needs", "support", "reasons", "professionals", "consent_to_contact",
})


def now_utc() -> datetime:
    return datetime.now(UTC)


def _external(endpoint: str, **values: object) -> str:
    return current_app.config["PORTAL_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def start_draft(requester_user: User | None = None) -> tuple[AssessmentRequest, str]:
    """A new online draft, and the key the sender's session keeps to find it. A signed-in family
    member's name and email are filled in from their account."""
    key, key_hash = new_token()
    draft = AssessmentRequest(
        status=RequestStatus.DRAFT,
        channel=RequestChannel.ONLINE,
        draft_key_hash=key_hash,
        expires_at=now_utc() + current_app.config["REQUEST_DRAFT_LIFETIME"],
    )
    if requester_user is not None:
        draft.requester_user_id = requester_user.id
        draft.requester_name = requester_user.name
        draft.requester_email = requester_user.email
    db.session.add(draft)
    db.session.commit()
    return draft, key


def find_draft(key: str | None, requester_user: User | None = None) -> AssessmentRequest | None:
    """The draft this key opens, while it is unsent and unexpired, and only for the person who
    started it (a signed-in family member's draft is theirs alone)."""
    if not key:
        return None
    draft = db.session.scalar(
        select(AssessmentRequest).where(
            AssessmentRequest.draft_key_hash == hash_token(key),
            AssessmentRequest.status == RequestStatus.DRAFT,
            AssessmentRequest.expires_at > now_utc(),
        )
    )
    if draft is None:
        return None
    if draft.requester_user_id != (requester_user.id if requester_user is not None else None):
        return None
    return draft


def save_answers(draft: AssessmentRequest, **answers: object) -> None:
    """Keep a page's answers, so that they survive the back button and a page error."""
    unknown = set(answers) - ANSWER_FIELDS
    if unknown:
        raise ValueError(f"not an answer: {sorted(unknown)}")
    for name, value in answers.items():
        setattr(draft, name, value)
    draft.expires_at = now_utc() + current_app.config["REQUEST_DRAFT_LIFETIME"]
    db.session.commit()


def send_online_request(draft: AssessmentRequest) -> bool:
    """Send a finished draft. A signed-in family member's request is received now (True);
    anyone else is emailed a link to confirm their address first (False)."""
    if draft.requester_user_id is not None:
        # Claimed first: pressing Send twice receives the request once.
        if claim(
            AssessmentRequest,
            AssessmentRequest.id == draft.id,
            AssessmentRequest.status == RequestStatus.DRAFT,
            status=RequestStatus.RECEIVED,
            sent_at=now_utc(),
        ):
            _receive(draft, today_in_england())
            db.session.commit()
        return True
    token, token_hash = new_token()
    sent_at = now_utc()
    if not claim(
        AssessmentRequest,
        AssessmentRequest.id == draft.id,
        AssessmentRequest.status == RequestStatus.DRAFT,
        status=RequestStatus.AWAITING_EMAIL,
        email_token_hash=token_hash,
        email_token_expires_at=sent_at + current_app.config["REQUEST_CONFIRM_LIFETIME"],
        sent_at=sent_at,
    ):
        return False
    audit.record("request-sent", target=f"request:{draft.id}")
    queue_email(
        draft.requester_email,
        "Confirm your email address to send your request",
        "request_confirm_email",
        event_key=f"request-confirm:{draft.id}:{token_hash[:16]}",  # each link is sent once
        child_first_name=draft.child_first_name,
        young_person=draft.requester is Requester.YOUNG_PERSON,
        link=_external("intake.confirm_email", token=token),
    )
    db.session.commit()
    db.session.refresh(draft)
    return False


def confirm_email(token: str) -> AssessmentRequest | None:
    """Open the link in the email: the request is received today. A second click changes nothing
    and gives the same request back. None for a link that is unknown or has expired unused."""
    request = db.session.scalar(
        select(AssessmentRequest).where(AssessmentRequest.email_token_hash == hash_token(token))
    )
    if request is None:
        return None
    if request.status is not RequestStatus.AWAITING_EMAIL:
        return request if request.received_on is not None else None
    if request.email_token_expires_at is None or _aware(request.email_token_expires_at) <= now_utc():
        return None
    if not claim(
        AssessmentRequest,
        AssessmentRequest.id == request.id,
        AssessmentRequest.status == RequestStatus.AWAITING_EMAIL,
        email_confirmed_at=now_utc(),
    ):
        db.session.refresh(request)
        return request if request.received_on is not None else None
    _receive(request, today_in_england())
    db.session.commit()
    return request


def find_awaiting_email(key: str | None) -> AssessmentRequest | None:
    """The request this session sent, while its email address is not confirmed yet (for the
    "Check your email" page, and a second press of Send)."""
    if not key:
        return None
    return db.session.scalar(
        select(AssessmentRequest).where(
            AssessmentRequest.draft_key_hash == hash_token(key),
            AssessmentRequest.status == RequestStatus.AWAITING_EMAIL,
        )
    )


def reopen_to_change_email(key: str | None) -> bool:
    """The sender got the email address wrong: the request this session sent, still unconfirmed,
    is a draft again with every answer kept, and the link already sent no longer works. False
    when there is no such request (confirmed meanwhile, or never sent)."""
    if not key:
        return False
    if not claim(
        AssessmentRequest,
        AssessmentRequest.draft_key_hash == hash_token(key),
        AssessmentRequest.status == RequestStatus.AWAITING_EMAIL,
        status=RequestStatus.DRAFT,
        email_token_hash=None,
        email_token_expires_at=None,
        sent_at=None,
        expires_at=now_utc() + current_app.config["REQUEST_DRAFT_LIFETIME"],
    ):
        return False
    db.session.commit()
    return True


def find_by_email_link(token: str) -> tuple[AssessmentRequest | None, bool]:
    """The request the email link is for, without confirming anything (an email scanner may open
    the link): (request, True) while it can still be confirmed, (request, False) once received,
    (None, False) for a link that is unknown or has expired unused."""
    request = db.session.scalar(
        select(AssessmentRequest).where(AssessmentRequest.email_token_hash == hash_token(token))
    )
    if request is None:
        return None, False
    if request.status is RequestStatus.AWAITING_EMAIL:
        expires = request.email_token_expires_at
        if expires is None or _aware(expires) <= now_utc():
            return None, False
        return request, True
    return (request, False) if request.received_on is not None else (None, False)


def sent_by(user: User, request_id: int | None) -> AssessmentRequest | None:
    """A request this family member sent while signed in (None for anyone else's)."""
    if request_id is None:
        return None
    return db.session.scalar(
        select(AssessmentRequest).where(
            AssessmentRequest.id == request_id,
            AssessmentRequest.requester_user_id == user.id,
            AssessmentRequest.received_on.is_not(None),
        )
    )


@dataclass(frozen=True)
class Waiting:
    """A request a family member sent, as their dashboard lists it: their own answers only."""

    reference: str
    received_on: date
    child_first_name: str | None
    young_person: bool

    @property
    def decision_due(self) -> date:
        return timeline.decision_to_assess_due(self.received_on)


def waiting_requests_of(user_id: int) -> list[Waiting]:
    """The requests a family member sent that the team has not yet turned into a case, oldest
    first (one query). Nothing staff entered is read."""
    rows = db.session.execute(
        select(
            AssessmentRequest.reference, AssessmentRequest.received_on, AssessmentRequest.child_first_name,
            AssessmentRequest.requester,
        )
        .where(AssessmentRequest.requester_user_id == user_id, AssessmentRequest.status == RequestStatus.RECEIVED)
        .order_by(AssessmentRequest.received_on, AssessmentRequest.id)
    ).all()
    return [
        Waiting(row.reference, row.received_on, row.child_first_name, row.requester is Requester.YOUNG_PERSON)
        for row in rows
    ]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _receive(request: AssessmentRequest, today: date) -> None:
    """The council has the request: day 0 is today. Give it its reference and tell the sender."""
    request.status = RequestStatus.RECEIVED
    request.received_on = today
    request.draft_key_hash = None
    request.expires_at = None
    db.session.flush()
    request.reference = f"R{today.year}-{request.id:05d}"
    audit.record("request-received", actor=request.requester_user, target=f"request:{request.id}")
    queue_email(
        request.requester_email,
        f"We have your request for an assessment: reference {request.reference}",
        "request_received",
        event_key=f"request-received:{request.id}",
        user_id=request.requester_user_id,
        reference=request.reference,
        child_first_name=request.child_first_name,
        young_person=request.requester is Requester.YOUNG_PERSON,
        signed_in=request.requester_user_id is not None,
        received_on=long_date(today),
        decision_due=long_date(timeline.decision_to_assess_due(today)),
        link=_external("main.start"),
    )


