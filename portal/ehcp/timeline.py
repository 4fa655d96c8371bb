"""The statutory EHC timeline, as plain Python with no Flask or database.

Sources: the Children and Families Act 2014 and the SEND Regulations 2014 (SI 2014/1530).
Day 0 is the date the council received the request for an EHC needs assessment. Every function
takes and returns `datetime.date`; none reads the clock, so callers pass `today`.

An exception (reg 10(4)) never moves a legal date: it excuses missing it, and marks the case as
excepted for the Department for Education's timeliness figures.
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass
from datetime import date, timedelta


def add_weeks(start: date, weeks: int) -> date:
    return start + timedelta(weeks=weeks)


def add_months(start: date, months: int) -> date:
    """Calendar months; a day that does not exist in the target month becomes its last day
    (31 January + 1 month = 28 or 29 February)."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


# --- Deadlines in the DESIGN.md table -------------------------------------------------------


def decision_to_assess_due(request_received: date) -> date:
    """Decide whether to assess and tell the family: 6 weeks from the request (reg 5(1))."""
    return add_weeks(request_received, 6)


def advice_due(advice_requested: date) -> date:
    """Professionals give their advice within 6 weeks of being asked (reg 8(1))."""
    return add_weeks(advice_requested, 6)


def decision_not_to_issue_due(request_received: date) -> date:
    """Decide not to issue a plan and tell the family: 16 weeks from the request (reg 10(1))."""
    return add_weeks(request_received, 16)


def draft_comments_due(draft_served: date) -> date:
    """The family has at least 15 calendar days to comment, counting the day the draft is served
    (reg 13(1)): the last day for comments is the 15th day."""
    return draft_served + timedelta(days=14)


def final_plan_due(request_received: date) -> date:
    """The final plan is issued within 20 weeks of the request (reg 13(2))."""
    return add_weeks(request_received, 20)


def reassessment_final_plan_due(reassessment_requested: date) -> date:
    """A re-assessment reaches its final plan within 14 weeks (reg 27)."""
    return add_weeks(reassessment_requested, 14)


def annual_review_due(plan_or_last_review: date) -> date:
    """Review the plan at least every 12 months from the plan or the last review (CFA s44)."""
    return add_months(plan_or_last_review, 12)


def review_invitations_due(meeting: date) -> date:
    """Invitations and advice go out at least 2 weeks before the review meeting (reg 20)."""
    return meeting - timedelta(weeks=2)


def review_report_due(meeting: date) -> date:
    """The review report is sent within 2 weeks of the meeting (reg 20)."""
    return add_weeks(meeting, 2)


def review_decision_due(meeting: date) -> date:
    """Decide to maintain, amend or cease the plan within 4 weeks of the meeting (reg 20)."""
    return add_weeks(meeting, 4)


def amended_plan_due(meeting: date, amendments_proposed: date | None = None) -> date:
    """The amended plan is issued within 8 weeks of the proposed amendments and, at the latest,
    12 weeks from the meeting (reg 22; R(L) v Devon CC [2022])."""
    latest = add_weeks(meeting, 12)
    if amendments_proposed is None:
        return latest
    return min(add_weeks(amendments_proposed, 8), latest)


class Transfer(enum.StrEnum):
    """A move between phases of education."""

    EARLY_YEARS_TO_SCHOOL = "early_years_to_school"
    INFANT_TO_JUNIOR = "infant_to_junior"
    PRIMARY_TO_SECONDARY = "primary_to_secondary"
    SECONDARY_TO_POST_16 = "secondary_to_post_16"


def phase_transfer_due(year_of_move: int, transfer: Transfer) -> date:
    """The plan naming the new setting is amended by 15 February in the year of the move, or
    31 March for a move from secondary school to post-16 education (reg 18)."""
    if transfer is Transfer.SECONDARY_TO_POST_16:
        return date(year_of_move, 3, 31)
    return date(year_of_move, 2, 15)


def appeal_due(decision: date, mediation_certificate: date | None = None) -> date:
    """Appeal to the SEND Tribunal within 2 months of the decision, or 1 month from a mediation
    certificate if that is later."""
    deadline = add_months(decision, 2)
    if mediation_certificate is not None:
        deadline = max(deadline, add_months(mediation_certificate, 1))
    return deadline


# --- Exceptions -----------------------------------------------------------------------------


class ExceptionType(enum.StrEnum):
    """The exceptions to the time limits (reg 10(4)(a)-(d), also for regs 5, 13 and 27)."""

    SCHOOL_CLOSURE = "school_closure"
    EARLY_YEARS_CLOSURE = "early_years_closure"
    PERSONAL_CIRCUMSTANCES = "personal_circumstances"
    AWAY_FROM_AREA = "away_from_area"

    @property
    def label(self) -> str:
        return EXCEPTION_LABELS[self]

    @property
    def regulation(self) -> str:
        return {
            ExceptionType.SCHOOL_CLOSURE: "reg 10(4)(a)",
            ExceptionType.EARLY_YEARS_CLOSURE: "reg 10(4)(b)",
            ExceptionType.PERSONAL_CIRCUMSTANCES: "reg 10(4)(c)",
            ExceptionType.AWAY_FROM_AREA: "reg 10(4)(d)",
        }[self]


EXCEPTION_LABELS = {
    ExceptionType.SCHOOL_CLOSURE: "The school was closed for 4 weeks or more when its advice was asked for",
    ExceptionType.EARLY_YEARS_CLOSURE: (
        "The early years setting was closed for 4 weeks or more when its advice was asked for"
    ),
    ExceptionType.PERSONAL_CIRCUMSTANCES: "Exceptional personal circumstances of the child or family",
    ExceptionType.AWAY_FROM_AREA: "The child or family was away from the area for 4 weeks or more",
}


# --- Status against a deadline --------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineStatus:
    """Where today stands against a deadline, in words a family understands."""

    due_on: date
    days: int  # positive: days left; negative: days late; 0: due today
    met_on: date | None = None

    @property
    def is_late(self) -> bool:
        if self.met_on is not None:
            return self.met_on > self.due_on
        return self.days < 0

    @property
    def text(self) -> str:
        if self.met_on is not None:
            if self.met_on <= self.due_on:
                return "Done on time"
            late_by = (self.met_on - self.due_on).days
            return f"Done {late_by} {_days(late_by)} late"
        if self.days < 0:
            return f"Late by {-self.days} {_days(-self.days)}"
        if self.days == 0:
            return "Due today"
        return f"Due in {self.days} {_days(self.days)}"


def _days(count: int) -> str:
    return "day" if count == 1 else "days"


def deadline_status(due_on: date, today: date, met_on: date | None = None) -> DeadlineStatus:
    return DeadlineStatus(due_on=due_on, days=(due_on - today).days, met_on=met_on)
