"""Which legal deadline a case faces next (portal/ehcp/milestones.py), with hand-computed dates."""

from __future__ import annotations

import dataclasses
import inspect
import typing
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.ehcp import milestones
from portal.ehcp.milestones import (
    CaseDates,
    Milestone,
    council_deadline,
    expected_date_problem,
    family_dates,
    next_milestone,
)
from portal.ehcp.stages import CLOSED, Stage

REQUEST = date(2025, 1, 6)  # a Monday


def case(stage: Stage, **changes) -> CaseDates:
    changes.setdefault("stage_since", REQUEST)
    return CaseDates(stage=stage, request_received_on=REQUEST, **changes)


# --- next_milestone, stage by stage ---------------------------------------------------------


@pytest.mark.parametrize("stage", [Stage.REQUEST_RECEIVED, Stage.DECIDING_TO_ASSESS])
def test_deciding_to_assess_is_due_6_weeks_from_the_request(stage: Stage) -> None:
    milestone = next_milestone(case(stage, stage_since=date(2025, 1, 10)))
    assert milestone == Milestone("Decision on whether to assess", date(2025, 2, 17), "reg 5(1)")
    assert milestone.council_owns


@pytest.mark.parametrize("stage", [Stage.ASSESSING, Stage.DECIDING_TO_ISSUE])
def test_assessing_faces_the_16_week_decision_not_to_issue(stage: Stage) -> None:
    milestone = next_milestone(case(stage, stage_since=date(2025, 2, 17)))
    assert milestone == Milestone("Decision on whether to issue a plan", date(2025, 4, 28), "reg 10(1)")


@pytest.mark.parametrize("stage", [Stage.ASSESSING, Stage.DECIDING_TO_ISSUE, Stage.DRAFT_PLAN])
def test_a_reassessment_faces_the_14_week_final_plan(stage: Stage) -> None:
    milestone = next_milestone(case(stage, is_reassessment=True))
    assert milestone == Milestone("Final plan due", date(2025, 4, 14), "reg 27")


def test_draft_plan_faces_the_20_week_final_plan() -> None:
    milestone = next_milestone(case(Stage.DRAFT_PLAN, stage_since=date(2025, 4, 14), draft_served_on=date(2025, 4, 14)))
    assert milestone == Milestone("Final plan due", date(2025, 5, 26), "reg 13(2)")


def test_draft_plan_over_the_year_end() -> None:
    dates = CaseDates(stage=Stage.DRAFT_PLAN, request_received_on=date(2025, 12, 1), stage_since=date(2026, 3, 2))
    assert next_milestone(dates).due_on == date(2026, 4, 20)


def test_final_plan_faces_the_annual_review_12_months_on() -> None:
    dates = case(Stage.FINAL_PLAN, stage_since=date(2025, 6, 2), final_plan_on=date(2025, 6, 2))
    assert next_milestone(dates) == Milestone("Annual review due", date(2026, 6, 2), "CFA 2014 s44")


def test_annual_review_counts_from_the_final_plan_not_the_stage_date() -> None:
    dates = case(Stage.FINAL_PLAN, stage_since=date(2025, 7, 1), final_plan_on=date(2025, 6, 2))
    assert next_milestone(dates).due_on == date(2026, 6, 2)


def test_annual_review_without_a_plan_date_counts_from_the_stage_date_leap_day() -> None:
    dates = case(Stage.FINAL_PLAN, stage_since=date(2024, 2, 29))
    assert next_milestone(dates).due_on == date(2025, 2, 28)


def test_annual_review_before_the_meeting_faces_the_review_itself() -> None:
    dates = case(Stage.ANNUAL_REVIEW, stage_since=date(2026, 4, 20), final_plan_on=date(2025, 6, 2))
    assert next_milestone(dates) == Milestone("Annual review due", date(2026, 6, 2), "CFA 2014 s44")


def test_annual_review_after_the_meeting_faces_the_decision_4_weeks_on() -> None:
    dates = case(
        Stage.ANNUAL_REVIEW,
        stage_since=date(2026, 4, 20),
        final_plan_on=date(2025, 6, 2),
        review_meeting_on=date(2026, 5, 19),
    )
    assert next_milestone(dates) == Milestone("Decision to keep, change or end the plan", date(2026, 6, 16), "reg 20")


