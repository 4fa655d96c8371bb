"""The case's other task pages: annual review dates, an exception to the time limits, asking for
advice and marking it received, a staff note and (managers only) assigning the case. Each is a
GET (the form) and a POST to the same URL; see case_pages.py."""

from flask import abort, request
from flask_login import current_user

from portal.access import CASE_STAFF, roles
from portal.casework import queries
from portal.casework.case_forms import (
    AdviceReceivedForm,
    ReassignForm,
    RecordExceptionForm,
    RequestAdviceForm,
    ReviewDatesForm,
    StaffNoteForm,
)
from portal.casework.case_pages import save, task_page, team_case_or_404
from portal.casework.routes import bp
from portal.ehcp import services
from portal.ehcp.models import AdviceProvider
from portal.ehcp.timeline import ExceptionType
from portal.models import Role

GET_AND_POST = ["GET", "POST"]


@bp.route("/cases/<int:case_id>/review-dates", methods=GET_AND_POST)
@roles(*CASE_STAFF)
def review_dates(case_id: int):
    case = team_case_or_404(case_id)
    on = queries.today()
    template = "casework/review_dates.html"
    if request.method == "GET":
        form = ReviewDatesForm(
            formdata=None, version=case.version, review_meeting_on=case.review_meeting_on,
            amendments_proposed_on=case.amendments_proposed_on, today=on,
        )
        return task_page(case, template, form)
    form = ReviewDatesForm(today=on)
    return save(
        case, template, form,
        lambda: services.set_review_dates(
            case, current_user, form.review_meeting_on.data, form.amendments_proposed_on.data,
            form.expected_version, on,
        ),
        lambda: "Review dates saved",
    )


@bp.route("/cases/<int:case_id>/exceptions", methods=GET_AND_POST)
@roles(*CASE_STAFF)
def record_exception(case_id: int):
    case = team_case_or_404(case_id)
    on = queries.today()
    template = "casework/record_exception.html"
    if request.method == "GET":
        return task_page(case, template, RecordExceptionForm(formdata=None, version=case.version, today=on))
    form = RecordExceptionForm(today=on)
    return save(
        case, template, form,
        lambda: services.record_exception(
            case, current_user, ExceptionType(form.exception_type.data), form.reason.data,
            form.applies_from.data, on, form.expected_version, form.staff_note.data,
        ),
        lambda: "Exception recorded",
    )


@bp.route("/cases/<int:case_id>/advice", methods=GET_AND_POST)
@roles(*CASE_STAFF)
def request_advice(case_id: int):
    case = team_case_or_404(case_id)
    on = queries.today()
    template = "casework/request_advice.html"
    outstanding = [item for item in queries.advice_requests(case.id) if item.received_on is None]
    if request.method == "GET":
        return task_page(case, template, RequestAdviceForm(formdata=None, today=on), outstanding=outstanding)
    form = RequestAdviceForm(today=on)
    return save(
        case, template, form,
        lambda: services.request_advice(
            case, current_user, AdviceProvider(form.provider.data), form.requested_on.data, on
        ),
        lambda: "Advice request recorded",
        outstanding=outstanding,
    )


@bp.route("/cases/<int:case_id>/advice/<int:advice_id>/received", methods=GET_AND_POST)
@roles(*CASE_STAFF)
def advice_received(case_id: int, advice_id: int):
    case = team_case_or_404(case_id)
    advice = queries.case_advice(case.id, advice_id)
    if advice is None:
        abort(404)
    on = queries.today()
    template = "casework/advice_received.html"
    prefix = f"received-{advice.id}"
    if request.method == "GET":
        form = AdviceReceivedForm(formdata=None, prefix=prefix, version=case.version, today=on)
        return task_page(case, template, form, advice=advice)
    form = AdviceReceivedForm(prefix=prefix, today=on)
    return save(
        case, template, form,
        lambda: services.advice_received(case, advice, current_user, form.received_on.data, on, form.expected_version),
        lambda: f"Advice from {advice.provider.label.lower()} marked as received",
        advice=advice,
    )


@bp.route("/cases/<int:case_id>/notes", methods=GET_AND_POST)
@roles(*CASE_STAFF)
def add_note(case_id: int):
    case = team_case_or_404(case_id)
    template = "casework/add_note.html"
    if request.method == "GET":
        return task_page(case, template, StaffNoteForm(formdata=None))
    form = StaffNoteForm()
    return save(
        case, template, form, lambda: services.add_note(case, current_user, form.text.data), lambda: "Note added"
    )


@bp.route("/cases/<int:case_id>/caseworker", methods=GET_AND_POST)
@roles(Role.MANAGER)
def reassign(case_id: int):
    case = team_case_or_404(case_id)
    staff = queries.assignable_staff(case.team_id)
    template = "casework/reassign.html"
    if request.method == "GET":
        form = ReassignForm(formdata=None, version=case.version, caseworker=str(case.caseworker_id or ""))
        return task_page(case, template, form.offer(staff))
    form = ReassignForm().offer(staff)
    chosen = next((user for user in staff if str(user.id) == form.caseworker.data), None)
    return save(
        case, template, form,
        lambda: services.reassign(case, current_user, chosen, form.expected_version),
        lambda: f"Case assigned to {chosen.name}" if chosen else "Case is not assigned to anyone",
    )
