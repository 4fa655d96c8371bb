"""The caseworker pages' database reads. Each page uses a fixed number of queries whatever the
size of the caseload, and only ever reads a case through the signed-in person's team: another
team's case is simply not found (a 404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, case, func, not_, or_, select, union_all
from sqlalchemy.orm import joinedload, load_only

from portal.casework import tally
from portal.casework.tally import DUE_SOON_DAYS
from portal.ehcp.models import (
    AdviceRequest,
    Case,
    CaseNote,
    PhaseTransfer,
    StageChange,
    TimelineException,
    child_full_name,
)
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.intake.models import AssessmentRequest
from portal.intake.queries import request_of_case
from portal.models import AuditEvent, Child, Role, User
from portal.notifications.status_words import EmailSeen, seen
from portal.outbox import OutboxEmail

SEARCH_TERMS = 5
# Audit actions that change a case (and so its version), for "who changed this case".
CASE_CHANGES = (
    "stage-changed",
    "expected-date-set",
    "review-dates-set",
    "exception-recorded",
    "case-reassigned",
    "advice-received",
    "phase-transfer-recorded",
    "phase-transfer-removed",
)


def today() -> date:
    """The date the caseload and the services work with: the one seam to change for a time zone."""
    return date.today()


# --- The caseload -----------------------------------------------------------------------------


# How the caseload can be sorted: the first is the default.
SORTS = ("deadline", "stage", "received")
# The characters Python's str.strip() removes, so that a blank reason is blank in SQL too.
WHITESPACE = "".join(char for char in map(chr, range(0x3001)) if char.isspace())


@dataclass(frozen=True)
class CaseloadFilters:
    """Within each group, any ticked condition will do: (mine or unassigned) and (late, late
    without a reason or due soon), and also the stage, exception and search when given."""

    stage: Stage | None = None
    mine: bool = False
    unassigned: bool = False
    overdue: bool = False
    late_without_reason: bool = False
    due_soon: bool = False
    excepted: bool = False
    not_reached: bool = False
    include_closed: bool = False
    search: str = ""
    sort: str = SORTS[0]


@dataclass(frozen=True)
class CaseloadPage:
    cases: list[Case]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class TeamCounts:
    """The team's open cases that need attention."""

    overdue: int
    late_without_reason: int
    due_soon: int
    unassigned: int
    excepted: int
    not_reached: int


def _overdue(on: date):
    return and_(Case.closed.is_(False), Case.next_deadline_on < on)


def _told_why(on: date):
    """The family has been given both an expected date that has not passed and a reason (never
    NULL: with no expected date it is false)."""
    return and_(
        Case.expected_on.is_not(None),
        Case.expected_on >= on,
        func.rtrim(func.coalesce(Case.delay_reason, ""), WHITESPACE) != "",
    )


def late_without_reason(on: date):
    """SQL for portal.ehcp.lateness.late_without_reason: the council deadline has passed and the
    family has not been given both an expected date that has not passed and a reason."""
    return and_(Case.next_deadline_on < on, not_(_told_why(on)))


def _due_soon(on: date):
    return and_(Case.closed.is_(False), Case.next_deadline_on.between(on, on + timedelta(days=DUE_SOON_DAYS)))


def _matching(team_id: int, user_id: int, filters: CaseloadFilters, on: date) -> Select:
    scope = (Case.team_id == team_id, *(() if filters.include_closed else (Case.closed.is_(False),)))
    query = select(Case).where(*scope)
    if filters.stage is not None:
        query = query.where(Case.stage == filters.stage)
    groups = (
        ((filters.mine, Case.caseworker_id == user_id), (filters.unassigned, Case.caseworker_id.is_(None))),
        (
            (filters.overdue, _overdue(on)),
            (filters.late_without_reason, late_without_reason(on)),
            (filters.due_soon, _due_soon(on)),
        ),
    )
    for group in groups:
        # The conditions in a group are answers to one question, so any of them will do.
        wanted = [condition for chosen, condition in group if chosen]
        if wanted:
            query = query.where(or_(*wanted))
    if filters.excepted:
        query = query.where(Case.has_exception.is_(True))
    if filters.not_reached:
        query = query.where(Case.family_not_reached_since.is_not(None))
    # Every word must be part of the child's name (first and last together) or of the case
    # reference. Found through the trigram indexes (PostgreSQL; SQLite scans), which intersect the
    # words' matches inside the index: every word in the name, or every word in the reference,
    # or (with two words or more) a mix, which must have a word in the reference, so it starts
    # from the few cases whose reference has one. Never by reading every child.
    terms = filters.search.split()[:SEARCH_TERMS]
    if terms:
        name, reference = func.lower(child_full_name()), func.lower(Case.reference)
        branches = [
            select(Case.id).join(Case.child).where(*scope, *(_contains(name, term) for term in terms)),
            select(Case.id).where(*scope, *(_contains(reference, term) for term in terms)),
        ]
        if len(terms) > 1:
            branches.append(
                select(Case.id).join(Case.child).where(
                    *scope,
                    or_(*(_contains(reference, term) for term in terms)),
                    *(or_(_contains(name, term), _contains(reference, term)) for term in terms),
                )
            )
        query = query.where(Case.id.in_(union_all(*branches)))
    return query


