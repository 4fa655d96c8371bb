"""SendGrid's signed Event Webhook, through the Flask test client, with a key pair made here (as
SendGrid's own: ECDSA P-256, SHA-256 over timestamp + raw body, the signature base64 DER and the
public key base64 DER SubjectPublicKeyInfo, as SendGrid shows it)."""

from __future__ import annotations

import base64
import json
import time

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from portal.ehcp.models import Case
from portal.extensions import db
from portal.models import Role
from portal.outbox import OutboxEmail, OutboxStatus, ProviderEvent, queue_email
from tests.helpers import Factory
from tests.notifications.helpers import row
from tests.test_access import snapshot

URL = "/webhooks/sendgrid/events"
SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"
KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_KEY = ec.generate_private_key(ec.SECP256R1())
T0 = 1_764_000_000  # when the test's events happened (November 2025)


def public_key_text(key: ec.EllipticCurvePrivateKey) -> str:
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def sign(body: bytes, timestamp: str, key: ec.EllipticCurvePrivateKey = KEY) -> str:
    return base64.b64encode(key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))).decode()


def post(client: FlaskClient, events=None, *, body: bytes | None = None, key=KEY, timestamp: int | None = None,
         headers: dict[str, str] | None = None):
    body = json.dumps(events).encode() if body is None else body
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    sent = {SIGNATURE: sign(body, stamp, key), TIMESTAMP: stamp} if headers is None else headers
    return client.post(URL, data=body, headers=sent, content_type="application/json")


def event(kind: str, outbox_id: int | None, sg_event_id: str, at: int = T0, **extra) -> dict:
    item = {"email": "parent@example.org", "timestamp": at, "event": kind, "sg_event_id": sg_event_id,
            "sg_message_id": "abc.filter0001", **extra}
    if outbox_id is not None:
        item["outbox_id"] = str(outbox_id)
    return item


@pytest.fixture
def signed_app(app: Flask) -> Flask:
    app.config["SENDGRID_WEBHOOK_PUBLIC_KEY"] = public_key_text(KEY)
    return app


def sent_email(case_id: int | None = None, n: int = 1, status: OutboxStatus = OutboxStatus.SENT) -> list[int]:
    emails = [
        queue_email(f"parent{i}@example.org", "Your child's EHC needs assessment", "stage_changed",
                    event_key=f"webhook-test:{case_id}:{i}:{time.monotonic_ns()}", case_id=case_id)
        for i in range(n)
    ]
    db.session.flush()
    db.session.execute(update(OutboxEmail).where(OutboxEmail.id.in_([e.id for e in emails])).values(status=status))
    db.session.commit()
    return [email.id for email in emails]


def events_seen() -> int:
    return db.session.scalar(select(func.count()).select_from(ProviderEvent))


def test_a_signed_batch_updates_statuses(signed_app: Flask, client: FlaskClient) -> None:
    a, b, c, d = sent_email(n=4, status=OutboxStatus.SENDING)
    response = post(client, [
        event("processed", a, "e-a"),
        event("delivered", b, "e-b"),
        event("deferred", c, "e-c", response="421 try again later", attempt="1"),
        event("processed", d, "e-d1"), event("delivered", d, "e-d2", at=T0 + 3),
        event("open", a, "e-open"),  # not a delivery status: ignored
    ])
    assert response.status_code == 204
    assert response.get_data() == b""
    assert "Set-Cookie" not in response.headers  # no session
    assert row(a).status == OutboxStatus.SENT
    assert row(b).status == OutboxStatus.DELIVERED
    assert row(c).status == OutboxStatus.TEMPORARY_FAILURE
    assert row(c).last_error == "Deferred: the receiving server asked to try later (421 try again later)"
    assert row(d).status == OutboxStatus.DELIVERED
    assert row(d).provider_event_at.timestamp() == T0 + 3
    assert events_seen() == 5


def test_a_bounce_fails_the_email_for_good_and_flags_the_case(signed_app: Flask, client: FlaskClient,
                                                              make: Factory) -> None:
    parent = make.user(Role.FAMILY)
    case = make.case(child=make.child(family=[parent]))
    (email_id,) = sent_email(case.id)
    reason = "550 5.1.1 The email account that you tried to reach does not exist."
    response = post(client, [event("bounce", email_id, "e-bounce", type="bounce", status="5.1.1", reason=reason)])
    assert response.status_code == 204
    email = row(email_id)
    assert email.status == OutboxStatus.PERMANENT_FAILURE
    assert email.last_error == f"Bounced: the address does not exist or refuses mail ({reason})"
    assert db.session.get(Case, case.id).family_not_reached_since is not None


