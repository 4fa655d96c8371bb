"""Use cases on requests for an assessment. Each is one transaction: the change, its audit event
and any email are committed together, or not at all.

Online: a draft is saved as the sender answers each page, found again by a key in their session;
sending it emails a link to confirm the address, and the day the link is opened is the day the
council received the request (day 0). A family member already signed in has a confirmed address,
so their request is received the day they send it. Staff then open a case from the request (or
close it with a reason), or register a request that came by letter, email, phone or a school.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app, url_for
from sqlalchemy import func, select

from portal import audit
from portal.claims import claim
from portal.conversations.reply_by import today_in_england
from portal.ehcp import services as case_services
from portal.ehcp import timeline
from portal.ehcp.milestones import long_date
from portal.ehcp.models import Case
from portal.extensions import db
from portal.intake.models import (
    AssessmentRequest,
    ClosureReason,
    RequestChannel,
    Requester,
    RequestStatus,
)
from portal.invitations import InvitationProblem, add_family_invitation
from portal.models import Child, FamilyLink, Team, User
from portal.outbox import queue_email
from portal.tokens import hash_token, new_token

# The answers a draft holds, page by page; nothing else is set from a form.
ANSWER_FIELDS = frozenset({
    "requester", "requester_name", "requester_email", "requester_phone",
    "child_first_name", "child_last_name", "child_date_of_birth", "child_id", "is_reassessment",
    "school", "needs", "support", "reasons", "professionals", "consent_to_contact",
})


class RequestProblem(ValueError):
    """A change refused for a reason staff can fix; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def now_utc() -> datetime:
    return datetime.now(UTC)


def _external(endpoint: str, **values: object) -> str:
    return current_app.config["PORTAL_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def decision_due(request: AssessmentRequest) -> date | None:
    """The day by which the council must decide whether to assess (6 weeks from day 0)."""
    return timeline.decision_to_assess_due(request.received_on) if request.received_on else None


# --- Online drafts ---------------------------------------------------------------------------


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
        event_key=f"request-confirm:{draft.id}:{int(sent_at.timestamp())}",
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
        received_on=long_date(today),
        decision_due=long_date(timeline.decision_to_assess_due(today)),
        link=_external("main.index"),
    )


# --- The team's decisions --------------------------------------------------------------------


def matching_children(request: AssessmentRequest) -> list[Child]:
    """Children already known with the same name and date of birth: the team checks whether the
    request is about one of them before registering a new child."""
    if not (request.child_first_name and request.child_last_name and request.child_date_of_birth):
        return []
    return list(
        db.session.scalars(
            select(Child)
            .where(
                func.lower(Child.first_name) == request.child_first_name.strip().lower(),
                func.lower(Child.last_name) == request.child_last_name.strip().lower(),
                Child.date_of_birth == request.child_date_of_birth,
            )
            .order_by(Child.id)
        )
    )


@dataclass(frozen=True)
class Opening:
    """How staff open a case: the child (None to register a new one), the team and caseworker."""

    child: Child | None
    team: Team
    caseworker: User | None = None


@dataclass(frozen=True)
class Opened:
    case: Case
    # What happened about the requester's access: "linked", "invited", "asked", or why not.
    requester_access: str


def _child_for(request: AssessmentRequest, opening: Opening) -> Child:
    if opening.child is not None:
        return opening.child
    child = Child(
        first_name=request.child_first_name.strip(),
        last_name=request.child_last_name.strip(),
        date_of_birth=request.child_date_of_birth,
        team_id=opening.team.id,
    )
    db.session.add(child)
    db.session.flush()
    return child


def _check_opening(opening: Opening) -> None:
    if opening.caseworker is not None and opening.caseworker.team_id != opening.team.id:
        raise RequestProblem(f"Choose a caseworker in the {opening.team.name}, or assign one later", "caseworker")


