"""How staff see an email in the outbox: whom it went to, what it was about and where it got to,
in plain words and London time ("Delivered 1 December, 10:42"). Never the email's content: only
the template's name in words and, for a stage change, the new stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from portal.outbox import OutboxEmail, OutboxStatus

LONDON = ZoneInfo("Europe/London")

# Every status an email can end in that means it did not reach the person.
FAILED = (OutboxStatus.TEMPORARY_FAILURE, OutboxStatus.PERMANENT_FAILURE, OutboxStatus.TECHNICAL_FAILURE)
# Failed for good: nothing more will happen unless someone sends it again.
FAILED_FOR_GOOD = (OutboxStatus.PERMANENT_FAILURE, OutboxStatus.TECHNICAL_FAILURE)

TEMPLATE_WORDS = {
    "stage_changed": "Stage change",
    "invitation": "Invitation to the portal",
    "link_request": "Request to link a child",
    "password_reset": "Password reset",
    "password_changed": "Password changed",
    "digest": "Daily digest",
    "new_message": "New message",
}


def template_in_words(template: str) -> str:
    return TEMPLATE_WORDS.get(template) or template.replace("_", " ").replace("-", " ").capitalize()


def about(email: OutboxEmail) -> str:
    """What the email was about: "Stage change: Draft plan", "Password reset"."""
    words = template_in_words(email.template)
    stage = (email.context or {}).get("stage") if email.template == "stage_changed" else None
    return f"{words}: {stage}" if isinstance(stage, str) and stage else words


def as_utc(moment: datetime) -> datetime:
    """Stored times are UTC; SQLite gives them back without a time zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def london_time(moment: datetime, now: datetime | None = None) -> str:
    """"1 December, 10:42" in London time; the year too when it is not this year."""
    local = as_utc(moment).astimezone(LONDON)
    this_year = as_utc(now or datetime.now(UTC)).astimezone(LONDON).year
    day = f"{local.day} {local:%B}" + ("" if local.year == this_year else f" {local.year}")
    return f"{day}, {local:%H:%M}"


def london_date(moment: datetime) -> str:
    """"1 December 2026" in London time."""
    local = as_utc(moment).astimezone(LONDON)
    return f"{local.day} {local:%B %Y}"


@dataclass(frozen=True)
class EmailSeen:
    """One email as staff see it."""

    id: int
    name: str | None  # the recipient's name, when they have an account
    to_email: str
    template: str
    about: str
    status: OutboxStatus
    text: str  # "Delivered 1 December, 10:42", "Waiting to be sent", "Not delivered: ..."
    failed_at: str | None  # for a failure, when it was reported
    reason: str | None  # for a failure, the provider's or the worker's reason
    resent: bool = False  # someone has sent it again

    @property
    def failed(self) -> bool:
        return self.status in FAILED

    @property
    def failed_for_good(self) -> bool:
        return self.status in FAILED_FOR_GOOD


def status_text(email: OutboxEmail, now: datetime | None = None) -> str:
    status = email.status
    if status is OutboxStatus.DELIVERED:
        return f"Delivered {london_time(email.status_changed_at, now)}"
    if status is OutboxStatus.SENT:
        return f"Sent to the email provider {london_time(email.sent_at or email.status_changed_at, now)}"
    if status is OutboxStatus.PENDING and email.attempts:
        return "Waiting to be sent: the last try did not work and it will be tried again"
    return status.description


def seen(email: OutboxEmail, name: str | None, resent: bool = False, now: datetime | None = None) -> EmailSeen:
    failed = email.status in FAILED
    return EmailSeen(
        id=email.id,
        name=name,
        to_email=email.to_email,
        template=email.template,
        about=about(email),
        status=email.status,
        text=status_text(email, now),
        failed_at=london_time(email.status_changed_at, now) if failed else None,
        reason=email.last_error if failed else None,
        resent=resent,
    )
