"""The governance report for one period: every figure (one UNION ALL statement), the trends
over the 12 months to the period's end (one more), the teams, and the national picture. Plain
Python over the database session: no Flask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, text

from portal.governance import communication, lines, rows, timeliness, trends
from portal.governance.national import NationalPicture, national_picture
from portal.governance.periods import Period, month, months_ending
from portal.governance.rows import Figures
from portal.models import Team


@dataclass(frozen=True)
class Settings:
    la_code: str = "000"
    reply_target: int = 10
    urgent_reply_target: int = 2


@dataclass(frozen=True)
class Report:
    period: Period
    today: date
    teams: list[tuple[int, str]]
    team_id: int | None  # the team the trends are for, or None for the whole service
    figures: Figures
    trend: Figures
    months: list[Period]
    national: NationalPicture

    @property
    def team_name(self) -> str | None:
        return dict(self.teams).get(self.team_id)

    def sections(self) -> list[tuple[lines.Section, list[lines.Shown]]]:
        """The sections, each line shown for the team chosen (or the service); a section counted
        only for the whole service shows the service's figures in a team's report too."""
        return [(section, [lines.show(line, self.figures, None if section.service_wide else self.team_id)
                           for line in section.lines])
                for section in lines.SECTIONS]

    def by_team(self) -> list[tuple[str, list[lines.Shown]]]:
        """The headline figures for each team, then for the whole service."""
        named = [*self.teams, (None, "All teams")]
        return [(name, [lines.show(line, self.figures, team_id) for line in lines.BY_TEAM])
                for team_id, name in named]


def build(session, period: Period, today: date, settings: Settings, team_id: int | None = None) -> Report:
    """The report: 3 SQL statements (the teams, the figures, the trends; on PostgreSQL one more,
    to turn JIT off) whatever the data size."""
    if session.get_bind().dialect.name == "postgresql":
        # PostgreSQL's JIT compiler spends longer compiling the report's one large statement than
        # running it (about 350 of 680 ms for a year on 100,000 cases): off for this transaction.
        session.execute(text("SET LOCAL jit = off"))
    teams = [(row.id, row.name) for row in session.execute(select(Team.id, Team.name).order_by(Team.name))]
    if team_id is not None and team_id not in dict(teams):
        team_id = None
    figures = rows.run(session, [
        *timeliness.selects(period, today),
        *communication.selects(period, today, settings.reply_target, settings.urgent_reply_target),
    ])
    last = month(period.end.year, period.end.month) if period.end <= today else month(today.year, today.month)
    months = months_ending(last, 12)
    trend = rows.run(session, trends.selects(months, team_id))
    return Report(period, today, teams, team_id, figures, trend, months,
                  national_picture(period.calendar_year, settings.la_code))
