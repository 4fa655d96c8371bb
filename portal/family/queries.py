"""The family pages' database reads. Each page uses a fixed number of queries, whatever the number
of children, cases or stage changes, and only ever reads a case through a family link to its child.

Nothing here loads a staff-only note: stage history is read column by column, without
`StageChange.staff_note`, and `CaseNote` is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import contains_eager, joinedload, load_only

from portal.ehcp.models import AdviceRequest, Case, StageChange, TimelineException
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.family.progress import HistoryEntry
from portal.intake.models import AssessmentRequest
from portal.intake.queries import request_of_case
from portal.models import Child, FamilyLink, Relationship, User


class FamilyCase(NamedTuple):
    case: Case
    relationship: Relationship
    request_reference: str | None  # "R2026-…" when the case came from a request

@dataclass(frozen=True)
class CaseLine:
    """A case in a list: enough to name it and link to it."""

    id: int
    reference: str
    request_received_on: date
    stage: Stage


@dataclass
class ChildCases:
    """A child linked to the family member, the child's latest case and any earlier ones."""

    link: FamilyLink
    case: Case | None = None
    earlier: list[CaseLine] = field(default_factory=list)
    # When any of the child's cases last changed (a stage change or an exception updates its case).
    last_changed: datetime | None = None

    @property
    def child(self) -> Child:
        return self.link.child


def _with_team_and_caseworker():
    return (
        joinedload(Case.team),
        # Only the caseworker's name reaches a family page.
        joinedload(Case.caseworker).load_only(User.id, User.name),
    )


def linked_child(user_id: int, child_id: int) -> FamilyLink | None:
    """The family member's link to the child, with the child and its team; None if not linked."""
    return db.session.scalar(
        select(FamilyLink)
        .options(joinedload(FamilyLink.child).joinedload(Child.team))
        .where(FamilyLink.user_id == user_id, FamilyLink.child_id == child_id)
    )


@cache
def _children_with_cases_statement():
    """Built once (every family page asks it), with the family member as a parameter."""
    return (
        select(FamilyLink, Case)
        .join(FamilyLink.child)
        .outerjoin(Case, Case.child_id == FamilyLink.child_id)
        .options(contains_eager(FamilyLink.child).joinedload(Child.team), *_with_team_and_caseworker())
        .where(FamilyLink.user_id == bindparam("user_id", type_=Integer))
        .order_by(Child.first_name, Child.id, Case.request_received_on.desc(), Case.id.desc())
    )


def children_with_cases(user_id: int) -> list[ChildCases]:
    """One query: the links with their children and teams, and every case of each child (with its
    team and caseworker's name), newest request first; the newest is the child's case."""
    rows = db.session.execute(_children_with_cases_statement(), {"user_id": user_id}).all()
    cards: dict[int, ChildCases] = {}
    for link, case in rows:
        card = cards.setdefault(link.child_id, ChildCases(link))
        if case is None:
            continue
        if case.updated_at is not None and (card.last_changed is None or case.updated_at > card.last_changed):
            card.last_changed = case.updated_at
        if card.case is None:
            card.case = case
        else:
            card.earlier.append(CaseLine(case.id, case.reference, case.request_received_on, case.stage))
    return list(cards.values())


def child_cases(child_id: int) -> list[CaseLine]:
    """Every case of a child (already checked to be linked), newest request first."""
    rows = db.session.execute(
        select(Case.id, Case.reference, Case.request_received_on, Case.stage)
        .where(Case.child_id == child_id)
        .order_by(Case.request_received_on.desc(), Case.id.desc())
    ).all()
    return [CaseLine(row.id, row.reference, row.request_received_on, row.stage) for row in rows]


def family_case(user_id: int, case_id: int) -> FamilyCase | None:
    """The case, how this family member is related to its child and the reference of the request
    it was opened from, if the child is linked to them; otherwise None (a 404)."""
    row = db.session.execute(
        select(Case, FamilyLink.relationship_to_child, request_of_case(AssessmentRequest.reference))
        .join(FamilyLink, FamilyLink.child_id == Case.child_id)
        .options(joinedload(Case.child), *_with_team_and_caseworker())
        .where(Case.id == case_id, FamilyLink.user_id == user_id)
    ).first()
    return FamilyCase(*row) if row is not None else None


def stage_history(case_id: int) -> list[HistoryEntry]:
    """Every stage change, newest first, with the note for the family and never the staff note."""
    rows = db.session.execute(
        select(StageChange.from_stage, StageChange.to_stage, StageChange.effective_on, StageChange.family_note)
        .where(StageChange.case_id == case_id)
        .order_by(StageChange.effective_on.desc(), StageChange.created_at.desc(), StageChange.id.desc())
    ).all()
    return [HistoryEntry(r.from_stage, r.to_stage, r.effective_on, r.family_note) for r in rows]


def advice_requests(case_id: int) -> list[AdviceRequest]:
    return list(
        db.session.scalars(
            select(AdviceRequest)
            .where(AdviceRequest.case_id == case_id)
            .order_by(AdviceRequest.requested_on, AdviceRequest.id)
        )
    )


def timeline_exceptions(case_id: int) -> list[TimelineException]:
    """The exceptions recorded on the case, oldest first. Who recorded them is not loaded."""
    return list(
        db.session.scalars(
            select(TimelineException)
            .options(
                load_only(TimelineException.type, TimelineException.reason, TimelineException.applies_from)
            )
            .where(TimelineException.case_id == case_id)
            .order_by(TimelineException.applies_from, TimelineException.id)
        )
    )
