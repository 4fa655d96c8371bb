"""Webhooks: requests from other services, not people. No session, no CSRF token: each request
proves where it came from with a signature, and the signature is the access check.

`POST /webhooks/sendgrid/events` takes SendGrid's signed Event Webhook: an ECDSA signature over
the timestamp and the raw body, checked with the public key SendGrid shows
(`SENDGRID_WEBHOOK_PUBLIC_KEY`). A bad or missing signature, or a timestamp more than 5 minutes
away from now, is refused (403) and changes nothing. A signed batch is applied in one transaction
(portal/notifications/delivery.py) and answered 204 at once.
"""

from __future__ import annotations

import binascii
import json
import time
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Blueprint, Response, current_app, request
from sendgrid.helpers.eventwebhook import EventWebhook
from sqlalchemy.exc import IntegrityError

from portal.access import public
from portal.extensions import csrf, db, limiter
from portal.notifications import delivery

bp = Blueprint("webhooks", __name__)

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
MAX_CLOCK_SKEW_SECONDS = 300
ENDPOINT = "webhooks.sendgrid_events"


def _limit() -> str:
    return current_app.config["SENDGRID_WEBHOOK_LIMIT"]


@bp.post("/sendgrid/events")
@limiter.limit(_limit)
@csrf.exempt  # no session and no form: the signature below is what proves the sender
@public  # the access check is the signature, made with SendGrid's private key
def sendgrid_events() -> Response:
    body = request.get_data(cache=False)
    if not signed_by_sendgrid(body, request.headers.get(SIGNATURE_HEADER), request.headers.get(TIMESTAMP_HEADER)):
        return _plain("Refused: the signature is missing, not valid or too old.", 403)
    try:
        events = delivery.parse_events(json.loads(body))
    except (ValueError, RecursionError):  # not JSON, or not an array of event objects
        return _plain("The body is not a JSON array of events.", 400)
    now = datetime.now(UTC)
    try:
        delivery.apply_events(events, now)
        db.session.commit()
    except IntegrityError:  # a concurrent delivery of the same batch won a race: try once more
        db.session.rollback()
        delivery.apply_events(events, now)
        db.session.commit()
    return Response(status=204)


def signed_by_sendgrid(body: bytes, signature: str | None, timestamp: str | None) -> bool:
    key = public_key()
    if key is None or not signature or not timestamp:
        return False
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    if abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return False
    try:
        payload = body.decode("utf-8")
        return EventWebhook().verify_signature(payload, signature, timestamp, public_key=key)
    except (UnicodeDecodeError, binascii.Error, ValueError, InvalidSignature):
        return False


def public_key():
    """SendGrid's verification key from settings, converted once per app; None when unset or not
    a valid key (then every request is refused: production refuses to start without one)."""
    text = current_app.config.get("SENDGRID_WEBHOOK_PUBLIC_KEY") or ""
    cached = current_app.extensions.get("sendgrid_webhook_key")
    if cached is not None and cached[0] == text:
        return cached[1]
    key = load_public_key(text) if text else None
    current_app.extensions["sendgrid_webhook_key"] = (text, key)
    return key


def load_public_key(text: str):
    """The key as SendGrid shows it (base64 DER SubjectPublicKeyInfo, no PEM lines), or None."""
    try:
        key = EventWebhook().convert_public_key_to_ecdsa(text.strip())
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None
    return key if isinstance(key, ec.EllipticCurvePublicKey) else None


def _plain(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")
