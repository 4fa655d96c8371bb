"""Building and delivering emails. Only the outbox worker (portal/notifications/) calls `deliver`:
web requests queue emails with `portal.outbox.queue_email` instead.

Each email has a plain-text and an HTML template side by side in templates/email/. The backend is
chosen by EMAIL_BACKEND:
- "file" (development): writes an .eml file into EMAIL_FILE_DIR for a person to read.
- "sendgrid" (production): the official SendGrid client (SENDGRID_HOST points it elsewhere in
  tests; SENDGRID_DATA_RESIDENCY=eu uses SendGrid's EU region).
Emails say what happened and link to the portal: never a child's surname or other details.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import CustomArg, Mail, ReplyTo

from portal.sendgrid_opener import use_one_opener


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    sender: str
    reply_to: str


def render_email(to: str, subject: str, template: str, **context: object) -> Email:
    context.setdefault("subject", subject)
    config = current_app.config
    return Email(
        to=to,
        subject=subject,
        text=render_template(f"email/{template}.txt", **context),
        html=render_template(f"email/{template}.html", **context),
        sender=config["EMAIL_FROM"],
        reply_to=config.get("EMAIL_REPLY_TO") or "",
    )


def as_message(email: Email) -> EmailMessage:
    message = EmailMessage()
    message["From"] = email.sender
    message["To"] = email.to
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="send-portal.invalid")
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


def deliver(email: Email, outbox_id: int) -> str | None:
    """Hand one email to the backend. Returns the provider's message id (SendGrid's X-Message-Id)
    if it gives one. Errors raise (python_http_client's HTTPError, URLError, TimeoutError) for the
    worker to classify and retry."""
    backend = current_app.config["EMAIL_BACKEND"]
    if backend == "file":
        _write_file(as_message(email))
        return None
    if backend == "sendgrid":
        return _send_with_sendgrid(email, outbox_id)
    raise RuntimeError(f"Unknown EMAIL_BACKEND {backend!r}")


def _write_file(message: EmailMessage) -> Path:
    folder = Path(current_app.config["EMAIL_FILE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    message_id = message["Message-ID"].strip("<>").split("@")[0]
    path = folder / f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{message_id}.eml"
    path.write_bytes(bytes(message))
    return path


def sendgrid_client() -> SendGridAPIClient:
    """One client per app and settings (it holds no connection: each send is one request)."""
    config = current_app.config
    key = (config["SENDGRID_API_KEY"], config["SENDGRID_HOST"], config["SENDGRID_DATA_RESIDENCY"],
           config["SENDGRID_TIMEOUT_SECONDS"])
    cached = current_app.extensions.get("sendgrid_client")
    if cached is not None and cached[0] == key:
        return cached[1]
    if config["SENDGRID_HOST"]:  # a stand-in (tests, benchmarks)
        client = SendGridAPIClient(api_key=config["SENDGRID_API_KEY"], host=config["SENDGRID_HOST"])
    else:
        client = SendGridAPIClient(api_key=config["SENDGRID_API_KEY"])
        client.set_sendgrid_data_residency(config["SENDGRID_DATA_RESIDENCY"] or "global")
    client.client.timeout = config["SENDGRID_TIMEOUT_SECONDS"]
    use_one_opener()
    current_app.extensions["sendgrid_client"] = (key, client)
    return client


def _send_with_sendgrid(email: Email, outbox_id: int) -> str | None:
    """Send through SendGrid's v3 mail API. The outbox id goes in custom_args (it comes back in
    the Event Webhook); nothing personal does."""
    mail = Mail(
        from_email=email.sender,
        to_emails=email.to,
        subject=email.subject,
        plain_text_content=email.text,
        html_content=email.html,
    )
    if email.reply_to:
        mail.reply_to = ReplyTo(email.reply_to)
    mail.custom_arg = CustomArg("outbox_id", str(outbox_id))
    response = sendgrid_client().send(mail)
    headers = response.headers
    return (headers.get("X-Message-Id") if headers else None) or None
