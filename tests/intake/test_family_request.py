"""A family member already signed in asks from their dashboard, through the same pages with their
details filled in: for a linked child (its name and date of birth already known; a child with a
plan is a re-assessment) or another child. Sending receives the request at once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from portal.ehcp import timeline
from portal.ehcp.milestones import long_date
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.intake import services
from portal.intake.models import AssessmentRequest, ClosureReason, Requester, RequestStatus
from portal.models import Relationship, Role
from tests.helpers import get_page, post_page, sign_in_fast
from tests.intake.conftest import PUBLIC_ANSWERS, answer_questions

START = "/family/ask-for-an-assessment"
CHECK = f"{START}/check-your-answers"
SENT = f"{START}/sent"
TODAY = date(2026, 12, 1)
NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LATER_ANSWERS = {
    slug: data for slug, data in PUBLIC_ANSWERS.items()
    if slug in ("school-or-setting", "needs", "support", "reasons", "professionals", "consent")
}


def only_request() -> AssessmentRequest:
    return db.session.scalars(select(AssessmentRequest)).one()


def parent_with_child(make, first_name="Sam", relationship=Relationship.PARENT):
    parent = make.user(Role.FAMILY, name="Fiona Family", email="fiona.family@example.org")
    child = make.child(family=[parent], first_name=first_name, relationship=relationship)
    return parent, child


def ask_for(client, child_value: str) -> None:
    assert client.post(START, data={"child": child_value}).status_code == 302


def test_the_dashboard_links_to_the_request_pages(client, make):
    parent, _ = parent_with_child(make)
    sign_in_fast(client, parent)
    page = get_page(client, "/family/")
    assert page.soup.find("a", string="Ask for an assessment")["href"] == START


def test_the_first_question_lists_their_children_and_another_child(client, make):
    parent, child = parent_with_child(make)
    stranger = make.user(Role.FAMILY)
    make.child(family=[stranger], first_name="Neighbourchild")
    sign_in_fast(client, parent)
    page = get_page(client, START)
    assert page.h1 == "Who is the assessment for?"
    assert page.soup.select_one(".govuk-back-link")["href"] == "/family/"
    labels = [" ".join(label.get_text().split()) for label in page.soup.select(".govuk-radios__label")]
    assert labels == [child.full_name, "Another child"]
    assert "Neighbourchild" not in page.text
    assert db.session.scalars(select(AssessmentRequest)).all() == []  # nothing until it is answered


def test_a_linked_child_skips_their_name_and_date_of_birth_and_is_received_at_once(client, make, mail):
    parent, child = parent_with_child(make)
    with time_machine.travel(NOON, tick=False):
        sign_in_fast(client, parent)
        response = client.post(START, data={"child": str(child.id)})
        assert response.location == f"{START}/school-or-setting"
        before_contact = {slug: data for slug, data in LATER_ANSWERS.items() if slug != "consent"}
        assert answer_questions(client, before_contact, prefix=START).location == f"{START}/contact-details"
        contact = get_page(client, f"{START}/contact-details")
        assert contact.soup.find("input", {"name": "requester_name"})["value"] == "Fiona Family"
        assert contact.soup.find("input", {"name": "requester_email"}) is None
        assert "We will email you at fiona.family@example.org" in contact.text
        answers = {"contact-details": {"requester_name": "Fiona Family", "requester_phone": ""},
                   "consent": LATER_ANSWERS["consent"]}
        assert answer_questions(client, answers, prefix=START).location == CHECK
        check = get_page(client, CHECK)
        assert "Who it is for" in check.text and child.full_name in check.text
        assert "Date of birth" not in check.text
        assert client.post(CHECK).location == SENT
        page = get_page(client, SENT)
    request = only_request()
    assert request.status is RequestStatus.RECEIVED
    assert request.received_on == TODAY
    assert (request.child_id, request.requester, request.is_reassessment) == (child.id, Requester.PARENT, False)
    assert (request.child_first_name, request.child_date_of_birth) == (child.first_name, child.date_of_birth)
    assert request.requester_user_id == parent.id
    assert request.requester_email == "fiona.family@example.org"
    due = long_date(timeline.decision_to_assess_due(TODAY))
    assert page.h1.startswith("Request received")
    assert request.reference in page.text
    assert f"The council must decide whether to assess by {due}." in page.text
    [email] = mail.to("fiona.family@example.org")
    assert request.reference in email["Subject"]


def test_the_dashboard_lists_the_request_until_it_becomes_a_case(client, make):
    parent, child = parent_with_child(make)
    with time_machine.travel(NOON, tick=False):
        sign_in_fast(client, parent)
        ask_for(client, str(child.id))
        answer_questions(client, {**LATER_ANSWERS, "contact-details": {"requester_name": "Fiona Family"},
                                  "consent": LATER_ANSWERS["consent"]}, prefix=START)
        client.post(CHECK)
        page = get_page(client, "/family/")
        request = only_request()
        due = long_date(timeline.decision_to_assess_due(TODAY))
        assert (
            f"You asked for an assessment for Sam on 1 December 2026. Reference {request.reference}. "
            f"The council must decide whether to assess by {due}."
        ) in page.text
        staff = make.user(Role.CASEWORKER, team=child.team)
        services.close_request(request, staff, ClosureReason.DUPLICATE, "Staff-only note about a duplicate")
        page = get_page(client, "/family/")
        assert request.reference not in page.text
        assert "Staff-only note" not in page.text


def test_a_child_who_had_a_plan_is_a_reassessment(client, make):
    parent, child = parent_with_child(make)
    make.case(child=child, stage=Stage.ANNUAL_REVIEW)
    sign_in_fast(client, parent)
    ask_for(client, str(child.id))
    assert only_request().is_reassessment is True


@pytest.mark.parametrize("stage", [Stage.REQUEST_RECEIVED, Stage.ASSESSING, Stage.DRAFT_PLAN])
def test_a_child_whose_assessment_is_under_way_is_refused_with_what_to_do(client, make, stage):
    parent, child = parent_with_child(make)
    make.case(child=child, stage=stage)
    sign_in_fast(client, parent)
    page = post_page(client, START, {"child": str(child.id)})
    assert page.error_messages() == [
        "Sam’s assessment is already under way. To tell the SEND team something new, send them a message about Sam"
    ]
    assert db.session.scalars(select(AssessmentRequest).where(AssessmentRequest.child_id == child.id)).all() == []


def test_a_young_person_whose_assessment_is_under_way_reads_your(client, make):
    young_person, me = parent_with_child(make, "Alex", Relationship.YOUNG_PERSON)
    make.case(child=me, stage=Stage.ASSESSING)
    sign_in_fast(client, young_person)
    page = post_page(client, START, {"child": str(me.id)})
    assert page.error_messages() == [
        "Your assessment is already under way. To tell the SEND team something new, send them a message"
    ]


def test_a_young_person_asking_for_themself_reads_you(client, make):
    young_person, me = parent_with_child(make, "Alex", Relationship.YOUNG_PERSON)
    sign_in_fast(client, young_person)
    page = get_page(client, START)
    assert f"Me ({me.full_name})" in page.text
    ask_for(client, str(me.id))
    assert only_request().requester is Requester.YOUNG_PERSON
    for slug in ("school-or-setting", "needs", "support", "reasons", "professionals"):
        page = get_page(client, f"{START}/{slug}")
        assert "your child" not in page.text.lower(), slug
        client.post(f"{START}/{slug}", data=PUBLIC_ANSWERS[slug])
    assert get_page(client, f"{START}/needs").h1 == "Tell us about your needs"


def test_another_child_asks_who_and_their_name_and_date_of_birth(client, make):
    parent, child = parent_with_child(make)
    sign_in_fast(client, parent)
    ask_for(client, str(child.id))
    response = client.post(f"{START}?change=yes", data={"child": "another"})
    assert response.location == f"{START}/who-is-asking"
    draft = only_request()
    assert (draft.child_id, draft.child_first_name, draft.requester) == (None, None, None)
    page = get_page(client, f"{START}/who-is-asking")
    labels = [" ".join(label.get_text().split()) for label in page.soup.select(".govuk-radios__label")]
    assert labels == ["I am the child’s parent", "I am the child’s carer"]
    post_page(client, f"{START}/who-is-asking", {"requester": "young_person"})  # not for another child
    assert client.post(f"{START}/who-is-asking", data={"requester": "carer"}).location == f"{START}/name"
    client.post(f"{START}/name", data=PUBLIC_ANSWERS["name"])
    client.post(f"{START}/date-of-birth", data=PUBLIC_ANSWERS["date-of-birth"])
    assert get_page(client, START).soup.find("input", {"value": "another"}).has_attr("checked")
    draft = only_request()
    assert (draft.child_id, draft.requester, draft.child_first_name) == (None, Requester.CARER, "Sam")


def test_without_a_draft_the_pages_go_to_the_first_question(client, make):
    parent, _ = parent_with_child(make)
    sign_in_fast(client, parent)
    for path in (f"{START}/needs", CHECK, f"{START}/which-child"):
        assert client.get(path).location == START
    assert client.get(SENT).location == "/family/"


def test_pressing_send_twice_receives_one_request(client, make, mail):
    parent, child = parent_with_child(make)
    sign_in_fast(client, parent)
    ask_for(client, str(child.id))
    answer_questions(client, {**LATER_ANSWERS, "contact-details": {"requester_name": "Fiona Family"},
                              "consent": LATER_ANSWERS["consent"]}, prefix=START)
    assert client.post(CHECK).location == SENT
    assert client.post(CHECK).location == SENT
    assert len(mail.to("fiona.family@example.org")) == 1
    assert only_request().status is RequestStatus.RECEIVED


def test_nobody_reaches_another_persons_draft_or_request(client, make):
    parent, child = parent_with_child(make)
    sign_in_fast(client, parent)
    ask_for(client, str(child.id))
    client.post(f"{START}/school-or-setting", data={"school": "Secret School"})
    with client.session_transaction() as session:
        stolen = dict(session["family_request_draft"])
    other = make.user(Role.FAMILY)
    other_client = client.application.test_client()
    sign_in_fast(other_client, other)
    with other_client.session_transaction() as session:
        session["family_request_draft"] = stolen
    assert other_client.get(f"{START}/needs").location == START
    assert "Secret School" not in get_page(other_client, START).text
    assert other_client.post(f"{START}/needs", data={"needs": "Overwritten"}).location == START
    assert other_client.get(CHECK).location == START
    assert only_request().needs is None
    # Their sent request, by its number in another person's session: not found.
    answer_questions(client, {**{k: v for k, v in LATER_ANSWERS.items() if k != "school-or-setting"},
                              "contact-details": {"requester_name": "Fiona Family"},
                              "consent": LATER_ANSWERS["consent"]}, prefix=START)
    client.post(CHECK)
    with other_client.session_transaction() as session:
        session["family_request_sent"] = only_request().id
    page = get_page(other_client, SENT, status=404)
    assert only_request().reference not in page.text
    # A draft started on the public pages is not a signed-in person's either, nor theirs the public's.
    assert client.get("/request-an-assessment/needs").location == "/request-an-assessment"


def test_staff_cannot_use_the_family_pages(client, make):
    sign_in_fast(client, make.user(Role.CASEWORKER))
    get_page(client, START, status=403)
