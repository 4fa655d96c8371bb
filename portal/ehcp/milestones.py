"""Which legal deadline a case faces next, computed from its dates. Plain Python.

A milestone belongs either to the council (it can be late) or to the family (an appeal
deadline: information, never "late" for the council).
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Milestone:
    """A legal date. `label` names it for staff ("Final plan due"); `action` is what must be done
    by then, worded to follow "The council must ..." (or "You can ..." for the family's own
    dates); `rule` says how the date was worked out, for the family to check."""

    label: str
    due_on: date
    regulation: str
    council_owns: bool = True
    action: str = field(default="", compare=False)
    rule: str = field(default="", compare=False)


def _from_request(weeks: int, dates: CaseDates) -> str:
    kind = "the request for a re-assessment" if dates.is_reassessment else "the request"
    return f"{weeks} weeks after the council received {kind} on {long_date(dates.request_received_on)}"


def final_plan_milestone(dates: CaseDates) -> Milestone:
    if dates.is_reassessment:
        due, regulation, weeks = timeline.reassessment_final_plan_due(dates.request_received_on), "reg 27", 14
    else:
        due, regulation, weeks = timeline.final_plan_due(dates.request_received_on), "reg 13(2)", 20
    return Milestone(
        "Final plan due", due, regulation, action="issue the final EHC plan", rule=_from_request(weeks, dates)
    )


def _annual_review(dates: CaseDates) -> Milestone:
    base = dates.final_plan_on or dates.stage_since
    return Milestone(
        "Annual review due",
        timeline.annual_review_due(base),
        "CFA 2014 s44",
        action="review the EHC plan",
        rule=f"12 months after the plan was issued or last reviewed, on {long_date(base)}",
    )


def _appeal(dates: CaseDates) -> Milestone:
    return Milestone(
        "Last day to appeal to the SEND Tribunal",
        timeline.appeal_due(dates.stage_since),
        "SEND Tribunal rules",
        council_owns=False,
        action="appeal to the SEND Tribunal",
        rule=(
            f"2 months after the council’s decision on {long_date(dates.stage_since)}. If you get a mediation "
            "certificate, you have until this date or 1 month after the certificate, whichever is later"
        ),
    )


def next_milestone(dates: CaseDates) -> Milestone | None:
    """The next legal deadline for this case, or None when nothing more is due."""
    stage = dates.stage
    received = dates.request_received_on
    if stage in (Stage.REQUEST_RECEIVED, Stage.DECIDING_TO_ASSESS):
        return Milestone(
            "Decision on whether to assess",
            timeline.decision_to_assess_due(received),
            "reg 5(1)",
            action="decide whether to carry out an EHC needs assessment",
            rule=_from_request(6, dates),
        )
    if stage in (Stage.ASSESSING, Stage.DECIDING_TO_ISSUE):
        if dates.is_reassessment:
            return final_plan_milestone(dates)
        return Milestone(
            "Decision on whether to issue a plan",
            timeline.decision_not_to_issue_due(received),
            "reg 10(1)",
            action="decide whether to issue an EHC plan",
            rule=_from_request(16, dates),
        )
    if stage is Stage.DRAFT_PLAN:
        return final_plan_milestone(dates)
    if stage is Stage.FINAL_PLAN:
        return _annual_review(dates)
    if stage is Stage.ANNUAL_REVIEW:
        if dates.review_meeting_on is None:
            return _annual_review(dates)
        if dates.amendments_proposed_on is not None:
            due = timeline.amended_plan_due(dates.review_meeting_on, dates.amendments_proposed_on)
            meeting, proposed = long_date(dates.review_meeting_on), long_date(dates.amendments_proposed_on)
            return Milestone(
                "Amended plan due",
                due,
                "reg 22",
                action="issue the amended EHC plan",
                rule=(
                    f"8 weeks after the proposed changes were sent on {proposed}, and no later than 12 weeks "
                    f"after the review meeting on {meeting}"
                ),
            )
        return Milestone(
            "Decision to keep, change or end the plan",
            timeline.review_decision_due(dates.review_meeting_on),
            "reg 20",
            action="decide whether to keep, change or end the EHC plan",
            rule=f"4 weeks after the review meeting on {long_date(dates.review_meeting_on)}",
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
                action="comment on the draft plan and name the school or college you want",
                rule=f"15 days, counting the day the draft plan was sent on {long_date(dates.draft_served_on)}",
            )
        ]
    if dates.stage is Stage.ANNUAL_REVIEW and dates.amendments_proposed_on is not None:
        return [
            Milestone(
                "Last day to reply to the proposed changes to the plan",
                timeline.draft_comments_due(dates.amendments_proposed_on),
                "reg 22(2)",
                council_owns=False,
                action="reply to the proposed changes to the plan",
                rule=f"15 days, counting the day the proposed changes were sent on "
                f"{long_date(dates.amendments_proposed_on)}",
            )
        ]
    if dates.stage in (Stage.NOT_ASSESSING, Stage.NOT_ISSUING, Stage.CEASED):
        return [_appeal(dates)]
    if dates.stage is Stage.FINAL_PLAN and dates.final_plan_on is not None:
        appeal = _appeal(dates)
        return [
            Milestone(
                appeal.label,
                timeline.appeal_due(dates.final_plan_on),
                appeal.regulation,
                council_owns=False,
                action="appeal to the SEND Tribunal about what the plan says or the school or college it names",
                rule=f"2 months after the final plan was issued on {long_date(dates.final_plan_on)}. If you get "
                "a mediation certificate, you have until this date or 1 month after the certificate, "
                "whichever is later",
            )
        ]
    return []


def expected_date_problem(expected_on: date | None, delay_reason: str | None, legal_due: date | None) -> str | None:
    """An expected date later than the legal deadline needs a reason, which the family sees."""
    if expected_on is None or legal_due is None or expected_on <= legal_due:
        return None
    if not (delay_reason or "").strip():
        return "Enter the reason for the delay. The family will see it"
    return None