@pytest.mark.parametrize(
    ("proposed", "expected"),
    [
        (date(2026, 6, 2), date(2026, 7, 28)),  # 8 weeks from the proposals
        (date(2026, 6, 16), date(2026, 8, 11)),  # 8 weeks = meeting + 12 weeks, the same day
        (date(2026, 6, 30), date(2026, 8, 11)),  # 8 weeks would be 25 August: capped at meeting + 12 weeks
    ],
)
def test_annual_review_with_proposed_amendments_faces_the_amended_plan(proposed: date, expected: date) -> None:
    dates = case(
        Stage.ANNUAL_REVIEW,
        stage_since=date(2026, 4, 20),
        final_plan_on=date(2025, 6, 2),
        review_meeting_on=date(2026, 5, 19),
        amendments_proposed_on=proposed,
    )
    assert next_milestone(dates) == Milestone("Amended plan due", expected, "reg 22")


@pytest.mark.parametrize(
    ("stage", "decided", "expected"),
    [
        (Stage.NOT_ASSESSING, date(2025, 2, 17), date(2025, 4, 17)),
        (Stage.NOT_ISSUING, date(2025, 12, 31), date(2026, 2, 28)),
        (Stage.CEASED, date(2025, 11, 30), date(2026, 1, 30)),
    ],
)
def test_refusals_face_the_familys_appeal_deadline_2_months_from_the_decision(
    stage: Stage, decided: date, expected: date
) -> None:
    milestone = next_milestone(case(stage, stage_since=decided))
    assert milestone is not None
    assert milestone.label == "Last day to appeal to the SEND Tribunal"
    assert milestone.due_on == expected
    assert milestone.council_owns is False
    assert council_deadline(case(stage, stage_since=decided)) is None


@pytest.mark.parametrize("stage", [Stage.MOVED_AWAY, Stage.WITHDRAWN])
def test_nothing_is_due_once_a_case_has_moved_away_or_been_withdrawn(stage: Stage) -> None:
    dates = case(stage, stage_since=date(2025, 2, 1))
    assert next_milestone(dates) is None
    assert council_deadline(dates) is None
    assert family_dates(dates) == []


# --- council_deadline -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (case(Stage.DECIDING_TO_ASSESS), date(2025, 2, 17)),
        (case(Stage.ASSESSING), date(2025, 4, 28)),
        (case(Stage.DRAFT_PLAN), date(2025, 5, 26)),
        (case(Stage.FINAL_PLAN, final_plan_on=date(2025, 6, 2)), date(2026, 6, 2)),
        (case(Stage.NOT_ASSESSING, stage_since=date(2025, 2, 17)), None),
        (case(Stage.NOT_ISSUING, stage_since=date(2025, 4, 28)), None),
        (case(Stage.WITHDRAWN), None),
    ],
)
def test_council_deadline(dates: CaseDates, expected: date | None) -> None:
    assert council_deadline(dates) == expected


# --- family_dates ---------------------------------------------------------------------------


def test_draft_plan_gives_the_family_the_last_day_to_comment() -> None:
    dates = case(Stage.DRAFT_PLAN, stage_since=date(2025, 4, 14), draft_served_on=date(2025, 4, 14))
    assert family_dates(dates) == [
        Milestone(
            "Last day to comment on the draft plan and name a school",
            date(2025, 4, 28),
            "reg 13(1)",
            council_owns=False,
        )
    ]


def test_draft_served_on_1_march_gives_15_march() -> None:
    dates = case(Stage.DRAFT_PLAN, stage_since=date(2025, 3, 1), draft_served_on=date(2025, 3, 1))
    assert [milestone.due_on for milestone in family_dates(dates)] == [date(2025, 3, 15)]


def test_draft_plan_without_a_served_date_has_no_family_date() -> None:
    assert family_dates(case(Stage.DRAFT_PLAN)) == []


def test_refusal_gives_the_family_the_appeal_date() -> None:
    dates = case(Stage.NOT_ASSESSING, stage_since=date(2025, 2, 17))
    [appeal] = family_dates(dates)
    assert appeal.due_on == date(2025, 4, 17)
    assert appeal.council_owns is False
    assert appeal == next_milestone(dates)


@pytest.mark.parametrize(
    "stage",
    [Stage.REQUEST_RECEIVED, Stage.DECIDING_TO_ASSESS, Stage.ASSESSING, Stage.ANNUAL_REVIEW],
)
def test_other_stages_have_no_family_dates(stage: Stage) -> None:
    assert family_dates(case(stage, final_plan_on=date(2025, 6, 2))) == []


def test_a_final_plan_can_be_appealed_for_2_months() -> None:
    (appeal,) = family_dates(case(Stage.FINAL_PLAN, final_plan_on=date(2025, 6, 2)))
    assert (appeal.due_on, appeal.council_owns) == (date(2025, 8, 2), False)
    assert "2 June 2025" in appeal.rule


