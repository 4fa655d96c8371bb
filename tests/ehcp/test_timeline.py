"""The statutory EHC deadlines in portal/ehcp/timeline.py, checked against hand-computed dates.

Every expected date below was worked out by hand from a calendar, not by re-running the formula:
the DESIGN.md table ("The statutory timeline") is the specification.
"""

from __future__ import annotations

import inspect
import typing
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.ehcp import timeline
from portal.ehcp.timeline import (
    EXCEPTION_LABELS,
    ExceptionType,
    Transfer,
    add_months,
    add_weeks,
    advice_due,
    amended_plan_due,
    annual_review_due,
    appeal_due,
    deadline_status,
    decision_not_to_issue_due,
    decision_to_assess_due,
    draft_comments_due,
    final_plan_due,
    phase_transfer_due,
    reassessment_final_plan_due,
    review_decision_due,
    review_invitations_due,
    review_report_due,
)

# No example database on disk (.hypothesis/ is not in .gitignore) and no per-example time limit.
PROPERTY = settings(database=None, deadline=None, max_examples=300)
DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


# --- add_weeks and add_months -----------------------------------------------------------------


def test_add_weeks_counts_calendar_days() -> None:
    assert add_weeks(date(2025, 1, 6), 0) == date(2025, 1, 6)
    assert add_weeks(date(2025, 1, 6), 1) == date(2025, 1, 13)
    assert add_weeks(date(2025, 12, 29), 1) == date(2026, 1, 5)
    assert add_weeks(date(2024, 2, 26), 1) == date(2024, 3, 4)  # through 29 February


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 3, 10), 0, date(2025, 3, 10)),
        (date(2025, 3, 10), 1, date(2025, 4, 10)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),  # no 31 February: last day of the month
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 10, 31), 1, date(2025, 11, 30)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),  # over the year end
        (date(2023, 12, 31), 2, date(2024, 2, 29)),
        (date(2025, 11, 30), 2, date(2026, 1, 30)),  # 30 January exists: the day is kept
        (date(2025, 11, 15), 3, date(2026, 2, 15)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2025, 12, 1), 1, date(2026, 1, 1)),
        (date(2025, 12, 1), 12, date(2026, 12, 1)),
        (date(2025, 12, 1), 13, date(2027, 1, 1)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2023, 2, 28), 12, date(2024, 2, 28)),  # 28 Feb stays 28 Feb, even into a leap year
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


# --- Every row of the DESIGN.md table ---------------------------------------------------------


@pytest.mark.parametrize(
    ("request_received", "expected"),
    [
        (date(2025, 1, 6), date(2025, 2, 17)),
        (date(2025, 12, 1), date(2026, 1, 12)),  # over the year end
        (date(2024, 2, 29), date(2024, 4, 11)),  # request on a leap day
        (date(2025, 2, 1), date(2025, 3, 15)),
    ],
)
def test_decision_to_assess_is_6_weeks_from_the_request_reg_5_1(request_received: date, expected: date) -> None:
    assert decision_to_assess_due(request_received) == expected


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        (date(2025, 3, 3), date(2025, 4, 14)),
        (date(2025, 11, 24), date(2026, 1, 5)),
        (date(2024, 1, 25), date(2024, 3, 7)),  # through 29 February
    ],
)
def test_advice_is_due_6_weeks_from_being_asked_reg_8_1(asked: date, expected: date) -> None:
    assert advice_due(asked) == expected


@pytest.mark.parametrize(
    ("request_received", "expected"),
    [
        (date(2025, 1, 6), date(2025, 4, 28)),
        (date(2025, 12, 1), date(2026, 3, 23)),
        (date(2024, 2, 29), date(2024, 6, 20)),
    ],
)
def test_decision_not_to_issue_is_16_weeks_from_the_request_reg_10_1(request_received: date, expected: date) -> None:
    assert decision_not_to_issue_due(request_received) == expected


@pytest.mark.parametrize(
    ("served", "last_day"),
    [
        (date(2025, 3, 1), date(2025, 3, 15)),  # 15 days counting 1 March itself
        (date(2025, 2, 20), date(2025, 3, 6)),
        (date(2024, 2, 20), date(2024, 3, 5)),  # leap year: 29 February is one of the 15 days
        (date(2025, 12, 25), date(2026, 1, 8)),
        (date(2025, 4, 14), date(2025, 4, 28)),
    ],
)
def test_draft_comments_last_day_is_the_15th_day_counting_the_day_served_reg_13_1(served: date, last_day: date) -> None:
    assert draft_comments_due(served) == last_day
    # Counting both ends, served..last_day is 15 calendar days.
    assert (last_day - served).days + 1 == 15


