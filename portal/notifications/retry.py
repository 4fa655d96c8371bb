"""What to do after a failed send: retry later (full-jitter exponential backoff, honouring
Retry-After) or give up. Plain Python, no Flask."""

from __future__ import annotations

import http.client
import random
import socket
import urllib.error
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from python_http_client.exceptions import HTTPError

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Failure:
    error: str  # for staff and logs: a status code and a reason, never the content
    retry: bool
    retry_after: float = 0.0  # seconds, from the provider's Retry-After


def classify(exception: BaseException, now: datetime) -> Failure:
    if isinstance(exception, HTTPError):
        status = exception.status_code
        retry_after = parse_retry_after(_header(exception.headers, "Retry-After"), now)
        if status in (401, 403):
            return Failure(
                f"SendGrid refused the API key ({status}): check SENDGRID_API_KEY and that it may send mail",
                retry=False,
            )
        if status == 413:
            return Failure("SendGrid refused the email as too large (413)", retry=False)
        if status in RETRY_STATUSES or status >= 500:
            return Failure(f"SendGrid answered {status}: will try again", retry=True, retry_after=retry_after)
        return Failure(f"SendGrid refused the email ({status} {exception.reason})", retry=False)
    if isinstance(exception, (TimeoutError, socket.timeout)):
        return Failure("No answer from SendGrid in time (timeout): will try again", retry=True)
    if isinstance(exception, urllib.error.URLError) and isinstance(exception.reason, (TimeoutError, socket.timeout)):
        return Failure("No answer from SendGrid in time (timeout): will try again", retry=True)
    if isinstance(exception, (urllib.error.URLError, ConnectionError, http.client.HTTPException, OSError)):
        return Failure(f"Could not reach SendGrid ({type(exception).__name__}): will try again", retry=True)
    # Anything else (a template that fails to render, say): try again, in case it is fixed.
    return Failure(f"Could not build or send the email ({type(exception).__name__})", retry=True)


def _header(headers: object, name: str) -> str | None:
    if headers is None:
        return None
    getter = getattr(headers, "get", None)
    return getter(name) if getter else None


def parse_retry_after(value: str | None, now: datetime) -> float:
    """Retry-After as seconds (a number, or an HTTP date); 0 when absent or unreadable."""
    if not value:
        return 0.0
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


def backoff_seconds(attempts: int, base: float, cap: float, retry_after: float = 0.0) -> float:
    """Full jitter: a random wait up to base × 2^(attempts − 1), capped; never sooner than the
    provider asked."""
    ceiling = min(cap, base * 2 ** max(0, attempts - 1))
    return max(retry_after, random.uniform(0, ceiling))  # noqa: S311 - a wait, not a secret
