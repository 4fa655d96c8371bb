"""Downloading files sent with messages: only a family member linked to the child or staff of the
case's team, always as a download with the checked type, `nosniff` and never cached; staff
downloads are audited. Anyone else gets a 404."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.conversations import services
from portal.conversations.attachments import CheckedFile
from portal.conversations.models import Attachment
from portal.extensions import db
from portal.models import AuditEvent, Role
from tests.conversations.conftest import People
from tests.conversations.helpers import draft
from tests.helpers import Factory, check_page, get_page, sign_in_fast

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def sent_file(people: People, name: str = "school report.pdf") -> Attachment:
    services.start(people.parent, people.case, "The school report",
                   draft(files=(CheckedFile(name, "application/pdf", PDF),)))
    return db.session.scalar(select(Attachment))


def download(client: FlaskClient, url: str):
    """The response, read and closed (the file is streamed from disk)."""
    with client.get(url) as response:
        response.get_data()
    return response


def assert_download(response, name: str) -> None:
    assert response.status_code == 200
    assert response.get_data() == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert name in unquote(disposition)


def test_the_family_downloads_a_file_from_their_conversation(client: FlaskClient, people: People) -> None:
    attachment = sent_file(people)
    sign_in_fast(client, people.parent)
    page = get_page(client, f"/family/messages/{attachment.message.conversation_id}")
    link = page.soup.select_one(".app-message__files a")
    assert link["href"] == f"/family/attachments/{attachment.id}"
    assert_download(download(client, link["href"]), "school report.pdf")


def test_staff_of_the_team_download_it_and_it_is_audited(client: FlaskClient, people: People) -> None:
    attachment = sent_file(people)
    sign_in_fast(client, people.caseworker)
    assert_download(download(client, f"/casework/attachments/{attachment.id}"), "school report.pdf")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "attachment-downloaded")).all()
    assert [(event.actor_id, event.target) for event in events] == [
        (people.caseworker.id, f"attachment:{attachment.id}")
    ]
    sign_in_fast(client, people.manager)
    assert download(client, f"/casework/attachments/{attachment.id}").status_code == 200


def test_another_family_cannot_download_it(client: FlaskClient, people: People, make: Factory) -> None:
    attachment = sent_file(people)
    other = make.user(Role.FAMILY)
    make.child(team=people.team, family=[other])
    sign_in_fast(client, other)
    response = client.get(f"/family/attachments/{attachment.id}")
    check_page(response, 404)
    assert PDF not in response.get_data()
    check_page(client.get(f"/family/attachments/{attachment.id + 1000}"), 404)
    refused = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "record-refused").order_by(AuditEvent.id)
    ).all()
    assert [event.target for event in refused] == [f"attachment:{attachment.id}", f"attachment:{attachment.id + 1000}"]


def test_another_teams_caseworker_cannot_download_it(client: FlaskClient, people: People) -> None:
    attachment = sent_file(people)
    sign_in_fast(client, people.south_caseworker)
    response = client.get(f"/casework/attachments/{attachment.id}")
    check_page(response, 404)
    assert PDF not in response.get_data()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attachment-downloaded")) is None


@pytest.mark.parametrize(("role", "url"), [(Role.FAMILY, "/casework/attachments/{}"),
                                           (Role.CASEWORKER, "/family/attachments/{}"),
                                           (Role.COPRODUCTION, "/family/attachments/{}")])
def test_the_other_sides_download_is_refused(
    client: FlaskClient, people: People, make: Factory, role: Role, url: str
) -> None:
    attachment = sent_file(people)
    user = people.parent if role is Role.FAMILY else people.caseworker if role is Role.CASEWORKER else make.user(role)
    sign_in_fast(client, user)
    assert client.get(url.format(attachment.id)).status_code == 403


def test_a_file_name_with_html_downloads_under_a_safe_header(client: FlaskClient, people: People) -> None:
    name = '<script>alert("x")</script>;\r\nX-Evil: 1.pdf'
    attachment = sent_file(people, name.replace("\r\n", " "))
    sign_in_fast(client, people.parent)
    response = download(client, f"/family/attachments/{attachment.id}")
    assert response.status_code == 200
    assert "X-Evil" not in response.headers
    assert response.headers["Content-Disposition"].startswith("attachment;")
    page = get_page(client, f"/family/messages/{attachment.message.conversation_id}")
    assert "<script>alert" not in page.response.get_data(as_text=True)
    assert '<script>alert("x")</script>' in page.text
