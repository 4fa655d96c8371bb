"""The team inbox: the team's conversations waiting for the council, urgent first, then by reply-by
date; filters, tags, unread markers, cover for absent caseworkers, pages; never another team's;
in a fixed number of queries whatever the number of conversations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from portal.conversations import absence, services
from portal.conversations.inbox_queries import today
from portal.conversations.models import Conversation, ConversationRead, ConversationStatus, UrgentReason
from portal.ehcp import services as case_services
from portal.extensions import db
from portal.models import Role, User
from tests.casework.helpers import many_cases
from tests.conversations.conftest import People
from tests.conversations.helpers import reply, start
from tests.helpers import Factory, Page, get_page, sign_in_fast

NOW = datetime.now(UTC)
LONG_AGO = NOW - timedelta(days=40)
LONGER_AGO = NOW - timedelta(days=60)


def subjects(page: Page) -> list[str]:
    return [link.get_text(strip=True) for link in page.soup.select("main tbody .app-inbox__subject")]


def row(page: Page, conversation: Conversation) -> str:
    return " ".join(page.soup.find(id=f"conversation-{conversation.id}").get_text(" ").split())


def counts(page: Page) -> list[str]:
    return [" ".join(item.get_text().split()) for item in page.soup.select("#inbox-counts li")]


def day(value) -> str:
    return value.strftime("%-d %B %Y")


@pytest.fixture
def other(make: Factory, people: People) -> User:
    return make.user(Role.CASEWORKER, team=people.team, name="Robin Caseworker")


@pytest.fixture
def inbox(people: People, other: User, make: Factory) -> dict[str, Conversation]:
    """Conversations in every state on the North team's cases, and one on South's."""
    other_case = make.case(child=make.child(team=people.team, first_name="Otherchild"), caseworker=other)
    found = {
        "normal": start(people.parent, people.case, subject="Normal, on track"),
        "overdue": start(people.parent, other_case, subject="Normal, overdue", now=LONG_AGO),
        "urgent": start(people.parent, people.case, subject="Urgent, due soon", urgent=UrgentReason.SAFETY),
        "urgent_overdue": start(people.parent, other_case, subject="Urgent, overdue",
                                urgent=UrgentReason.OUT_OF_EDUCATION, now=LONGER_AGO),
        "family": start(people.caseworker, people.case, subject="Waiting for the family"),
        "closed": start(people.parent, people.case, subject="Closed one"),
        "south": start(people.south_caseworker, people.south_case, subject="South only"),
    }
    reply(people.parent, found["south"], "South family reply")
    services.close(people.caseworker, found["closed"])
    return found


def test_the_default_view_is_the_teams_waiting_conversations_urgent_first_then_by_date(
    client: FlaskClient, people: People, inbox: dict[str, Conversation]
) -> None:
    sign_in_fast(client, people.caseworker)
    page = get_page(client, "/casework/inbox")
    assert page.h1 == "Team inbox"
    assert subjects(page) == ["Urgent, overdue", "Urgent, due soon", "Normal, overdue", "Normal, on track"]
    assert "South only" not in page.text
    assert page.soup.find(id="results").get_text(strip=True) == "4 conversations"
    assert counts(page)[:2] == ["4 waiting for a reply", "2 overdue"]
    assert "2 urgent" in counts(page) and "0 needing cover because the caseworker is away" in counts(page)

    normal = inbox["normal"]
    text = row(page, normal)
    assert f"{people.child.full_name} {people.case.reference}" in text
    assert f"{day(NOW)} {day(normal.reply_due_on)}" in text  # waiting since, reply due
    assert "Unread" in text and "Casey Worker" in text
    assert "Overdue" not in text and "Due soon" not in text
    link = page.soup.find(id=f"conversation-{normal.id}").select_one("a.app-inbox__subject")
    assert link["href"] == f"/casework/conversations/{normal.id}"
    assert "Urgent: Safety or wellbeing" in row(page, inbox["urgent"]) and "Due soon" in row(page, inbox["urgent"])
    overdue = row(page, inbox["urgent_overdue"])
    assert "Urgent: Out of education" in overdue and "Overdue" in overdue and "Robin Caseworker" in overdue
    assert "Overdue" in row(page, inbox["overdue"])


def test_unread_until_this_person_opens_the_conversation(
    client: FlaskClient, people: People, other: User, inbox: dict[str, Conversation]
) -> None:
    sign_in_fast(client, people.caseworker)
    get_page(client, f"/casework/conversations/{inbox['normal'].id}")
    page = get_page(client, "/casework/inbox")
    assert "Unread" not in row(page, inbox["normal"])
    assert "Unread" in row(page, inbox["urgent"])
    sign_in_fast(client, other)  # read state is each person's own
    assert "Unread" in row(get_page(client, "/casework/inbox"), inbox["normal"])
    reply(people.parent, inbox["normal"], "One more thing")
    sign_in_fast(client, people.caseworker)
    assert "Unread" in row(get_page(client, "/casework/inbox"), inbox["normal"])
    # Their own message is read.
    assert "Unread" not in row(get_page(client, "/casework/inbox?show=family"), inbox["family"])


@pytest.mark.parametrize(("query", "expected"), [
    ("show=urgent", ["Urgent, overdue", "Urgent, due soon"]),
    ("show=overdue", ["Urgent, overdue", "Normal, overdue"]),
    ("show=family", ["Waiting for the family"]),
    ("show=closed", ["Closed one"]),
    ("mine=y", ["Urgent, due soon", "Normal, on track"]),
    ("show=urgent&mine=y", ["Urgent, due soon"]),
    ("show=needs_cover", []),
])
def test_each_filter(
    client: FlaskClient, people: People, inbox: dict[str, Conversation], query: str, expected: list[str]
) -> None:
    sign_in_fast(client, people.caseworker)
    page = get_page(client, f"/casework/inbox?{query}")
    assert subjects(page) == expected
    form = page.soup.find("form", action="/casework/inbox")
    assert form["method"] == "get" and not form.find("input", {"name": "csrf_token"})
    if not expected:
        assert "No conversations match. Try other filters." in page.text


def test_needs_cover_when_the_caseworker_records_an_absence_covering_today(
    client: FlaskClient, people: People, other: User, inbox: dict[str, Conversation]
) -> None:
    sign_in_fast(client, other)
    assert "Needs cover" not in get_page(client, "/casework/inbox").soup.select_one("main tbody").get_text()
    on = today()
    absence.record(people.caseworker, on + timedelta(days=1), on + timedelta(days=5), on)  # not today yet
    assert subjects(get_page(client, "/casework/inbox?show=needs_cover")) == []
    absence.record(people.caseworker, on - timedelta(days=1), on + timedelta(days=3), on)
    page = get_page(client, "/casework/inbox")
    for name in ("urgent", "normal"):
        assert "Needs cover" in row(page, inbox[name])
        assert f"Casey Worker Away until {day(on + timedelta(days=3))}" in row(page, inbox[name])
    assert "Needs cover" not in row(page, inbox["overdue"])  # Robin's case
    assert "1 needing cover because the caseworker is away" not in counts(page)
    assert "2 needing cover because the caseworker is away" in counts(page)
    assert subjects(get_page(client, "/casework/inbox?show=needs_cover")) == ["Urgent, due soon", "Normal, on track"]


def test_overdue_shows_to_the_whole_team_and_its_managers(
    client: FlaskClient, people: People, inbox: dict[str, Conversation], make: Factory
) -> None:
    for person in (people.caseworker, people.manager):
        sign_in_fast(client, person)
        page = get_page(client, "/casework/inbox")
        assert "Overdue" in row(page, inbox["overdue"]) and "Overdue" in row(page, inbox["urgent_overdue"])
    sign_in_fast(client, people.south_caseworker)
    page = get_page(client, "/casework/inbox")
    assert subjects(page) == ["South only"]
    north = {conversation.subject for name, conversation in inbox.items() if name != "south"}
    for show in ("urgent", "overdue", "family", "closed", "needs_cover"):
        assert not set(subjects(get_page(client, f"/casework/inbox?show={show}"))) & north
    south_manager = make.user(Role.MANAGER, team=people.south_case.team)
    sign_in_fast(client, south_manager)
    assert subjects(get_page(client, "/casework/inbox?show=overdue")) == []


def test_reassigning_the_case_moves_its_conversations(
    client: FlaskClient, people: People, other: User, inbox: dict[str, Conversation]
) -> None:
    sign_in_fast(client, other)
    assert subjects(get_page(client, "/casework/inbox?mine=y")) == ["Urgent, overdue", "Normal, overdue"]
    case_services.reassign(people.case, people.manager, other, people.case.version)
    db.session.commit()
    assert subjects(get_page(client, "/casework/inbox?mine=y")) == [
        "Urgent, overdue", "Urgent, due soon", "Normal, overdue", "Normal, on track"
    ]
    assert "Robin Caseworker" in row(get_page(client, "/casework/inbox"), inbox["normal"])
    sign_in_fast(client, people.caseworker)
    assert subjects(get_page(client, "/casework/inbox?mine=y")) == []
    assert "No conversations match" in get_page(client, "/casework/inbox?mine=y").text


def test_an_empty_inbox_says_so(client: FlaskClient, people: People) -> None:
    sign_in_fast(client, people.caseworker)
    page = get_page(client, "/casework/inbox")
    assert "No conversations are waiting for a reply from the team." in page.text
    assert page.soup.find(id="results").get_text(strip=True) == "0 conversations"


def test_a_made_up_filter_is_a_400_with_an_error_summary(client: FlaskClient, people: People) -> None:
    sign_in_fast(client, people.caseworker)
    page = get_page(client, "/casework/inbox?show=everything", 400)
    assert page.error_messages() == ["Select which conversations to show from the list"]


def test_only_case_staff_see_the_inbox(client: FlaskClient, make: Factory) -> None:
    for role in (Role.FAMILY, Role.ADMIN):
        sign_in_fast(client, make.user(role))
        assert client.get("/casework/inbox").status_code == 403


def bulk_conversations(people: People, size: int, readers: list[User]) -> None:
    """`size` conversations on `size` cases, in every state, written straight to the tables."""
    cases = many_cases(people.team, size, caseworker=people.caseworker)
    on = today()
    statuses = list(ConversationStatus)
    conversations = []
    for number, case in enumerate(cases):
        status = statuses[number % 3]
        waiting = status is ConversationStatus.WAITING_FOR_COUNCIL
        conversations.append(Conversation(
            case_id=case.id, team_id=case.team_id, subject=f"Bulk {number}", status=status, urgent=number % 5 == 0,
            urgent_reason=UrgentReason.OTHER if number % 5 == 0 else None,
            waiting_since=NOW - timedelta(days=number % 30) if waiting else None,
            reply_due_on=on + timedelta(days=(number % 30) - 15) if waiting else None,
            last_message_id=number + 1, last_message_at=NOW, message_count=1,
        ))
    db.session.add_all(conversations)
    db.session.flush()
    for reader in readers:
        db.session.add_all(
            ConversationRead(conversation_id=conversation.id, user_id=reader.id, last_read_message_id=number)
            for number, conversation in enumerate(conversations[::2])
        )
    db.session.commit()
    absence.record(people.caseworker, on, on + timedelta(days=2), on)


@pytest.mark.parametrize("size", [10, 500])
@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER])
def test_at_most_10_queries_whatever_the_number_of_conversations(
    client: FlaskClient, people: People, count_queries, size: int, role: Role
) -> None:
    person = people.manager if role is Role.MANAGER else people.caseworker
    bulk_conversations(people, size, [person])
    sign_in_fast(client, person)
    client.get("/casework/inbox")  # warm up
    last = (size // 3 + 25) // 25
    urls = ["/casework/inbox", "/casework/inbox?mine=y", "/casework/inbox?show=urgent",
            "/casework/inbox?show=overdue", "/casework/inbox?show=needs_cover", "/casework/inbox?show=family",
            f"/casework/inbox?show=closed&page={last}", "/casework/inbox?show=nonsense"]
    for url in urls:
        with count_queries() as queries:
            response = client.get(url)
        assert response.status_code == (400 if "nonsense" in url else 200), url
        assert queries.count <= 10, (url, queries.count, queries.statements)
    page = get_page(client, "/casework/inbox")
    waiting = len(range(0, size, 3))
    assert len(subjects(page)) == min(waiting, 25)
    if size > 25:
        assert page.soup.select_one(".govuk-pagination")


def test_pages_of_25_keeping_the_filters(client: FlaskClient, people: People) -> None:
    cases = many_cases(people.team, 30, caseworker=people.caseworker)
    for number, case in enumerate(cases):
        start(people.parent if number % 2 else people.caseworker, case, subject=f"Subject {number:02}")
    sign_in_fast(client, people.caseworker)
    page = get_page(client, "/casework/inbox?show=family")
    assert len(subjects(page)) == 15
    for number, case in enumerate(cases[:28]):
        start(people.caseworker, case, subject=f"More {number:02}")
    page = get_page(client, "/casework/inbox?show=family")
    assert len(subjects(page)) == 25
    next_link = page.soup.select_one(".govuk-pagination__next a")["href"]
    assert "show=family" in next_link and "page=2" in next_link
    second = get_page(client, next_link)
    assert len(subjects(second)) == 18
    assert not set(subjects(page)) & set(subjects(second))
    assert client.get("/casework/inbox?show=family&page=3").status_code == 404
