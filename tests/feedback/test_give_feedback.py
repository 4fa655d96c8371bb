"""Families give feedback from any page: the form, its errors, anonymity, invitations after a stage
change (on the case page and in the email), and answering the same invitation twice."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from flask import current_app
from sqlalchemy import select

from portal.ehcp.services import StageUpdate, change_stage
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.feedback.models import Feedback, FeedbackInvitation, FeedbackSource
from portal.feedback.services import reply_key
from portal.models import Role
from portal.outbox import OutboxEmail
from tests.helpers import get_page, post_page, sign_in_fast

ANSWERS = {"rating": "2", "stage": "assessing", "worked_well": "The caseworker phoned back.",
           "could_be_better": "Letters came late.", "anonymous": "no", "contact_ok": "yes"}


@pytest.fixture
def family(make):
    team = make.team("North SEND team")
    parent = make.user(Role.FAMILY, name="Pat Parent", email="pat.parent@example.org")
    child = make.child(team=team, family=[parent], first_name="Ourchild")
    case = make.case(child=child, stage=Stage.DECIDING_TO_ASSESS)
    caseworker = make.user(Role.CASEWORKER, team=team)
    return parent, case, caseworker


def _stored() -> list[Feedback]:
    db.session.expire_all()
    return list(db.session.scalars(select(Feedback).order_by(Feedback.id)))


def _move(case, caseworker, to_stage=Stage.ASSESSING):
    with current_app.test_request_context():
        update = StageUpdate(to_stage=to_stage, effective_on=date.today())
        return change_stage(case, caseworker, update, case.version, date.today())


def test_every_page_links_to_the_feedback_form(client, family):
    page = get_page(client, "/")
    links = [a["href"] for a in page.soup.select("a") if a.get_text(strip=True) == "Give feedback"]
    assert "/feedback" in links
    assert page.soup.select_one(".govuk-phase-banner a")["href"] == "/feedback"
    assert page.soup.select_one(".govuk-feedback a")["href"] == "/feedback"
    sign_in_fast(client, family[0])
    assert get_page(client, "/family/").soup.select_one(".govuk-phase-banner a")["href"] == "/feedback"


def test_a_signed_in_family_member_gives_feedback_with_their_name(client, family):
    parent = family[0]
    sign_in_fast(client, parent)
    page = get_page(client, "/feedback")
    assert page.h1 == "Give feedback"
    assert "Who reads your feedback and what happens to it" in page.text
    response = client.post("/feedback", data=ANSWERS)
    assert response.status_code == 302 and response.location.endswith("/feedback/thank-you")
    assert "Thank you for your feedback" in get_page(client, "/feedback/thank-you").text
    [feedback] = _stored()
    assert (feedback.rating, feedback.stage) == (2, Stage.ASSESSING)
    assert (feedback.anonymous, feedback.contact_ok) == (False, True)
    assert feedback.user_id == parent.id and feedback.given_at is not None
    assert feedback.month == date.today().replace(day=1)
    assert feedback.source is FeedbackSource.ANY_TIME and feedback.has_comment


def test_anonymous_feedback_keeps_only_the_answers_the_stage_and_the_month(client, family):
    parent, case, caseworker = family
    _move(case, caseworker)
    invitation = db.session.scalar(select(FeedbackInvitation))
    sign_in_fast(client, parent)
    answers = {**ANSWERS, "anonymous": "yes", "contact_ok": "no"}
    assert client.post(f"/feedback?invitation={invitation.id}", data=answers).status_code == 302
    [feedback] = _stored()
    assert feedback.anonymous and not feedback.contact_ok
    assert (feedback.user_id, feedback.case_id, feedback.given_at) == (None, None, None)
    assert feedback.month == date.today().replace(day=1) and feedback.stage is Stage.ASSESSING
    # The stored key is a keyed hash of the invitation: without the app's secret it names nothing.
    unkeyed = hashlib.sha256(f"feedback-invitation:{invitation.id}".encode()).hexdigest()
    assert feedback.reply_key == reply_key(invitation.id) and feedback.reply_key != unkeyed


def test_anonymous_and_willing_to_be_contacted_is_refused_and_nothing_is_saved(client, family):
    sign_in_fast(client, family[0])
    page = post_page(client, "/feedback", {**ANSWERS, "anonymous": "yes", "contact_ok": "yes"}, status=400)
    assert "You cannot stay anonymous and be contacted. Change one of your answers" in page.error_messages()
    assert page.soup.select_one("#worked_well").get_text() == ANSWERS["worked_well"]
    assert _stored() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rating": ""}, "Select how satisfied you are with the service"),
        ({"rating": "9"}, "Not a valid choice."),
        ({"stage": ""}, "Select which part of the process your feedback is about"),
        ({"worked_well": "x" * 2001}, "What worked well must be 2,000 characters or fewer"),
        ({"could_be_better": "bad\u202eword"}, "What could be better must only include letters, numbers"),
    ],
)
def test_bad_answers_get_a_gov_uk_error_and_save_nothing(client, family, change, message):
    sign_in_fast(client, family[0])
    page = post_page(client, "/feedback", {**ANSWERS, **change}, status=400)
    assert page.title.startswith("Error: ")
    assert any(message in error for error in page.error_messages()), page.error_messages()
    assert _stored() == []


def test_html_in_a_comment_is_kept_as_text(client, family):
    sign_in_fast(client, family[0])
    client.post("/feedback", data={**ANSWERS, "worked_well": "<script>alert(1)</script>"})
    assert _stored()[0].worked_well == "<script>alert(1)</script>"


def test_signed_out_feedback_is_anonymous_and_asks_nothing_about_contact(client, family):
    page = get_page(client, "/feedback")
    assert page.soup.select_one("input[name=anonymous]") is None
    assert "Your feedback is anonymous" in page.text
    assert client.post("/feedback", data={"rating": "5", "stage": "none"}).status_code == 302
    [feedback] = _stored()
    assert feedback.anonymous and feedback.user_id is None and feedback.stage is None and not feedback.has_comment


def test_staff_are_told_the_form_is_for_families(client, family):
    sign_in_fast(client, family[2])
    page = get_page(client, "/feedback")
    assert "This form is for families" in page.text
    assert page.soup.select_one("form[action^='/feedback']") is None
    assert client.post("/feedback", data=ANSWERS).status_code == 200
    assert _stored() == []


def test_a_stage_change_invites_each_family_member_in_the_email_and_on_the_case_page(client, family, make):
    parent, case, caseworker = family
    carer = make.user(Role.FAMILY, name="Cam Carer")
    from portal.models import FamilyLink, Relationship

    db.session.add(FamilyLink(user=carer, child=case.child, relationship_to_child=Relationship.CARER))
    db.session.commit()
    _move(case, caseworker)
    invitations = list(db.session.scalars(select(FeedbackInvitation).order_by(FeedbackInvitation.user_id)))
    assert {i.user_id for i in invitations} == {parent.id, carer.id}
    assert all(i.source is FeedbackSource.STAGE_CHANGE and i.stage is Stage.ASSESSING for i in invitations)
    queued = db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == "stage_changed"))
    emails = {email.user_id: email for email in queued}
    for invitation in invitations:
        assert emails[invitation.user_id].context["feedback_link"].endswith(f"/feedback?invitation={invitation.id}")
    sign_in_fast(client, parent)
    page = get_page(client, f"/family/cases/{case.id}")
    mine = next(i for i in invitations if i.user_id == parent.id)
    link = page.soup.find("a", string="Tell us how this stage went")
    assert link is not None and link["href"] == f"/feedback?invitation={mine.id}"
    form = get_page(client, link["href"])
    assert form.soup.select_one("input[name=stage][value=assessing]").has_attr("checked")


def test_answering_the_same_invitation_twice_updates_the_answer(client, family):
    parent, case, caseworker = family
    _move(case, caseworker)
    invitation = db.session.scalar(select(FeedbackInvitation))
    sign_in_fast(client, parent)
    client.post(f"/feedback?invitation={invitation.id}", data={**ANSWERS, "anonymous": "yes", "contact_ok": "no"})
    page = get_page(client, f"/feedback?invitation={invitation.id}")
    assert "You answered this before" in page.text
    assert page.soup.select_one("input[name=rating][value='2']").has_attr("checked")
    client.post(f"/feedback?invitation={invitation.id}", data={**ANSWERS, "rating": "4"})
    [feedback] = _stored()
    assert feedback.rating == 4 and not feedback.anonymous and feedback.user_id == parent.id
    assert feedback.source is FeedbackSource.STAGE_CHANGE and feedback.case_id == case.id
    case_page = get_page(client, f"/family/cases/{case.id}")
    assert case_page.soup.find("a", string="Change your feedback") is not None


def test_another_family_members_invitation_is_not_found(client, family, make):
    _, case, caseworker = family
    _move(case, caseworker)
    invitation = db.session.scalar(select(FeedbackInvitation))
    stranger = make.user(Role.FAMILY)
    sign_in_fast(client, stranger)
    assert client.get(f"/feedback?invitation={invitation.id}").status_code == 404
    assert client.post(f"/feedback?invitation={invitation.id}", data=ANSWERS).status_code == 404
    assert _stored() == []


@pytest.mark.parametrize("rows", [10, 500])
def test_the_form_reads_a_fixed_number_of_statements(client, family, make, count_queries, rows):
    parent, case, caseworker = family
    for _ in range(rows // 10):
        db.session.add_all(
            Feedback(rating=3, source=FeedbackSource.ANY_TIME, month=date(2026, 11, 1), anonymous=True)
            for _ in range(10)
        )
    db.session.commit()
    _move(case, caseworker)
    invitation = db.session.scalar(select(FeedbackInvitation))
    sign_in_fast(client, parent)
    with count_queries() as counter:
        get_page(client, f"/feedback?invitation={invitation.id}")
    assert counter.count <= 10


def test_closing_a_conversation_invites_the_family_on_its_page(client, family):
    from portal.conversations import services as conversations

    parent, case, caseworker = family
    with current_app.test_request_context():
        draft = conversations.Draft(body="Who pays for transport?", submission_key="k" * 20, files=())
        conversation = conversations.start(parent, case, "Transport", draft, None)
        conversations.close(caseworker, conversation)
    [invitation] = db.session.scalars(select(FeedbackInvitation)).all()
    assert (invitation.user_id, invitation.source, invitation.subject_id) == (
        parent.id, FeedbackSource.CONVERSATION_CLOSED, conversation.id,
    )
    sign_in_fast(client, parent)
    page = get_page(client, f"/family/messages/{conversation.id}")
    link = page.soup.find("a", string="Tell us how this conversation went")
    assert link is not None and link["href"] == f"/feedback?invitation={invitation.id}"
    client.post(link["href"], data=ANSWERS)
    assert _stored()[0].source is FeedbackSource.CONVERSATION_CLOSED
    # The case page asks how a stage went only after a stage change: this was a conversation.
    case_page = get_page(client, f"/family/cases/{case.id}")
    assert case_page.soup.find("a", string="Tell us how this stage went") is None
    assert "How is it going?" not in case_page.text


def test_feedback_after_a_request_is_counted_as_such(client, family):
    page = get_page(client, "/feedback?about=request")
    assert page.soup.select_one("input[name=stage][value=request_received]").has_attr("checked")
    assert page.soup.select_one("form")["action"] == "/feedback?about=request"
    client.post("/feedback?about=request", data={"rating": "3", "stage": "request_received"})
    [feedback] = _stored()
    assert feedback.source is FeedbackSource.REQUEST and feedback.anonymous


def test_names_and_case_references_are_taken_out_before_the_team_reads_them(client, family):
    parent, case, _ = family
    sign_in_fast(client, parent)
    words = f"Ourchild Testsurname waited. Case {case.reference}, request R2026-00008. Pat was not told."
    client.post("/feedback", data={**ANSWERS, "could_be_better": words, "anonymous": "yes", "contact_ok": "no"})
    client.post("/feedback", data={**ANSWERS, "could_be_better": words})
    anonymous, named = _stored()
    assert "Ourchild" not in anonymous.could_be_better and case.reference not in anonymous.could_be_better
    assert "R2026-00008" not in anonymous.could_be_better and "Pat" not in anonymous.could_be_better
    assert anonymous.could_be_better.startswith("[name removed] ")
    # Named feedback keeps the writer's own name (they are known), never the child's or the case.
    assert "Ourchild" not in named.could_be_better and case.reference not in named.could_be_better
    assert "Pat was not told" in named.could_be_better
