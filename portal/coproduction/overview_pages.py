"""The overview: responses and average satisfaction by month for the last 12 months, and by stage
with the share dissatisfied. Each chart is a figure with a headline, a text summary (the image's
alt text) and a table of the same numbers."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template

from portal import charts
from portal.access import roles
from portal.conversations.reply_by import today_in_england
from portal.coproduction import bp, figures, queries
from portal.coproduction.figures import Group
from portal.models import Role


@dataclass(frozen=True)
class Chart:
    id: str
    headline: str
    summary: str
    image: str
    table: dict


def _table(caption: str, first: str, groups: list[Group], columns: tuple[str, ...]) -> dict:
    heads = {"responses": "Responses", "average": "Average satisfaction (1 to 5)", "share": "Dissatisfied"}
    values = {"responses": lambda g: g.responses_text, "average": lambda g: g.average_text,
              "share": lambda g: g.share_text}
    return {
        "caption": caption,
        "captionClasses": "govuk-table__caption--s",
        "firstCellIsHeader": True,
        "head": [{"text": first}, *({"text": heads[c], "format": "numeric"} for c in columns)],
        "rows": [[{"text": g.label}, *({"text": values[c](g), "format": "numeric"} for c in columns)]
                 for g in groups],
    }


def _short(label: str) -> str:
    """"Oct 2026" from "October 2026", for the chart's axis."""
    month, year = label.split(" ")
    return f"{month[:3]} {year}"


def _charts(months: list[Group], stages: list[Group]) -> list[Chart]:
    month_labels = [_short(g.label) for g in months]
    complete = months[:-1]  # the headlines compare whole months: this one has only begun
    return [
        Chart("responses", figures.responses_headline(complete), figures.responses_summary(months),
              charts.data_uri("bar", month_labels, [g.responses if g.shown else None for g in months]),
              _table("Responses by month", "Month", months, ("responses",))),
        Chart("satisfaction", figures.satisfaction_headline(complete), figures.satisfaction_summary(months),
              charts.data_uri("line", month_labels, [g.average for g in months], maximum=5),
              _table("Average satisfaction by month", "Month", months, ("responses", "average"))),
        Chart("dissatisfied", figures.dissatisfied_headline(stages), figures.dissatisfied_summary(stages),
              charts.data_uri("horizontal", [g.label for g in stages], [g.share_dissatisfied for g in stages],
                              maximum=100),
              _table("Satisfaction by stage", "Stage", stages, ("responses", "average", "share"))),
    ]


@bp.route("/")
@roles(Role.COPRODUCTION)
def overview():
    this_month = today_in_england().replace(day=1)
    months = queries.by_month(this_month)
    stages = queries.by_stage(this_month)
    total = figures.count_text(sum(g.responses for g in months))
    return render_template(
        "coproduction/overview.html", charts=_charts(months, stages), total=total,
        period=f"{months[0].label} to {months[-1].label}", small_number=figures.SMALL_NUMBER,
    )
