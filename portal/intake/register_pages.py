"""Staff register a request that came by letter, email, phone or from a school: who asked and the
day it was received (not in the future), the child (one already known with the same name and date
of birth, or a new one), the team and caseworker. The case opens from the day received, and the
child's page follows, where family members are invited (the invitation flow that exists)."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from portal.access import CASE_STAFF, roles
from portal.conversations.reply_by import today_in_england
from portal.extensions import db
from portal.intake import bp, queries, services, staff_wording
from portal.intake.decision_pages import add_problem, after_opening
from portal.intake.inbox_pages import offer
from portal.intake.models import AssessmentRequest, RequestChannel, Requester
from portal.intake.staff_forms import YES, RegisterRequestForm


def _known(form: RegisterRequestForm) -> list[queries.KnownChild]:
    """Children already known with the name and date of birth typed (none until all three are)."""
    if not (form.child_first_name.data and form.child_last_name.data and form.child_date_of_birth.data):
        return []
    asked_about = AssessmentRequest(
        child_first_name=form.child_first_name.data,
        child_last_name=form.child_last_name.data,
        child_date_of_birth=form.child_date_of_birth.data,
    )
    return queries.known_children([child.id for child in services.matching_children(asked_about)])


def _registration(form: RegisterRequestForm) -> services.Registration:
    return services.Registration(
        channel=RequestChannel(form.channel.data),
        requester=Requester(form.requester.data),
        requester_name=form.requester_name.data,
        received_on=form.received_on.data,
        child_first_name=form.child_first_name.data,
        child_last_name=form.child_last_name.data,
        child_date_of_birth=form.child_date_of_birth.data,
        requester_email=form.requester_email.data or None,
        requester_phone=form.requester_phone.data or None,
        is_reassessment=form.is_reassessment.data == YES,
    )


def _page(form: RegisterRequestForm, status: int = 200):
    form.offered.data = form.offered_ids
    return render_template("intake/staff_register.html", form=form, known=form.known), status


@bp.route("/casework/requests/new", methods=["GET", "POST"])
@roles(*CASE_STAFF)
def register_request():
    on = today_in_england()
    form = RegisterRequestForm(today=on)
    offer(form, None, _known(form) if request.method == "POST" else [])
    if not form.validate_on_submit():
        return _page(form, 400 if form.errors else 200)
    try:
        case = services.register_request(current_user, _registration(form), form.opening(), on)
    except services.RequestProblem as problem:
        db.session.rollback()
        add_problem(form, problem)
        return _page(form, 400)
    return after_opening(case, staff_wording.registered(case), child_page=True)
