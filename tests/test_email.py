"""Building emails and the two backends: the development file backend, and the real SendGrid
client against a local fake (the worker's tests are in tests/notifications/)."""

import json
from pathlib import Path

import jsonschema
import pytest
from python_http_client.exceptions import HTTPError

from portal.email import deliver, render_email, sendgrid_client
from tests.fake_sendgrid import FakeSendGrid

SCHEMA = json.loads((Path(__file__).parent / "data" / "mail_send.request.schema.json").read_text())


def _message(to="parent@example.org"):
    return render_email(to, "Reset your password", "password_reset", link="http://localhost/x")


def test_file_backend_writes_a_readable_email(app, mail):
    assert deliver(_message("someone@example.org"), outbox_id=1) is None
    [message] = mail.to("someone@example.org")
    assert message["Subject"] == "Reset your password"
    assert message["From"] == app.config["EMAIL_FROM"]
    assert "http://localhost/x" in mail.text(message)
    assert "http://localhost/x" in message.get_body(("html",)).get_content()


def test_sendgrid_backend_sends_a_valid_request(app):
    with FakeSendGrid() as fake:
        app.config.update(
            EMAIL_BACKEND="sendgrid", SENDGRID_HOST=fake.url, SENDGRID_API_KEY="SG.test-key",
            EMAIL_REPLY_TO="send-team@example.org",
        )
        message_id = deliver(_message(), outbox_id=42)
    [request] = fake.requests
    assert message_id == request["message_id"]
    assert request["path"] == "/v3/mail/send"
    assert request["headers"]["Authorization"] == "Bearer SG.test-key"
    body = request["body"]
    jsonschema.validate(body, SCHEMA)
    assert body["personalizations"][0]["to"] == [{"email": "parent@example.org"}]
    assert body["from"] == {"email": app.config["EMAIL_FROM"]}
    assert body["reply_to"] == {"email": "send-team@example.org"}
    assert body["subject"] == "Reset your password"
    # Only the outbox id, as a string: nothing personal goes in custom_args.
    assert body["custom_args"] == {"outbox_id": "42"}
    types = [part["type"] for part in body["content"]]
    assert types == ["text/plain", "text/html"]
    assert "http://localhost/x" in body["content"][0]["value"]


def test_sendgrid_failure_raises_so_the_worker_can_retry(app):
    with FakeSendGrid([503]) as fake:
        app.config.update(EMAIL_BACKEND="sendgrid", SENDGRID_HOST=fake.url, SENDGRID_API_KEY="SG.test-key")
        with pytest.raises(HTTPError):
            deliver(_message(), outbox_id=1)
    assert len(fake.requests) == 1


def test_the_client_has_a_ten_second_timeout_and_the_eu_region(app):
    app.config.update(SENDGRID_HOST="", SENDGRID_API_KEY="SG.test-key", SENDGRID_DATA_RESIDENCY="eu")
    client = sendgrid_client()
    assert client.host == "https://api.eu.sendgrid.com"
    assert client.client.timeout == 10
    app.config["SENDGRID_DATA_RESIDENCY"] = "global"
    assert sendgrid_client().host == "https://api.sendgrid.com"


def test_unknown_backend_is_refused(app):
    app.config["EMAIL_BACKEND"] = "carrier-pigeon"
    with pytest.raises(RuntimeError, match="carrier-pigeon"):
        deliver(_message(), outbox_id=1)
