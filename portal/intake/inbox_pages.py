"""The team's request inbox, and one request as staff see it: the requester's answers, the
decision deadline, children already known with the same name and date of birth, and the "Open a
case" form (or, once decided, what was decided, by whom and when).

Every team's staff read any received request (an online request has no team until a case is
opened); a request whose case is open is only for the case's team (404 otherwise). Every view of
a request is written to the audit log, after the page is built. Reads are in queries.py."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

from portal import audit
from portal.access import CASE_STAFF, refuse_record, roles
from portal.conversations.reply_by import today_in_england
from portal.ehcp.timeline import deadline_status
from portal.intake import bp, queries, services
from portal.intake.models import AssessmentRequest, RequestStatus
from portal.intake.staff_forms import CloseRequestForm, OpenCaseForm, OpeningForm
from portal.notifications.status_words import london_time
from portal.pagination import page_number, pagination_params

PAGE_SIZE = 25


@bp.route("/casework/requests")
@roles(*CASE_STAFF)
def request_inbox():
    page = page_number()
    on = today_in_england()
    result = queries.waiting_requests(page, PAGE_SIZE)
    if page > result.pages:
        abort(404)
    rows = [
        (request, (on - request.received_on).days, deadline_status(services.decision_due(request), on))
        for request in result.requests
    ]
    return render_template(
        "intake/staff_inbox.html",
        result=result,
        rows=rows,
        pagination=pagination_params(result.page, result.pages, "intake.request_inbox", {}, "Pages of requests"),
    )


def request_or_404(request_id: int) -> AssessmentRequest:
    request = queries.staff_request(request_id, current_user.team_id)
    if request is None:
        refuse_record(f"request:{request_id}")
    return request


def offer(form: OpeningForm, request: AssessmentRequest | None, known: list | None = None) -> OpeningForm:
    """The choices for opening a case: the children already known, every team and its staff.
    Nothing is chosen in advance (GOV.UK radios are never pre-selected)."""
    if known is None:
        known = queries.known_children([child.id for child in services.matching_children(request)])
    return form.offer(known, queries.teams(), queries.case_staff())


def viewed(request: AssessmentRequest, html: str, status: int = 200):
    """Every view of a request by staff is audited, committed after the page is built (a commit
    expires what the page reads), without waiting for the disk."""
    audit.record("request-viewed", actor=current_user, target=f"request:{request.id}")
    audit.commit_without_waiting_for_disk()
    return html, status


def request_page(request: AssessmentRequest, form: OpenCaseForm | None = None, status: int = 200):
    on = today_in_england()
    due = services.decision_due(request)
    undecided = request.status is RequestStatus.RECEIVED
    if undecided and form is None:
        form = offer(OpenCaseForm(formdata=None), request)
    html = render_template(
        "intake/staff_request.html",
        request=request,
        form=form if undecided else None,
        known=form.known if undecided else [],
        due=due,
        due_status=deadline_status(due, on) if due else None,
        days_since=(on - request.received_on).days if request.received_on else None,
        london_time=london_time,
    )
    return viewed(request, html, status)


@bp.route("/casework/requests/<int:request_id>")
@roles(*CASE_STAFF)
def staff_request(request_id: int):
    return request_page(request_or_404(request_id))


def close_page(request: AssessmentRequest, form: CloseRequestForm, status: int = 200):
    html = render_template("intake/staff_close.html", request=request, form=form)
    return viewed(request, html, status)
