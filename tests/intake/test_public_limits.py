"""Sending a request is rate-limited per IP address and per email address (429, the usual page);
the question pages and the link are not counted against the send budget."""

from __future__ import annotations

from tests.helpers import check_page
from tests.intake.conftest import PUBLIC_ANSWERS, answer_questions

CHECK = "/request-an-assessment/check-your-answers"


def send_as(app, email: str):
    client = app.test_client()
    answers = {**PUBLIC_ANSWERS, "contact-details": {"requester_name": "Pat Testperson", "requester_email": email}}
    answer_questions(client, answers)
    return client.post(CHECK)


def test_sending_is_limited_per_ip_address(new_app):
    app = new_app(REQUEST_LIMIT_PER_IP="2 per hour", REQUEST_LIMIT_PER_EMAIL="100 per hour")
    statuses = [send_as(app, f"parent{n}@example.org").status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    page = check_page(send_as(app, "parent9@example.org"), 429)
    assert page.title.startswith(page.h1)


def test_sending_is_limited_per_email_address(new_app):
    app = new_app(REQUEST_LIMIT_PER_IP="100 per hour", REQUEST_LIMIT_PER_EMAIL="2 per hour")
    statuses = [send_as(app, "same.parent@example.org").status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert send_as(app, "SAME.parent@example.org ").status_code == 429  # the same address, however typed
    assert send_as(app, "other.parent@example.org").status_code == 302


def test_the_question_pages_are_not_counted(new_app):
    app = new_app(REQUEST_LIMIT_PER_IP="1 per hour", REQUEST_LIMIT_PER_EMAIL="1 per hour")
    client = app.test_client()
    for _ in range(3):
        answer_questions(client)
        assert client.get(CHECK).status_code == 200
    assert client.post(CHECK).status_code == 302


def test_a_send_without_a_draft_uses_no_email_budget(new_app):
    app = new_app(REQUEST_LIMIT_PER_IP="100 per hour", REQUEST_LIMIT_PER_EMAIL="1 per hour")
    for _ in range(3):
        assert app.test_client().post(CHECK).status_code == 302  # to the start page
    assert send_as(app, "first.parent@example.org").status_code == 302
