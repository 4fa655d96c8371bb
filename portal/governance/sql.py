"""SQL helpers for the governance report's figures, the same on SQLite and PostgreSQL: day
arithmetic on dates, a period's range, counting, and a figure's rows per team and for the service."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Integer, Select, and_, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from portal.governance.rows import shaped


class days_between(FunctionElement):  # named like the SQL function it stands for
    """The whole days from `earlier` to `later` (two dates): `days_between(later, earlier)`.
    PostgreSQL subtracts the dates; SQLite, which stores dates as text, subtracts their Julian
    day numbers. The same day gives 0; the next day 1."""

    type = Integer()
    name = "days_between"
    inherit_cache = True


@compiles(days_between)
def _days_between(element, compiler, **kw) -> str:
    # CAST so that a bound date (such as today) is a date too: date - date is a number of days.
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(CAST({later} AS DATE) - CAST({earlier} AS DATE))"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def during(column, period) -> ColumnElement[bool]:
    """`column` falls in the period: the half-open range [start, after_end)."""
    return and_(column >= period.start, column < period.after_end)


def counted(condition) -> ColumnElement[int]:
    """How many rows meet `condition`: 0, not NULL, when there are none."""
    return func.count(case((condition, 1)))


def per_team_and_service(
    figure: str, source, part=None, *, numerator=None, denominator=None, value=None, where=None
) -> list[Select]:
    """The figure's two SELECTs over `source` (a CTE or subquery with a team_id column): a row
    for each team that has rows, and a row for the whole service (team_id NULL). `part` is a
    string, or a column of `source` to break the figure down by (then one row per team and part,
    and one per part for the service). The aggregates are SQL expressions over `source`'s
    columns; `where` picks the rows they count. A service row of counts is made even when
    there is nothing to count (numerator 0, denominator 0): the page shows "no data"."""
    made = []
    for team_id in (source.c.team_id, None):
        keys = [key for key in (team_id, part) if key is not None and not isinstance(key, str)]
        statement = select(*shaped(figure, team_id, part, numerator, denominator, value)).select_from(source)
        if where is not None:
            statement = statement.where(where)
        made.append(statement.group_by(*keys) if keys else statement)
    return made