def test_a_blocked_bounce_is_temporary_and_does_not_flag(signed_app: Flask, client: FlaskClient,
                                                         make: Factory) -> None:
    case = make.case()
    (email_id,) = sent_email(case.id)
    post(client, [event("bounce", email_id, "e-blocked", type="blocked", reason="451 4.7.1 Greylisted")])
    assert row(email_id).status == OutboxStatus.TEMPORARY_FAILURE
    assert row(email_id).last_error == "Blocked: the receiving server refused it for now (451 4.7.1 Greylisted)"
    assert db.session.get(Case, case.id).family_not_reached_since is None


@pytest.mark.parametrize(
    ("item", "error"),
    [
        ({"event": "dropped", "reason": "Bounced Address"}, "Dropped by SendGrid, not sent (Bounced Address)"),
        ({"event": "spamreport"}, "Reported as spam by the recipient"),
    ],
)
def test_dropped_and_spam_reports_are_permanent_failures(signed_app: Flask, client: FlaskClient, make: Factory,
                                                         item: dict, error: str) -> None:
    case = make.case()
    (email_id,) = sent_email(case.id)
    post(client, [event(item.pop("event"), email_id, "e-1", **item)])
    assert (row(email_id).status, row(email_id).last_error) == (OutboxStatus.PERMANENT_FAILURE, error)
    assert db.session.get(Case, case.id).family_not_reached_since is not None


@pytest.mark.parametrize(
    "refusal", ["tampered body", "wrong key", "old timestamp", "future timestamp", "no signature",
                "no timestamp", "signature not base64", "timestamp not a number", "no key configured"],
)
def test_an_unsigned_or_badly_signed_request_is_refused_and_changes_nothing(
    signed_app: Flask, client: FlaskClient, make: Factory, refusal: str
) -> None:
    case = make.case()
    (email_id,) = sent_email(case.id)
    body = json.dumps([event("bounce", email_id, "e-bounce", type="bounce", reason="550 no such user")]).encode()
    now = str(int(time.time()))
    good = {SIGNATURE: sign(body, now), TIMESTAMP: now}
    # Well past the 300-second window, so that a slow machine cannot bring them back inside it.
    old, future = str(int(time.time()) - 360), str(int(time.time()) + 360)
    kwargs = {
        "tampered body": {"body": body.replace(b"bounce", b"delivered"), "headers": good},
        "wrong key": {"body": body, "key": OTHER_KEY},
        "old timestamp": {"body": body, "headers": {SIGNATURE: sign(body, old), TIMESTAMP: old}},
        "future timestamp": {"body": body, "headers": {SIGNATURE: sign(body, future), TIMESTAMP: future}},
        "no signature": {"body": body, "headers": {TIMESTAMP: now}},
        "no timestamp": {"body": body, "headers": {SIGNATURE: good[SIGNATURE]}},
        "signature not base64": {"body": body, "headers": {SIGNATURE: "%%%not base64", TIMESTAMP: now}},
        "timestamp not a number": {"body": body, "headers": {SIGNATURE: sign(body, "1e9"), TIMESTAMP: "1e9"}},
        "no key configured": {"body": body},
    }[refusal]
    if refusal == "no key configured":
        signed_app.config["SENDGRID_WEBHOOK_PUBLIC_KEY"] = ""
    before = snapshot()
    response = post(client, **kwargs)
    assert response.status_code == 403
    assert snapshot() == before
    assert row(email_id).status == OutboxStatus.SENT


def test_a_repeated_event_changes_nothing(signed_app: Flask, client: FlaskClient) -> None:
    (email_id,) = sent_email()
    deferred = event("deferred", email_id, "e-deferred", response="421 later")
    assert post(client, [deferred, deferred]).status_code == 204  # twice in one batch
    assert events_seen() == 1
    assert row(email_id).status == OutboxStatus.TEMPORARY_FAILURE
    # Put the row back as if the event had never been applied: seeing it again still changes nothing.
    db.session.execute(update(OutboxEmail).values(status=OutboxStatus.SENT, provider_event_at=None, last_error=None))
    db.session.commit()
    before = snapshot()
    assert post(client, [deferred]).status_code == 204
    assert snapshot() == before


def test_an_older_event_after_a_newer_one_changes_nothing(signed_app: Flask, client: FlaskClient) -> None:
    (email_id,) = sent_email()
    post(client, [event("deferred", email_id, "e-new", at=T0 + 60, response="421 later")])
    before = snapshot()
    post(client, [event("processed", email_id, "e-old", at=T0)])
    after = snapshot()
    assert after.pop("provider_event") != before.pop("provider_event")  # recorded as seen
    assert after == before
    assert row(email_id).status == OutboxStatus.TEMPORARY_FAILURE


def test_in_one_batch_the_newest_event_wins_whatever_the_order(signed_app: Flask, client: FlaskClient) -> None:
    a, b = sent_email(n=2)
    post(client, [
        event("deferred", a, "a-2", at=T0 + 5), event("processed", a, "a-1", at=T0),
        event("deferred", b, "b-1", at=T0), event("processed", b, "b-2", at=T0),  # same second: further along
    ])
    assert row(a).status == OutboxStatus.TEMPORARY_FAILURE
    assert row(b).status == OutboxStatus.TEMPORARY_FAILURE


