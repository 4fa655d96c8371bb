"""The case page and its updates. Each update is one form posting to its own endpoint, one call
to a use case in portal.ehcp.services (one transaction), then a redirect back to the case with a
success banner; a problem shows the case page again with a GOV.UK error summary (400), and a
change someone else saved meanwhile shows who made it (409). Nothing is saved in either case."""

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal import audit
from portal.access import CASE_STAFF, refuse_record, roles
from portal.casework import queries
from portal.casework.forms import (
    AdviceReceivedForm,
    CaseForm,
    ChangeStageForm,
    ExpectedDateForm,
    ReassignForm,
    RecordExceptionForm,
    RequestAdviceForm,
    ReviewDatesForm,
    StaffNoteForm,
    VersionedForm,
)
from portal.casework.routes import bp
from portal.ehcp import milestones, services
from portal.ehcp.models import AdviceProvider, AdviceRequest, Case
from portal.ehcp.stages import Stage
from portal.ehcp.timeline import ExceptionType, deadline_status
from portal.extensions import db
from portal.models import Role, User

LONDON = ZoneInfo("Europe/London")


# --- A case -----------------------------------------------------------------------------------


def team_case_or_404(case_id: int) -> Case:
    case = queries.team_case(case_id, current_user.team_id)
    if case is None:
        refuse_record(f"case:{case_id}")
    return case


def _case_forms(case: Case, staff: list[User], advice: list[AdviceRequest]) -> dict[str, CaseForm]:
    """Every form on the case page, empty or showing the case's current values."""
    forms: dict[str, CaseForm] = {
        "stage": ChangeStageForm(formdata=None, version=case.version).offer(case),
        "expected": ExpectedDateForm(
            formdata=None, version=case.version, expected_on=case.expected_on, delay_reason=case.delay_reason
        ),
        "review": ReviewDatesForm(
            formdata=None,
            version=case.version,
            review_meeting_on=case.review_meeting_on,
            amendments_proposed_on=case.amendments_proposed_on,
        ),
        "exception": RecordExceptionForm(formdata=None, version=case.version),
        "advice": RequestAdviceForm(formdata=None),
        "note": StaffNoteForm(formdata=None),
        "reassign": ReassignForm(
            formdata=None, version=case.version, caseworker=str(case.caseworker_id or "")
        ).offer(staff),
    }
    for request_ in advice:
        if request_.received_on is None:
            forms[f"received-{request_.id}"] = AdviceReceivedForm(
                formdata=None, prefix=f"received-{request_.id}", version=case.version
            )
    return forms


def case_page(case: Case, posted: tuple[str, CaseForm] | None = None, status: int = 200, staff=None):
    """The case page; with `posted`, that form as it was sent, with its errors. Every view of a
    case by staff is written to the audit log, committed after the page is built."""
    on = queries.today()
    is_manager = current_user.role is Role.MANAGER
    if staff is None:
        staff = queries.assignable_staff(case.team_id) if is_manager else []
    advice = queries.advice_requests(case.id)
    forms = _case_forms(case, staff, advice)
    if posted is not None:
        forms[posted[0]] = posted[1]
    milestone = milestones.next_milestone(case.dates)
    final_plan = milestones.final_plan_milestone(case.dates)
    html = render_template(
        "casework/case.html",
        case=case,
        milestone=milestone,
        milestone_status=deadline_status(milestone.due_on, on) if milestone else None,
        final_plan=final_plan,
        final_plan_status=deadline_status(final_plan.due_on, on, met_on=case.first_final_plan_on),
        history=queries.stage_history(case.id),
        advice=[(item, deadline_status(item.due_on, on, met_on=item.received_on)) for item in advice],
        exceptions=queries.timeline_exceptions(case.id),
        notes=queries.staff_notes(case.id),
        forms=forms,
        open_form=posted[0] if posted else None,
        is_manager=is_manager,
        when=_when,
        **({"form": posted[1]} if posted else {}),
    )
    audit.record("case-viewed", actor=current_user, target=f"case:{case.id}")
    db.session.commit()
    return html, status


def _when(moment: datetime) -> str:
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(LONDON)
    return f"{local:%H:%M} on {local:%-d %B %Y}"


def _stale_page(case: Case, name: str, form: CaseForm, stale: services.StaleCase, staff=None):
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
    return case_page(case, (name, form), 409, staff)


