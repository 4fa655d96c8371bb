"""Reads for the team's request pages: the inbox of requests waiting for a decision, one request
as staff may see it, the children it may be about, and the teams and staff a case can go to.
Each is one statement, whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload, load_only

from portal.ehcp.models import Case
from portal.extensions import db
from portal.intake.models import AssessmentRequest, RequestStatus
from portal.models import Child, Role, Team, User

WAITING = AssessmentRequest.status == RequestStatus.RECEIVED
CASE_STAFF_ROLES = (Role.CASEWORKER, Role.MANAGER)


@dataclass(frozen=True)
class InboxPage:
    requests: list[AssessmentRequest]
    total: int
    page: int
    pages: int


def waiting_requests(page: int, per_page: int) -> InboxPage:
    """Requests received and not yet decided, oldest first (ix_assessment_request_waiting). Every
    team's: an online request has no team until a case is opened."""
    total = db.session.scalar(select(func.count()).select_from(AssessmentRequest).where(WAITING)) or 0
    rows = db.session.scalars(
        select(AssessmentRequest)
        .options(load_only(
            AssessmentRequest.reference, AssessmentRequest.status, AssessmentRequest.channel,
            AssessmentRequest.requester, AssessmentRequest.requester_name, AssessmentRequest.child_first_name,
            AssessmentRequest.child_last_name, AssessmentRequest.received_on,
        ))
        .where(WAITING)
        .order_by(AssessmentRequest.received_on, AssessmentRequest.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return InboxPage(list(rows), total, page, max((total + per_page - 1) // per_page, 1))


def staff_request(request_id: int, team_id: int | None) -> AssessmentRequest | None:
    """A request as case staff may see it: any received or closed one (triage is the service's
    front door), but one whose case is open only by the case's team. Never an unsent draft or a
    request whose sender has not confirmed their email address."""
    return db.session.scalar(
        select(AssessmentRequest)
        .outerjoin(Case, Case.id == AssessmentRequest.case_id)
        .options(
            joinedload(AssessmentRequest.decided_by).load_only(User.name),
            joinedload(AssessmentRequest.registered_by).load_only(User.name),
            joinedload(AssessmentRequest.case).load_only(Case.reference, Case.team_id),
        )
        .where(
            AssessmentRequest.id == request_id,
            or_(
                AssessmentRequest.status.in_((RequestStatus.RECEIVED, RequestStatus.CLOSED)),
                (AssessmentRequest.status == RequestStatus.CASE_OPENED) & (Case.team_id == team_id),
            ),
        )
    )


def decided_elsewhere(request_id: int) -> bool:
    """Whether the request had its case opened (by any team): someone who could read it before
    then is told it was decided, not that it does not exist."""
    return db.session.scalar(
        select(AssessmentRequest.id).where(
            AssessmentRequest.id == request_id, AssessmentRequest.status == RequestStatus.CASE_OPENED
        )
    ) is not None


@dataclass(frozen=True)
class KnownChild:
    """A child already known with the same name and date of birth as a request's."""

    child: Child
    team_name: str
    has_open_case: bool


def known_children(child_ids: list[int]) -> list[KnownChild]:
    """The children with their team and whether they have an open case, in one statement."""
    if not child_ids:
        return []
    open_case = exists().where(Case.child_id == Child.id, Case.closed.is_(False))
    rows = db.session.execute(
        select(Child, Team.name, open_case.label("has_open_case"))
        .join(Team, Team.id == Child.team_id)
        .where(Child.id.in_(child_ids))
        .order_by(Child.id)
    ).all()
    return [KnownChild(child, team_name, bool(has_open)) for child, team_name, has_open in rows]


def teams() -> list[Team]:
    return list(db.session.scalars(select(Team).options(load_only(Team.name)).order_by(Team.name, Team.id)))


def case_staff() -> list[tuple[User, str]]:
    """Every active caseworker and manager, with their team's name, by team and then name."""
    rows = db.session.execute(
        select(User, Team.name)
        .join(Team, Team.id == User.team_id)
        .options(load_only(User.name, User.team_id, User.role))
        .where(User.role.in_(CASE_STAFF_ROLES), User.active.is_(True))
        .order_by(Team.name, User.name, User.id)
    ).all()
    return [(user, team_name) for user, team_name in rows]


def request_of_case(column):
    """A column of the request a case was opened from (its id or reference), for a query of
    cases: None for a case opened otherwise (imported, or made before requests came online)."""
    return (
        select(column).where(AssessmentRequest.case_id == Case.id)
        .order_by(AssessmentRequest.id).limit(1).correlate(Case).scalar_subquery()
    )
