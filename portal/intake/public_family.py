"""The same question pages for a family member already signed in, from their dashboard: first
"Who is the assessment for?" (one of their linked children, or another child), then the same
pages with their details filled in. Their email address is their account's, already confirmed,
so sending receives the request at once. Nobody reaches another person's draft or request."""

from __future__ import annotations

from flask import redirect, session, url_for
from flask_login import current_user
from wtforms import SelectChoice, ValidationError

from portal.access import refuse_record, roles
from portal.ehcp.stages import PATH, Stage
from portal.family import queries as family_queries
from portal.intake import bp, forms, journey, online
from portal.intake.models import AssessmentRequest, Requester
from portal.intake.public_pages import confirmation
from portal.intake.public_questions import Flow, check_page, question_page
from portal.models import Relationship, Role

DRAFT = "family_request_draft"
SENT = "family_request_sent"


def _send(draft: AssessmentRequest):
    online.send_online_request(draft)
    session.pop(DRAFT, None)
    session[SENT] = draft.id
    return redirect(url_for("intake.family_sent"))


FAMILY = Flow(
    family=True,
    session_key=DRAFT,
    question_endpoint="intake.family_question",
    check_endpoint="intake.family_check_answers",
    start_url=lambda: url_for("intake.family_start"),
    send=_send,
    first_endpoint="intake.family_start",
    back_from_first=lambda: url_for("family.dashboard"),
)


def _linked_children() -> dict[str, family_queries.ChildCases]:
    return {str(card.child.id): card for card in family_queries.children_with_cases(current_user.id)}


def under_way(card: family_queries.ChildCases) -> str | None:
    """Why this child cannot be chosen: an assessment already under way (an open case before its
    final plan) is the team's to finish, and a new request would only stand beside it."""
    case = card.case
    if case is None or case.closed or case.stage not in PATH or PATH.index(case.stage) >= PATH.index(Stage.FINAL_PLAN):
        return None
    if card.link.relationship_to_child is Relationship.YOUNG_PERSON:
        return "Your assessment is already under way. To tell the SEND team something new, send them a message"
    first = card.child.first_name
    return (f"{first}’s assessment is already under way. To tell the SEND team something new, send them a "
            f"message about {first}")


def _label(card: family_queries.ChildCases) -> str:
    if card.link.relationship_to_child is Relationship.YOUNG_PERSON:
        return f"Me ({card.child.full_name})"
    return card.child.full_name


@bp.route("/family/ask-for-an-assessment", methods=["GET", "POST"])
@roles(Role.FAMILY)
def family_start():
    cards = _linked_children()

    def choices(form: forms.QuestionForm) -> None:
        form.child.choices = [SelectChoice(child_id, _label(card)) for child_id, card in cards.items()] + [
            SelectChoice(forms.ANOTHER_CHILD, "Another child")
        ]
        draft = FAMILY.draft()
        if not form.is_submitted() and draft is not None and draft.child_id is None and FAMILY.journey().another_child:
            form.child.data = forms.ANOTHER_CHILD
        form.child.validators = [*form.child.validators, _not_under_way]

    def _not_under_way(form: forms.QuestionForm, field) -> None:
        card = cards.get(field.data)
        problem = under_way(card) if card is not None else None
        if problem is not None:
            raise ValidationError(problem)

    def save(draft: AssessmentRequest, form: forms.QuestionForm) -> None:
        card = cards.get(form.child.data)
        if card is None:
            FAMILY.remember(another_child=True)
            if draft.child_id is not None:  # was a linked child: their details go
                online.save_answers(
                    draft, child_id=None, child_first_name=None, child_last_name=None, child_date_of_birth=None,
                    requester=None, is_reassessment=False,
                )
            return
        FAMILY.remember(another_child=False)
        cases = ([card.case] if card.case else [])
        online.save_answers(
            draft, child_id=card.child.id, child_first_name=card.child.first_name,
            child_last_name=card.child.last_name, child_date_of_birth=card.child.date_of_birth,
            requester=Requester(card.link.relationship_to_child.value),
            is_reassessment=journey.had_a_plan(
                [case.stage.value for case in cases] + [line.stage.value for line in card.earlier],
                [case.first_final_plan_on for case in cases],
            ),
        )

    return question_page(FAMILY, journey.WHICH_CHILD, choices=choices, save=save)


@bp.route("/family/ask-for-an-assessment/<question>", methods=["GET", "POST"])
@roles(Role.FAMILY)
def family_question(question: str):
    if question == journey.WHICH_CHILD:
        return redirect(url_for("intake.family_start"))
    return question_page(FAMILY, question, account_email=current_user.email)


def _nothing_to_check():
    if online.sent_by(current_user, session.get(SENT)) is not None:
        return redirect(url_for("intake.family_sent"))
    return redirect(url_for("intake.family_start"))


@bp.route("/family/ask-for-an-assessment/check-your-answers", methods=["GET", "POST"])
@roles(Role.FAMILY)
def family_check_answers():
    draft = FAMILY.draft()
    name = None
    if draft is not None and draft.child_id is not None:
        name = draft.child_name
    return check_page(FAMILY, _nothing_to_check, linked_child_name=name)


@bp.route("/family/ask-for-an-assessment/sent")
@roles(Role.FAMILY)
def family_sent():
    request_id = session.get(SENT)
    if request_id is None:
        return redirect(url_for("family.dashboard"))
    request = online.sent_by(current_user, request_id)
    if request is None:  # someone else's (a session carried over): not found
        refuse_record(f"request:{request_id}")
    return confirmation(request, family=True)

