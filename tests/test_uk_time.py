"""Times as GOV.UK writes them, in UK time whatever the season."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.uk_time import clock, day_and_time


@pytest.mark.parametrize(("moment", "text"), [
    (datetime(2026, 12, 1, 10, 0, tzinfo=UTC), "10am"),  # GMT
    (datetime(2026, 12, 1, 15, 5, tzinfo=UTC), "3:05pm"),
    (datetime(2026, 12, 1, 12, 0, tzinfo=UTC), "midday"),
    (datetime(2026, 12, 1, 0, 0, tzinfo=UTC), "midnight"),
    (datetime(2026, 12, 1, 0, 30, tzinfo=UTC), "12:30am"),
    (datetime(2026, 12, 1, 12, 1, tzinfo=UTC), "12:01pm"),
    (datetime(2026, 7, 1, 9, 0, tzinfo=UTC), "10am"),  # BST: an hour ahead
])
def test_clock(moment: datetime, text: str) -> None:
    assert clock(moment) == text


def test_day_and_time_is_the_day_in_the_uk() -> None:
    assert day_and_time(datetime(2026, 7, 1, 23, 30, tzinfo=UTC)) == "2 July 2026 at 12:30am"
    assert day_and_time(datetime(2026, 12, 1, 16, 5, tzinfo=UTC)) == "1 December 2026 at 4:05pm"
