"""One shape for every figure of the governance report, so that the whole report is a few SQL
statements (a page may make at most 10): each figure's SELECT gives rows of

    figure       a name, such as "plans-issued"
    team_id      the team, or NULL for the whole service
    part         a breakdown ("within-20-weeks", a stage, an exception type), or NULL
    numerator    a count (or NULL)
    denominator  the count it is out of (or NULL)
    value        a measure that is not a count (an average, a median, a percentile), or NULL

and the report joins the SELECTs with UNION ALL and runs them as one statement.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Float, Integer, Select, String, cast, literal, null, union_all

COLUMNS = ("figure", "team_id", "part", "numerator", "denominator", "value")


def shaped(figure: str, team_id=None, part=None, numerator=None, denominator=None, value=None) -> list:
    """The columns of one figure's SELECT, cast to the shared types and labelled. Pass SQL
    expressions (or None for NULL); `part` may be a plain string."""

    def column(expression, kind, name):
        if expression is None:
            expression = null()
        elif isinstance(expression, str | int | float):
            expression = literal(expression)
        return cast(expression, kind).label(name)

    return [
        cast(literal(figure), String).label("figure"),
        column(team_id, Integer, "team_id"),
        column(part, String, "part"),
        column(numerator, Integer, "numerator"),
        column(denominator, Integer, "denominator"),
        column(value, Float, "value"),
    ]


@dataclass(frozen=True)
class Figure:
    numerator: int | None = None
    denominator: int | None = None
    value: float | None = None


class Figures:
    """The rows of the report, looked up by (figure, team_id, part)."""

    def __init__(self, rows) -> None:
        self._rows: dict[tuple[str, int | None, str | None], Figure] = {}
        for figure, team_id, part, numerator, denominator, value in rows:
            self._rows[(figure, team_id, part)] = Figure(numerator, denominator, value)

    def get(self, figure: str, team_id: int | None = None, part: str | None = None) -> Figure:
        """The figure, or an empty Figure (all None) when no row was made: no data."""
        return self._rows.get((figure, team_id, part), Figure())

    def parts(self, figure: str, team_id: int | None = None) -> dict[str, Figure]:
        return {key[2]: row for key, row in self._rows.items() if key[0] == figure and key[1] == team_id and key[2]}

    def __len__(self) -> int:
        return len(self._rows)


def run(session, selects: list[Select]) -> Figures:
    """Run the figures' SELECTs as one UNION ALL statement."""
    if not selects:
        return Figures([])
    statement = union_all(*selects) if len(selects) > 1 else selects[0]
    return Figures(session.execute(statement).all())