def _give_requester_access(request: AssessmentRequest, actor: User, child: Child) -> str:
    """The requester can follow the case: linked at once if they asked while signed in, or
    invited by email (the existing invitation flow) if they have a relationship to the child."""
    relationship = request.requester.relationship if request.requester else None
    if relationship is None or not request.requester_email:
        return "not-family"
    if request.requester_user_id is not None:
        already = db.session.scalar(
            select(FamilyLink.id).where(
                FamilyLink.user_id == request.requester_user_id, FamilyLink.child_id == child.id
            )
        )
        if already is None:
            db.session.add(
                FamilyLink(user_id=request.requester_user_id, child_id=child.id, relationship_to_child=relationship)
            )
            audit.record("family-linked", actor=actor, target=f"child:{child.id}")
        return "linked"
    try:
        return add_family_invitation(actor, child, request.requester_email, request.requester_name or "", relationship)
    except InvitationProblem as problem:
        return str(problem)


def open_case_from_request(request: AssessmentRequest, actor: User, opening: Opening) -> Opened | None:
    """Confirm a request: match or register the child, open the case from the day received (day 0),
    and give the requester access. None if someone else decided the request first."""
    _check_opening(opening)
    if not claim(
        AssessmentRequest,
        AssessmentRequest.id == request.id,
        AssessmentRequest.status == RequestStatus.RECEIVED,
        status=RequestStatus.CASE_OPENED,
        decided_by_id=actor.id,
        decided_at=now_utc(),
        team_id=opening.team.id,
    ):
        return None
    child = _child_for(request, opening)
    case = case_services.open_case(
        child.id, opening.team.id, request.received_on, actor,
        caseworker=opening.caseworker, is_reassessment=request.is_reassessment,
    )
    db.session.flush()
    request.child_id = child.id
    request.case_id = case.id
    access = _give_requester_access(request, actor, child)
    audit.record("request-confirmed", actor=actor, target=f"request:{request.id}", detail=case.reference)
    db.session.commit()
    return Opened(case=case, requester_access=access)


def close_request(request: AssessmentRequest, actor: User, reason: ClosureReason, note: str) -> bool:
    """Close a request as not genuine or a duplicate, with a reason. Nothing is deleted. False if
    someone else decided it first."""
    if not claim(
        AssessmentRequest,
        AssessmentRequest.id == request.id,
        AssessmentRequest.status == RequestStatus.RECEIVED,
        status=RequestStatus.CLOSED,
        decided_by_id=actor.id,
        decided_at=now_utc(),
        closure_reason=reason,
        closure_note=note,
    ):
        return False
    audit.record("request-closed", actor=actor, target=f"request:{request.id}", detail=reason.value)
    db.session.commit()
    return True


@dataclass(frozen=True)
class Registration:
    """A request that came by letter, email, phone or from a school, as staff record it."""

    channel: RequestChannel
    requester: Requester
    requester_name: str | None
    received_on: date
    child_first_name: str
    child_last_name: str
    child_date_of_birth: date
    requester_email: str | None = None
    requester_phone: str | None = None
    is_reassessment: bool = False


def register_request(actor: User, registration: Registration, opening: Opening, today: date) -> Case:
    """Record a request that did not come through the portal and open its case from the day it
    was received. Family members are then invited from the child's page."""
    if registration.received_on > today:
        raise RequestProblem("The date received must be today or in the past", "received_on")
    if registration.channel is RequestChannel.ONLINE:
        raise RequestProblem("Choose how the request arrived", "channel")
    _check_opening(opening)
    request = AssessmentRequest(
        status=RequestStatus.CASE_OPENED,
        channel=registration.channel,
        requester=registration.requester,
        requester_name=registration.requester_name,
        requester_email=registration.requester_email,
        requester_phone=registration.requester_phone,
        child_first_name=registration.child_first_name,
        child_last_name=registration.child_last_name,
        child_date_of_birth=registration.child_date_of_birth,
        is_reassessment=registration.is_reassessment,
        received_on=registration.received_on,
        registered_by_id=actor.id,
        decided_by_id=actor.id,
        decided_at=now_utc(),
        team_id=opening.team.id,
    )
    db.session.add(request)
    db.session.flush()
    request.reference = f"R{registration.received_on.year}-{request.id:05d}"
    child = _child_for(request, opening)
    case = case_services.open_case(
        child.id, opening.team.id, registration.received_on, actor,
        caseworker=opening.caseworker, is_reassessment=registration.is_reassessment,
    )
    db.session.flush()
    request.child_id = child.id
    request.case_id = case.id
    audit.record("request-registered", actor=actor, target=f"request:{request.id}", detail=case.reference)
    db.session.commit()
    return case
