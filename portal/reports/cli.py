"""`flask report monthly`: the governance report for a month as CSV or as an HTML board paper,
for a scheduled job (for example on the 1st of each month for the month before)."""

from __future__ import annotations

import click
from flask import current_app, render_template
from flask.cli import AppGroup

from portal.conversations.reply_by import today_in_england
from portal.extensions import db
from portal.governance import document, lines, periods, report

reports = AppGroup("report", help="The governance report for managers and the oversight board.")


@reports.command("monthly")
@click.option("--month", "month_key", help="The month, as 2026-10. The default is the last full month.")
@click.option("--format", "kind", type=click.Choice(["csv", "html"]), default="html", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default="-",
              help="The file to write. The default is the screen.")
def monthly(month_key: str | None, kind: str, output: str) -> None:
    """Write the governance report for one month."""
    today = today_in_england()
    period = periods.parse(month_key) if month_key else periods.last_full_month(today)
    if period is None or period.kind != "month":
        raise click.BadParameter("Enter a month as a year and month, for example 2026-10", param_hint="--month")
    if period.start > today:
        raise click.BadParameter(f"{period.label} has not started yet", param_hint="--month")
    # Imported here: the page module's settings come with the blueprint.
    from portal.reports.report_pages import settings

    built = report.build(db.session, period, today, settings())
    if kind == "csv":
        text = document.csv_text(built)
    else:
        from portal.reports.report_pages import charts_for

        with current_app.test_request_context():
            text = render_template(
                "reports/document.html", report=built, charts=charts_for(built),
                national=document.national_rows(built), feedback_by_stage=lines.feedback_by_stage(built.figures),
                small=lines.SMALL,
            )
    with click.open_file(output, "w", encoding="utf-8") as out:
        out.write(text)
    if output != "-":
        click.echo(f"Wrote the governance report for {period.label} to {output}")
