"""The team's decision on a request: open a case from it (the child matched or registered, the
team and caseworker chosen, day 0 the day received), or close it with a reason. Each is one use
case in services.py (one transaction). When two people decide the same request at once, the
second is told plainly that someone already has, and nothing they entered is saved."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from portal.access import CASE_STAFF, roles
from portal.ehcp.models import Case
from portal.extensions import db
from portal.intake import bp, queries, services, staff_wording
from portal.intake.inbox_pages import close_page, offer, request_or_404, request_page
from portal.intake.models import AssessmentRequest, ClosureReason, RequestStatus
from portal.intake.staff_forms import CloseRequestForm, OpenCaseForm, OpeningForm

ALREADY_DECIDED = "Someone else has already decided this request. Nothing you entered was saved."


def already_decided(request_id: int):
    """The request was decided meanwhile: say so on its page (or on the inbox, if its case went to
    another team, whose page this person cannot see)."""
    db.session.rollback()
    flash(ALREADY_DECIDED, "important")
    if queries.staff_request(request_id, current_user.team_id) is None:
        return redirect(url_for("intake.request_inbox"))
    return redirect(url_for("intake.staff_request", request_id=request_id))


def undecided_or_404(request_id: int) -> AssessmentRequest | None:
    """The request, while nobody has decided it; None once someone has (even if its case went to
    another team meanwhile); a 404 for a request this person could never read."""
    request = queries.staff_request(request_id, current_user.team_id)
    if request is None and queries.decided_elsewhere(request_id):
        return None
    if request is None:
        request_or_404(request_id)
    return request if request.status is RequestStatus.RECEIVED else None


def add_problem(form: OpeningForm, problem: services.RequestProblem) -> None:
    field = form._fields.get(problem.field or "") or form.team
    field.errors = [*field.errors, str(problem)]


def after_opening(case: Case, message: str, child_page: bool = False):
    """To the new case's page (or its child's, to invite the family), or to the inbox if the
    case or child is with another team, whose pages this person cannot see."""
    flash(message, "success")
    if child_page and case.child.team_id == current_user.team_id:
        return redirect(url_for("casework.child", child_id=case.child_id))
    if not child_page and case.team_id == current_user.team_id:
        return redirect(url_for("casework.case", case_id=case.id))
    return redirect(url_for("intake.request_inbox"))


@bp.route("/casework/requests/<int:request_id>/open-case", methods=["POST"])
@roles(*CASE_STAFF)
def open_case(request_id: int):
    request = undecided_or_404(request_id)
    if request is None:
        return already_decided(request_id)
    form = offer(OpenCaseForm(), request)
    if not form.validate_on_submit():
        return request_page(request, form, 400)
    try:
        opened = services.open_case_from_request(request, current_user, form.opening())
    except services.RequestProblem as problem:
        db.session.rollback()
        add_problem(form, problem)
        return request_page(request, form, 400)
    if opened is None:
        return already_decided(request_id)
    return after_opening(opened.case, staff_wording.case_opened(request, opened.case, opened.requester_access))


@bp.route("/casework/requests/<int:request_id>/close", methods=["GET", "POST"])
@roles(*CASE_STAFF)
def close_request(request_id: int):
    request = undecided_or_404(request_id)
    if request is None:
        return already_decided(request_id)
    form = CloseRequestForm()
    if form.validate_on_submit():
        reference = request.reference
        if not services.close_request(request, current_user, ClosureReason(form.reason.data), form.explanation.data):
            return already_decided(request_id)
        flash(f"Request {reference} closed. Nothing has been deleted: its page shows why it was closed.", "success")
        return redirect(url_for("intake.request_inbox"))
    return close_page(request, form, 400 if form.errors else 200)
