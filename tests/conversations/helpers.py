"""Building conversations for tests, through the service's own use cases."""

from __future__ import annotations

import itertools
import secrets
from datetime import datetime

from portal.conversations import services
from portal.conversations.attachments import CheckedFile
from portal.conversations.models import Conversation, Message, UrgentReason
from portal.ehcp.models import Case
from portal.models import User

_keys = itertools.count(1)


def draft(
    body: str = "Could you tell me when the advice will arrive?", files: tuple[CheckedFile, ...] = ()
) -> services.Draft:
    return services.Draft(body=body, submission_key=f"test-key-{next(_keys)}-{secrets.token_hex(4)}", files=files)


def start(
    author: User, case: Case, subject: str = "Advice from the school", body: str | None = None,
    urgent: UrgentReason | None = None, now: datetime | None = None,
) -> Conversation:
    return services.start(author, case, subject, draft(body) if body else draft(), urgent, now=now)


def reply(author: User, conversation: Conversation, body: str = "Thank you for your message.",
          now: datetime | None = None) -> Message:
    return services.reply(author, conversation, draft(body), now=now)
