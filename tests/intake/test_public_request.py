"""The public request pages, one question a page: the happy path, where each page goes next,
check your answers with its Change links, and sending."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.intake.models import AssessmentRequest, Requester, RequestStatus
from tests.helpers import get_page, post_page
from tests.intake.conftest import PUBLIC_ANSWERS

START = "/request-an-assessment"
CHECK = f"{START}/check-your-answers"


def only_request() -> AssessmentRequest:
    return db.session.scalars(select(AssessmentRequest)).one()


def test_the_start_page_says_what_you_need_and_the_6_weeks(client):
    page = get_page(client, START)
    assert page.h1 == "Ask for an education, health and care (EHC) needs assessment"
    assert "6 weeks" in page.text
    assert "the day you confirm your email address is the day the council receives your request" in page.text
    start = page.soup.find("a", class_="govuk-button--start")
    assert " ".join(start.get_text().split()) == "Start now"
    assert start["href"] == f"{START}/who-is-asking"


def test_the_home_page_links_to_the_start_page(client):
    page = get_page(client, "/")
    link = page.soup.find("a", string=lambda text: text and "Ask for an EHC needs assessment" in text)
    assert link is not None and link["href"] == START


def test_each_page_goes_to_the_next_and_the_answers_are_saved(client):
    order = list(PUBLIC_ANSWERS)
    for index, slug in enumerate(order):
        page = get_page(client, f"{START}/{slug}")
        assert page.soup.select_one("span.govuk-caption-l").get_text() == "Ask for an EHC needs assessment"
        response = client.post(f"{START}/{slug}", data=PUBLIC_ANSWERS[slug])
        following = f"{START}/{order[index + 1]}" if index + 1 < len(order) else CHECK
        assert response.location == following, slug
    draft = only_request()
    assert draft.status is RequestStatus.DRAFT
    assert draft.requester is Requester.PARENT
    assert (draft.child_first_name, draft.child_last_name) == ("Sam", "Testperson")
    assert draft.child_date_of_birth.isoformat() == "2016-05-04"
    assert draft.needs == "Sam finds reading hard.\nSam gets upset at lunchtime."
    assert draft.requester_email == "pat.parent@example.org"
    assert draft.consent_to_contact is True
    assert draft.reference is None and draft.received_on is None


def test_a_page_shows_the_saved_answer_again(answered):
    page = get_page(answered, f"{START}/school-or-setting")
    assert page.soup.find("input", {"name": "school"})["value"] == "Example Primary School"
    page = get_page(answered, f"{START}/who-is-asking")
    assert page.soup.find("input", {"name": "requester", "value": "parent"}).has_attr("checked")
    page = get_page(answered, f"{START}/date-of-birth")
    boxes = [box["value"] for box in page.soup.find_all("input", {"name": "child_date_of_birth"})]
    assert boxes == ["04", "05", "2016"]
    page = get_page(answered, f"{START}/needs")
    assert page.soup.find("textarea", {"name": "needs"}).get_text().strip().startswith("Sam finds reading hard.")


def test_back_links_go_to_the_page_before(answered):
    assert get_page(answered, f"{START}/who-is-asking").soup.select_one(".govuk-back-link")["href"] == START
    assert get_page(answered, f"{START}/name").soup.select_one(".govuk-back-link")["href"] == f"{START}/who-is-asking"
    assert get_page(answered, CHECK).soup.select_one(".govuk-back-link")["href"] == f"{START}/consent"


def test_check_your_answers_lists_every_answer_with_a_change_link(answered):
    page = get_page(answered, CHECK)
    assert page.h1 == "Check your answers before sending your request"
    rows = {
        " ".join(row.select_one(".govuk-summary-list__key").get_text().split()):
        " ".join(row.select_one(".govuk-summary-list__value").get_text(" ").split())
        for row in page.soup.select(".govuk-summary-list__row")
    }
    assert rows == {
        "Who is asking": "A parent",
        "Child’s name": "Sam Testperson",
        "Date of birth": "4 May 2016",
        "School, college or setting": "Example Primary School",
        "Needs": "Sam finds reading hard. Sam gets upset at lunchtime.",
        "Support already in place": "A teaching assistant two mornings a week.",
        "Why an assessment is needed": "The support is not enough.",
        "Professionals involved": "Dr Example at Example Health Centre",
        "Contact details": "Pat Testperson pat.parent@example.org 01632 960 001",
        "Contact the professionals": "Yes",
    }
    changes = [a["href"] for a in page.soup.select(".govuk-summary-list__actions a")]
    assert changes == [f"{START}/{slug}?change=yes" for slug in PUBLIC_ANSWERS]
    assert page.soup.find("button", string=lambda text: text and "Send request" in text)


def test_a_change_link_comes_back_to_check_your_answers(answered):
    page = get_page(answered, f"{START}/school-or-setting?change=yes")
    assert page.soup.select_one(".govuk-back-link")["href"] == CHECK
    assert page.soup.find("form")["action"] == f"{START}/school-or-setting?change=yes"
    response = answered.post(f"{START}/school-or-setting?change=yes", data={"school": "Example Academy"})
    assert response.location == CHECK
    assert "Example Academy" in get_page(answered, CHECK).text


def test_changing_who_asks_to_the_young_person_asks_again_for_a_date_of_birth_that_fits(answered):
    """A young person asking for themself must be 16 to 25: a child born in 2016 is not."""
    response = answered.post(f"{START}/who-is-asking?change=yes", data={"requester": "young_person"})
    assert response.location == f"{START}/date-of-birth"
    assert answered.get(CHECK).location == f"{START}/date-of-birth"
    page = get_page(answered, f"{START}/date-of-birth")
    assert page.h1 == "What is your date of birth?"


def test_a_young_person_reads_you_and_your(client):
    answers = dict(PUBLIC_ANSWERS)
    answers["who-is-asking"] = {"requester": "young_person"}
    answers["date-of-birth"] = {"child_date_of_birth": ["4", "5", "2006"]}
    client.post(f"{START}/who-is-asking", data=answers["who-is-asking"])
    headings = []
    for slug in list(answers)[1:]:
        page = get_page(client, f"{START}/{slug}")
        headings.append(page.h1)
        assert "your child" not in page.text.lower(), slug
        client.post(f"{START}/{slug}", data=answers[slug])
    assert headings[:4] == [
        "What is your name?", "What is your date of birth?", "Which school, college or setting do you go to?",
        "Tell us about your needs",
    ]
    page = get_page(client, CHECK)
    assert "your child" not in page.text.lower()
    assert "Your name" in page.text


def test_pages_without_a_draft_go_to_the_start_page(client):
    for slug in list(PUBLIC_ANSWERS)[1:]:
        assert client.get(f"{START}/{slug}").location == START
        assert client.post(f"{START}/{slug}", data=PUBLIC_ANSWERS[slug]).location == START
    for path in (CHECK, f"{START}/check-your-email"):
        assert client.get(path).location == START
    assert client.post(CHECK).location == START
    assert db.session.scalars(select(AssessmentRequest)).all() == []


def test_the_first_question_starts_the_draft_only_when_answered(client):
    get_page(client, f"{START}/who-is-asking")
    post_page(client, f"{START}/who-is-asking", {})
    assert db.session.scalars(select(AssessmentRequest)).all() == []
    client.post(f"{START}/who-is-asking", data={"requester": "carer"})
    assert only_request().requester is Requester.CARER


def test_a_page_out_of_order_goes_to_the_first_unanswered_question(client):
    client.post(f"{START}/who-is-asking", data={"requester": "parent"})
    assert client.get(f"{START}/needs").location == f"{START}/name"
    assert client.post(f"{START}/needs", data={"needs": "Skipping ahead"}).location == f"{START}/name"
    assert only_request().needs is None
    assert client.get(CHECK).location == f"{START}/name"


def test_an_unknown_question_is_not_found(client):
    client.post(f"{START}/who-is-asking", data={"requester": "parent"})
    get_page(client, f"{START}/favourite-colour", status=404)
    get_page(client, f"{START}/which-child", status=404)  # only for a signed-in family member


def test_sending_emails_a_link_and_shows_check_your_email(answered, mail):
    response = answered.post(CHECK)
    assert response.location == f"{START}/check-your-email"
    page = get_page(answered, f"{START}/check-your-email")
    assert page.h1 == "Check your email"
    assert "We have sent a link to pat.parent@example.org" in page.text
    assert "spam" in page.text
    request = only_request()
    assert request.status is RequestStatus.AWAITING_EMAIL
    assert request.received_on is None and request.reference is None
    [message] = mail.to("pat.parent@example.org")
    assert "/request-an-assessment/confirm/" in mail.link(message)


def test_pressing_send_twice_sends_one_email(answered, mail):
    answered.post(CHECK)
    second = answered.post(CHECK)
    assert second.location == f"{START}/check-your-email"
    assert answered.get(CHECK).location == f"{START}/check-your-email"
    assert len(mail.to("pat.parent@example.org")) == 1
    assert only_request().status is RequestStatus.AWAITING_EMAIL


def test_the_pages_say_nothing_about_who_is_already_known(app, make):
    """The same pages whether or not the child and the email address are already known."""
    from datetime import date

    from portal.models import Child, Role
    from portal.outbox import OutboxEmail
    from tests.intake.test_public_confirm import the_link

    def journey(email: str) -> list[str]:
        client = app.test_client()
        answers = {**PUBLIC_ANSWERS, "contact-details": {"requester_name": "Pat Testperson", "requester_email": email}}
        texts = []
        for slug, data in answers.items():
            texts.append(get_page(client, f"{START}/{slug}").text)
            client.post(f"{START}/{slug}", data=data)
        texts.append(get_page(client, CHECK).text.replace(email, "EMAIL"))
        client.post(CHECK)
        texts.append(get_page(client, f"{START}/check-your-email").text.replace(email, "EMAIL"))
        link = the_link()
        texts.append(get_page(client, link).text)
        client.post(link)
        request = db.session.scalars(select(AssessmentRequest).where(AssessmentRequest.requester_email == email)).one()
        texts.append(get_page(client, link).text.replace(request.reference, "REFERENCE"))
        db.session.delete(request)
        db.session.commit()
        return texts

    unknown = journey("new.parent@example.org")
    db.session.execute(db.delete(OutboxEmail))
    known = make.user(Role.FAMILY, email="known.parent@example.org")
    child = make.child(family=[known], first_name="Sam")
    db.session.get(Child, child.id).last_name = "Testperson"
    db.session.get(Child, child.id).date_of_birth = date(2016, 5, 4)
    db.session.commit()
    assert journey("known.parent@example.org") == unknown
