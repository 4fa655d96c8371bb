""""Updates since your last visit" on the family dashboard: stage changes and exceptions to the
time limits recorded on their children's cases since the family member last opened it. Two reads
and, after the page is rendered, one UPDATE of `User.updates_seen_at`; no reads at all when none
of the cases has changed since then (portal.ehcp.services gives a stage change or an exception
and its case's `updated_at` the same time, in the same transaction).

A first visit (`updates_seen_at` is None) shows no updates: the cards already say where each case
stands, and listing its whole history as "new" would bury what matters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update

from portal.ehcp.milestones import long_date
from portal.ehcp.models import Case, StageChange, TimelineException
from portal.extensions import db
from portal.family.wording import Reader
from portal.models import User

MAX_SHOWN = 10


@dataclass(frozen=True)
class Update:
    text: str
    on: date
    case_id: int
    recorded_at: datetime


def since_last_visit(
    seen_at: datetime | None, readers: dict[int, Reader], last_changed: datetime | None
) -> list[Update]:
    """What changed on the cases of these children (child id -> who reads about them) since
    `seen_at`, newest first. Never a staff note: only the columns named here are read.
    `last_changed` is when any of their cases last changed: when that is not after `seen_at`,
    nothing can be new and nothing is read."""
    if seen_at is None or not readers or last_changed is None or last_changed <= seen_at:
        return []
    changes = db.session.execute(
        select(StageChange.case_id, Case.child_id, StageChange.from_stage, StageChange.to_stage,
               StageChange.effective_on, StageChange.created_at)
        .join(Case, Case.id == StageChange.case_id)
        .where(Case.child_id.in_(readers), StageChange.created_at > seen_at)
        .order_by(StageChange.created_at.desc(), StageChange.id.desc())
        .limit(MAX_SHOWN)
    ).all()
    exceptions = db.session.execute(
        select(TimelineException.case_id, Case.child_id, TimelineException.type, TimelineException.applies_from,
               TimelineException.recorded_at)
        .join(Case, Case.id == TimelineException.case_id)
        .where(Case.child_id.in_(readers), TimelineException.recorded_at > seen_at)
        .order_by(TimelineException.recorded_at.desc(), TimelineException.id.desc())
        .limit(MAX_SHOWN)
    ).all()
    found = [
        Update(_stage_words(readers[row.child_id], row.from_stage, row.to_stage, row.effective_on),
               row.effective_on, row.case_id, row.created_at)
        for row in changes
    ] + [
        Update(f"The council recorded an exception to the time limits for {_whose_case(readers[row.child_id])}, "
               f"from {long_date(row.applies_from)}: {row.type.label}",
               row.applies_from, row.case_id, row.recorded_at)
        for row in exceptions
    ]
    return sorted(found, key=lambda item: item.recorded_at, reverse=True)[:MAX_SHOWN]


def _whose_case(reader: Reader) -> str:
    return "your case" if reader.young_person else f"{reader.first_name}’s case"


def _stage_words(reader: Reader, from_stage, to_stage, effective_on: date) -> str:
    whose = _whose_case(reader)
    if from_stage is None:
        about = "you" if reader.young_person else reader.first_name
        return f"The council received a request for an EHC needs assessment for {about} on {long_date(effective_on)}"
    return f"{whose[0].upper()}{whose[1:]} moved to a new stage, ‘{to_stage.label}’, on {long_date(effective_on)}"


def mark_seen(user_id: int, now: datetime) -> None:
    """One UPDATE, committed: what the family member has just seen is no longer new to them."""
    db.session.execute(update(User).where(User.id == user_id).values(updates_seen_at=now))
    db.session.commit()
