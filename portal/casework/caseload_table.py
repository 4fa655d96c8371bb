"""The caseload's HTML that is costly to build in a template: the table of cases (GOV.UK
Frontend's table and tags, rendered by portal.components) and the filter form (GOV.UK Frontend's
form macros, rendered once for each set of values and then reused).

The filter form's HTML depends only on the values in the form (from the query string) and the
fixed choices: nothing about the person. A form with errors is always rendered afresh."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask import url_for
from markupsafe import Markup, escape

from portal import form_html
from portal.components.tag import tag

if TYPE_CHECKING:
    from portal.casework.caseload_pages import Deadline
    from portal.casework.forms import CaseloadFiltersForm
    from portal.casework.queries import CaseloadPage
    from portal.ehcp.models import Case

ORDERS = {
    "deadline": "nearest legal deadline first",
    "stage": "by stage, then nearest legal deadline",
    "received": "oldest request first",
}


def short_date(value: date) -> str:
    """Months cut short, as GOV.UK style allows in tables where space is tight ("Sept" has 4 letters)."""
    return f"{value.day} {'Sept' if value.month == 9 else value.strftime('%b')} {value.year}"


def _small_tag(text: str, colour: str) -> str:
    return tag({"text": text, "classes": f"govuk-tag--{colour} govuk-!-font-size-16"})


# The cells are f-strings of escaped parts: 25 rows of 6 cells, with up to 3 tags a row.


def _child_cell(case: Case, href: str) -> Markup:
    child = case.child
    html = (f'<a class="govuk-link" href="{escape(href)}">{escape(child.first_name)} {escape(child.last_name)}</a> '
            f'<span class="app-caseload__reference">{escape(case.reference)}</span>')
    if case.family_not_reached_since:
        # In the f-string (a str): adding a str to Markup would escape the str.
        html = f"{html}<br>{_small_tag('Family not reached', 'red')}"
    return Markup(html)  # noqa: S704 - every part is escaped


def _deadline_cell(case: Case, deadline: Deadline | None) -> Markup:
    if deadline is None:
        return Markup("None")
    label = f'<span class="govuk-!-display-block">{escape(deadline.label)}</span>'
    due = short_date(case.next_deadline_on)
    text = deadline.status.text
    if deadline.status.is_late:
        return Markup(f"{label}{due} {_small_tag(text, 'red')}")  # noqa: S704 - every part is escaped
    return Markup(f"{label}{due}, {escape(text[:1].lower() + text[1:])}")  # noqa: S704 - escaped


def _expected_cell(case: Case, deadline: Deadline | None) -> Markup:
    expected = short_date(case.expected_on) if case.expected_on else ""
    if deadline is not None and deadline.family_not_told_why:
        return Markup(f"{expected}{'<br>' if expected else ''}{_small_tag('Family not told why', 'orange')}")  # noqa: S704
    return Markup(expected or "Not set")  # noqa: S704 - a date or fixed words


def cases_table(result: CaseloadPage, deadlines: dict[int, Deadline | None], sort: str) -> dict:
    """govukTable's options for a page of cases."""
    sorted_by = sort if sort in ORDERS else "deadline"
    caption = f"Cases, {ORDERS[sorted_by]}"
    if result.pages > 1:
        caption += f" (page {result.page} of {result.pages})"

    def header(text: str, sort_name: str | None = None, classes: str = "") -> dict:
        cell: dict = {"text": text, "classes": classes}
        if sort_name is not None and sort_name == sorted_by:
            cell["attributes"] = {"aria-sort": "ascending"}
        return cell

    # One url_for for the page: each row's link differs only in the case id at its end.
    link = url_for("casework.case", case_id=1)[:-1]
    rows = []
    for case in result.cases:
        deadline = deadlines[case.id]
        rows.append([
            {"html": _child_cell(case, f"{link}{case.id}")},
            {"html": _small_tag(case.stage.label, case.stage.info.tag_colour)},
            {"text": short_date(case.request_received_on)},
            {"html": _deadline_cell(case, deadline)},
            {"html": _expected_cell(case, deadline)},
            {"text": case.caseworker.name if case.caseworker else "Not assigned"},
        ])
    return {
        "caption": caption,
        "captionClasses": "govuk-visually-hidden",
        "classes": "govuk-!-font-size-16 app-caseload",
        "head": [
            header("Child and reference"),
            header("Stage", "stage", "app-caseload__stage"),
            header("Received", "received"),
            header("Next legal deadline", "deadline", "govuk-!-width-one-third"),
            header("Expected date", classes="app-caseload__expected"),
            header("Caseworker"),
        ],
        "rows": rows,
    }


def filters_html(form: CaseloadFiltersForm) -> Markup:
    """The filter form for these values: rendered once, then reused (portal/form_html.py)."""
    return form_html.filters_html("casework/_caseload_filters.html", form)
