"""Staff absences: who is away today, and recording or cancelling an absence: a caseworker's or
manager's own, or, for a manager, anyone's in their team (a caseworker who phones in ill).

While a caseworker is away, the conversations on their cases show in the team inbox as needing
cover, the family is told the team will reply, and emails about new family messages go to the
team's managers instead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache

from sqlalchemy import Date, bindparam, select
from sqlalchemy.orm import joinedload

from portal import audit
from portal.conversations.models import StaffAbsence
from portal.extensions import db
from portal.models import Role, User

LONGEST_ABSENCE_DAYS = 366


class AbsenceProblem(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@cache
def _away_statement():
    """Built once (the inbox and a family's conversation page ask it), with the people and the
    day as parameters."""
    today = bindparam("today", type_=Date)
    return select(StaffAbsence.user_id, StaffAbsence.ends_on).where(
        StaffAbsence.user_id.in_(bindparam("ids", expanding=True)),
        StaffAbsence.starts_on <= today,
        StaffAbsence.ends_on >= today,
        StaffAbsence.cancelled_at.is_(None),
    )


def away_until(user_ids: list[int], today: date) -> dict[int, date]:
    """For each of these people away today, the last day of their absence (the latest, when
    absences overlap)."""
    ids = [user_id for user_id in user_ids if user_id is not None]
    if not ids:
        return {}
    rows = db.session.execute(_away_statement(), {"ids": ids, "today": today}).all()
    found: dict[int, date] = {}
    for user_id, ends_on in rows:
        found[user_id] = max(ends_on, found.get(user_id, ends_on))
    return found


def upcoming(user_id: int, today: date) -> list[StaffAbsence]:
    """This person's absences that have not ended, soonest first."""
    return list(db.session.scalars(
        select(StaffAbsence).where(
            StaffAbsence.user_id == user_id, StaffAbsence.ends_on >= today, StaffAbsence.cancelled_at.is_(None)
        ).order_by(StaffAbsence.starts_on, StaffAbsence.id)
    ))


def team_upcoming(team_id: int, today: date) -> list[StaffAbsence]:
    """The absences of everyone in the team that have not ended, soonest first, with their names."""
    return list(db.session.scalars(
        select(StaffAbsence).join(User, User.id == StaffAbsence.user_id)
        .options(joinedload(StaffAbsence.user).load_only(User.name))
        .where(User.team_id == team_id, StaffAbsence.ends_on >= today, StaffAbsence.cancelled_at.is_(None))
        .order_by(StaffAbsence.starts_on, User.name, StaffAbsence.id)
    ))


def team_staff(team_id: int) -> list[User]:
    """The caseworkers and managers of a team, by name: whose absence a manager may record."""
    return list(db.session.scalars(
        select(User).where(User.team_id == team_id, User.role.in_((Role.CASEWORKER, Role.MANAGER)),
                           User.active.is_(True)).order_by(User.name, User.id)
    ))


def may_record_for(actor: User, person: User) -> bool:
    """Anyone for themself; a manager for anyone in their own team."""
    return person.id == actor.id or (
        actor.role is Role.MANAGER and actor.team_id is not None and person.team_id == actor.team_id
        and person.role in (Role.CASEWORKER, Role.MANAGER)
    )


def record(user: User, starts_on: date, ends_on: date, today: date, actor: User | None = None) -> StaffAbsence:
    """Record `user`'s absence, by themself or (`actor`) by their manager."""
    actor = actor or user
    if not may_record_for(actor, user):
        raise AbsenceProblem("Select someone in your team", "person")
    if ends_on < starts_on:
        raise AbsenceProblem("The last day away must be the same as or after the first day away", "ends_on")
    if ends_on < today:
        raise AbsenceProblem("The last day away must be today or in the future", "ends_on")
    if (ends_on - starts_on).days >= LONGEST_ABSENCE_DAYS:
        raise AbsenceProblem("An absence must be a year or shorter", "ends_on")
    absence = StaffAbsence(user_id=user.id, starts_on=starts_on, ends_on=ends_on)
    db.session.add(absence)
    db.session.flush()
    audit.record("absence-recorded", actor=actor, target=f"absence:{absence.id}",
                 detail=f"{user.name}: {starts_on.isoformat()} to {ends_on.isoformat()}")
    db.session.commit()
    return absence


def cancel(user: User, absence_id: int) -> bool:
    """Cancel one of this person's own absences, or (a manager) one of their team's. False if
    there is no such absence they may cancel."""
    absence = db.session.scalar(
        select(StaffAbsence).options(joinedload(StaffAbsence.user))
        .where(StaffAbsence.id == absence_id, StaffAbsence.cancelled_at.is_(None))
    )
    if absence is None or not may_record_for(user, absence.user):
        return False
    absence.cancelled_at = datetime.now(UTC)
    audit.record("absence-cancelled", actor=user, target=f"absence:{absence.id}")
    db.session.commit()
    return True
