"""Times as GOV.UK writes them, in UK time: "10am", "3:05pm", "midday", "midnight", and a moment
as "1 December 2026 at 3:05pm". Plain Python, no Flask."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def clock(moment: datetime) -> str:
    """The time of day: "10am", "3:05pm", "midday", "midnight"."""
    local = moment.astimezone(LONDON) if moment.tzinfo else moment
    if local.minute == 0 and local.hour in (0, 12):
        return "midnight" if local.hour == 0 else "midday"
    hour = local.hour % 12 or 12
    minutes = f":{local:%M}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def day_and_time(moment: datetime) -> str:
    """"1 December 2026 at 3:05pm", in UK time."""
    local = moment.astimezone(LONDON) if moment.tzinfo else moment
    return f"{local.day} {local:%B %Y} at {clock(local)}"