def _save(case: Case, name: str, form: CaseForm, use_case: Callable[[], object], message: Callable[[], str],
          staff=None):
    """Validate, call the use case, and redirect to the case with a success banner; or show the
    case page again with the problems (400) or with who changed the case meanwhile (409)."""
    valid = form.validate_on_submit()
    if isinstance(form, VersionedForm):
        if form.version.errors:
            abort(400)  # not something a person can fix: the page was not sent as it was given
        if form.expected_version != case.version:
            # Overtaken: say so first, whatever else is wrong (the stage chosen may no longer be offered).
            return _stale_page(case, name, form, services.StaleCase(case, None), staff)
    if valid:
        try:
            use_case()
        except services.CaseProblem as problem:
            form.add_problem(str(problem), problem.field)
        except services.StaleCase as stale:
            return _stale_page(case, name, form, stale, staff)
        else:
            flash(message(), "success")
            return redirect(url_for("casework.case", case_id=case.id))
    return case_page(case, (name, form), 400, staff)


@bp.route("/cases/<int:case_id>")
@roles(*CASE_STAFF)
def case(case_id: int):
    return case_page(team_case_or_404(case_id))


@bp.post("/cases/<int:case_id>/stage")
@roles(*CASE_STAFF)
def change_stage(case_id: int):
    case = team_case_or_404(case_id)
    form = ChangeStageForm().offer(case)

    def use_case():
        update = services.StageUpdate(
            Stage(form.to_stage.data),
            form.effective_on.data,
            family_note=form.family_note.data or None,
            staff_note=form.staff_note.data or None,
        )
        services.change_stage(case, current_user, update, form.expected_version, queries.today())

    return _save(case, "stage", form, use_case, lambda: f"Stage updated to ‘{case.stage.label}’")


@bp.post("/cases/<int:case_id>/expected-date")
@roles(*CASE_STAFF)
def expected_date(case_id: int):
    case = team_case_or_404(case_id)
    form = ExpectedDateForm()
    return _save(
        case, "expected", form,
        lambda: services.set_expected_date(
            case, current_user, form.expected_on.data, form.delay_reason.data, form.expected_version
        ),
        lambda: "Expected date saved" if case.expected_on else "Expected date removed",
    )


@bp.post("/cases/<int:case_id>/review-dates")
@roles(*CASE_STAFF)
def review_dates(case_id: int):
    case = team_case_or_404(case_id)
    form = ReviewDatesForm()
    return _save(
        case, "review", form,
        lambda: services.set_review_dates(
            case, current_user, form.review_meeting_on.data, form.amendments_proposed_on.data,
            form.expected_version, queries.today(),
        ),
        lambda: "Review dates saved",
    )


@bp.post("/cases/<int:case_id>/exceptions")
@roles(*CASE_STAFF)
def record_exception(case_id: int):
    case = team_case_or_404(case_id)
    form = RecordExceptionForm()
    return _save(
        case, "exception", form,
        lambda: services.record_exception(
            case, current_user, ExceptionType(form.exception_type.data), form.reason.data,
            form.applies_from.data, queries.today(), form.expected_version, form.staff_note.data,
        ),
        lambda: "Exception recorded",
    )


@bp.post("/cases/<int:case_id>/advice")
@roles(*CASE_STAFF)
def request_advice(case_id: int):
    case = team_case_or_404(case_id)
    form = RequestAdviceForm()
    return _save(
        case, "advice", form,
        lambda: services.request_advice(
            case, current_user, AdviceProvider(form.provider.data), form.requested_on.data, queries.today()
        ),
        lambda: "Advice request recorded",
    )


@bp.post("/cases/<int:case_id>/advice/<int:advice_id>/received")
@roles(*CASE_STAFF)
def advice_received(case_id: int, advice_id: int):
    case = team_case_or_404(case_id)
    advice = queries.case_advice(case.id, advice_id)
    if advice is None:
        abort(404)
    name = f"received-{advice.id}"
    form = AdviceReceivedForm(prefix=name)
    return _save(
        case, name, form,
        lambda: services.advice_received(
            case, advice, current_user, form.received_on.data, queries.today(), form.expected_version
        ),
        lambda: f"Advice from {advice.provider.label.lower()} marked as received",
    )


@bp.post("/cases/<int:case_id>/notes")
@roles(*CASE_STAFF)
def add_note(case_id: int):
    case = team_case_or_404(case_id)
    form = StaffNoteForm()
    return _save(
        case, "note", form, lambda: services.add_note(case, current_user, form.text.data), lambda: "Note added"
    )


@bp.post("/cases/<int:case_id>/caseworker")
@roles(Role.MANAGER)
def reassign(case_id: int):
    case = team_case_or_404(case_id)
    staff = queries.assignable_staff(case.team_id)
    form = ReassignForm().offer(staff)
    chosen = next((user for user in staff if str(user.id) == form.caseworker.data), None)
    return _save(
        case, "reassign", form,
        lambda: services.reassign(case, current_user, chosen, form.expected_version),
        lambda: f"Case assigned to {chosen.name}" if chosen else "Case is not assigned to anyone",
        staff,
    )
