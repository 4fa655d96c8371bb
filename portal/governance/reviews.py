"""The governance report's annual review and phase transfer figures (every case, re-assessments
too), in the shape of portal/governance/rows.py, a row per team and one for the whole service.
portal/governance/timeliness.py includes them in its `selects`.

- "annual-reviews": a review's dates are the case's while the review is open and, once a change
  ends it (to a final plan, ceased or moved away), the ones that change kept. Reviews with no
  meeting date recorded are not counted.
  "held", numerator = review meetings on a day in the period (and not after today);
  "decided-within-4-weeks", over reviews decided in the period (decided on the day amendments were
  proposed, or else the day of the change that ended the review; an open review is decided once
  amendments are proposed): numerator = decided within 28 days of the meeting (day 28 is within,
  day 29 is not), denominator = all of them;
  "amended-within-12-weeks", over amended plans issued in the period (a review ended by a final
  plan, with amendments proposed): numerator = issued within 84 days of the meeting, denominator =
  all of them.
- "phase-transfers", over transfers whose plan had to be amended by a day in the period (15 February
  or, for a move to further education, 31 March): numerator = amended on or before that day,
  denominator = all of them, but for those whose day has not passed yet and that are not amended
  yet (they may still be on time).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Select, case, cast, func, null, or_, select, union_all

from portal.ehcp.models import Case, PhaseTransfer, StageChange
from portal.ehcp.stages import Stage
from portal.governance.periods import Period
from portal.governance.sql import counted, days_between, during, per_team_and_service

DECISION_DAYS = 28  # 4 weeks from the meeting (reg 20)
AMENDED_DAYS = 84  # 12 weeks from the meeting: 4 to decide, 8 more to amend (reg 22)


def selects(period: Period, today: date) -> list[Select]:
    return [*annual_reviews(period, today), *phase_transfers(period, today)]


def _reviews(period: Period):
    """The reviews with a date in the period: meeting_on, decided_on and (for a review ended by an
    amended plan) amended_on."""
    change = StageChange
    amended = (change.to_stage == Stage.FINAL_PLAN) & change.amendments_proposed_on.is_not(None)
    ended = (
        select(
            Case.team_id,
            change.review_meeting_on.label("meeting_on"),
            func.coalesce(change.amendments_proposed_on, change.effective_on).label("decided_on"),
            case((amended, change.effective_on), else_=null()).label("amended_on"),
        )
        .join(Case, Case.id == change.case_id)
        .where(
            change.from_stage == Stage.ANNUAL_REVIEW,
            change.review_meeting_on.is_not(None),
            or_(
                during(change.review_meeting_on, period),
                during(change.amendments_proposed_on, period),
                during(change.effective_on, period),
            ),
        )
    )
    still_open = select(
        Case.team_id,
        Case.review_meeting_on.label("meeting_on"),
        Case.amendments_proposed_on.label("decided_on"),
        cast(null(), Date).label("amended_on"),
    ).where(
        Case.stage == Stage.ANNUAL_REVIEW,
        Case.review_meeting_on.is_not(None),
        or_(during(Case.review_meeting_on, period), during(Case.amendments_proposed_on, period)),
    )
    return union_all(ended, still_open).cte("timeliness_reviews")


def annual_reviews(period: Period, today: date) -> list[Select]:
    reviews = _reviews(period)
    meeting_on, decided_on, amended_on = reviews.c.meeting_on, reviews.c.decided_on, reviews.c.amended_on
    figure = "annual-reviews"
    return [
        *per_team_and_service(
            figure, reviews, "held", numerator=func.count(), where=during(meeting_on, period) & (meeting_on <= today)
        ),
        *per_team_and_service(
            figure, reviews, "decided-within-4-weeks",
            numerator=counted(days_between(decided_on, meeting_on) <= DECISION_DAYS), denominator=func.count(),
            where=during(decided_on, period),
        ),
        *per_team_and_service(
            figure, reviews, "amended-within-12-weeks",
            numerator=counted(days_between(amended_on, meeting_on) <= AMENDED_DAYS), denominator=func.count(),
            where=during(amended_on, period),
        ),
    ]


def phase_transfers(period: Period, today: date) -> list[Select]:
    transfers = (
        select(Case.team_id, PhaseTransfer.amend_by, PhaseTransfer.amended_on)
        .join(Case, Case.id == PhaseTransfer.case_id)
        .where(
            during(PhaseTransfer.amend_by, period),
            PhaseTransfer.amended_on.is_not(None) | (PhaseTransfer.amend_by < today),
        )
        .cte("timeliness_phase_transfers")
    )
    return per_team_and_service(
        "phase-transfers", transfers, numerator=counted(transfers.c.amended_on <= transfers.c.amend_by),
        denominator=func.count(),
    )
