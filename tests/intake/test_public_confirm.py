"""Confirming the email address: the link opens a page with a button (an email scanner that opens
links confirms nothing); the day of confirmation is day 0; a second click changes nothing; an
expired or unknown link says to start again; nothing reaches the team before confirmation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import select

from portal.ehcp import timeline
from portal.ehcp.milestones import long_date
from portal.extensions import db
from portal.intake.models import AssessmentRequest, RequestStatus
from portal.models import AuditEvent
from portal.outbox import OutboxEmail
from tests.helpers import get_page, post_page
from tests.intake.conftest import PUBLIC_ANSWERS, answer_questions

START = "/request-an-assessment"
# A Tuesday morning in England (GMT): the day of confirmation is 1 December 2026.
SENT_AT = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
CONFIRMED_AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def only_request() -> AssessmentRequest:
    return db.session.scalars(select(AssessmentRequest)).one()


def the_link() -> str:
    """The link in the confirmation email, as its outbox row holds it."""
    row = db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == "request_confirm_email")).one()
    return row.context["link"].removeprefix("http://localhost")


def send(client, answers=None) -> str:
    answer_questions(client, answers)
    assert client.post(f"{START}/check-your-answers").location == f"{START}/check-your-email"
    return the_link()


def test_the_link_opens_a_page_with_a_button_and_confirms_nothing(answered):
    link = send(answered)
    page = get_page(answered, link)
    assert page.h1 == "Confirm your request"
    assert "for Sam" in page.text
    assert page.soup.find("button", string=lambda text: text and "Confirm and send my request" in text)
    assert page.soup.find("form")["method"] == "post"
    get_page(answered, link)  # a scanner opening it twice
    assert only_request().status is RequestStatus.AWAITING_EMAIL
    assert only_request().received_on is None


def test_confirming_receives_the_request_today_with_the_decision_date(client, mail):
    with time_machine.travel(SENT_AT, tick=False):
        link = send(client)
    with time_machine.travel(CONFIRMED_AT, tick=False):
        other_browser = client.application.test_client()  # the email opened on another device
        response = other_browser.post(link)
        assert response.location == link
        page = get_page(other_browser, link)
    request = only_request()
    assert request.status is RequestStatus.RECEIVED
    assert request.received_on == date(2026, 12, 1)
    assert request.reference == f"R2026-{request.id:05d}"
    due = timeline.decision_to_assess_due(date(2026, 12, 1))
    assert page.h1.startswith("Request received")
    assert page.soup.select_one(".govuk-panel strong").get_text() == request.reference
    assert f"The council must decide whether to assess by {long_date(due)}." in page.text
    assert "on 1 December 2026" in page.text
    assert "What happens next" in page.text
    assert db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target == f"request:{request.id}").order_by(AuditEvent.id)
    ).all() == [
        "request-sent", "request-received",
    ]


def test_a_second_click_changes_nothing_and_shows_the_same_confirmation(client, mail):
    with time_machine.travel(CONFIRMED_AT, tick=False):
        link = send(client)
        client.post(link)
        first = get_page(client, link).text
    mail.clear()
    with time_machine.travel(CONFIRMED_AT + timedelta(days=2), tick=False):
        again = client.post(link)
        assert again.location == link
        assert get_page(client, link).text == first
    request = only_request()
    assert request.received_on == date(2026, 12, 1)
    assert mail.messages() == []
    assert db.session.scalar(
        select(db.func.count()).select_from(AuditEvent).where(AuditEvent.action == "request-received")
    ) == 1


def test_an_unconfirmed_request_sends_nothing_to_the_team(answered, mail):
    send(answered)
    request = only_request()
    assert request.status is RequestStatus.AWAITING_EMAIL  # not "received": in no staff list
    assert request.received_on is None
    recipients = {message["To"] for message in mail.messages()}
    assert recipients == {"pat.parent@example.org"}


def test_an_expired_link_says_to_start_again(client):
    with time_machine.travel(SENT_AT, tick=False):
        link = send(client)
    with time_machine.travel(SENT_AT + timedelta(days=8), tick=False):
        page = get_page(client, link, status=404)
        assert page.h1 == "This link has expired"
        assert page.soup.find("a", string="Start again")["href"] == START
        page = post_page(client, link, {}, status=404)
        assert page.h1 == "This link has expired"
    assert only_request().status is RequestStatus.AWAITING_EMAIL


def test_an_unknown_link_is_the_same_expired_page(client):
    page = get_page(client, f"{START}/confirm/made-up-token", status=404)
    assert page.h1 == "This link has expired"
    assert post_page(client, f"{START}/confirm/made-up-token", {}, status=404).h1 == "This link has expired"


def test_the_emails_give_the_reference_and_date_and_nothing_private(client, mail):
    with time_machine.travel(CONFIRMED_AT, tick=False):
        link = send(client)
        [confirm] = mail.to("pat.parent@example.org")
        mail.clear()
        client.post(link)
        [received] = mail.to("pat.parent@example.org")
    request = only_request()
    due = long_date(timeline.decision_to_assess_due(date(2026, 12, 1)))
    received_text = mail.text(received)
    assert request.reference in received["Subject"]
    assert request.reference in received_text
    assert due in received_text
    assert "for Sam" in received_text
    for message in (confirm, received):
        whole = message["Subject"] + mail.text(message) + message.get_body(("html",)).get_content()
        for private in ("Testperson", "2016", "4 May", "Example Primary", "reading hard", "teaching assistant",
                        "Dr Example", "01632"):
            assert private not in whole, (message["Subject"], private)


def test_a_young_person_is_told_for_yourself(client):
    answers = dict(PUBLIC_ANSWERS)
    answers["who-is-asking"] = {"requester": "young_person"}
    answers["date-of-birth"] = {"child_date_of_birth": ["4", "5", "2006"]}
    link = send(client, answers)
    assert "for yourself" in get_page(client, link).text
    client.post(link)
    page = get_page(client, link)
    assert "for yourself" in page.text
    assert "your child" not in page.text.lower()


def test_check_your_email_is_gone_once_confirmed(answered):
    link = send(answered)
    answered.post(link)
    assert answered.get(f"{START}/check-your-email").location == START


def test_the_link_never_shows_what_staff_entered(answered, make):
    """After the team closes the request with a note, the link still shows only the confirmation."""
    from portal.intake import services
    from portal.intake.models import ClosureReason
    from portal.models import Role

    link = send(answered)
    answered.post(link)
    request = only_request()
    staff = make.user(Role.CASEWORKER, name="Casey Closer")
    assert services.close_request(request, staff, ClosureReason.DUPLICATE, "Staff note: duplicate of R2026-00001")
    page = get_page(answered, link)
    assert page.h1.startswith("Request received")
    for staff_text in ("Staff note", "duplicate", "Casey", "Closed"):
        assert staff_text not in page.text


def test_a_wrong_email_address_is_changed_and_the_request_sent_again(client, mail):
    """The sender sees the address was wrong on "Check your email": they change it (every other
    answer kept), the first link stops working, and the new link goes to the new address."""
    wrong_link = send(client)
    page = get_page(client, f"{START}/check-your-email")
    assert "pat.parent@example.org" in page.text
    form = page.soup.select_one("main form[method=post]")
    assert form["action"] == f"{START}/check-your-email"
    assert form.find("button", string=lambda text: text and "Change the email address" in text)

    response = client.post(f"{START}/check-your-email")
    assert response.location == f"{START}/contact-details?change=yes"
    assert only_request().status is RequestStatus.DRAFT
    contact = get_page(client, response.location)
    assert contact.soup.select_one("input[name=requester_email]")["value"] == "pat.parent@example.org"
    assert get_page(client, wrong_link, status=404).h1  # the first link no longer confirms anything

    response = client.post(response.location, data={**PUBLIC_ANSWERS["contact-details"],
                                                    "requester_email": "pat.right@example.org"})
    assert response.location == f"{START}/check-your-answers"
    check = get_page(client, response.location)
    assert "pat.right@example.org" in check.text and "Sam finds reading hard." in check.text
    assert client.post(f"{START}/check-your-answers").location == f"{START}/check-your-email"
    assert "pat.right@example.org" in get_page(client, f"{START}/check-your-email").text
    emails = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.template == "request_confirm_email").order_by(OutboxEmail.id)
    ).all()
    assert [email.to_email for email in emails] == ["pat.parent@example.org", "pat.right@example.org"]
    new_link = emails[-1].context["link"].removeprefix("http://localhost")
    assert client.post(new_link).status_code == 302
    assert only_request().status is RequestStatus.RECEIVED and only_request().requester_email == "pat.right@example.org"


def test_changing_the_email_address_after_confirming_changes_nothing(client):
    link = send(client)
    assert client.post(link).status_code == 302  # confirmed: received by the council
    response = client.post(f"{START}/check-your-email")
    assert response.location == START
    assert only_request().status is RequestStatus.RECEIVED
