"""Building and sending emails: one `send_email` for the whole service.

Each email has a plain-text and an HTML template side by side in templates/email/. The backend is
chosen by EMAIL_BACKEND:
- "file" (development): writes an .eml file into EMAIL_FILE_DIR for a person to read.
- "sendgrid" (production): the official SendGrid client; SENDGRID_HOST points it elsewhere in tests.
Emails say what happened and link to the portal: never a child's surname or other details.
"""

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import Mail


def build_email(to: str, subject: str, template: str, **context: object) -> EmailMessage:
    context.setdefault("subject", subject)
    message = EmailMessage()
    message["From"] = current_app.config["EMAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="send-portal.invalid")
    message.set_content(render_template(f"email/{template}.txt", **context))
    message.add_alternative(render_template(f"email/{template}.html", **context), subtype="html")
    return message


def send_email(to: str, subject: str, template: str, **context: object) -> None:
    message = build_email(to, subject, template, **context)
    backend = current_app.config["EMAIL_BACKEND"]
    if backend == "file":
        _write_file(message)
    elif backend == "sendgrid":
        _send_with_sendgrid(message)
    else:
        raise RuntimeError(f"Unknown EMAIL_BACKEND {backend!r}")


def _write_file(message: EmailMessage) -> Path:
    folder = Path(current_app.config["EMAIL_FILE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    message_id = message["Message-ID"].strip("<>").split("@")[0]
    path = folder / f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{message_id}.eml"
    path.write_bytes(bytes(message))
    return path


def _send_with_sendgrid(message: EmailMessage) -> None:
    """Send through SendGrid's v3 mail API. Errors raise, so the caller can retry."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    mail = Mail(
        from_email=message["From"],
        to_emails=message["To"],
        subject=message["Subject"],
        plain_text_content=text,
        html_content=html,
    )
    client = SendGridAPIClient(
        api_key=current_app.config["SENDGRID_API_KEY"], host=current_app.config["SENDGRID_HOST"]
    )
    client.send(mail)
