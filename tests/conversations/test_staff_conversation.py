"""A conversation as the case team sees it: reading, replying, closing and reopening, starting one
from a case; never another team's; never a staff-only note; in a fixed number of queries."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.conversations import absence, reply_by, services
from portal.conversations.inbox_queries import today
from portal.conversations.models import Conversation, ConversationRead, ConversationStatus, Message, UrgentReason
from portal.ehcp.models import CaseNote
from portal.extensions import db
from portal.models import AuditEvent, Role
from tests.conversations.conftest import People
from tests.conversations.helpers import reply, start
from tests.helpers import Factory, get_page, sign_in_fast

LONG_AGO = datetime.now(UTC) - timedelta(days=40)


def url(conversation: Conversation, action: str = "") -> str:
    return f"/casework/conversations/{conversation.id}{action}"


def message_count(conversation_id: int) -> int:
    return db.session.scalar(select(func.count(Message.id)).where(Message.conversation_id == conversation_id))


def fresh(conversation_id: int) -> Conversation:
    db.session.expire_all()
    return db.session.get(Conversation, conversation_id)


def reply_data(page, body: str = "We have asked the school again.") -> dict:
    key = page.soup.find("input", {"name": "submission_key"})["value"]
    return {"body": body, "submission_key": key}


@pytest.fixture
def caseworker_client(client: FlaskClient, people: People) -> FlaskClient:
    sign_in_fast(client, people.caseworker)
    return client


def test_another_teams_caseworker_can_neither_read_reply_close_reopen_nor_start(
    client: FlaskClient, people: People
) -> None:
    conversation = start(people.parent, people.case)
    closed = start(people.parent, people.case, subject="Closed one")
    services.close(people.caseworker, closed)
    sign_in_fast(client, people.south_caseworker)
    assert client.get(url(conversation)).status_code == 404
    assert client.post(url(conversation), data={"body": "Hello", "submission_key": "k" * 20}).status_code == 404
    assert client.post(url(conversation, "/close")).status_code == 404
    assert client.post(url(closed, "/reopen")).status_code == 404
    assert client.get(f"/casework/cases/{people.case.id}/messages/new").status_code == 404
    assert client.post(f"/casework/cases/{people.case.id}/messages/new",
                       data={"subject": "Hi", "body": "Hello", "submission_key": "k" * 20}).status_code == 404
    assert message_count(conversation.id) == 1
    assert fresh(conversation.id).status is ConversationStatus.WAITING_FOR_COUNCIL
    assert fresh(closed.id).status is ConversationStatus.CLOSED
    assert db.session.scalar(select(func.count(Conversation.id))) == 2
    refused = db.session.scalars(select(AuditEvent.target).where(AuditEvent.action == "record-refused")).all()
    assert f"conversation:{conversation.id}" in refused and f"case:{people.case.id}" in refused
    # And North cannot reach South's case either.
    sign_in_fast(client, people.caseworker)
    assert client.get(f"/casework/cases/{people.south_case.id}/messages/new").status_code == 404


def test_the_page_shows_the_conversation_audits_the_view_and_marks_it_read(
    caseworker_client: FlaskClient, people: People
) -> None:
    conversation = start(people.parent, people.case, subject="Advice from the school",
                         body="When will the advice arrive?", urgent=UrgentReason.SAFETY)
    page = get_page(caseworker_client, url(conversation))
    assert page.h1 == "Advice from the school"
    caption = page.soup.select_one(".govuk-caption-l a")
    assert caption["href"] == f"/casework/cases/{people.case.id}"
    assert caption.get_text(strip=True) == f"{people.child.full_name}, case {people.case.reference}"
    assert "Waiting for the council" in page.text
    assert f"Reply due {reply_by.long_date(conversation.reply_due_on)}" in page.text
    assert "Urgent Safety or wellbeing" in page.text
    assert "Pat Parent, parent" in page.text
    assert "When will the advice arrive?" in page.text
    assert page.soup.select_one(".app-message .govuk-tag--blue").get_text() == "New"
    assert page.soup.find("form", {"enctype": "multipart/form-data"}) is not None
    hint = " ".join(page.soup.find(id="body-hint").get_text().split())
    assert hint == "The family will see this message. For a note only staff can see, add a note on the case page."
    assert page.soup.find("button", string=re.compile("Close the conversation")) is not None
    viewed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "conversation-viewed")).all()
    assert [event.target for event in viewed] == [f"conversation:{conversation.id}"]
    assert viewed[0].actor_id == people.caseworker.id
    read = db.session.get(ConversationRead, (conversation.id, people.caseworker.id))
    assert read.last_read_message_id == conversation.last_message_id
    # Read now: no "New" marker the second time.
    assert not get_page(caseworker_client, url(conversation)).soup.select(".app-message .govuk-tag--blue")


def test_script_and_html_in_a_family_message_and_subject_show_as_text(
    caseworker_client: FlaskClient, people: People
) -> None:
    conversation = start(people.parent, people.case, subject="<i>Subject</i>",
                         body="<script>alert('x')</script>\n<b>bold</b> <img src=x onerror=alert(1)>")
    page = get_page(caseworker_client, url(conversation))
    html = page.response.get_data(as_text=True)
    assert "&lt;script&gt;alert(" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert page.h1 == "<i>Subject</i>"
    assert not page.soup.select("main i, main b, main img")
    assert not [script for script in page.soup.find_all("script") if "alert" in script.get_text()]


def test_a_staff_only_case_note_never_appears_on_the_conversation_page(
    caseworker_client: FlaskClient, people: People
) -> None:
    conversation = start(people.parent, people.case)
    db.session.add(CaseNote(case_id=people.case.id, author=people.caseworker, text="Staff only: zebra-note-7731"))
    db.session.commit()
    assert "zebra-note-7731" in get_page(caseworker_client, f"/casework/cases/{people.case.id}").text
    assert "zebra-note-7731" not in caseworker_client.get(url(conversation)).get_data(as_text=True)


def test_a_reply_stops_the_clock_records_how_late_it_was_and_shows_a_banner(
    caseworker_client: FlaskClient, people: People
) -> None:
    conversation = start(people.parent, people.case, now=LONG_AGO)
    due = conversation.reply_due_on
    data = reply_data(get_page(caseworker_client, url(conversation)))
    response = caseworker_client.post(url(conversation), data=data)
    assert response.status_code == 302 and response.location.endswith(url(conversation))
    page = get_page(caseworker_client, url(conversation))
    assert "Message sent" in page.soup.select_one(".govuk-notification-banner--success").get_text()
    assert "We have asked the school again." in page.text
    assert "You" in [author.get_text() for author in page.soup.select(".app-message__meta span")]
    after = fresh(conversation.id)
    assert after.status is ConversationStatus.WAITING_FOR_FAMILY and after.reply_due_on is None
    sent = db.session.scalar(select(Message).where(Message.conversation_id == conversation.id, Message.from_council))
    assert sent.answered_due_on == due
    assert sent.working_days_late == reply_by.working_days_late(due, today()) > 0
    assert after.first_reply_at is not None


def test_pressing_send_twice_makes_one_message(caseworker_client: FlaskClient, people: People) -> None:
    conversation = start(people.parent, people.case)
    data = reply_data(get_page(caseworker_client, url(conversation)))
    assert caseworker_client.post(url(conversation), data=data).status_code == 302
    assert caseworker_client.post(url(conversation), data=data).status_code == 302
    assert message_count(conversation.id) == 2


def test_a_refused_file_keeps_the_text_typed(caseworker_client: FlaskClient, people: People) -> None:
    conversation = start(people.parent, people.case)
    data = reply_data(get_page(caseworker_client, url(conversation)), "Here is the letter we promised.")
    data["files"] = (io.BytesIO(b"this is not really a PDF"), "letter.pdf")
    response = caseworker_client.post(url(conversation), data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    page = get_page(caseworker_client, url(conversation))  # nothing was sent meanwhile
    assert message_count(conversation.id) == 1
    from tests.helpers import check_page

    refused = check_page(response, 400)
    assert refused.title.startswith("Error: ")
    assert any("letter.pdf" in error for error in refused.error_messages())
    assert refused.soup.find("textarea", {"name": "body"}).get_text().strip() == "Here is the letter we promised."
    assert page.h1 == refused.h1


def test_an_empty_reply_is_an_error(caseworker_client: FlaskClient, people: People) -> None:
    conversation = start(people.parent, people.case)
    data = reply_data(get_page(caseworker_client, url(conversation)), "")
    response = caseworker_client.post(url(conversation), data=data)
    assert response.status_code == 400
    assert "Enter your reply" in response.get_data(as_text=True)
    assert message_count(conversation.id) == 1


def test_close_then_reopen_when_the_family_wrote_last_keeps_their_wait_and_its_date(
    caseworker_client: FlaskClient, people: People
) -> None:
    conversation = start(people.parent, people.case, now=LONG_AGO)
    old_due = conversation.reply_due_on
    response = caseworker_client.post(url(conversation, "/close"))
    assert response.status_code == 302 and response.location.endswith(url(conversation))
    page = get_page(caseworker_client, url(conversation))
    assert "Conversation closed" in page.soup.select_one(".govuk-notification-banner--success").get_text()
    closed = fresh(conversation.id)
    assert closed.status is ConversationStatus.CLOSED and closed.reply_due_on is None
    assert page.soup.find("textarea", {"name": "body"}) is None  # no reply form
    assert page.soup.find("button", string=re.compile("Open the conversation again")) is not None
    # Closing again is not an error.
    caseworker_client.post(url(conversation, "/close"))
    page = get_page(caseworker_client, url(conversation))
    assert "already closed" in page.soup.select_one(".govuk-notification-banner").get_text()
    assert not page.soup.select(".govuk-notification-banner--success")
    # A staff reply sent from an old page is refused, with a plain banner.
    caseworker_client.post(url(conversation), data={"body": "Late reply", "submission_key": "a" * 24})
    assert message_count(conversation.id) == 1
    assert "closed" in get_page(caseworker_client, url(conversation)).soup.select_one(".govuk-notification-banner").text

    assert caseworker_client.post(url(conversation, "/reopen")).status_code == 302
    page = get_page(caseworker_client, url(conversation))
    assert "opened again" in page.soup.select_one(".govuk-notification-banner--success").get_text()
    reopened = fresh(conversation.id)
    assert reopened.status is ConversationStatus.WAITING_FOR_COUNCIL
    # Closing never excuses a wait: the family's unanswered message still counts from when they sent it.
    assert reopened.reply_due_on == old_due
    assert reopened.waiting_since == LONG_AGO
    assert page.soup.find("textarea", {"name": "body"}) is not None
    caseworker_client.post(url(conversation, "/reopen"))
    assert "already open" in get_page(caseworker_client, url(conversation)).soup.select_one(
        ".govuk-notification-banner").get_text()


def test_reopening_when_the_council_wrote_last_waits_for_the_family(
    caseworker_client: FlaskClient, people: People
) -> None:
    conversation = start(people.parent, people.case)
    reply(people.caseworker, conversation)
    services.close(people.caseworker, conversation)
    caseworker_client.post(url(conversation, "/reopen"))
    reopened = fresh(conversation.id)
    assert reopened.status is ConversationStatus.WAITING_FOR_FAMILY and reopened.reply_due_on is None


def test_close_and_reopen_need_the_csrf_token(csrf_app: Flask, make: Factory, people: People) -> None:
    conversation = start(people.parent, people.case)
    client = csrf_app.test_client()
    sign_in_fast(client, people.caseworker)
    assert client.post(url(conversation, "/close")).status_code == 400
    assert fresh(conversation.id).status is ConversationStatus.WAITING_FOR_COUNCIL
    page = get_page(client, url(conversation))
    form = page.soup.find("form", action=url(conversation, "/close"))
    token = form.find("input", {"name": "csrf_token"})["value"]
    assert client.post(url(conversation, "/close"), data={"csrf_token": token}).status_code == 302
    assert fresh(conversation.id).status is ConversationStatus.CLOSED
    assert client.get(url(conversation, "/close")).status_code == 405


def test_any_caseworker_or_manager_of_the_team_can_reply(client: FlaskClient, people: People, make: Factory) -> None:
    other = make.user(Role.CASEWORKER, team=people.team, name="Robin Caseworker")
    conversation = start(people.parent, people.case)
    for person in (other, people.manager):
        sign_in_fast(client, person)
        data = reply_data(get_page(client, url(conversation)), f"Reply from {person.name}")
        assert client.post(url(conversation), data=data).status_code == 302
    page = get_page(client, url(conversation))
    assert "Robin Caseworker, SEND caseworker" in page.text
    assert "Reply from Morgan Manager" in page.text


def test_needs_cover_shows_while_the_caseworker_is_away(
    app: Flask, caseworker_client: FlaskClient, people: People
) -> None:
    conversation = start(people.parent, people.case)
    assert "Needs cover" not in get_page(caseworker_client, url(conversation)).text
    on = today()
    absence.record(people.caseworker, on, on + timedelta(days=7), on)
    until = (on + timedelta(days=7)).strftime("%-d %B %Y")
    manager = app.test_client()
    sign_in_fast(manager, people.manager)
    page = get_page(manager, url(conversation))
    note = " ".join(page.soup.find(id="needs-cover").get_text().split())
    assert f"Needs cover Casey Worker is away until {until}." in note
    # The caseworker, reading it while recorded as away, is told so in the second person.
    own = get_page(caseworker_client, url(conversation))
    assert own.soup.find(id="needs-cover") is None
    assert f"You are recorded as away until {until}" in own.text


def test_staff_start_a_conversation_that_waits_for_the_family(
    caseworker_client: FlaskClient, people: People
) -> None:
    start_url = f"/casework/cases/{people.case.id}/messages/new"
    page = get_page(caseworker_client, start_url)
    assert page.h1 == "Send a message to the family"
    assert page.soup.find("form", action=start_url)["enctype"] == "multipart/form-data"
    key = page.soup.find("input", {"name": "submission_key"})["value"]
    data = {"subject": "Your annual review", "body": "Please tell us a date that suits you.", "submission_key": key}
    response = caseworker_client.post(start_url, data=data)
    assert response.status_code == 302
    conversation = db.session.scalar(select(Conversation))
    assert response.location.endswith(url(conversation))
    assert conversation.status is ConversationStatus.WAITING_FOR_FAMILY and conversation.reply_due_on is None
    assert caseworker_client.post(start_url, data=data).status_code == 302  # sent twice: one conversation
    assert db.session.scalar(select(func.count(Conversation.id))) == 1
    page = get_page(caseworker_client, url(conversation))
    assert page.h1 == "Your annual review" and "Waiting for the family" in page.text
    response = caseworker_client.post(start_url, data={"subject": "", "body": "", "submission_key": key + "x"})
    assert response.status_code == 400
    assert "Enter a subject" in response.get_data(as_text=True)


@pytest.mark.parametrize("size", [10, 500])
@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER])
def test_the_page_takes_at_most_10_queries_whatever_the_size(
    client: FlaskClient, people: People, count_queries, size: int, role: Role
) -> None:
    conversation = start(people.parent, people.case)
    for number in range(size // 10):
        reply(people.caseworker, conversation, f"Reply {number}")
        reply(people.parent, conversation, f"Family reply {number}")
    others = [
        Conversation(case_id=people.case.id, team_id=people.team.id, subject=f"Other {number}",
                     status=ConversationStatus.CLOSED)
        for number in range(size)
    ]
    db.session.add_all(others)
    db.session.add(CaseNote(case_id=people.case.id, author=people.caseworker, text="A note"))
    db.session.commit()
    on = today()
    absence.record(people.caseworker, on, on + timedelta(days=2), on)
    sign_in_fast(client, people.manager if role is Role.MANAGER else people.caseworker)
    page_url = url(conversation)
    client.get(f"/casework/conversations/{others[0].id}")  # warm up
    for _ in range(2):  # unread, then read
        with count_queries() as queries:
            response = client.get(page_url)
        assert response.status_code == 200
        assert queries.count <= 10, (queries.count, "\n".join(s[:150] for s in queries.statements))
    with count_queries() as queries:
        response = client.post(page_url, data={"body": "", "submission_key": "b" * 24})
    assert response.status_code == 400
    assert queries.count <= 10, (queries.count, queries.statements)


@pytest.mark.parametrize("size", [10, 500])
def test_the_case_page_lists_the_cases_conversations_in_one_more_query(
    caseworker_client: FlaskClient, people: People, count_queries, size: int
) -> None:
    waiting = start(people.parent, people.case, subject="<b>Waiting</b> one", urgent=UrgentReason.APPEAL_DEADLINE)
    db.session.add_all(
        Conversation(case_id=people.case.id, team_id=people.team.id, subject=f"Old {number}",
                     status=ConversationStatus.CLOSED, last_message_at=LONG_AGO)
        for number in range(size)
    )
    db.session.commit()
    start(people.south_caseworker, people.south_case, subject="South only")
    case_url = f"/casework/cases/{people.case.id}"
    caseworker_client.get(case_url)  # warm up
    with count_queries() as queries:
        response = caseworker_client.get(case_url)
    assert response.status_code == 200
    assert queries.count <= 10, (queries.count, queries.statements)
    page = get_page(caseworker_client, case_url)
    items = page.soup.select("#case-conversations li")
    assert len(items) == min(size + 1, 50)
    first = items[0]
    assert first.a.get_text() == "<b>Waiting</b> one" and first.a["href"] == url(waiting)
    assert " ".join(first.span.get_text().split()) == (
        f"Waiting for the council. Urgent. Reply due {waiting.reply_due_on.strftime('%-d %B %Y')}."
    )
    assert "South only" not in page.text
    start_link = page.soup.find(id="messages").find_next("a", string="Send a message to the family")
    assert start_link["href"] == f"/casework/cases/{people.case.id}/messages/new"


def test_a_case_with_no_conversations_says_so(caseworker_client: FlaskClient, people: People) -> None:
    page = get_page(caseworker_client, f"/casework/cases/{people.case.id}")
    assert page.soup.find(id="messages").find_next("p").get_text() == "No messages with the family yet."


def test_closing_while_the_family_waits_warns_the_caseworker(caseworker_client: FlaskClient, people: People) -> None:
    conversation = start(people.parent, people.case)
    page = get_page(caseworker_client, url(conversation))
    assert "The family is waiting for a reply. Close it only if you have answered them another way" in page.text
    reply(people.caseworker, conversation)
    assert "The family is waiting for a reply" not in get_page(caseworker_client, url(conversation)).text
