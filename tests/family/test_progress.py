"""What a family sees about a case, as plain Python (portal/family/progress.py)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.ehcp.stages import CLOSED, PATH, Stage
from portal.family.progress import (
    HistoryEntry,
    ProgressStep,
    StepStatus,
    advice_status,
    has_plan,
    progress,
)

REQUEST = date(2025, 1, 6)
S = Stage


def entry(from_stage: Stage | None, to_stage: Stage, on: date) -> HistoryEntry:
    return HistoryEntry(from_stage, to_stage, on, None)


OPENING = [entry(None, S.REQUEST_RECEIVED, REQUEST)]


def test_a_new_case_is_at_its_first_step() -> None:
    steps = progress(S.REQUEST_RECEIVED, REQUEST, OPENING)
    assert steps[0] == ProgressStep(S.REQUEST_RECEIVED, StepStatus.CURRENT, REQUEST)
    assert [step.status for step in steps[1:]] == [StepStatus.NOT_STARTED] * (len(PATH) - 1)


def test_reviews_again_and_again_keep_the_latest_dates_and_the_plans_first_issue() -> None:
    history = [
        *OPENING,
        entry(S.REQUEST_RECEIVED, S.DECIDING_TO_ASSESS, date(2025, 1, 8)),
        entry(S.DECIDING_TO_ASSESS, S.ASSESSING, date(2025, 2, 14)),
        entry(S.ASSESSING, S.DECIDING_TO_ISSUE, date(2025, 4, 1)),
        entry(S.DECIDING_TO_ISSUE, S.DRAFT_PLAN, date(2025, 4, 14)),
        entry(S.DRAFT_PLAN, S.FINAL_PLAN, date(2025, 5, 19)),
        entry(S.FINAL_PLAN, S.ANNUAL_REVIEW, date(2026, 4, 20)),
        entry(S.ANNUAL_REVIEW, S.FINAL_PLAN, date(2026, 6, 1)),
        entry(S.FINAL_PLAN, S.ANNUAL_REVIEW, date(2027, 4, 19)),
    ]
    steps = progress(S.ANNUAL_REVIEW, date(2027, 4, 19), list(reversed(history)))
    # The plan was first issued on 19 May 2025 (as the page says elsewhere), and last left for a review in 2027.
    assert steps[-2] == ProgressStep(S.FINAL_PLAN, StepStatus.COMPLETED, date(2025, 5, 19), date(2027, 4, 19))
    assert steps[-1] == ProgressStep(S.ANNUAL_REVIEW, StepStatus.CURRENT, date(2027, 4, 19))
    assert all(step.status is StepStatus.COMPLETED for step in steps[:-1])


def test_a_case_reopened_after_a_refusal_is_back_on_the_path() -> None:
    history = [
        *OPENING,
        entry(S.REQUEST_RECEIVED, S.DECIDING_TO_ASSESS, date(2025, 1, 8)),
        entry(S.DECIDING_TO_ASSESS, S.NOT_ASSESSING, date(2025, 2, 10)),
        entry(S.NOT_ASSESSING, S.ASSESSING, date(2025, 6, 2)),
    ]
    steps = progress(S.ASSESSING, date(2025, 6, 2), history)
    assert [(step.stage, step.status) for step in steps[:4]] == [
        (S.REQUEST_RECEIVED, StepStatus.COMPLETED),
        (S.DECIDING_TO_ASSESS, StepStatus.COMPLETED),
        (S.ASSESSING, StepStatus.CURRENT),
        (S.DECIDING_TO_ISSUE, StepStatus.NOT_STARTED),
    ]
    assert steps[1].finished_on == date(2025, 2, 10)


def test_a_withdrawn_case_stops_where_it_was() -> None:
    history = [
        *OPENING,
        entry(S.REQUEST_RECEIVED, S.DECIDING_TO_ASSESS, date(2025, 1, 8)),
        entry(S.DECIDING_TO_ASSESS, S.ASSESSING, date(2025, 2, 14)),
        entry(S.ASSESSING, S.WITHDRAWN, date(2025, 3, 3)),
    ]
    assert progress(S.WITHDRAWN, date(2025, 3, 3), history) == [
        ProgressStep(S.REQUEST_RECEIVED, StepStatus.COMPLETED, REQUEST, date(2025, 1, 8)),
        ProgressStep(S.DECIDING_TO_ASSESS, StepStatus.COMPLETED, date(2025, 1, 8), date(2025, 2, 14)),
        ProgressStep(S.ASSESSING, StepStatus.ENDED, date(2025, 2, 14), date(2025, 3, 3)),
        ProgressStep(S.WITHDRAWN, StepStatus.CLOSED, date(2025, 3, 3)),
    ]


@pytest.mark.parametrize(
    ("stage", "last_on_path"),
    [
        (S.NOT_ASSESSING, S.DECIDING_TO_ASSESS),
        (S.NOT_ISSUING, S.DECIDING_TO_ISSUE),
        (S.CEASED, S.FINAL_PLAN),
        (S.WITHDRAWN, S.REQUEST_RECEIVED),
        (S.MOVED_AWAY, S.REQUEST_RECEIVED),
    ],
)
def test_a_closed_case_without_history_ends_where_it_most_likely_was(stage: Stage, last_on_path: Stage) -> None:
    steps = progress(stage, date(2025, 3, 3), [])
    assert steps[-1] == ProgressStep(stage, StepStatus.CLOSED, date(2025, 3, 3))
    assert steps[-2].stage is last_on_path and steps[-2].status is StepStatus.ENDED
    assert [step.stage for step in steps[:-1]] == list(PATH[: PATH.index(last_on_path) + 1])


@pytest.mark.parametrize("stage", sorted(CLOSED))
def test_no_closed_case_shows_steps_it_will_not_reach(stage: Stage) -> None:
    assert all(step.status is not StepStatus.NOT_STARTED for step in progress(stage, REQUEST, OPENING))


def test_advice_status() -> None:
    due = date(2025, 3, 31)
    assert advice_status(due, date(2025, 3, 20), date(2025, 4, 9)).days_late == 0
    assert advice_status(due, date(2025, 4, 4), date(2025, 4, 9)).days_late == 4
    waiting = advice_status(due, None, date(2025, 4, 9))
    assert waiting.days_late == 0
    assert waiting.status.text == "Late by 9 days"


@pytest.mark.parametrize(
    ("stage", "draft", "final", "expected"),
    [
        (S.ASSESSING, None, None, False),
        (S.NOT_ISSUING, None, None, False),
        (S.DRAFT_PLAN, REQUEST, None, True),
        (S.CEASED, None, REQUEST, True),
        (S.MOVED_AWAY, None, REQUEST, True),
        (S.MOVED_AWAY, None, None, False),
    ],
)
def test_has_plan(stage: Stage, draft: date | None, final: date | None, expected: bool) -> None:
    assert has_plan(stage, draft, final) is expected
