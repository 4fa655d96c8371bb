"""Family pages: the children linked to this account and where their EHC cases stand.
Another family's child or case is a 404, the same as one that does not exist."""

from datetime import date

from flask import Blueprint, abort, render_template
from flask_login import current_user

from portal.access import roles
from portal.family import progress, queries
from portal.models import Role

bp = Blueprint("family", __name__)


@bp.route("/")
@roles(Role.FAMILY)
def dashboard():
    today = date.today()
    cards = queries.children_with_cases(current_user.id)
    summaries = {
        card.case.id: progress.summarise(card.case.dates, card.case.expected_on, today)
        for card in cards
        if card.case is not None
    }
    return render_template("family/dashboard.html", cards=cards, summaries=summaries)


@bp.route("/children/<int:child_id>")
@roles(Role.FAMILY)
def child(child_id: int):
    link = queries.linked_child(current_user.id, child_id)
    if link is None:
        abort(404)
    cases = queries.child_cases(child_id)
    return render_template("family/child.html", link=link, child=link.child, cases=cases)


@bp.route("/cases/<int:case_id>")
@roles(Role.FAMILY)
def case(case_id: int):
    case = queries.family_case(current_user.id, case_id)
    if case is None:
        abort(404)
    today = date.today()
    history = queries.stage_history(case.id)
    return render_template(
        "family/case.html",
        case=case,
        summary=progress.summarise(case.dates, case.expected_on, today),
        family_deadlines=progress.family_deadlines(case.dates, today),
        steps=progress.progress(case.stage, case.stage_since, history),
        history=history,
        advice=[
            (asked, progress.advice_status(asked.due_on, asked.received_on, today))
            for asked in queries.advice_requests(case.id)
        ],
        exceptions=queries.timeline_exceptions(case.id),
        has_plan=progress.has_plan(case.stage, case.draft_served_on, case.final_plan_on),
    )