def _contains(lowered, term: str):
    """`term` is part of `lowered` (a lower() expression), whatever the case:
    lower(column) LIKE lower('%term%'), the expression the trigram indexes in portal.ehcp.models
    are on (icontains would be ILIKE on PostgreSQL). % and _ in the term are only themselves."""
    escaped = term.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return lowered.like(func.lower(f"%{escaped}%"), escape="/")




def _order(sort: str) -> tuple:
    """Nearest legal deadline first (cases with none last), unless sorted by stage (in the order
    the law runs) or by the date the request was received (oldest first), then by deadline."""
    deadline = (Case.next_deadline_on.asc().nulls_last(), Case.reference, Case.id)
    if sort == "stage":
        return (Case.stage_position, *deadline)
    if sort == "received":
        return (Case.request_received_on, *deadline)
    return deadline


def caseload(team_id: int, user_id: int, filters: CaseloadFilters, on: date, page: int, page_size: int) -> CaseloadPage:
    """Two queries: how many cases match, and one page of them with their children and caseworkers,
    in the order asked for (see `_order`).

    The page's ids come first (a "deferred join"), ordered and offset over the partial indexes of
    open cases, which hold the order's and the usual filters' columns: page 200 reads index
    entries, not 5,000 rows. Page numbers work as before (OFFSET), with no keyset to carry."""
    matching = _matching(team_id, user_id, filters, on)
    total = db.session.scalar(select(func.count()).select_from(matching.with_only_columns(Case.id).subquery())) or 0
    pages = max((total + page_size - 1) // page_size, 1)
    order = _order(filters.sort)
    page_ids = (
        matching.with_only_columns(Case.id).order_by(*order).limit(page_size).offset((page - 1) * page_size)
    ).subquery()
    cases = db.session.scalars(
        select(Case)
        .join(page_ids, page_ids.c.id == Case.id)
        .options(
            joinedload(Case.child).load_only(Child.first_name, Child.last_name),
            joinedload(Case.caseworker).load_only(User.name),
        )
        .order_by(*order)
    ).all()
    return CaseloadPage(list(cases), total, page, pages)


def team_counts(team_id: int, on: date) -> TeamCounts:
    """On PostgreSQL, from the counts a trigger keeps up to date (portal.casework.tally): one
    query whatever the team's size. Elsewhere, and as the definition the tally is tested against,
    `counted_team_counts`."""
    if db.session.get_bind().dialect.name == "postgresql":
        return TeamCounts(*tally.counts(team_id, on))
    return counted_team_counts(team_id, on)


def counted_team_counts(team_id: int, on: date) -> TeamCounts:
    """One query over the team's open cases, an index-only scan of ix_ehc_case_team_open_covering.
    The delay reason is not in that index (too long for one), so "late without a reason" is the
    late cases less those whose family was told why, counted in a subquery that reads only the
    cases with an expected date that has not passed (ix_ehc_case_team_open_expected)."""
    open_cases = (Case.team_id == team_id, Case.closed.is_(False))
    late_told_why = and_(Case.next_deadline_on < on, _told_why(on))
    told_why = select(func.count()).select_from(Case).where(*open_cases, late_told_why).scalar_subquery()
    row = db.session.execute(
        select(
            func.count(case((Case.next_deadline_on < on, 1))),
            told_why,
            func.count(case((_due_soon(on), 1))),
            func.count(case((Case.caseworker_id.is_(None), 1))),
            func.count(case((Case.has_exception.is_(True), 1))),
            func.count(case((Case.family_not_reached_since.is_not(None), 1))),
        ).where(*open_cases)
    ).one()
    late, late_told_why, *others = row
    return TeamCounts(late, late - late_told_why, *others)


# --- One case ---------------------------------------------------------------------------------


def team_case(case_id: int, team_id: int | None) -> Case | None:
    """The case with its child and caseworker, if it belongs to this team; otherwise None."""
    if team_id is None:
        return None
    return db.session.scalar(
        select(Case)
        .options(joinedload(Case.child), joinedload(Case.caseworker))
        .where(Case.id == case_id, Case.team_id == team_id)
    )


@dataclass(frozen=True)
class CaseRequest:
    """The request a case was opened from: its id (for the link to its answers) and reference."""

    id: int
    reference: str | None


def team_case_with_transfers(
    case_id: int, team_id: int | None,
) -> tuple[Case | None, list[PhaseTransfer], CaseRequest | None]:
    """team_case, with the case's phase transfers (soonest move first) and the request it was
    opened from, read in the same query: the case page's. The case comes once a transfer, or once
    with none."""
    if team_id is None:
        return None, [], None
    rows = db.session.execute(
        select(Case, PhaseTransfer, request_of_case(AssessmentRequest.id), request_of_case(AssessmentRequest.reference))
        .options(joinedload(Case.child), joinedload(Case.caseworker))
        .outerjoin(PhaseTransfer, PhaseTransfer.case_id == Case.id)
        .where(Case.id == case_id, Case.team_id == team_id)
        .order_by(PhaseTransfer.moves_on, PhaseTransfer.id)
    ).all()
    if not rows:
        return None, [], None
    case, _transfer, request_id, reference = rows[0]
    request = CaseRequest(request_id, reference) if request_id is not None else None
    return case, [transfer for _, transfer, _, _ in rows if transfer is not None], request


def stage_history(case_id: int) -> list[StageChange]:
    """Every stage change, newest first, with who made it."""
    return list(
        db.session.scalars(
            select(StageChange)
            .options(joinedload(StageChange.changed_by).load_only(User.name))
            .where(StageChange.case_id == case_id)
            .order_by(StageChange.effective_on.desc(), StageChange.created_at.desc(), StageChange.id.desc())
        )
    )


def advice_requests(case_id: int) -> list[AdviceRequest]:
    return list(
        db.session.scalars(
            select(AdviceRequest)
            .where(AdviceRequest.case_id == case_id)
            .order_by(AdviceRequest.requested_on, AdviceRequest.id)
        )
    )


def case_advice(case_id: int, advice_id: int) -> AdviceRequest | None:
    return db.session.scalar(
        select(AdviceRequest).where(AdviceRequest.id == advice_id, AdviceRequest.case_id == case_id)
    )


def timeline_exceptions(case_id: int) -> list[TimelineException]:
    return list(
        db.session.scalars(
            select(TimelineException)
            .options(joinedload(TimelineException.recorded_by).load_only(User.name))
            .where(TimelineException.case_id == case_id)
            .order_by(TimelineException.applies_from, TimelineException.id)
        )
    )


def staff_notes(case_id: int) -> list[CaseNote]:
    """Staff-only notes, newest first."""
    return list(
        db.session.scalars(
            select(CaseNote)
            .options(joinedload(CaseNote.author).load_only(User.name))
            .where(CaseNote.case_id == case_id)
            .order_by(CaseNote.created_at.desc(), CaseNote.id.desc())
        )
    )


def assignable_staff(team_id: int) -> list[User]:
    """Caseworkers and managers of the team who can be given a case."""
    return list(
        db.session.scalars(
            select(User)
            .options(load_only(User.name, User.team_id, User.role))
            .where(
                User.team_id == team_id,
                User.role.in_((Role.CASEWORKER, Role.MANAGER)),
                User.active.is_(True),
            )
            .order_by(User.name, User.id)
        )
    )


@dataclass(frozen=True)
class LastChange:
    by: str
    at: datetime


def last_change(case: Case) -> LastChange | None:
    """Who last changed the case and when, from the audit log (a stage change is not the only
    change that moves a case's version on). One query, using the audit log's time index."""
    since = case.updated_at - timedelta(minutes=5) if case.updated_at is not None else None
    query = (
        select(AuditEvent.created_at, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.target == f"case:{case.id}", AuditEvent.action.in_(CASE_CHANGES))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(1)
    )
    if since is not None:
        query = query.where(AuditEvent.created_at >= since)
    row = db.session.execute(query).first()
    if row is None:
        return None
    return LastChange(by=row.name or "Someone", at=row.created_at)


FAMILY_EMAILS_SHOWN = 20


def family_emails(case_id: int) -> tuple[list[EmailSeen], bool]:
    """The emails to the family about the case, newest first, as staff see them (the newest
    FAMILY_EMAILS_SHOWN, and whether there are more). One query: each recipient's name comes
    with the email, and an email sent again is known from its copy's `resend_of_id`."""
    rows = db.session.execute(
        select(OutboxEmail, User.name)
        .outerjoin(User, User.id == OutboxEmail.user_id)
        # Not the alerts to staff about the case's messages: those are not the family's.
        .where(OutboxEmail.case_id == case_id, or_(User.id.is_(None), User.role == Role.FAMILY))
        .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
        .limit(FAMILY_EMAILS_SHOWN + 1)
    ).all()
    resent = {email.resend_of_id for email, _ in rows if email.resend_of_id is not None}
    shown = [seen(email, name, resent=email.id in resent) for email, name in rows[:FAMILY_EMAILS_SHOWN]]
    return shown, len(rows) > FAMILY_EMAILS_SHOWN


# --- A child's cases --------------------------------------------------------------------------


def child_cases(child_id: int) -> list[Case]:
    """A child's cases, newest request first (the child is already known to be the team's)."""
    return list(
        db.session.scalars(
            select(Case)
            .options(load_only(Case.reference, Case.stage, Case.request_received_on, Case.closed))
            .where(Case.child_id == child_id)
            .order_by(Case.request_received_on.desc(), Case.id.desc())
        )
    )