@pytest.mark.parametrize(
    ("request_received", "expected"),
    [
        (date(2025, 1, 6), date(2025, 5, 26)),
        (date(2025, 12, 1), date(2026, 4, 20)),  # over the year end
        (date(2024, 2, 29), date(2024, 7, 18)),  # request on a leap day
        (date(2023, 11, 1), date(2024, 3, 20)),  # through 29 February 2024
    ],
)
def test_final_plan_is_20_weeks_from_the_request_reg_13_2(request_received: date, expected: date) -> None:
    assert final_plan_due(request_received) == expected


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        (date(2025, 1, 6), date(2025, 4, 14)),
        (date(2025, 12, 1), date(2026, 3, 9)),
        (date(2024, 2, 29), date(2024, 6, 6)),
    ],
)
def test_reassessment_final_plan_is_14_weeks_reg_27(requested: date, expected: date) -> None:
    assert reassessment_final_plan_due(requested) == expected


@pytest.mark.parametrize(
    ("plan_or_review", "expected"),
    [
        (date(2025, 6, 2), date(2026, 6, 2)),
        (date(2024, 2, 29), date(2025, 2, 28)),  # no 29 February 2025
        (date(2023, 2, 28), date(2024, 2, 28)),  # not moved to 29 February
        (date(2025, 12, 31), date(2026, 12, 31)),
        (date(2027, 2, 28), date(2028, 2, 28)),
    ],
)
def test_annual_review_is_12_months_from_the_plan_or_last_review_cfa_s44(plan_or_review: date, expected: date) -> None:
    assert annual_review_due(plan_or_review) == expected


@pytest.mark.parametrize(
    ("meeting", "expected"),
    [
        (date(2025, 3, 10), date(2025, 2, 24)),
        (date(2026, 1, 5), date(2025, 12, 22)),  # back over the year end
        (date(2024, 3, 7), date(2024, 2, 22)),  # back over 29 February
    ],
)
def test_review_invitations_go_out_at_least_2_weeks_before_the_meeting_reg_20(meeting: date, expected: date) -> None:
    assert review_invitations_due(meeting) == expected


@pytest.mark.parametrize(
    ("meeting", "expected"),
    [
        (date(2025, 3, 10), date(2025, 3, 24)),
        (date(2025, 12, 22), date(2026, 1, 5)),
        (date(2024, 2, 20), date(2024, 3, 5)),
    ],
)
def test_review_report_within_2_weeks_of_the_meeting_reg_20(meeting: date, expected: date) -> None:
    assert review_report_due(meeting) == expected


@pytest.mark.parametrize(
    ("meeting", "expected"),
    [
        (date(2025, 3, 10), date(2025, 4, 7)),
        (date(2025, 12, 15), date(2026, 1, 12)),
        (date(2026, 5, 19), date(2026, 6, 16)),
    ],
)
def test_review_decision_within_4_weeks_of_the_meeting_reg_20(meeting: date, expected: date) -> None:
    assert review_decision_due(meeting) == expected


@pytest.mark.parametrize(
    ("proposed", "expected"),
    [
        (None, date(2025, 6, 2)),  # nothing proposed yet: the outer limit, meeting + 12 weeks
        (date(2025, 3, 24), date(2025, 5, 19)),  # 8 weeks from the proposals comes first
        (date(2025, 4, 7), date(2025, 6, 2)),  # both limits fall on the same day
        (date(2025, 4, 21), date(2025, 6, 2)),  # 8 weeks would be 16 June: capped at 12 weeks
    ],
)
def test_amended_plan_8_weeks_from_proposals_never_after_12_weeks_from_meeting_reg_22(
    proposed: date | None, expected: date
) -> None:
    assert amended_plan_due(date(2025, 3, 10), proposed) == expected


def test_amended_plan_without_proposals_argument_is_12_weeks_from_the_meeting() -> None:
    assert amended_plan_due(date(2025, 12, 15)) == date(2026, 3, 9)


