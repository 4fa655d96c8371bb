"""The rule for "late, and the family not told why"."""

from datetime import date, timedelta

import pytest

from portal.ehcp.lateness import family_told_why, is_late, late_without_reason

TODAY = date(2026, 12, 1)
PAST = TODAY - timedelta(days=3)
FUTURE = TODAY + timedelta(days=10)


@pytest.mark.parametrize(
    ("deadline", "expected", "reason", "flagged"),
    [
        (None, None, None, False),  # no council deadline (closed, or the family's own date)
        (FUTURE, None, None, False),  # not late yet
        (TODAY, None, None, False),  # due today is not late
        (PAST, None, None, True),  # late, nothing said
        (PAST, FUTURE, None, True),  # a date but no reason
        (PAST, FUTURE, "   ", True),  # a blank reason is no reason
        (PAST, PAST, "Waiting for health advice", True),  # the date given has passed too
        (PAST, TODAY, "Waiting for health advice", False),
        (PAST, FUTURE, "Waiting for health advice", False),
    ],
)
def test_late_without_reason(deadline, expected, reason, flagged):
    assert late_without_reason(deadline, expected, reason, TODAY) is flagged
    if deadline is not None and deadline < TODAY:
        assert is_late(deadline, TODAY)
        assert family_told_why(expected, reason, TODAY) is not flagged