def test_proposed_changes_after_a_review_can_be_answered_for_15_days() -> None:
    dates = case(Stage.ANNUAL_REVIEW, review_meeting_on=date(2026, 5, 5), amendments_proposed_on=date(2026, 5, 12))
    (reply,) = family_dates(dates)
    assert (reply.due_on, reply.council_owns) == (date(2026, 5, 26), False)


def test_every_milestone_says_what_must_be_done_and_how_its_date_was_worked_out() -> None:
    for stage in Stage:
        dates = case(stage, final_plan_on=date(2025, 6, 2), draft_served_on=date(2025, 4, 14),
                     review_meeting_on=date(2026, 5, 5), amendments_proposed_on=date(2026, 5, 12))
        for milestone in [next_milestone(dates), *family_dates(dates)]:
            if milestone is not None:
                assert milestone.action and milestone.rule, (stage, milestone)
                assert "issued" not in milestone.label.lower(), milestone.label


def test_family_dates_are_never_the_councils() -> None:
    for stage in Stage:
        for milestone in family_dates(case(stage, draft_served_on=date(2025, 4, 14))):
            assert milestone.council_owns is False


# --- Properties over any case ---------------------------------------------------------------

DATES = st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31))


@st.composite
def case_dates(draw) -> CaseDates:
    received = draw(DATES)
    after = st.integers(min_value=0, max_value=3 * 365).map(lambda days: received + timedelta(days=days))
    meeting = draw(st.none() | after)
    return CaseDates(
        stage=draw(st.sampled_from(Stage)),
        request_received_on=received,
        stage_since=draw(after),
        is_reassessment=draw(st.booleans()),
        draft_served_on=draw(st.none() | after),
        final_plan_on=draw(st.none() | after),
        review_meeting_on=meeting,
        amendments_proposed_on=None
        if meeting is None
        else draw(st.none() | st.integers(0, 84).map(lambda days: meeting + timedelta(days=days))),
    )


@settings(database=None, deadline=None, max_examples=300)
@given(dates=case_dates())
def test_milestones_are_consistent_for_any_case(dates: CaseDates) -> None:
    milestone = next_milestone(dates)
    if dates.stage in (Stage.MOVED_AWAY, Stage.WITHDRAWN):
        assert milestone is None
    else:
        assert milestone is not None
        assert milestone.due_on > dates.request_received_on
        assert milestone.label and milestone.regulation
    deadline = council_deadline(dates)
    if milestone is None or not milestone.council_owns:
        assert deadline is None
    else:
        assert deadline == milestone.due_on
    if dates.stage in CLOSED and milestone is not None:
        assert milestone.council_owns is False
    for family_date in family_dates(dates):
        assert family_date.council_owns is False


# --- Exceptions never move a deadline --------------------------------------------------------


def test_next_milestone_depends_only_on_case_dates() -> None:
    """An exception (reg 10(4)) excuses a missed date; it never moves it. next_milestone and
    council_deadline take nothing but CaseDates, and CaseDates has no exception in it."""
    for function in (next_milestone, council_deadline, family_dates):
        assert list(inspect.signature(function).parameters) == ["dates"]
        assert typing.get_type_hints(function)["dates"] is CaseDates
    assert not any("exception" in field.name for field in dataclasses.fields(CaseDates))
    assert "ExceptionType" not in vars(milestones)


# --- expected_date_problem ------------------------------------------------------------------

LEGAL = date(2025, 5, 26)
MESSAGE = "Enter the reason for the delay. The family will see it"


@pytest.mark.parametrize(
    ("expected_on", "reason", "legal_due"),
    [
        (None, None, LEGAL),
        (date(2025, 5, 1), None, LEGAL),
        (LEGAL, None, LEGAL),  # on the legal date is not late
        (date(2025, 6, 9), None, None),  # no legal date to compare with
        (date(2025, 6, 9), "Waiting for the educational psychologist's advice", LEGAL),
    ],
)
def test_no_problem(expected_on: date | None, reason: str | None, legal_due: date | None) -> None:
    assert expected_date_problem(expected_on, reason, legal_due) is None


@pytest.mark.parametrize("reason", [None, "", " ", "   \t\n "])
def test_a_later_expected_date_needs_a_reason(reason: str | None) -> None:
    problem = expected_date_problem(date(2025, 5, 27), reason, LEGAL)
    assert problem == MESSAGE
    # GOV.UK error message style: starts with what to do, no full stop at the end.
    assert problem.startswith("Enter ")
    assert not problem.endswith(".")
