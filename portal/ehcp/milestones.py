"""Which legal deadline a case faces next, computed from its dates. Plain Python.

A milestone belongs either to the council (it can be late) or to the family (an appeal
deadline: information, never "late" for the council).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.ehcp import timeline
from portal.ehcp.stages import Stage


@dataclass(frozen=True)
class CaseDates:
    """What the timeline needs to know about a case."""

    stage: Stage
    request_received_on: date
    stage_since: date
    is_reassessment: bool = False
    draft_served_on: date | None = None
    final_plan_on: date | None = None  # the latest final (or amended) plan
    review_meeting_on: date | None = None
    amendments_proposed_on: date | None = None


@dataclass(frozen=True)
class Milestone:
    label: str
    due_on: date
    regulation: str
    council_owns: bool = True


def final_plan_milestone(dates: CaseDates) -> Milestone:
    if dates.is_reassessment:
        return Milestone(
            "Final plan issued", timeline.reassessment_final_plan_due(dates.request_received_on), "reg 27"
        )
    return Milestone("Final plan issued", timeline.final_plan_due(dates.request_received_on), "reg 13(2)")


def _annual_review(dates: CaseDates) -> Milestone:
    base = dates.final_plan_on or dates.stage_since
    return Milestone("Annual review of the plan", timeline.annual_review_due(base), "CFA 2014 s44")


def _appeal(dates: CaseDates) -> Milestone:
    return Milestone(
        "Last day to appeal to the SEND Tribunal",
        timeline.appeal_due(dates.stage_since),
        "SEND Tribunal rules",
        council_owns=False,
    )


def next_milestone(dates: CaseDates) -> Milestone | None:
    """The next legal deadline for this case, or None when nothing more is due."""
    stage = dates.stage
    received = dates.request_received_on
    if stage in (Stage.REQUEST_RECEIVED, Stage.DECIDING_TO_ASSESS):
        return Milestone("Decision on whether to assess", timeline.decision_to_assess_due(received), "reg 5(1)")
    if stage in (Stage.ASSESSING, Stage.DECIDING_TO_ISSUE):
        if dates.is_reassessment:
            return final_plan_milestone(dates)
        return Milestone(
            "Decision on whether to issue a plan", timeline.decision_not_to_issue_due(received), "reg 10(1)"
        )
    if stage is Stage.DRAFT_PLAN:
        return final_plan_milestone(dates)
    if stage is Stage.FINAL_PLAN:
        return _annual_review(dates)
    if stage is Stage.ANNUAL_REVIEW:
        if dates.review_meeting_on is None:
            return _annual_review(dates)
        if dates.amendments_proposed_on is not None:
            return Milestone(
                "Amended plan issued",
                timeline.amended_plan_due(dates.review_meeting_on, dates.amendments_proposed_on),
                "reg 22",
            )
        return Milestone(
            "Decision to keep, change or end the plan",
            timeline.review_decision_due(dates.review_meeting_on),
            "reg 20",
        )
    if stage in (Stage.NOT_ASSESSING, Stage.NOT_ISSUING, Stage.CEASED):
        return _appeal(dates)
    return None


def council_deadline(dates: CaseDates) -> date | None:
    """The council's next legal date: what the caseload sorts and filters by."""
    milestone = next_milestone(dates)
    return milestone.due_on if milestone is not None and milestone.council_owns else None


def family_dates(dates: CaseDates) -> list[Milestone]:
    """Dates the family itself can act by at this stage."""
    if dates.stage is Stage.DRAFT_PLAN and dates.draft_served_on is not None:
        return [
            Milestone(
                "Last day to comment on the draft plan and name a school",
                timeline.draft_comments_due(dates.draft_served_on),
                "reg 13(1)",
                council_owns=False,
            )
        ]
    if dates.stage in (Stage.NOT_ASSESSING, Stage.NOT_ISSUING, Stage.CEASED):
        return [_appeal(dates)]
    return []


def expected_date_problem(expected_on: date | None, delay_reason: str | None, legal_due: date | None) -> str | None:
    """An expected date later than the legal deadline needs a reason, which the family sees."""
    if expected_on is None or legal_due is None or expected_on <= legal_due:
        return None
    if not (delay_reason or "").strip():
        return "Enter the reason for the delay. The family will see it"
    return None
