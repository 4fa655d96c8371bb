"""The administrator's failed emails: every email that was not delivered, newest first, paginated,
with its recipient, what it was about, its status and the reason given (never its content); "Send
again" queues exactly one copy, and a second press says it has already been sent again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.admin import failed_emails
from portal.extensions import db
from portal.models import AuditEvent, Role, User
from portal.outbox import OutboxEmail, OutboxStatus, queue_email
from tests.helpers import Factory, check_page, get_page, sign_in_fast

NOW = datetime.now(UTC)
CONTENT = "private-context-words"


def email(to: User | str, status: OutboxStatus, minutes_ago: int, template: str = "stage_changed",
          error: str | None = None, case_id: int | None = None) -> OutboxEmail:
    address = to if isinstance(to, str) else to.email
    row = queue_email(
        address, f"Subject with {CONTENT}", template, event_key=f"test:{address}:{status}:{minutes_ago}",
        user_id=None if isinstance(to, str) else to.id, case_id=case_id, stage="Draft plan", note=CONTENT,
    )
    row.status = status
    row.status_changed_at = NOW - timedelta(minutes=minutes_ago)
    row.last_error = error
    db.session.commit()
    return row


@pytest.fixture
def admin(client: FlaskClient, make: Factory) -> User:
    user = make.user(Role.ADMIN, name="Addy Admin")
    sign_in_fast(client, user)
    return user


def count(model=OutboxEmail) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_list_shows_failed_emails_newest_first_without_their_content(
    client: FlaskClient, admin: User, make: Factory
) -> None:
    parent = make.user(Role.FAMILY, name="Pat Parent", email="pat.parent@example.org")
    email(parent, OutboxStatus.PERMANENT_FAILURE, 30, error="bounce: 550 5.1.1 mailbox does not exist")
    email("someone@example.org", OutboxStatus.TECHNICAL_FAILURE, 10, template="invitation",
          error="400 Bad Request: The from address does not match a verified Sender Identity")
    email(parent, OutboxStatus.TEMPORARY_FAILURE, 20, template="password_reset", error="deferred: mailbox full")
    email(parent, OutboxStatus.DELIVERED, 5)
    email(parent, OutboxStatus.PENDING, 1)

    page = get_page(client, "/admin/emails/failed")
    assert page.h1 == "Failed emails"
    rows = [" ".join(row.get_text(" ").split()) for row in page.soup.select("tbody tr")]
    assert len(rows) == 3
    assert rows[0].startswith("someone@example.org Invitation to the portal Technical failure Not sent: a problem")
    assert "400 Bad Request" in rows[0]
    assert rows[1].startswith("Pat Parent pat.parent@example.org Password reset Temporary failure")
    assert "Not possible: reset links work for an hour" in rows[1]
    assert rows[2].startswith("Pat Parent pat.parent@example.org Stage change: Draft plan Permanent failure")
    assert "Not delivered: the address does not exist or refuses mail" in rows[2]
    assert "bounce: 550 5.1.1 mailbox does not exist" in rows[2]
    assert CONTENT not in page.response.get_data(as_text=True)
    assert len(page.soup.select("tbody button")) == 2
    nav = {a.get_text(strip=True): a["href"] for a in page.soup.select(".govuk-service-navigation__link[href]")}
    assert nav["Failed emails"] == "/admin/emails/failed"


def test_send_again_queues_exactly_one_copy_and_the_list_shows_it(
    client: FlaskClient, admin: User, make: Factory
) -> None:
    parent = make.user(Role.FAMILY, name="Pat Parent", email="pat.parent@example.org")
    child = make.child(family=[parent])
    case = make.case(child=child)
    failed = email(parent, OutboxStatus.TECHNICAL_FAILURE, 30, error="Gave up after 72 hours", case_id=case.id)
    before = count()

    response = client.post(f"/admin/emails/failed/{failed.id}/send-again")
    assert response.status_code == 302
    assert response.location == "/admin/emails/failed"
    assert count() == before + 1
    copy = db.session.scalar(select(OutboxEmail).where(OutboxEmail.resend_of_id == failed.id))
    assert (copy.to_email, copy.subject, copy.template, copy.context, copy.user_id, copy.case_id) == (
        failed.to_email, failed.subject, failed.template, failed.context, failed.user_id, failed.case_id
    )
    assert (copy.status, copy.event_key) == (OutboxStatus.PENDING, f"resend:{failed.id}:1")
    assert db.session.scalar(select(AuditEvent.target).where(AuditEvent.action == "email-sent-again")) == (
        f"outbox-email:{failed.id}"
    )

    page = get_page(client, "/admin/emails/failed")
    assert "The email to pat.parent@example.org will be sent again" in page.text
    row = " ".join(page.soup.select_one("tbody tr").get_text(" ").split())
    assert "Sent again" in row and "Waiting to be sent" in row
    assert page.soup.select("tbody button") == []

    # A second press (a second tab, or the back button) sends nothing more.
    response = client.post(f"/admin/emails/failed/{failed.id}/send-again")
    assert response.status_code == 302
    assert count() == before + 1
    assert "has already been sent again" in get_page(client, "/admin/emails/failed").text


def test_what_cannot_be_sent_again(client: FlaskClient, admin: User, make: Factory) -> None:
    parent = make.user(Role.FAMILY)
    reset = email(parent, OutboxStatus.PERMANENT_FAILURE, 3, template="password_reset")
    delivered = email(parent, OutboxStatus.DELIVERED, 2)
    before = count()
    client.post(f"/admin/emails/failed/{reset.id}/send-again")
    assert "A password reset link only works for an hour" in get_page(client, "/admin/emails/failed").text
    check_page(client.post(f"/admin/emails/failed/{delivered.id}/send-again"), 404)
    check_page(client.post("/admin/emails/failed/999999/send-again"), 404)
    assert count() == before


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER, Role.FAMILY, Role.COPRODUCTION])
def test_only_administrators(client: FlaskClient, make: Factory, role: Role) -> None:
    failed = email("someone@example.org", OutboxStatus.PERMANENT_FAILURE, 3)
    sign_in_fast(client, make.user(role))
    check_page(client.get("/admin/emails/failed"), 403)
    check_page(client.post(f"/admin/emails/failed/{failed.id}/send-again"), 403)
    assert count() == 1


def test_pages_of_failed_emails_keep_to_the_query_budget(
    client: FlaskClient, admin: User, make: Factory, count_queries, monkeypatch
) -> None:
    monkeypatch.setattr(failed_emails, "PAGE_SIZE", 5)
    people = [make.user(Role.FAMILY) for _ in range(3)]
    rows = [email(people[n % 3], OutboxStatus.PERMANENT_FAILURE, n + 1) for n in range(12)]
    for row in rows[:4]:
        client.post(f"/admin/emails/failed/{row.id}/send-again")
    for page_number in (1, 2, 3):
        with count_queries() as queries:
            response = client.get(f"/admin/emails/failed?page={page_number}")
        assert response.status_code == 200
        assert queries.count <= 10, (queries.count, queries.statements)
    page = check_page(response)
    assert len(page.soup.select("tbody tr")) == 2
    assert page.soup.select_one(".govuk-pagination__prev a")["href"] == "/admin/emails/failed?page=2"
    get_page(client, "/admin/emails/failed?page=4", status=404)
