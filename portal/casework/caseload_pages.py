"""The team's caseload: counts of the cases that need attention, filters, a sort and a page of
cases. Reads are in queries.py; the table and the filter form's HTML in caseload_table.py."""

from dataclasses import dataclass
from datetime import date

from flask import abort, render_template, request
from flask_login import current_user

from portal import audit
from portal.access import CASE_STAFF, roles
from portal.casework import caseload_table, queries
from portal.casework.forms import CaseloadFiltersForm
from portal.casework.routes import PAGE_SIZE, bp
from portal.ehcp.lateness import late_without_reason
from portal.ehcp.milestones import next_milestone
from portal.ehcp.models import Case
from portal.ehcp.stages import Stage
from portal.ehcp.timeline import DeadlineStatus, deadline_status
from portal.pagination import page_number, pagination_params

CHECKBOXES = ("mine", "unassigned", "overdue", "late_without_reason", "due_soon", "not_reached", "excepted", "closed")


def _filters(form: CaseloadFiltersForm) -> queries.CaseloadFilters:
    return queries.CaseloadFilters(
        stage=Stage(form.stage.data) if form.stage.data else None,
        mine=form.mine.data,
        unassigned=form.unassigned.data,
        overdue=form.overdue.data,
        late_without_reason=form.late_without_reason.data,
        due_soon=form.due_soon.data,
        excepted=form.excepted.data,
        not_reached=form.not_reached.data,
        include_closed=form.closed.data,
        search=form.q.data or "",
        sort=form.sort.data or queries.SORTS[0],
    )


def _filter_args(form: CaseloadFiltersForm) -> dict[str, str]:
    """The filters and sort as query string values, for the pagination links."""
    args = {name: "y" for name in CHECKBOXES if form[name].data}
    for name in ("q", "stage", "sort"):
        if form[name].data and form[name].data != form[name].default:
            args[name] = form[name].data
    return args


@dataclass(frozen=True)
class Deadline:
    """A case's next legal deadline as the caseload shows it."""

    label: str
    status: DeadlineStatus
    family_not_told_why: bool


def _deadline(case: Case, on: date) -> Deadline | None:
    """From the columns already loaded: no query per row."""
    if case.next_deadline_on is None:
        return None
    milestone = next_milestone(case.dates)
    return Deadline(
        label=milestone.label if milestone is not None and milestone.council_owns else "Legal deadline",
        status=deadline_status(case.next_deadline_on, on),
        family_not_told_why=late_without_reason(case.next_deadline_on, case.expected_on, case.delay_reason, on),
    )



@bp.route("/")
@roles(*CASE_STAFF)
def caseload():
    form = CaseloadFiltersForm(request.args)
    page = page_number()
    on = queries.today()
    counts = queries.team_counts(current_user.team_id, on)
    if not form.validate():
        return render_template(
            "casework/caseload.html", form=form, result=None, counts=counts,
            filters_html=caseload_table.filters_html(form),
        ), 400
    result = queries.caseload(current_user.team_id, current_user.id, _filters(form), on, page, PAGE_SIZE)
    if page > result.pages:
        abort(404)
    deadlines = {case.id: _deadline(case, on) for case in result.cases}
    html = render_template(
        "casework/caseload.html",
        form=form,
        result=result,
        counts=counts,
        filters_html=caseload_table.filters_html(form),
        table=caseload_table.cases_table(result, deadlines, form.sort.data),
        pagination=pagination_params(
            result.page, result.pages, "casework.caseload", _filter_args(form), "Pages of cases"
        ),
    )
    if form.q.data:
        # After the page is built: a commit expires what the page reads.
        audit.record("caseload-searched", actor=current_user, target=f"team:{current_user.team_id}", detail=form.q.data)
        audit.commit_without_waiting_for_disk()
    return html

