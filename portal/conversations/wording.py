"""Words about conversations that family and staff pages share: when a message was sent, who
wrote it, and what the family can expect. Plain Python, no Flask."""

from __future__ import annotations

from datetime import date, datetime

from portal.conversations.models import ConversationStatus, Message
from portal.conversations.reply_by import long_date
from portal.uk_time import day_and_time


def message_time(moment: datetime) -> str:
    """1 December 2026 at 4:05pm, in England's time."""
    return day_and_time(moment)


def author_line(message: Message, viewer_id: int) -> str:
    """"You", or "Casey Worker, SEND caseworker", or "Fiona Family, parent"."""
    if message.author_id == viewer_id:
        return "You"
    name = message.author.name if message.author is not None else "Someone who no longer has an account"
    return f"{name}, {message.author_title}"


def expect_reply(status: ConversationStatus, reply_due_on: date | None, today: date | None = None) -> str | None:
    """What the family can expect, in one sentence (or two, when the reply is late)."""
    today = today or date.today()
    if status is ConversationStatus.WAITING_FOR_COUNCIL and reply_due_on is not None:
        if reply_due_on < today:
            return (f"We aimed to reply by {long_date(reply_due_on)} and have not replied yet. We are sorry. "
                    "The team and its managers can see that your message is waiting.")
        return f"We aim to reply by {long_date(reply_due_on)}."
    if status is ConversationStatus.WAITING_FOR_FAMILY:
        return "The SEND team has written to you. You can reply if you need to."
    if status is ConversationStatus.CLOSED:
        return "This conversation is closed. You can still write a reply and it will open again."
    return None


def is_overdue(status: ConversationStatus, reply_due_on: date | None, today: date) -> bool:
    return status is ConversationStatus.WAITING_FOR_COUNCIL and reply_due_on is not None and reply_due_on < today


def cover_sentence(caseworker_first_name: str, away_until: date, team_name: str) -> str:
    """Casey is away until 8 December 2026: the North SEND team will reply."""
    return f"{caseworker_first_name} is away until {away_until.day} {away_until:%B %Y}: the {team_name} will reply."



