"""The case summary and what its task pages share. The summary says where the case stands, what
is due and what the family sees, with a link to each task on its own page (stage_pages.py and
task_pages.py). A task page is a GET (the form) and a POST to the same URL: one call to a use case
in portal.ehcp.services (one transaction), then a redirect to the summary with a success banner;
a problem shows the task page again with a GOV.UK error summary (400), and a change someone else
saved meanwhile says who made it (409). Nothing is saved in either case."""

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal import audit
from portal.access import CASE_STAFF, refuse_record, roles
from portal.casework import queries
from portal.casework.case_forms import ChangeStageForm
from portal.casework.forms import CaseForm, VersionedForm
from portal.casework.routes import bp
from portal.conversations.inbox_queries import case_conversations
from portal.ehcp import lateness, milestones, phase_transfer, services
from portal.ehcp.models import Case
from portal.ehcp.timeline import deadline_status
from portal.models import Role
from portal.notifications.status_words import london_date

LONDON = ZoneInfo("Europe/London")


def team_case_or_404(case_id: int) -> Case:
    case = queries.team_case(case_id, current_user.team_id)
    if case is None:
        refuse_record(f"case:{case_id}")
    return case


def _when(moment: datetime) -> str:
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(LONDON)
    return f"{local:%H:%M} on {local:%-d %B %Y}"


def where_it_stands(case: Case) -> dict:
    """What the summary and every task page show about the case: its next legal deadline and
    final plan deadline with their status, and whether the family is waiting to be told why it
    is late."""
    on = queries.today()
    milestone = milestones.next_milestone(case.dates)
    final_plan = milestones.final_plan_milestone(case.dates)
    return {
        "case": case,
        "milestone": milestone,
        "milestone_status": deadline_status(milestone.due_on, on) if milestone else None,
        "final_plan": final_plan,
        "final_plan_status": deadline_status(final_plan.due_on, on, met_on=case.first_final_plan_on),
        "late_without_reason": lateness.late_without_reason(
            case.next_deadline_on, case.expected_on, case.delay_reason, on
        ),
        "is_manager": current_user.role is Role.MANAGER,
        "today": on,
        "when": _when,
    }


def viewed(case: Case, html: str, status: int = 200):
    """Every view of a case by staff is written to the audit log, committed after the page is
    built (a commit expires what the page reads), without waiting for the disk."""
    audit.record("case-viewed", actor=current_user, target=f"case:{case.id}")
    audit.commit_without_waiting_for_disk()
    return html, status


def task_page(case: Case, template: str, form: CaseForm, status: int = 200, **context):
    """A task page: the form (as sent, with its errors, when `status` is not 200)."""
    return viewed(case, render_template(template, form=form, **where_it_stands(case), **context), status)


def _stale_page(case: Case, template: str, form: CaseForm, stale: services.StaleCase, **context):
    """Someone saved the case after this form was loaded: nothing was saved. Show the latest
    case, say who changed it, and keep what was typed (with the new version) to send again."""
    change = queries.last_change(case)
    if change is None and stale.last_change is not None and stale.last_change.changed_by is not None:
        change = queries.LastChange(stale.last_change.changed_by.name, stale.last_change.created_at)
    who = f"{change.by} changed this case at {_when(change.at)}" if change else "Someone else changed this case"
    for field in form:
        field.errors = []  # checked again when the form is sent again
    form.page_errors["case-details"] = [f"{who}. Check the latest details and make your change again."]
    if isinstance(form, VersionedForm):
        form.version.data = case.version
    if isinstance(form, ChangeStageForm):
        form.offer(case)
    return task_page(case, template, form, 409, **context)


def save(case: Case, template: str, form: CaseForm, use_case: Callable[[], object], message: Callable[[], str],
         **context):
    """Validate, call the use case, and redirect to the summary with a success banner; or show the
    task page again with the problems (400) or with who changed the case meanwhile (409)."""
    valid = form.validate_on_submit()
    if isinstance(form, VersionedForm):
        if form.version.errors:
            abort(400)  # not something a person can fix: the page was not sent as it was given
        if form.expected_version != case.version:
            # Overtaken: say so first, whatever else is wrong (the stage chosen may no longer be offered).
            return _stale_page(case, template, form, services.StaleCase(case, None), **context)
    if valid:
        try:
            use_case()
        except services.CaseProblem as problem:
            form.add_problem(str(problem), problem.field)
        except services.StaleCase as stale:
            return _stale_page(case, template, form, stale, **context)
        else:
            flash(message(), "success")
            return redirect(url_for("casework.case", case_id=case.id))
    return task_page(case, template, form, 400, **context)


@bp.route("/cases/<int:case_id>")
@roles(*CASE_STAFF)
def case(case_id: int):
    """The summary: where the case stands, what is due, what the family sees, the messages with
    the family, the emails to the family, the history, advice, exceptions, phase transfers and
    staff notes, and a link to each task."""
    case, transfers, request = queries.team_case_with_transfers(case_id, current_user.team_id)
    if case is None:
        refuse_record(f"case:{case_id}")
    on = queries.today()
    advice = [
        (item, deadline_status(item.due_on, on, met_on=item.received_on)) for item in queries.advice_requests(case.id)
    ]
    emails, more_emails = queries.family_emails(case.id)
    html = render_template(
        "casework/case.html",
        **where_it_stands(case),
        request=request,
        family_dates=milestones.family_dates(case.dates),
        history=queries.stage_history(case.id),
        advice=advice,
        outstanding=[(item, status) for item, status in advice if item.received_on is None],
        exceptions=queries.timeline_exceptions(case.id),
        notes=queries.staff_notes(case.id),
        emails=emails,
        more_emails=more_emails,
        to_correct=next((email for email in emails if email.failed_for_good and not email.resent and email.name), None),
        not_reached_on=london_date(case.family_not_reached_since) if case.family_not_reached_since else None,
        conversations=case_conversations(case.id),
        transfers=[
            (transfer, deadline_status(transfer.amend_by, on, met_on=transfer.amended_on))
            for transfer in transfers
        ],
        has_plan=case.stage in phase_transfer.WITH_A_PLAN,
    )
    return viewed(case, html)
