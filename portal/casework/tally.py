"""The caseload's team counts kept up to date on PostgreSQL: `caseload_tally` holds, for each
team, how many open cases share a next deadline, a "told until" date (the expected date, when
the family was also given a reason) and the unassigned, exception and not-reached flags. A
trigger on `ehc_case` (migration 0010) changes it in the same transaction as every insert,
update and delete of a case, however it is made (the ORM, a Core UPDATE, a bulk load), so the
counts are exact. Reading them sums a few hundred rows a team, whatever its size, where counting
the cases reads every open case of the team.

SQLite has no trigger here: the counts are read from the cases (portal.casework.queries).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, func, not_, or_, select

from portal.ehcp.models import caseload_tally
from portal.extensions import db

DUE_SOON_DAYS = 14


def counts(team_id: int, on: date) -> tuple[int, int, int, int, int, int]:
    """Late, late without a reason, due soon, unassigned, excepted, not reached: one query."""
    t = caseload_tally.c
    late = t.next_deadline_on < on
    told_why = and_(t.told_until.is_not(None), t.told_until >= on)

    def total(condition) -> object:
        return func.coalesce(func.sum(t.cases).filter(condition), 0)

    row = db.session.execute(
        select(
            total(late),
            total(and_(late, or_(t.told_until.is_(None), not_(told_why)))),
            total(t.next_deadline_on.between(on, on + timedelta(days=DUE_SOON_DAYS))),
            total(t.unassigned.is_(True)),
            total(t.excepted.is_(True)),
            total(t.not_reached.is_(True)),
        ).where(t.team_id == team_id)
    ).one()
    return tuple(int(value) for value in row)  # type: ignore[return-value]
