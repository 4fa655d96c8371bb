"""The governance report's timeliness figures, counted as the Department for Education counts them
for the SEN2 return (../shared/DESIGN.md, "Timeliness"). Each is a SELECT in the shape of
portal/governance/rows.py, so that `rows.run` joins them with the report's other figures into one
UNION ALL statement; each figure has a row per team (team_id) and one for the whole service (team_id
NULL). Days are whole days from the first date to the second: the request's own day is day 0.

Initial assessments only (not re-assessments), by the period's dates, unless said:

- "requests-received": numerator = requests for an assessment received in the period.
- "decisions-to-assess": denominator = decisions whether to assess made in the period (the case's
  first move from "request received" or "deciding whether to assess" to "assessing" or "not
  assessing"); numerator = those made within 6 weeks (42 days) of the request.
- "plans-issued", over new plans issued in the period (the case's first final plan): "all",
  numerator = the plans; "within-20-weeks", numerator = those issued within 140 days of the request
  (day 140 is within, day 141 is not), denominator = all of them; "over-20-weeks-under-a-year"
  (141 to 364 days) and "a-year-or-more" (365 days or more), likewise. Each has an "-ex" part,
  excluding exceptions: only the plans of cases with no exception recorded at any step, in the
  numerator and the denominator.
- "weeks-to-plan", over the same plans, in weeks (days / 7): "average" (the mean), "median" (the
  middle value, or the mean of the two middle values), "p90" (the 90th percentile by the nearest
  rank: the smallest time that at least 90% of the plans took no longer than); each also "-ex".
  The value is in `value`; the denominator is the number of plans it is over.
- "past-deadline-now", as of today, every open case (re-assessments too) whose next legal deadline
  has passed: "all"; by stage (the stage's value, such as "draft_plan"); by how late:
  "up-to-4-weeks" (1 to 28 days), "4-to-12-weeks" (29 to 84), "over-12-weeks" (85 or more).
- "exceptions": exceptions that apply from a day in the period, by type (the type's value, such
  as "school_closure"), and "all".

Annual reviews and phase transfers are in portal/governance/reviews.py; `selects` includes them.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from portal.ehcp.models import Case, StageChange, TimelineException
from portal.ehcp.stages import Stage
from portal.governance import reviews
from portal.governance.periods import Period
from portal.governance.rows import shaped
from portal.governance.sql import counted, days_between, during, per_team_and_service

DECISION_DAYS = 42  # 6 weeks (reg 5(1))
PLAN_DAYS = 140  # 20 weeks (reg 13(2))
A_YEAR_DAYS = 365  # "a year or more", as SEN2 counts it (52 weeks and more)
LATE_BANDS = (("up-to-4-weeks", 28), ("4-to-12-weeks", 84), ("over-12-weeks", None))

# A decision whether to assess: a move out of these stages into one of those.
UNDECIDED = (Stage.REQUEST_RECEIVED, Stage.DECIDING_TO_ASSESS)
DECIDED = (Stage.ASSESSING, Stage.NOT_ASSESSING)

INITIAL = Case.is_reassessment.is_(False)


def selects(period: Period, today: date) -> list[Select]:
    """Every timeliness figure's SELECTs for the period (and, for "past-deadline-now", `today`)."""
    return [
        *requests_received(period),
        *decisions_to_assess(period),
        *plans_issued(period),
        *past_deadline_now(today),
        *exceptions_recorded(period),
        *reviews.selects(period, today),
    ]


def requests_received(period: Period) -> list[Select]:
    received = select(Case.team_id).where(INITIAL, during(Case.request_received_on, period)).cte("timeliness_requests")
    return per_team_and_service("requests-received", received, numerator=func.count())


def _is_decision(change) -> ColumnElement[bool]:
    return change.from_stage.in_(UNDECIDED) & change.to_stage.in_(DECIDED)


def decisions_to_assess(period: Period) -> list[Select]:
    earlier = aliased(StageChange)
    first = ~exists().where(
        earlier.case_id == StageChange.case_id,
        _is_decision(earlier),
        or_(
            earlier.effective_on < StageChange.effective_on,
            (earlier.effective_on == StageChange.effective_on) & (earlier.id < StageChange.id),
        ),
    )
    decisions = (
        select(Case.team_id, days_between(StageChange.effective_on, Case.request_received_on).label("days"))
        .join(Case, Case.id == StageChange.case_id)
        .where(INITIAL, _is_decision(StageChange), during(StageChange.effective_on, period), first)
        .cte("timeliness_decisions")
    )
    return per_team_and_service(
        "decisions-to-assess", decisions, numerator=counted(decisions.c.days <= DECISION_DAYS),
        denominator=func.count(),
    )


