"""Whether the family has been told why their case is late. Plain Python, no Flask.

Once a council deadline has passed, the family must always see why and what happens now. They
have been told when the caseworker has given an expected date that has not itself passed, and a
reason for the delay. Until then the case is "late, and the family not told why": the family's
page says so plainly, with whom to contact and how to complain, and the caseload flags it.
"""

from __future__ import annotations

from datetime import date


def is_late(council_deadline_on: date | None, today: date) -> bool:
    return council_deadline_on is not None and council_deadline_on < today


def family_told_why(expected_on: date | None, delay_reason: str | None, today: date) -> bool:
    return expected_on is not None and expected_on >= today and bool((delay_reason or "").strip())


def late_without_reason(
    council_deadline_on: date | None, expected_on: date | None, delay_reason: str | None, today: date
) -> bool:
    return is_late(council_deadline_on, today) and not family_told_why(expected_on, delay_reason, today)
