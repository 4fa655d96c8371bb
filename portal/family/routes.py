"""Family pages: the children linked to this account and where their EHC cases stand.
Another family's child or case is a 404, the same as one that does not exist."""

from datetime import UTC, date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.access import refuse_record, roles
from portal.conversations import family_queries as conversation_queries
from portal.conversations import wording as conversation_wording
from portal.ehcp.transfer_services import case_transfers
from portal.family import links, progress, queries, updates, wording
from portal.family.forms import ButtonForm
from portal.family.transfer_wording import transfer_words
from portal.feedback import actions as feedback_actions
from portal.feedback import queries as feedback_queries
from portal.intake import online as intake_online
from portal.intake import wording as intake_wording
from portal.models import Relationship, Role

bp = Blueprint("family", __name__)


@bp.route("/")
@roles(Role.FAMILY)
def dashboard():
    now = datetime.now(UTC)  # before reading, so that nothing recorded meanwhile is missed
    today = date.today()
    cards = queries.children_with_cases(current_user.id)
    views = {card.case.id: _view(card.case, card.link.relationship_to_child, today) for card in cards if card.case}
    # Children with something for the family to do, and soonest, come first.
    cards.sort(key=lambda card: min((a.due_on for a in views[card.case.id].actions), default=date.max) if card.case
               else date.max)
    only_themself = bool(cards) and all(
        card.link.relationship_to_child is Relationship.YOUNG_PERSON for card in cards
    )
    heading = "Your children"
    if only_themself:  # a young person with their own account reads about themself
        heading = next(iter(views.values())).heading if views else "Your education, health and care needs assessment"
    requests = links.pending_requests(current_user)
    asked = [intake_wording.waiting_sentence(w) for w in intake_online.waiting_requests_of(current_user.id)]
    readers = {card.child.id: _reader(card.child, card.link.relationship_to_child) for card in cards}
    last_changed = max((card.last_changed for card in cards if card.last_changed), default=None)
    news = updates.since_last_visit(current_user.updates_seen_at, readers, last_changed)
    page = render_template(
        "family/dashboard.html", cards=cards, views=views, requests=requests, only_themself=only_themself,
        heading=heading, updates=news, asked=asked, action_notices=feedback_actions.unseen_notices(current_user.id),
    )
    # After rendering: what they saw is no longer new. Only when there was something to see (or on
    # a first visit, to start the clock): an ordinary visit writes nothing.
    if news or current_user.updates_seen_at is None:
        updates.mark_seen(current_user.id, now)
    return page


def _reader(child, relationship: Relationship) -> wording.Reader:
    return wording.Reader(relationship is Relationship.YOUNG_PERSON, child.first_name)


def _view(case, relationship: Relationship, today: date) -> wording.FamilyView:
    reader = _reader(case.child, relationship)
    return wording.family_view(
        case.dates, reader, today, case.expected_on, case.delay_reason, case.first_final_plan_on
    )


def _own_request_or_404(invitation_id: int):
    invitation = links.request_for(current_user, invitation_id)
    if invitation is None:
        refuse_record(f"invitation:{invitation_id}")
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    return invitation


NO_LONGER_OPEN = "This request is no longer open. It may have been answered already, withdrawn or expired."


@bp.route("/requests/<int:invitation_id>/accept", methods=["POST"])
@roles(Role.FAMILY)
def accept_request(invitation_id: int):
    invitation = _own_request_or_404(invitation_id)
    first_name = invitation.child.first_name
    if links.accept(current_user, invitation) is None:
        flash(NO_LONGER_OPEN, "info")
    else:
        flash(f"{first_name}’s information has been added to your account.", "success")
    return redirect(url_for("family.dashboard"))


@bp.route("/requests/<int:invitation_id>/decline", methods=["POST"])
@roles(Role.FAMILY)
def decline_request(invitation_id: int):
    invitation = _own_request_or_404(invitation_id)
    first_name = invitation.child.first_name
    if links.decline(current_user, invitation):
        flash(f"Thank you. We will not add {first_name}’s information to your account.", "success")
    else:
        flash(NO_LONGER_OPEN, "info")
    return redirect(url_for("family.dashboard"))


@bp.route("/children/<int:child_id>")
@roles(Role.FAMILY)
def child(child_id: int):
    link = queries.linked_child(current_user.id, child_id)
    if link is None:
        refuse_record(f"child:{child_id}")
    cases = queries.child_cases(child_id)
    return render_template("family/child.html", link=link, child=link.child, cases=cases)


@bp.route("/cases/<int:case_id>")
@roles(Role.FAMILY)
def case(case_id: int):
    found = queries.family_case(current_user.id, case_id)
    if found is None:
        refuse_record(f"case:{case_id}")
    case, relationship, request_reference = found
    today = date.today()
    history = queries.stage_history(case.id)
    return render_template(
        "family/case.html",
        case=case,
        request_reference=request_reference,
        view=_view(case, relationship, today),
        young_person=relationship is Relationship.YOUNG_PERSON,
        steps=progress.progress(
            case.stage, case.stage_since, history,
            progress.step_deadlines(case.request_received_on, case.is_reassessment),
        ),
        history=history,
        advice=[
            (asked, progress.advice_status(asked.due_on, asked.received_on, today))
            for asked in queries.advice_requests(case.id)
        ],
        exceptions=queries.timeline_exceptions(case.id),
        transfers=[
            transfer_words(t.moves_on, t.to_post_16, t.amend_by, t.amended_on,
                           relationship is Relationship.YOUNG_PERSON, case.child.first_name, today)
            for t in case_transfers(case.id)
        ],
        conversations=conversation_queries.case_conversations(current_user.id, case.id),
        expect_reply=conversation_wording.expect_reply,
        feedback_invitation=feedback_queries.latest_invitation(current_user.id, case.id),
    )