@pytest.mark.parametrize(
    ("transfer", "expected"),
    [
        (Transfer.EARLY_YEARS_TO_SCHOOL, date(2026, 2, 15)),
        (Transfer.INFANT_TO_JUNIOR, date(2026, 2, 15)),
        (Transfer.PRIMARY_TO_SECONDARY, date(2026, 2, 15)),
        (Transfer.SECONDARY_TO_POST_16, date(2026, 3, 31)),
    ],
)
def test_phase_transfer_15_february_or_31_march_for_post_16_reg_18(transfer: Transfer, expected: date) -> None:
    assert phase_transfer_due(2026, transfer) == expected


def test_phase_transfer_is_in_the_year_of_the_move_even_in_a_leap_year() -> None:
    assert phase_transfer_due(2028, Transfer.PRIMARY_TO_SECONDARY) == date(2028, 2, 15)
    assert phase_transfer_due(2028, Transfer.SECONDARY_TO_POST_16) == date(2028, 3, 31)


def test_there_are_four_phase_transfers() -> None:
    assert len(Transfer) == 4


@pytest.mark.parametrize(
    ("decision", "certificate", "expected"),
    [
        (date(2025, 3, 10), None, date(2025, 5, 10)),
        (date(2025, 12, 31), None, date(2026, 2, 28)),  # month end, over the year end
        (date(2023, 12, 31), None, date(2024, 2, 29)),  # into a leap February
        (date(2025, 11, 30), None, date(2026, 1, 30)),
        (date(2025, 3, 10), date(2025, 5, 2), date(2025, 6, 2)),  # certificate month is later
        (date(2025, 3, 10), date(2025, 4, 1), date(2025, 5, 10)),  # certificate month is earlier
        (date(2025, 3, 10), date(2025, 4, 10), date(2025, 5, 10)),  # both the same day
        (date(2025, 12, 1), date(2026, 1, 31), date(2026, 2, 28)),
    ],
)
def test_appeal_2_months_from_decision_or_1_month_from_mediation_certificate_if_later(
    decision: date, certificate: date | None, expected: date
) -> None:
    assert appeal_due(decision, certificate) == expected


# --- Property tests ---------------------------------------------------------------------------

STARTING_FUNCTIONS = [
    decision_to_assess_due,
    advice_due,
    decision_not_to_issue_due,
    draft_comments_due,
    final_plan_due,
    reassessment_final_plan_due,
    annual_review_due,
    review_report_due,
    review_decision_due,
    amended_plan_due,
    appeal_due,
]


@pytest.mark.parametrize("deadline", STARTING_FUNCTIONS, ids=lambda f: f.__name__)
@PROPERTY
@given(start=DATES)
def test_no_deadline_precedes_its_start(deadline, start: date) -> None:
    assert deadline(start) > start


@PROPERTY
@given(meeting=DATES, offset=st.integers(min_value=0, max_value=12 * 7))
def test_amended_plan_with_proposals_is_after_the_meeting_and_within_12_weeks(meeting: date, offset: int) -> None:
    proposed = meeting + timedelta(days=offset)
    due = amended_plan_due(meeting, proposed)
    assert meeting < due <= meeting + timedelta(days=84)
    assert due <= proposed + timedelta(days=56)


@PROPERTY
@given(meeting=DATES, proposed=st.none() | DATES)
def test_amended_plan_is_never_after_meeting_plus_12_weeks(meeting: date, proposed: date | None) -> None:
    assert amended_plan_due(meeting, proposed) <= meeting + timedelta(weeks=12)


@PROPERTY
@given(meeting=DATES)
def test_review_invitations_are_exactly_14_days_before_the_meeting(meeting: date) -> None:
    assert meeting - review_invitations_due(meeting) == timedelta(days=14)


@PROPERTY
@given(first=DATES, second=DATES, months=st.integers(min_value=0, max_value=240))
def test_add_months_is_monotonic_in_its_start(first: date, second: date, months: int) -> None:
    earlier, later = sorted((first, second))
    assert add_months(earlier, months) <= add_months(later, months)


