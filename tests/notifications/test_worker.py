"""The worker's one pass (send_pending) with the real SendGrid client against a local fake:
retries with backoff, Retry-After, errors that are not retried, timeouts and giving up."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from sqlalchemy import update

from portal.extensions import db
from portal.models import utcnow
from portal.notifications.retry import backoff_seconds, parse_retry_after
from portal.notifications.worker import send_pending
from portal.outbox import OutboxEmail, OutboxStatus
from tests.fake_sendgrid import FakeSendGrid, Reply
from tests.notifications.helpers import check_bodies, queue, row, use_sendgrid


def test_an_email_is_sent_once_with_its_message_id(app):
    with FakeSendGrid() as fake:
        use_sendgrid(app, fake)
        [email_id] = queue()
        assert send_pending() == 1
        assert send_pending() == 0
    email = row(email_id)
    assert email.status is OutboxStatus.SENT
    assert email.provider_message_id == fake.requests[0]["message_id"]
    assert (email.attempts, email.lease_until, email.last_error) == (1, None, None)
    assert email.sent_at is not None
    assert fake.accepted_ids() == [str(email_id)]
    check_bodies(fake)


def test_500_then_202_delivers_one_email(app):
    with FakeSendGrid([500]) as fake:
        use_sendgrid(app, fake)
        [email_id] = queue()
        before = utcnow()
        assert send_pending() == 0
        email = row(email_id)
        assert (email.status, email.attempts) == (OutboxStatus.PENDING, 1)
        assert "500" in email.last_error
        assert email.next_attempt_at >= before
        assert send_pending(now=email.next_attempt_at) == 1
    assert row(email_id).status is OutboxStatus.SENT
    assert [r["status"] for r in fake.requests] == [500, 202]
    assert fake.accepted_ids() == [str(email_id)]
    check_bodies(fake)


def test_429_with_retry_after_is_retried_no_sooner(app):
    with FakeSendGrid([Reply(429, {"Retry-After": "120"})]) as fake:
        use_sendgrid(app, fake)
        [email_id] = queue()
        before = utcnow()
        assert send_pending() == 0
        email = row(email_id)
        assert email.status is OutboxStatus.PENDING
        assert email.next_attempt_at >= before + timedelta(seconds=120)
        assert send_pending(now=before + timedelta(seconds=119)) == 0
        assert len(fake.requests) == 1
        assert send_pending(now=email.next_attempt_at) == 1
    assert fake.accepted_ids() == [str(email_id)]


@pytest.mark.parametrize(("status", "words"), [(400, "refused the email"), (413, "too large"), (401, "API key"),
                                                 (403, "API key")])
def test_refusals_are_technical_failures_and_not_retried(app, status, words):
    with FakeSendGrid([status]) as fake:
        use_sendgrid(app, fake)
        [email_id] = queue()
        assert send_pending() == 0
        assert send_pending(now=utcnow() + timedelta(days=2)) == 0
    email = row(email_id)
    assert email.status is OutboxStatus.TECHNICAL_FAILURE
    assert words in email.last_error
    assert len(fake.requests) == 1


def test_a_timeout_is_retried(app):
    with FakeSendGrid([Reply(202, delay=1.5)]) as fake:
        use_sendgrid(app, fake, SENDGRID_TIMEOUT_SECONDS=0.3)
        [email_id] = queue()
        assert send_pending() == 0
        email = row(email_id)
        assert email.status is OutboxStatus.PENDING
        assert "timeout" in email.last_error
        assert send_pending(now=email.next_attempt_at) == 1
    assert row(email_id).status is OutboxStatus.SENT
    assert len(fake.requests) == 2
    assert fake.accepted_ids() == [str(email_id)]


def test_a_connection_error_is_retried(app):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    app.config.update(EMAIL_BACKEND="sendgrid", SENDGRID_HOST=f"http://127.0.0.1:{port}", SENDGRID_API_KEY="SG.x")
    [email_id] = queue()
    assert send_pending() == 0
    email = row(email_id)
    assert email.status is OutboxStatus.PENDING
    assert "Could not reach SendGrid" in email.last_error


def test_after_the_last_attempt_it_is_a_technical_failure(app):
    with FakeSendGrid([500, 500, 500]) as fake:
        use_sendgrid(app, fake, NOTIFICATIONS_MAX_ATTEMPTS=2)
        [email_id] = queue()
        send_pending()
        send_pending(now=row(email_id).next_attempt_at)
        send_pending(now=utcnow() + timedelta(days=1))
    email = row(email_id)
    assert email.status is OutboxStatus.TECHNICAL_FAILURE
    assert email.last_error.startswith("Gave up after 2 attempts")
    assert len(fake.requests) == 2


def test_after_72_hours_it_is_a_technical_failure(app):
    with FakeSendGrid([500]) as fake:
        use_sendgrid(app, fake)
        [email_id] = queue()
        db.session.execute(update(OutboxEmail).values(created_at=utcnow() - timedelta(hours=72)))
        db.session.commit()
        send_pending()
    assert row(email_id).status is OutboxStatus.TECHNICAL_FAILURE


def test_a_row_held_by_a_crashed_worker_goes_again_after_its_lease(app):
    with FakeSendGrid() as fake:
        use_sendgrid(app, fake)
        [email_id] = queue()
        lease = utcnow() + timedelta(minutes=2)
        db.session.execute(update(OutboxEmail).values(status=OutboxStatus.SENDING, lease_until=lease, attempts=1))
        db.session.commit()
        assert send_pending() == 0
        assert send_pending(now=lease + timedelta(seconds=1)) == 1
    assert (row(email_id).status, row(email_id).attempts) == (OutboxStatus.SENT, 2)


def test_backoff_is_full_jitter_capped_and_honours_retry_after():
    waits = [backoff_seconds(4, base=30, cap=3600) for _ in range(200)]
    assert all(0 <= wait <= 240 for wait in waits)
    assert max(waits) > 120  # spread over the whole range
    assert all(backoff_seconds(30, base=30, cap=3600) <= 3600 for _ in range(50))
    assert backoff_seconds(1, base=30, cap=3600, retry_after=500) == 500
    assert parse_retry_after("Wed, 21 Oct 2099 07:28:00 GMT", utcnow()) > 0
    assert parse_retry_after("soon", utcnow()) == 0


def test_every_status_has_a_plain_english_description():
    for status in OutboxStatus:
        assert status.description[0].isupper()
    assert OutboxStatus.PERMANENT_FAILURE.description == "Not delivered: the address does not exist or refuses mail"


def test_the_send_pending_command_does_one_pass(app, mail):
    [email_id] = queue()
    result = app.test_cli_runner().invoke(args=["notifications", "send-pending"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 email." in result.output
    [message] = mail.to("person0@example.org")
    assert "http://localhost/reset/0" in mail.text(message)
    assert row(email_id).status is OutboxStatus.SENT
