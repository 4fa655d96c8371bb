"""The governance report page and its CSV download. Readers choose a period (a month, a quarter,
a financial year or a calendar year) and a team; the page shows every figure with how it is
counted, the teams side by side, the national picture and the 12-month trends."""

from __future__ import annotations

from flask import Response, current_app, render_template, request

from portal import charts
from portal.access import roles
from portal.conversations.reply_by import today_in_england
from portal.extensions import db
from portal.governance import document, lines, periods, report
from portal.models import Role
from portal.reports import bp

READERS = (Role.MANAGER, Role.BOARD)


def settings() -> report.Settings:
    config = current_app.config
    return report.Settings(
        la_code=config["COUNCIL_LA_CODE"],
        reply_target=config["REPLY_TARGET_WORKING_DAYS"],
        urgent_reply_target=config["URGENT_REPLY_TARGET_WORKING_DAYS"],
    )


def _team_id() -> int | None:
    text = request.args.get("team", "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def _chosen() -> tuple[report.Report, bool]:
    """The report asked for, and whether the period asked for was understood (else the last full month)."""
    today = today_in_england()
    asked = request.args.get("period", "")
    period = periods.parse(asked) if asked else None
    understood = period is not None or not asked
    if period is None or period.start > today:
        understood = understood and period is None
        period = periods.last_full_month(today)
    return report.build(db.session, period, today, settings(), _team_id()), understood


def charts_for(built: report.Report) -> list[dict]:
    made = []
    labels = [f"{m.label[:3]} {m.key[2:4]}" for m in built.months]
    for trend in document.trend_tables(built):
        if trend["kind"] == "rate":
            image = charts.data_uri("line", labels, trend["values"], maximum=100)
        else:
            image = charts.data_uri("bar", labels, trend["values"])
        shown = [v for v in trend["values"] if v is not None]
        told = "The table beside the chart gives each month’s figure." if shown else "No month has figures to show."
        summary = f"{trend['title']}, {built.months[0].label} to {built.months[-1].label}. {told}"
        made.append({**trend, "image": image, "summary": summary})
    return made


@bp.route("/")
@roles(*READERS)
def report_page():
    built, understood = _chosen()
    return render_template(
        "reports/report.html", report=built, understood=understood, charts=charts_for(built),
        national=document.national_rows(built), feedback_by_stage=lines.feedback_by_stage(built.figures),
        choices=[(p.key, periods.choice_label(p)) for p in periods.choices(built.today)],
        small=lines.SMALL,
    )


@bp.route("/report.csv")
@roles(*READERS)
def report_csv():
    built, _ = _chosen()
    team = f"-team-{built.team_id}" if built.team_id else ""
    filename = f"governance-report-{built.period.key}{team}.csv"
    return Response(
        document.csv_text(built), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