@PROPERTY
@given(start=DATES, months=st.integers(min_value=0, max_value=240))
def test_add_months_moves_exactly_that_many_calendar_months(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day
    assert result >= start


@PROPERTY
@given(start=DATES)
def test_add_12_months_keeps_the_month_and_nearly_the_day(start: date) -> None:
    result = add_months(start, 12)
    assert result.year == start.year + 1
    assert result.month == start.month
    assert abs(result.day - start.day) <= 3


@PROPERTY
@given(decision=DATES, certificate=st.none() | DATES)
def test_appeal_is_never_earlier_than_2_months_from_the_decision(decision: date, certificate: date | None) -> None:
    due = appeal_due(decision, certificate)
    assert due >= add_months(decision, 2)
    if certificate is not None:
        assert due >= add_months(certificate, 1)


@PROPERTY
@given(served=DATES)
def test_draft_comments_due_is_14_days_after_the_day_served(served: date) -> None:
    assert draft_comments_due(served) - served == timedelta(days=14)


@PROPERTY
@given(start=DATES)
def test_the_assessment_deadlines_come_in_statutory_order(start: date) -> None:
    assert decision_to_assess_due(start) < decision_not_to_issue_due(start) < final_plan_due(start)
    assert reassessment_final_plan_due(start) < final_plan_due(start)


@PROPERTY
@given(meeting=DATES)
def test_review_deadlines_come_in_order(meeting: date) -> None:
    assert review_invitations_due(meeting) < meeting < review_report_due(meeting) < review_decision_due(meeting)
    assert review_decision_due(meeting) < amended_plan_due(meeting)


# --- Deadline status ------------------------------------------------------------------------

DUE = date(2025, 3, 10)


@pytest.mark.parametrize(
    ("today", "text", "days", "late"),
    [
        (date(2025, 3, 19), "Late by 9 days", -9, True),
        (date(2025, 3, 11), "Late by 1 day", -1, True),
        (date(2025, 3, 10), "Due today", 0, False),
        (date(2025, 2, 26), "Due in 12 days", 12, False),  # over the end of a 28-day February
        (date(2025, 3, 9), "Due in 1 day", 1, False),
    ],
)
def test_deadline_status_before_it_is_met(today: date, text: str, days: int, late: bool) -> None:
    status = deadline_status(DUE, today)
    assert status.text == text
    assert status.days == days
    assert status.is_late is late
    assert status.due_on == DUE


@pytest.mark.parametrize(
    ("met_on", "text", "late"),
    [
        (date(2025, 3, 3), "Done on time", False),
        (date(2025, 3, 10), "Done on time", False),  # on the last day is on time
        (date(2025, 3, 11), "Done 1 day late", True),
        (date(2025, 3, 13), "Done 3 days late", True),
    ],
)
def test_deadline_status_once_met(met_on: date, text: str, late: bool) -> None:
    # Today is long past the deadline: once met, only the date it was met on counts.
    status = deadline_status(DUE, date(2025, 6, 1), met_on=met_on)
    assert status.text == text
    assert status.is_late is late


# --- Exceptions (reg 10(4)) -----------------------------------------------------------------


def test_there_are_four_exceptions_with_regulations_a_to_d() -> None:
    assert [exception.regulation for exception in ExceptionType] == [
        "reg 10(4)(a)",
        "reg 10(4)(b)",
        "reg 10(4)(c)",
        "reg 10(4)(d)",
    ]
    assert set(EXCEPTION_LABELS) == set(ExceptionType)


@pytest.mark.parametrize("exception", list(ExceptionType))
def test_every_exception_has_a_plain_english_label(exception: ExceptionType) -> None:
    label = exception.label
    assert label == EXCEPTION_LABELS[exception]
    assert label.strip() and label[0].isupper()
    assert "TODO" not in label.upper()


def test_closures_and_absences_are_for_4_weeks_or_more() -> None:
    for exception in (ExceptionType.SCHOOL_CLOSURE, ExceptionType.EARLY_YEARS_CLOSURE, ExceptionType.AWAY_FROM_AREA):
        assert "4 weeks or more" in exception.label
    assert "personal circumstances" in ExceptionType.PERSONAL_CIRCUMSTANCES.label


def _deadline_functions():
    return [
        function
        for name, function in vars(timeline).items()
        if inspect.isfunction(function) and function.__module__ == timeline.__name__ and not name.startswith("_")
    ]


def test_no_deadline_function_takes_an_exception() -> None:
    """An exception excuses a missed date; it never moves it, so no deadline can depend on one."""
    functions = _deadline_functions()
    assert decision_to_assess_due in functions and appeal_due in functions
    for function in functions:
        hints = typing.get_type_hints(function)
        assert ExceptionType not in hints.values(), function.__name__
        assert not any("exception" in parameter for parameter in inspect.signature(function).parameters)
