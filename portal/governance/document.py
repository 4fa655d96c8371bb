"""The report as CSV: every line of every section, the teams side by side, the national
picture and the trends, with the small-number rule applied as on the page. Plain Python."""

from __future__ import annotations

import csv
import io

from portal.coproduction.export import BOM, neutralise
from portal.governance import lines
from portal.governance.report import Report

HEADER = ("Period", "Team", "Section", "Measure", "Number", "Out of", "Rate")


def national_rows(report: Report) -> list[tuple[str, str, str]]:
    """(area, % within 20 weeks excluding exceptions, including) for the national picture."""
    picture = report.national
    found = []
    for area in (picture.england, picture.region, picture.local_authority):
        if area is not None:
            found.append((area.area, _pc(area.within_20_weeks_ex_pc), _pc(area.within_20_weeks_pc)))
    return found


def _pc(value) -> str:
    return lines.NO_DATA if value is None else f"{value}%"


def csv_text(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(HEADER)
    team = report.team_name or "All teams"

    def row(*cells: object) -> None:
        writer.writerow([neutralise(cell) for cell in cells])

    for section, shown in report.sections():
        for line in shown:
            row(report.period.label, team, section.title, line.label, line.number, line.out_of, line.rate)
    for name, shown in report.by_team():
        for line in shown:
            row(report.period.label, name, "By team", line.label, line.number, line.out_of, line.rate)
    year = f"{report.national.year}"
    for area, ex, incl in national_rows(report):
        row(year, area, "National picture (published)", "New plans issued within 20 weeks, excluding exceptions",
            "", "", ex)
        row(year, area, "National picture (published)", "New plans issued within 20 weeks, including exceptions",
            "", "", incl)
    for trend in trend_tables(report):
        for label, number, out_of, rate in trend["rows"]:
            row(label, team, "Trends", trend["title"], number, out_of, rate)
    return buffer.getvalue()


def trend_tables(report: Report) -> list[dict]:
    """The three trends, month by month, as text after the small-number rule, with the values
    for the charts (None where not shown)."""
    plans, replies, late = [], [], []
    for month in report.months:
        shown = lines.show(lines.Line(month.label, "trend-plans", month.key), report.trend, report.team_id)
        plans.append((month.label, shown.number, shown.out_of, shown.rate, shown.rate_value))
        base = report.trend.get("trend-first-reply", report.team_id, month.key).numerator
        median = report.trend.get("trend-first-reply", report.team_id, month.key).value
        if not base or median is None:
            text, value = lines.NO_DATA, None
        elif base < lines.SMALL:
            text, value = lines.FEWER, None
        else:
            text, value = f"{median:g}", median
        replies.append((month.label, text, lines.count_text(base) if base else "", "", value))
        count = report.trend.get("trend-past-deadline", report.team_id, month.key).numerator or 0
        late.append((month.label, lines.count_text(count), "", "", None if 0 < count < lines.SMALL else count))
    return [
        {"id": "plans", "title": "New plans issued within 20 weeks, excluding exceptions, by month",
         "columns": ("Month", "Within 20 weeks", "New plans", "Rate"), "kind": "rate",
         "rows": [r[:4] for r in plans], "values": [r[4] for r in plans]},
        {"id": "replies", "title": "Median working days to the council’s first reply, by month",
         "columns": ("Month", "Median working days", "First replies", ""), "kind": "days",
         "rows": [r[:4] for r in replies], "values": [r[4] for r in replies]},
        {"id": "late", "title": "New assessments past a legal deadline at each month end",
         "columns": ("Month", "Cases", "", ""), "kind": "count",
         "rows": [r[:4] for r in late], "values": [r[4] for r in late]},
    ]
