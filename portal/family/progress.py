"""How a case got where it is, for a family: progress through the stages and advice received.
(What its dates mean, in words, is portal/family/wording.py.)

Plain Python over `portal.ehcp`: no Flask, no database. Callers pass `today`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from portal.ehcp import timeline
from portal.ehcp.stages import PATH, Stage
from portal.ehcp.timeline import DeadlineStatus, deadline_status


@dataclass(frozen=True)
class AdviceStatus:
    """Where a request for professional advice stands: received (on time or late) or awaited."""

    due_on: date
    received_on: date | None
    status: DeadlineStatus

    @property
    def days_late(self) -> int:
        """Days between the due date and receipt; 0 when on time or not received."""
        if self.received_on is None:
            return 0
        return max((self.received_on - self.due_on).days, 0)


def advice_status(due_on: date, received_on: date | None, today: date) -> AdviceStatus:
    return AdviceStatus(due_on, received_on, deadline_status(due_on, today, met_on=received_on))


# --- Progress through the stages -------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """A stage change as a family may see it: never the staff note."""

    from_stage: Stage | None
    to_stage: Stage
    effective_on: date
    family_note: str | None


class StepStatus(enum.StrEnum):
    COMPLETED = "completed"
    ENDED = "ended"  # the stage the case was at when it closed
    CURRENT = "current"
    NOT_STARTED = "not_started"
    CLOSED = "closed"


@dataclass(frozen=True)
class ProgressStep:
    stage: Stage
    status: StepStatus
    started_on: date | None = None
    finished_on: date | None = None
    due_on: date | None = None  # the legal deadline for finishing this step, where the law sets one

    @property
    def days_late(self) -> int | None:
        """How late the step finished against its legal deadline (0: on time); None when it has no
        deadline or has not finished."""
        if self.due_on is None or self.finished_on is None:
            return None
        return max((self.finished_on - self.due_on).days, 0)


# Where a closed case most likely stood when it closed, if its history does not say.
_CLOSED_FROM = {
    Stage.NOT_ASSESSING: Stage.DECIDING_TO_ASSESS,
    Stage.NOT_ISSUING: Stage.DECIDING_TO_ISSUE,
    Stage.CEASED: Stage.FINAL_PLAN,
}


def step_deadlines(request_received_on: date, is_reassessment: bool = False) -> dict[Stage, date]:
    """The legal deadlines for finishing a step: the decision whether to assess (reg 5(1)), the
    decision whether to issue a plan (reg 10(1)) and the final plan (reg 13(2), or reg 27 for a
    re-assessment), so a late step stays late on the record, as the page said while it was open."""
    deadlines = {Stage.DRAFT_PLAN: timeline.final_plan_due(request_received_on)}
    if is_reassessment:
        deadlines[Stage.DRAFT_PLAN] = timeline.reassessment_final_plan_due(request_received_on)
    else:
        deadlines[Stage.DECIDING_TO_ASSESS] = timeline.decision_to_assess_due(request_received_on)
        deadlines[Stage.DECIDING_TO_ISSUE] = timeline.decision_not_to_issue_due(request_received_on)
    return deadlines


def progress(
    stage: Stage, stage_since: date, history: Sequence[HistoryEntry], deadlines: Mapping[Stage, date] | None = None
) -> list[ProgressStep]:
    """One step per stage of the statutory path, with the latest dates the case entered and left
    each. A closed case ends at its closing stage instead of showing steps it will not reach."""
    deadlines = deadlines or {}
    entered: dict[Stage, date] = {}
    left: dict[Stage, date] = {}
    for entry in history:  # any order: keep the latest date of each, but the plan's first issue
        # (a plan issued in 2024 and amended since reads "From" 2024, as "first issued" does elsewhere)
        keep = min if entry.to_stage is Stage.FINAL_PLAN else max
        entered[entry.to_stage] = keep(entered.get(entry.to_stage, entry.effective_on), entry.effective_on)
        if entry.from_stage is not None and (
            entry.from_stage not in left or entry.effective_on > left[entry.from_stage]
        ):
            left[entry.from_stage] = entry.effective_on

    def done(step: Stage, status: StepStatus = StepStatus.COMPLETED) -> ProgressStep:
        return ProgressStep(step, status, entered.get(step), left.get(step), deadlines.get(step))

    if stage in PATH:
        at = PATH.index(stage)
        return [
            *(done(step) for step in PATH[:at]),
            ProgressStep(stage, StepStatus.CURRENT, stage_since),
            *(ProgressStep(step, StepStatus.NOT_STARTED) for step in PATH[at + 1 :]),
        ]

    closing = [e for e in history if e.to_stage is stage and e.from_stage in PATH]
    last_reached = (
        max(closing, key=lambda e: e.effective_on).from_stage
        if closing
        else _CLOSED_FROM.get(stage, Stage.REQUEST_RECEIVED)
    )
    assert last_reached is not None
    at = PATH.index(last_reached)
    return [
        *(done(step) for step in PATH[:at]),
        done(last_reached, StepStatus.ENDED),
        ProgressStep(stage, StepStatus.CLOSED, stage_since),
    ]


def has_plan(stage: Stage, draft_served_on: date | None, final_plan_on: date | None) -> bool:
    """Whether the case has reached a plan (draft or final), for the page's title."""
    return stage in (Stage.DRAFT_PLAN, Stage.FINAL_PLAN, Stage.ANNUAL_REVIEW, Stage.CEASED) or bool(
        draft_served_on or final_plan_on
    )
