"""send_email: the development file backend, and the real SendGrid client against a local fake."""

import json
from pathlib import Path

import jsonschema
import pytest
from python_http_client.exceptions import HTTPError

from portal.email import send_email
from tests.fake_sendgrid import FakeSendGrid

SCHEMA = json.loads((Path(__file__).parent / "data" / "mail_send.request.schema.json").read_text())


def test_file_backend_writes_a_readable_email(app, mail):
    send_email("someone@example.org", "Reset your password", "password_reset", link="http://localhost/x")
    [message] = mail.to("someone@example.org")
    assert message["Subject"] == "Reset your password"
    assert message["From"] == app.config["EMAIL_FROM"]
    assert "http://localhost/x" in mail.text(message)
    assert "http://localhost/x" in message.get_body(("html",)).get_content()


def test_sendgrid_backend_sends_a_valid_request(app):
    with FakeSendGrid() as fake:
        app.config.update(EMAIL_BACKEND="sendgrid", SENDGRID_HOST=fake.url, SENDGRID_API_KEY="SG.test-key")
        send_email("parent@example.org", "Reset your password", "password_reset", link="http://localhost/x")
    [request] = fake.requests
    assert request["path"] == "/v3/mail/send"
    assert request["headers"]["Authorization"] == "Bearer SG.test-key"
    body = request["body"]
    jsonschema.validate(body, SCHEMA)
    assert body["personalizations"][0]["to"] == [{"email": "parent@example.org"}]
    assert body["subject"] == "Reset your password"
    types = [part["type"] for part in body["content"]]
    assert types == ["text/plain", "text/html"]
    assert "http://localhost/x" in body["content"][0]["value"]


def test_sendgrid_failure_raises_so_the_caller_can_retry(app):
    with FakeSendGrid(status=503) as fake:
        app.config.update(EMAIL_BACKEND="sendgrid", SENDGRID_HOST=fake.url, SENDGRID_API_KEY="SG.test-key")
        with pytest.raises(HTTPError):
            send_email("parent@example.org", "Reset your password", "password_reset", link="x")
    assert len(fake.requests) == 1


def test_unknown_backend_is_refused(app):
    app.config["EMAIL_BACKEND"] = "carrier-pigeon"
    with pytest.raises(RuntimeError, match="carrier-pigeon"):
        send_email("parent@example.org", "Subject", "password_reset", link="x")
