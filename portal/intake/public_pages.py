"""The public pages that ask for an assessment, without an account: the start page, one question a
page, check your answers, "Check your email", the page the email's link opens (a button, so that
an email scanner opening the link confirms nothing) and the confirmation.

The pages say nothing about whether a child or an account exists: the same answers whatever the
database holds. Sending is rate-limited per IP address and per email address.
"""

from __future__ import annotations

from flask import current_app, redirect, render_template, url_for
from flask import request as flask_request

from portal.access import public
from portal.auth.routes import credentials_limit
from portal.ehcp.milestones import long_date
from portal.extensions import limiter
from portal.intake import bp, forms, journey, online, services
from portal.intake.models import AssessmentRequest, Requester
from portal.intake.public_questions import Flow, check_page, question_page

DRAFT = "request_draft"


def _send(draft: AssessmentRequest):
    online.send_online_request(draft)
    return redirect(url_for("intake.check_email"))


PUBLIC = Flow(
    family=False,
    session_key=DRAFT,
    question_endpoint="intake.question",
    check_endpoint="intake.check_answers",
    start_url=lambda: url_for("intake.start"),
    send=_send,
)


@bp.route("/request-an-assessment")
@public
def start():
    return render_template(
        "intake/public_start.html", first_question=PUBLIC.url(journey.PUBLIC_ORDER[0]),
        draft_days=current_app.config["REQUEST_DRAFT_LIFETIME"].days,
    )


@bp.route("/request-an-assessment/<question>", methods=["GET", "POST"])
@public
def question(question: str):
    return question_page(PUBLIC, question)


def _ip_limit() -> str:
    return current_app.config["REQUEST_LIMIT_PER_IP"]


def _email_limit() -> str:
    return current_app.config["REQUEST_LIMIT_PER_EMAIL"]


def _draft_email() -> str | None:
    draft = PUBLIC.draft()
    return draft.requester_email if draft is not None else None


def _email_key() -> str:
    return "request-email:" + (_draft_email() or "")[:254]


def _nothing_to_check():
    """No draft: sent already (a second press of Send), or never started."""
    if online.find_awaiting_email(PUBLIC.key()) is not None:
        return redirect(url_for("intake.check_email"))
    return redirect(url_for("intake.start"))


@bp.route("/request-an-assessment/check-your-answers", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"], scope="request-sent")
@limiter.limit(_email_limit, key_func=_email_key, methods=["POST"], exempt_when=lambda: _draft_email() is None)
@public
def check_answers():
    return check_page(PUBLIC, _nothing_to_check)


@bp.route("/request-an-assessment/check-your-email", methods=["GET", "POST"])
@public
def check_email():
    """The link is on its way. A wrong address is changed here (a POST: the link already sent stops
    working), then the request is sent again from "Check your answers"."""
    form = forms.ChangeEmailForm()
    if form.validate_on_submit():
        if online.reopen_to_change_email(PUBLIC.key()):
            return redirect(PUBLIC.url(journey.CONTACT, changing=True))
        return _nothing_to_check()
    sent = online.find_awaiting_email(PUBLIC.key())
    if sent is None:
        return redirect(url_for("intake.start"))
    return render_template(
        "intake/public_check_email.html", email=sent.requester_email, form=form,
        link_days=current_app.config["REQUEST_CONFIRM_LIFETIME"].days,
    )


@bp.route("/request-an-assessment/confirm/<token>", methods=["GET", "POST"])
@credentials_limit
@public
def confirm_email(token: str):
    request, can_confirm = online.find_by_email_link(token)
    if request is None:
        return _expired()
    if not can_confirm:  # received already: a second click shows the same confirmation
        if flask_request.method == "POST":
            return redirect(url_for("intake.confirm_email", token=token))
        return confirmation(request)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        if online.confirm_email(token) is None:
            return _expired()
        return redirect(url_for("intake.confirm_email", token=token))
    return render_template(
        "intake/public_confirm.html", form=form, token=token,
        young_person=request.requester is Requester.YOUNG_PERSON, first_name=request.child_first_name,
    )


def _expired():
    return render_template(
        "intake/public_link_expired.html", link_days=current_app.config["REQUEST_CONFIRM_LIFETIME"].days,
    ), 404


def confirmation(request: AssessmentRequest, family: bool = False):
    """The request is received: its reference, the day received and the decision date."""
    return render_template(
        "intake/public_confirmation.html", reference=request.reference,
        received_on=long_date(request.received_on), decision_due=long_date(services.decision_due(request)),
        young_person=request.requester is Requester.YOUNG_PERSON, first_name=request.child_first_name,
        family=family,
    )
