"""The family's messages pages through HTTP: the list by child, starting a conversation, reading
and replying, the reply-by and cover sentences, refused files with the text kept, one message
for a repeated submission, another family's conversation a 404, and the query budgets."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from portal.conversations import absence
from portal.conversations.models import Conversation, ConversationStatus, Message, UrgentReason
from portal.extensions import db
from portal.models import Relationship, Role
from tests.conversations.conftest import People
from tests.conversations.helpers import reply, start
from tests.helpers import Factory, Page, check_page, get_page, sign_in_fast

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


def words(tag) -> str:
    return " ".join(tag.get_text(" ").split())


def navigation(page: Page) -> str:
    return words(page.soup.select_one(".govuk-service-navigation__list"))


def message_count() -> int:
    return db.session.scalar(select(func.count(Message.id)))


def start_form(client: FlaskClient, case_id: int) -> dict:
    page = get_page(client, f"/family/cases/{case_id}/messages/new")
    return {"submission_key": page.soup.find("input", {"name": "submission_key"})["value"]}


def multipart(fields: dict, files=()) -> dict:
    """A multipart body built in memory (the test client would spool a large one to a temporary
    file it never closes)."""
    data = MultiDict(fields)
    for name, content in files:
        data.add("files", FileStorage(io.BytesIO(content), filename=name))
    boundary, body = encode_multipart(data)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def new_message(key: str, files=(), **fields) -> dict:
    return multipart({"subject": "Speech therapy", "body": "When will the report come?\nThank you.", "urgent": "no",
                      "submission_key": key, **fields}, files)


def test_a_parent_starts_a_conversation_and_reads_when_to_expect_a_reply(client: FlaskClient, people: People) -> None:
    sign_in_fast(client, people.parent)
    form = get_page(client, f"/family/cases/{people.case.id}/messages/new")
    text = form.text
    assert form.h1 == "Send a message to the SEND team"
    assert "We aim to reply within 10 working days (2 for urgent messages)." in text
    # The safeguarding warning comes before the form.
    warning = form.soup.select_one("main .govuk-warning-text")
    assert "call the safeguarding team" in words(warning) and "call 999" in words(warning)
    assert warning.find_next("form") is form.soup.select_one("main form")
    # Every reason for urgency is on the page without JavaScript.
    reasons = [words(label) for label in form.soup.select("input[name=urgent_reason] + label")]
    assert reasons == [reason.label for reason in UrgentReason]

    key = form.soup.find("input", {"name": "submission_key"})["value"]
    with time_machine.travel(datetime(2026, 12, 1, 10, tzinfo=UTC), tick=False):
        sign_in_fast(client, people.parent)
        response = client.post(f"/family/cases/{people.case.id}/messages/new", **new_message(key))
        assert response.status_code == 302
        page = get_page(client, response.location)
    assert page.h1 == "Speech therapy"
    assert "Your message has been sent" in words(page.soup.select_one(".govuk-notification-banner--success"))
    assert "We aim to reply by Tuesday 15 December 2026." in page.text
    assert "Messages about Ourchild" in words(page.soup.select_one(".govuk-caption-l"))
    meta = " ".join(page.soup.select_one("ol.app-thread .app-message__meta").get_text().split())
    assert meta == "You, 1 December 2026 at 10am"
    body = page.soup.select_one("ol.app-thread .app-message__body").get_text()
    assert body == "When will the report come?\nThank you."
    conversation = db.session.scalar(select(Conversation))
    assert conversation.status is ConversationStatus.WAITING_FOR_COUNCIL
    assert conversation.reply_due_on == date(2026, 12, 15)


def test_an_urgent_message_shows_its_reason_and_the_urgent_date(client: FlaskClient, people: People) -> None:
    sign_in_fast(client, people.parent)
    key = start_form(client, people.case.id)["submission_key"]
    with time_machine.travel(datetime(2026, 12, 1, 10, tzinfo=UTC), tick=False):
        sign_in_fast(client, people.parent)
        response = client.post(f"/family/cases/{people.case.id}/messages/new",
                               **new_message(key, urgent="yes", urgent_reason="safety"))
        page = get_page(client, response.location)
    assert "Urgent Safety or wellbeing" in page.text
    assert "We aim to reply by Thursday 3 December 2026." in page.text


def test_urgent_without_a_reason_is_an_error_with_the_text_kept(client: FlaskClient, people: People) -> None:
    sign_in_fast(client, people.parent)
    key = start_form(client, people.case.id)["submission_key"]
    page = check_page(client.post(f"/family/cases/{people.case.id}/messages/new",
                                  **new_message(key, urgent="yes")))
    assert page.error_messages() == ["Select why your message is urgent"]
    assert page.soup.find("input", {"name": "subject"})["value"] == "Speech therapy"
    assert message_count() == 0


def test_the_reply_by_date_for_a_message_sent_on_1_december_2026(client: FlaskClient, people: People) -> None:
    conversation = start(people.parent, people.case, now=datetime(2026, 12, 1, 9, tzinfo=UTC))
    sign_in_fast(client, people.parent)
    with time_machine.travel(datetime(2026, 12, 2, 9, tzinfo=UTC), tick=False):
        sign_in_fast(client, people.parent)
        page = get_page(client, f"/family/messages/{conversation.id}")
        inbox = get_page(client, "/family/messages")
    assert "We aim to reply by Tuesday 15 December 2026." in page.text
    assert "We aim to reply by Tuesday 15 December 2026." in inbox.text


def test_the_family_is_told_who_replies_while_the_caseworker_is_away(client: FlaskClient, people: People) -> None:
    conversation = start(people.parent, people.case, now=datetime(2026, 12, 1, 9, tzinfo=UTC))
    absence.record(people.caseworker, date(2026, 11, 30), date(2026, 12, 8), today=date(2026, 11, 30))
    sign_in_fast(client, people.parent)
    with time_machine.travel(datetime(2026, 12, 2, 9, tzinfo=UTC), tick=False):
        sign_in_fast(client, people.parent)
        away = get_page(client, f"/family/messages/{conversation.id}")
    with time_machine.travel(datetime(2026, 12, 9, 9, tzinfo=UTC), tick=False):
        sign_in_fast(client, people.parent)
        back = get_page(client, f"/family/messages/{conversation.id}")
    cover = "Casey is away until 8 December 2026: the North SEND team will reply."
    assert cover in away.text
    assert cover not in back.text and "away" not in back.text


def test_a_family_cannot_reach_another_familys_conversation_or_case(
    client: FlaskClient, people: People, make: Factory
) -> None:
    conversation = start(people.parent, people.case)
    other = make.user(Role.FAMILY)
    make.child(team=people.team, family=[other])
    sign_in_fast(client, other)
    before = message_count()
    get_page(client, f"/family/messages/{conversation.id}", status=404)
    check_page(client.post(f"/family/messages/{conversation.id}",
                           data={"body": "Let me in", "submission_key": "k" * 20}), 404)
    get_page(client, f"/family/cases/{people.case.id}/messages/new", status=404)
    check_page(client.post(f"/family/cases/{people.case.id}/messages/new", **new_message("k" * 20)), 404)
    assert message_count() == before
    inbox = get_page(client, "/family/messages")
    assert "Advice from the school" not in inbox.text
    # Nor one that does not exist.
    get_page(client, f"/family/messages/{conversation.id + 1000}", status=404)


def test_script_and_html_are_shown_as_text(client: FlaskClient, people: People) -> None:
    sign_in_fast(client, people.parent)
    key = start_form(client, people.case.id)["submission_key"]
    script = "<script>alert(1)</script>"
    response = client.post(f"/family/cases/{people.case.id}/messages/new", **new_message(
        key, subject=f"{script} <b>bold</b>", body=f"<img src=x onerror=alert(2)> {script}",
        files=[("<img src=y onerror=alert(3)>.pdf", PDF)],
    ))
    assert response.status_code == 302
    for url in (response.location, "/family/messages"):
        page = get_page(client, url)
        html = page.response.get_data(as_text=True)
        assert "<script>alert" not in html and "<b>bold</b>" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert f"{script} <b>bold</b>" in page.text
    conversation_page = get_page(client, response.location)
    assert "<img src=x onerror=alert(2)>" in conversation_page.text
    assert "<img src=y onerror=alert(3)>.pdf" in words(conversation_page.soup.select_one(".app-message__files"))
    assert "<img src=y" not in conversation_page.response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("files", "error"),
    [
        ([("report.pdf", b"MZ this is a program, not a PDF" * 10)],
         "‘report.pdf’ is not a real PDF file, or it is damaged. Choose a PDF, JPEG, PNG or Word (DOCX) file"),
        ([("big.pdf", PDF + b"0" * (10 * 1024 * 1024 + 1 - len(PDF)))], "‘big.pdf’ must be smaller than 10MB"),
        ([("notes.txt", b"plain text notes")], "‘notes.txt’ must be a PDF, JPEG, PNG or Word (DOCX) file"),
        ([(f"page{n}.pdf", PDF) for n in range(6)], "Choose 5 files or fewer"),
        ([("photo.pdf", PNG)], "‘photo.pdf’ is a PNG file but its name does not say so. "
                                   "Rename it to end in .png, or choose another file"),
    ],
    ids=["claims-pdf", "oversize", "wrong-type", "six-files", "wrong-name"],
)
def test_a_refused_file_is_an_error_and_the_text_stays(
    client: FlaskClient, people: People, files: list, error: str
) -> None:
    sign_in_fast(client, people.parent)
    key = start_form(client, people.case.id)["submission_key"]
    url = f"/family/cases/{people.case.id}/messages/new"
    page = check_page(client.post(url, **new_message(key, files=files)))
    assert page.title.startswith("Error: ")
    assert page.error_messages() == [error]
    files_group = page.soup.find("input", {"name": "files"}).find_parent(class_="govuk-form-group")
    assert "govuk-form-group--error" in files_group["class"]
    assert error in words(files_group.select_one(".govuk-error-message"))
    assert page.soup.select_one(".govuk-error-summary__list a")["href"] == "#files"
    assert page.soup.find("input", {"name": "subject"})["value"] == "Speech therapy"
    assert page.soup.find("textarea", {"name": "body"}).get_text().strip() == "When will the report come?\nThank you."
    assert page.soup.find("input", {"name": "submission_key"})["value"] == key
    assert message_count() == 0
    # Sent again with a good file (the same form, so the same key): one message, sent once.
    for _ in range(2):
        response = client.post(url, **new_message(key, files=[("report.pdf", PDF)]))
        assert response.status_code == 302
    assert message_count() == 1


def test_good_files_on_a_form_with_another_problem_are_asked_for_again(client: FlaskClient, people: People) -> None:
    """A browser never keeps chosen files when the form comes back with an error: the page says
    to choose them again, rather than send the message later without them."""
    sign_in_fast(client, people.parent)
    key = start_form(client, people.case.id)["submission_key"]
    url = f"/family/cases/{people.case.id}/messages/new"
    sent = new_message(key, files=[("letter.pdf", PDF), ("report.pdf", PDF)], subject="")
    page = check_page(client.post(url, **sent))
    assert page.error_messages() == ["Enter a subject", "Choose your 2 files again. Nothing has been sent yet"]
    assert page.soup.find("textarea", {"name": "body"}).get_text().strip() == "When will the report come?\nThank you."
    assert message_count() == 0


def test_sending_the_same_form_twice_makes_one_message(client: FlaskClient, people: People) -> None:
    conversation = start(people.parent, people.case)
    reply(people.caseworker, conversation)
    sign_in_fast(client, people.parent)
    page = get_page(client, f"/family/messages/{conversation.id}")
    key = page.soup.find("input", {"name": "submission_key"})["value"]
    before = message_count()
    locations = set()
    for _ in range(2):
        response = client.post(f"/family/messages/{conversation.id}", data={"body": "Thanks", "submission_key": key})
        assert response.status_code == 302
        locations.add(response.location)
    assert locations == {f"/family/messages/{conversation.id}"}
    assert message_count() == before + 1
    page = get_page(client, f"/family/messages/{conversation.id}")
    assert "Your reply has been sent" in page.text
    assert page.text.count("Thanks") == 1


def test_a_reply_opens_a_closed_conversation_again(client: FlaskClient, people: People) -> None:
    from portal.conversations import services

    conversation = start(people.parent, people.case)
    services.close(people.caseworker, conversation)
    sign_in_fast(client, people.parent)
    page = get_page(client, f"/family/messages/{conversation.id}")
    assert "This conversation is closed. You can still write a reply and it will open again." in page.text
    key = page.soup.find("input", {"name": "submission_key"})["value"]
    response = client.post(f"/family/messages/{conversation.id}",
                           **multipart({"body": "One more thing", "submission_key": key}, [("letter.pdf", PDF)]))
    assert response.status_code == 302
    page = get_page(client, response.location)
    assert "We aim to reply by" in page.text and "letter.pdf" in page.text
    db.session.expire_all()
    assert db.session.get(Conversation, conversation.id).status is ConversationStatus.WAITING_FOR_COUNCIL


def test_messages_are_grouped_by_child_with_unread_counts_and_a_young_person_reads_your(
    client: FlaskClient, people: People, make: Factory
) -> None:
    second = make.child(team=people.team, family=[people.parent], first_name="Secondchild")
    second_case = make.case(child=second, caseworker=people.caseworker)
    older = start(people.parent, people.case, subject="Older subject", now=datetime(2026, 11, 2, tzinfo=UTC))
    start(people.parent, people.case, subject="Newer subject", now=datetime(2026, 11, 3, tzinfo=UTC))
    reply(people.caseworker, older, now=datetime(2026, 11, 4, tzinfo=UTC))
    reply(people.caseworker, older, "And another thing.", now=datetime(2026, 11, 4, 1, tzinfo=UTC))
    sign_in_fast(client, people.parent)
    page = get_page(client, "/family/messages")
    assert page.h1 == "Messages"
    groups = page.soup.select("main section.app-child-messages")
    assert [words(group.h2) for group in groups] == ["Messages about Ourchild", "Messages about Secondchild"]
    first = groups[0]
    assert [words(h3) for h3 in first.select("h3")] == ["Older subject", "Newer subject"]
    assert "2 new messages" in words(first.select("li")[0])
    assert "new message" not in words(first.select("li")[1])
    assert "The SEND team has written to you. You can reply if you need to." in words(first.select("li")[0])
    assert "Last message 4 November 2026 at 1am" in words(first.select("li")[0])
    assert "There are no messages about Secondchild yet." in words(groups[1])
    links = [a["href"] for a in page.soup.select("main a") if "Send a new message" in a.get_text()]
    assert links == [f"/family/cases/{people.case.id}/messages/new", f"/family/cases/{second_case.id}/messages/new"]

    young = make.user(Role.FAMILY, name="Yara Young")
    own = make.child(team=people.team, family=[young], relationship=Relationship.YOUNG_PERSON, first_name="Yara")
    own_case = make.case(child=own, caseworker=people.caseworker)
    conversation = start(young, own_case, subject="My college")
    sign_in_fast(client, young)
    inbox = get_page(client, "/family/messages")
    assert [words(h2) for h2 in inbox.soup.select("main section h2")] == ["Your messages"]
    assert "Yara" not in words(inbox.soup.select_one("main"))
    page = get_page(client, f"/family/messages/{conversation.id}")
    assert words(page.soup.select_one(".govuk-caption-l")).startswith("Your messages")
    start_page = get_page(client, f"/family/cases/{own_case.id}/messages/new")
    assert "the people handling your case" in start_page.text and "Yara" not in start_page.text


def test_a_family_with_no_children_reads_that_they_have_no_messages(client: FlaskClient, make: Factory) -> None:
    sign_in_fast(client, make.user(Role.FAMILY))
    page = get_page(client, "/family/messages")
    assert "You have no messages." in page.text


def test_the_navigation_shows_the_unread_count_until_the_messages_are_read(
    client: FlaskClient, people: People
) -> None:
    conversation = start(people.parent, people.case)
    sign_in_fast(client, people.parent)
    assert "Messages Your account" in navigation(get_page(client, "/family/"))
    reply(people.caseworker, conversation, "First")
    reply(people.caseworker, conversation, "Second")
    assert "Messages (2 unread)" in navigation(get_page(client, "/family/"))
    page = get_page(client, f"/family/messages/{conversation.id}")
    assert [words(tag) for tag in page.soup.select("ol.app-thread .govuk-tag")] == ["New", "New"]
    after = get_page(client, "/family/messages")
    assert "Messages Your account" in navigation(after) and "unread" not in navigation(after)
    assert not after.soup.select("ul.app-conversations .govuk-tag")
    page = get_page(client, f"/family/messages/{conversation.id}")
    assert not page.soup.select("ol.app-thread .govuk-tag")


def test_the_case_page_and_dashboard_link_to_messages(client: FlaskClient, people: People) -> None:
    conversation = start(people.parent, people.case, subject="About the annual review")
    reply(people.caseworker, conversation)
    sign_in_fast(client, people.parent)
    case_page = get_page(client, f"/family/cases/{people.case.id}")
    hrefs = {a.get_text(strip=True): a["href"] for a in case_page.soup.select("main a")}
    assert hrefs["About the annual review"] == f"/family/messages/{conversation.id}"
    assert hrefs["Send a message to the SEND team"] == f"/family/cases/{people.case.id}/messages/new"
    dashboard = get_page(client, "/family/")
    link = next(a for a in dashboard.soup.select("main a") if a["href"] == "/family/messages")
    assert "1 unread" in words(link)


def _many_conversations(people: People, count: int) -> None:
    """`count` conversations about the child, each with a staff reply the parent has not read."""
    now = datetime(2026, 11, 2, tzinfo=UTC)
    conversations = [
        Conversation(case_id=people.case.id, team_id=people.team.id, subject=f"Subject {n}",
                     status=ConversationStatus.WAITING_FOR_FAMILY,
                     started_by_id=people.parent.id, started_at=now, last_message_at=now + timedelta(minutes=n),
                     message_count=2)
        for n in range(count)
    ]
    db.session.add_all(conversations)
    db.session.flush()
    messages = []
    for conversation in conversations:
        for author, council in ((people.parent, False), (people.caseworker, True)):
            messages.append(Message(
                conversation_id=conversation.id, author_id=author.id, author_title="parent", from_council=council,
                body="Words", sent_at=now, submission_key=f"bulk-{conversation.id}-{int(council)}-key",
            ))
    db.session.add_all(messages)
    db.session.flush()
    for conversation, last in zip(conversations, messages[1::2], strict=True):
        conversation.last_message_id = last.id
    db.session.commit()


def _many_messages(people: People, count: int) -> Conversation:
    conversation = start(people.parent, people.case)
    now = datetime.now(UTC)
    messages = [
        Message(conversation_id=conversation.id, author_id=people.caseworker.id, author_title="SEND caseworker",
                from_council=True, body=f"Message {n}", sent_at=now, submission_key=f"bulk-message-{n}-key")
        for n in range(count)
    ]
    db.session.add_all(messages)
    db.session.flush()
    conversation.last_message_id = messages[-1].id
    conversation.message_count = count + 1
    db.session.commit()
    return conversation


@pytest.mark.parametrize("count", [10, 500])
def test_the_messages_page_reads_a_fixed_number_of_statements(
    client: FlaskClient, people: People, count_queries, count: int
) -> None:
    _many_conversations(people, count)
    sign_in_fast(client, people.parent)
    with count_queries() as queries:
        response = client.get("/family/messages")
    page = check_page(response)
    assert len(page.soup.select("main ul.app-conversations > li")) == count
    assert f"Messages ({count} unread)" in navigation(page)
    assert page.text.count("1 new message") == count
    assert queries.count <= 10, f"{queries.count} queries:\n" + "\n\n".join(queries.statements)


@pytest.mark.parametrize("count", [10, 500])
def test_a_conversation_page_reads_a_fixed_number_of_statements(
    client: FlaskClient, people: People, count_queries, count: int
) -> None:
    conversation = _many_messages(people, count)
    absence.record(people.caseworker, date.today(), date.today() + timedelta(days=3), today=date.today())
    url = f"/family/messages/{conversation.id}"
    sign_in_fast(client, people.parent)
    with count_queries() as queries:
        response = client.get(url)
    page = check_page(response)
    assert len(page.soup.select("ol.app-thread > li")) == count + 1
    assert "is away until" in page.text
    assert queries.count <= 10, f"{queries.count} queries:\n" + "\n\n".join(queries.statements)


def test_the_reply_box_is_empty_for_everyone_after_someone_elses_reply_was_refused(
    client: FlaskClient, people: People, make: Factory
) -> None:
    """The empty reply box is rendered once and reused (portal/form_html.py): a refused reply
    shows its own text again, and neither it nor anyone's one-time key reaches another page."""
    conversation = start(people.parent, people.case)
    sign_in_fast(client, people.parent)
    first = get_page(client, f"/family/messages/{conversation.id}")
    key = first.soup.find("input", {"name": "submission_key"})["value"]
    refused = client.post(f"/family/messages/{conversation.id}", **multipart(
        {"body": "Private words about my child", "submission_key": key},
        [("report.pdf", b"MZ this is a program, not a PDF" * 10)],
    ))
    assert "Private words about my child" in check_page(refused).soup.select_one("textarea").get_text()

    other_parent = make.user(Role.FAMILY)
    other_case = make.case(child=make.child(team=people.team, family=[other_parent]))
    other_conversation = start(other_parent, other_case)
    other_client = client.application.test_client()
    sign_in_fast(other_client, other_parent)
    other = get_page(other_client, f"/family/messages/{other_conversation.id}")
    assert other.soup.select_one("textarea[name=body]").get_text() == ""
    assert "Private words" not in other.text
    other_key = other.soup.find("input", {"name": "submission_key"})["value"]
    again = get_page(client, f"/family/messages/{conversation.id}")
    assert len({key, other_key, again.soup.find("input", {"name": "submission_key"})["value"]}) == 3
    assert again.soup.select_one("textarea[name=body]").get_text() == ""
