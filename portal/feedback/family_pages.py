"""The feedback form, open to everyone from the phase banner on every page, and its thank-you
page. A family member signed in may say who they are, or stay anonymous; anyone else's feedback
is anonymous. Staff are pointed to their own channel: this form is for families."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import public
from portal.conversations.reply_by import today_in_england
from portal.ehcp.stages import PATH, Stage
from portal.feedback import bp, services
from portal.feedback.forms import NO_STAGE, YES, FeedbackForm, SignedOutFeedbackForm
from portal.feedback.models import FeedbackSource, Rating
from portal.models import Role


def _signed_in_family() -> bool:
    return current_user.is_authenticated and current_user.role is Role.FAMILY


def _invitation():
    if not _signed_in_family():
        return None
    raw = request.args.get("invitation", "")
    if not raw:
        return None
    # An id the database can hold (nine digits at most), or not found.
    holdable = raw.isascii() and raw.isdigit() and len(raw) <= 9
    invitation = services.invitation_for(current_user, int(raw)) if holdable else None
    if invitation is None:
        abort(404)
    return invitation


def _prefill(form: FeedbackForm, invitation) -> None:
    """An invitation answered before shows that answer; otherwise its stage is chosen already."""
    earlier = services.earlier_answer(invitation)
    if earlier is not None:
        form.rating.data = str(earlier.rating)
        form.stage.data = earlier.stage.value if earlier.stage else NO_STAGE
        form.worked_well.data = earlier.worked_well
        form.could_be_better.data = earlier.could_be_better
        if form.anonymous is not None:
            form.anonymous.data = YES if earlier.anonymous else "no"
            form.contact_ok.data = YES if earlier.contact_ok else "no"
    elif invitation is not None and invitation.stage in PATH:
        form.stage.data = invitation.stage.value


def _answer(form: FeedbackForm) -> services.Answer:
    signed_in = form.anonymous is not None
    return services.Answer(
        rating=Rating(int(form.rating.data)),
        stage=None if form.stage.data == NO_STAGE else Stage(form.stage.data),
        worked_well=form.worked_well.data,
        could_be_better=form.could_be_better.data,
        anonymous=not signed_in or form.anonymous.data == YES,
        contact_ok=signed_in and form.contact_ok.data == YES,
    )


@bp.route("/feedback", methods=["GET", "POST"])
@public
def give():
    if current_user.is_authenticated and current_user.is_staff:
        return render_template("feedback/staff.html")
    invitation = _invitation()
    # "?about=request": from the page that confirms a request for an assessment.
    after_request = invitation is None and request.args.get("about") == "request"
    form = FeedbackForm() if _signed_in_family() else SignedOutFeedbackForm()
    if form.validate_on_submit():
        try:
            services.give_feedback(
                current_user if _signed_in_family() else None, _answer(form), today_in_england(), invitation,
                FeedbackSource.REQUEST if after_request else FeedbackSource.ANY_TIME,
            )
        except services.FeedbackProblem as problem:
            getattr(form, problem.field).errors.append(str(problem))
        else:
            return redirect(url_for("feedback.thank_you"))
    elif request.method == "GET":
        _prefill(form, invitation)
        if after_request:
            form.stage.data = Stage.REQUEST_RECEIVED.value
    answered_before = invitation is not None and invitation.answered_at is not None
    return render_template(
        "feedback/give.html", form=form, invitation=invitation, answered_before=answered_before,
        about="request" if after_request else None,
    ), 400 if form.errors else 200


@bp.route("/feedback/thank-you")
@public
def thank_you():
    return render_template("feedback/thank_you.html")