def _plans(period: Period):
    """New plans issued in the period: days from the request, and `clean` 1 when the case has no
    exception recorded at any step (0 when it has one)."""
    excepted = exists().where(TimelineException.case_id == Case.id)
    return (
        select(
            Case.team_id,
            days_between(Case.first_final_plan_on, Case.request_received_on).label("days"),
            case((excepted, 0), else_=1).label("clean"),
        )
        .where(INITIAL, during(Case.first_final_plan_on, period))
        .cte("timeliness_plans")
    )


def plans_issued(period: Period) -> list[Select]:
    plans = _plans(period)
    days, clean = plans.c.days, plans.c.clean == 1
    bands = {
        "within-20-weeks": days <= PLAN_DAYS,
        "over-20-weeks-under-a-year": (days > PLAN_DAYS) & (days < A_YEAR_DAYS),
        "a-year-or-more": days >= A_YEAR_DAYS,
    }
    made = per_team_and_service("plans-issued", plans, "all", numerator=func.count())
    for part, within in bands.items():
        made += per_team_and_service("plans-issued", plans, part, numerator=counted(within), denominator=func.count())
        made += per_team_and_service(
            "plans-issued", plans, f"{part}-ex", numerator=counted(clean & within), denominator=counted(clean)
        )
    return made + _weeks_to_plan(plans)


def _weeks(days) -> object:
    return days / 7.0


def _weeks_to_plan(plans) -> list[Select]:
    """The average, median and 90th percentile weeks from request to plan. The median and the
    percentile rank each team's plans (and the service's) by their days, with and without the
    plans of excepted cases, and pick the ranks they need."""
    days = plans.c.days
    made = per_team_and_service("weeks-to-plan", plans, "average", value=_weeks(func.avg(days)),
                                denominator=func.count())
    made += per_team_and_service(
        "weeks-to-plan", plans, "average-ex",
        value=_weeks(func.avg(case((plans.c.clean == 1, days)))), denominator=counted(plans.c.clean == 1),
    )
    team, clean = plans.c.team_id, plans.c.clean
    ranked = select(
        plans.c.team_id, days, clean,
        func.row_number().over(partition_by=team, order_by=days).label("team_rank"),
        func.count().over(partition_by=team).label("team_count"),
        func.row_number().over(partition_by=(team, clean), order_by=days).label("team_rank_ex"),
        func.count().over(partition_by=(team, clean)).label("team_count_ex"),
        func.row_number().over(order_by=days).label("service_rank"),
        func.count().over().label("service_count"),
        func.row_number().over(partition_by=clean, order_by=days).label("service_rank_ex"),
        func.count().over(partition_by=clean).label("service_count_ex"),
    ).cte("timeliness_plans_ranked")
    for scope, team_id in (("team", ranked.c.team_id), ("service", None)):
        for suffix, only in (("", None), ("-ex", ranked.c.clean == 1)):
            ex = "_ex" if only is not None else ""
            rank, count = ranked.c[f"{scope}_rank{ex}"], ranked.c[f"{scope}_count{ex}"]
            picks = {
                # The smallest time that at least 90% of the plans took no longer than.
                "p90": (func.min(ranked.c.days), rank * 10 >= count * 9),
                # The middle rank, or the two middle ranks of an even count.
                "median": (func.avg(ranked.c.days), (rank * 2 >= count) & (rank * 2 <= count + 2)),
            }
            for part, (measure, at_rank) in picks.items():
                where = at_rank if only is None else only & at_rank
                columns = shaped("weeks-to-plan", team_id, f"{part}{suffix}", denominator=func.max(count),
                                 value=_weeks(measure))
                statement = select(*columns).where(where)
                made.append(statement.group_by(team_id) if team_id is not None else statement)
    return made


def past_deadline_now(today: date) -> list[Select]:
    days_late = days_between(literal(today), Case.next_deadline_on)
    band = case(*((days_late <= most, name) for name, most in LATE_BANDS if most), else_=LATE_BANDS[-1][0])
    late = (
        select(Case.team_id, Case.stage, band.label("band"))
        .where(Case.closed.is_(False), Case.next_deadline_on < today)
        .cte("timeliness_late")
    )
    figure = "past-deadline-now"
    return [
        *per_team_and_service(figure, late, "all", numerator=func.count()),
        *per_team_and_service(figure, late, late.c.stage, numerator=func.count()),
        *per_team_and_service(figure, late, late.c.band, numerator=func.count()),
    ]


def exceptions_recorded(period: Period) -> list[Select]:
    recorded = (
        select(Case.team_id, TimelineException.type)
        .join(Case, Case.id == TimelineException.case_id)
        .where(INITIAL, during(TimelineException.applies_from, period))
        .cte("timeliness_exceptions")
    )
    return [
        *per_team_and_service("exceptions", recorded, "all", numerator=func.count()),
        *per_team_and_service("exceptions", recorded, recorded.c.type, numerator=func.count()),
    ]
