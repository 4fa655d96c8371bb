"""Files as large as the message forms allow arrive with CSRF protection on, as in production
(the CSRF check reads the body before any view does), and a file may come only in the files field."""

from __future__ import annotations

import io

from flask import Flask
from sqlalchemy import select

from portal.conversations.models import Attachment, Conversation
from portal.extensions import db
from tests.conversations.conftest import People
from tests.helpers import get_page, sign_in_fast

MEGABYTE = 1024 * 1024


def pdf_of(size: int) -> bytes:
    head = b"%PDF-1.4\n"
    return head + b"0" * (size - len(head) - 6) + b"\n%%EOF"



def test_a_family_sends_files_of_several_megabytes_with_csrf_on(csrf_app: Flask, people: People) -> None:
    client = csrf_app.test_client()
    sign_in_fast(client, people.parent)
    url = f"/family/cases/{people.case.id}/messages/new"
    page = get_page(client, url)
    token = page.csrf_token()
    key = page.soup.find("input", {"name": "submission_key"})["value"]
    with client.post(url, content_type="multipart/form-data", data={
        "csrf_token": token, "submission_key": key, "subject": "Letters from the hospital",
        "body": "Here are the two letters.", "urgent": "no",
        "files": [(io.BytesIO(pdf_of(3 * MEGABYTE)), "letter one.pdf"),
                  (io.BytesIO(pdf_of(9 * MEGABYTE)), "letter two.pdf")],
    }) as response:
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    sizes = sorted(db.session.scalars(select(Attachment.size_bytes)))
    assert sizes == [3 * MEGABYTE, 9 * MEGABYTE]


def test_a_file_in_any_other_field_is_a_bad_request(app: Flask, people: People) -> None:
    client = app.test_client()
    sign_in_fast(client, people.parent)
    url = f"/family/cases/{people.case.id}/messages/new"
    with client.post(url, content_type="multipart/form-data", data={
        "submission_key": "a-key-of-the-right-length-123", "subject": "A file as the message", "urgent": "no",
        "body": (io.BytesIO(b"%PDF-1.4 hello"), "body.pdf"),
    }) as response:
        assert response.status_code == 400
    assert db.session.scalar(select(Conversation.id)) is None
