"""The team's use cases on requests for an assessment: opening a case from a request (matching or
registering the child), closing one with a reason, and registering a request that came by letter,
email, phone or from a school. Each is one transaction: the change, its audit event and any email
are committed together, or not at all. The sender's own use cases are in online.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import and_, func, or_, select

from portal import audit
from portal.claims import claim
from portal.ehcp import services as case_services
from portal.ehcp import timeline
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


class RequestProblem(ValueError):
    """A change refused for a reason staff can fix; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def now_utc() -> datetime:
    return datetime.now(UTC)


def decision_due(request: AssessmentRequest) -> date | None:
    """The day by which the council must decide whether to assess (6 weeks from day 0)."""
    return timeline.decision_to_assess_due(request.received_on) if request.received_on else None


# --- The team's decisions --------------------------------------------------------------------


def matching_children(request: AssessmentRequest) -> list[Child]:
    """Children already known with the same name and date of birth (and the child a signed-in
    family member chose from their own, if they did): the team checks whether the request is
    about one of them before registering a new child."""
    matches = []
    if request.child_first_name and request.child_last_name and request.child_date_of_birth:
        matches.append(and_(
            func.lower(Child.first_name) == request.child_first_name.strip().lower(),
            func.lower(Child.last_name) == request.child_last_name.strip().lower(),
            Child.date_of_birth == request.child_date_of_birth,
        ))
    if request.child_id is not None:
        matches.append(Child.id == request.child_id)
    if not matches:
        return []
    return list(db.session.scalars(select(Child).where(or_(*matches)).order_by(Child.id)))


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


def _child_for(request: AssessmentRequest, opening: Opening, actor: User) -> Child:
    """The known child staff matched, or a new one registered in the chosen team. A known child
    of another team moves to the chosen team, with the new case: the team handling the case is
    the team responsible for the child, and can reach the child's page to invite the family."""
    if opening.child is not None:
        if opening.child.team_id != opening.team.id:
            opening.child.team_id = opening.team.id
            audit.record("child-moved-team", actor=actor, target=f"child:{opening.child.id}", detail=opening.team.name)
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
    child = _child_for(request, opening, actor)
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
    child = _child_for(request, opening, actor)
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