@pytest.mark.parametrize("final", [OutboxStatus.DELIVERED, OutboxStatus.PERMANENT_FAILURE,
                                   OutboxStatus.TECHNICAL_FAILURE])
def test_a_final_status_is_never_overwritten(signed_app: Flask, client: FlaskClient, make: Factory,
                                             final: OutboxStatus) -> None:
    case = make.case()
    (email_id,) = sent_email(case.id, status=final)
    later = T0 + 3600
    response = post(client, [
        event("bounce", email_id, "e-1", at=later, type="bounce", reason="550 gone"),
        event("deferred", email_id, "e-2", at=later + 1), event("delivered", email_id, "e-3", at=later + 2),
    ])
    assert response.status_code == 204
    assert row(email_id).status == final
    assert row(email_id).provider_event_at is None
    assert db.session.get(Case, case.id).family_not_reached_since is None


def test_events_for_unknown_or_missing_outbox_ids_are_ignored(signed_app: Flask, client: FlaskClient) -> None:
    (email_id,) = sent_email()
    before = snapshot()
    response = post(client, [event("delivered", None, "e-none"), event("delivered", email_id + 1000, "e-unknown"),
                             event("delivered", None, "e-bad") | {"outbox_id": "12abc"}])
    assert response.status_code == 204
    after = snapshot()
    assert sorted(r[0] for r in after.pop("provider_event")) == ["e-bad", "e-none", "e-unknown"]
    before.pop("provider_event")
    assert after == before


@pytest.mark.parametrize(
    "body",
    [b"not json", b"", b'{"event": "delivered"}', b"[1, 2]", b"[" * 100_000, b'[{"event": "delivered"}, "x"]'],
    ids=["text", "empty", "object", "numbers", "deep", "mixed"],
)
def test_malformed_but_signed_json_is_a_400(signed_app: Flask, client: FlaskClient, body: bytes) -> None:
    (email_id,) = sent_email()
    before = snapshot()
    response = post(client, body=body)
    assert response.status_code == 400
    assert snapshot() == before
    assert row(email_id).status == OutboxStatus.SENT


def test_events_missing_what_we_need_are_skipped(signed_app: Flask, client: FlaskClient) -> None:
    (email_id,) = sent_email()
    response = post(client, [
        {"event": "delivered", "outbox_id": str(email_id), "timestamp": T0},  # no sg_event_id
        {"event": "delivered", "outbox_id": str(email_id), "sg_event_id": "x", "timestamp": "soon"},
        {"event": "delivered", "outbox_id": str(email_id), "sg_event_id": "y", "timestamp": 1e309},
        {"event": "delivered", "outbox_id": str(email_id), "sg_event_id": 5, "timestamp": T0},
    ])
    assert response.status_code == 204
    assert row(email_id).status == OutboxStatus.SENT
    assert events_seen() == 0


def test_no_csrf_token_or_session_is_needed(csrf_app: Flask) -> None:
    csrf_app.config["SENDGRID_WEBHOOK_PUBLIC_KEY"] = public_key_text(KEY)
    (email_id,) = sent_email()
    response = post(csrf_app.test_client(), [event("delivered", email_id, "e-1")])
    assert response.status_code == 204
    assert "Set-Cookie" not in response.headers
    assert row(email_id).status == OutboxStatus.DELIVERED


def test_a_batch_takes_a_bounded_number_of_statements(signed_app: Flask, client: FlaskClient, make: Factory,
                                                      count_queries) -> None:
    case = make.case()
    ids = sent_email(case.id, n=20)
    batch = [event("processed", i, f"p-{i}") for i in ids] + [event("delivered", i, f"d-{i}", at=T0 + 2) for i in ids]
    batch += [event("bounce", ids[0], "b-0", at=T0 + 3, type="bounce", reason="550")]  # after delivered: ignored
    with count_queries() as queries:
        assert post(client, batch).status_code == 204
    # Lock the emails, read the ids seen, record the events, update the emails.
    assert queries.count <= 4, queries.statements
    assert {row(i).status for i in ids} == {OutboxStatus.DELIVERED}
    # Then one more statement for each email newly failed for good (it flags the case).
    bounces = [event("bounce", i, f"b-{i}", type="bounce", reason="550") for i in sent_email(case.id, n=5)]
    with count_queries() as queries:
        assert post(client, bounces).status_code == 204
    assert queries.count <= 4 + 5, queries.statements


def test_the_webhook_is_rate_limited(signed_app: Flask, client: FlaskClient) -> None:
    signed_app.config["SENDGRID_WEBHOOK_LIMIT"] = "2 per minute"
    assert [post(client, []).status_code for _ in range(3)] == [204, 204, 429]


def test_other_pages_still_refuse_a_json_body(signed_app: Flask, client: FlaskClient) -> None:
    assert client.post("/sign-in", json={"email": "x"}).status_code == 415
