"""The report's trends over the last 12 months, in the shape of rows.py (part = the month, as
"2026-10"), for the whole service or one team:

- "trend-plans": new plans issued in the month within 20 weeks, excluding exceptions (as the
  "plans-issued" figure's "within-20-weeks-ex" part counts them for one period);
- "trend-first-reply": the median working days to the council's first reply (as "first-reply");
- "trend-past-deadline": new assessments past a legal deadline at the end of each month: the
  request was more than 6 weeks old with no decision on whether to assess by then, or more than
  20 weeks old with no final plan, and the case had not ended by then. It is worked out from the
  stage history, so it is what the figure was at each month end.

Each month is told apart with a CASE over the months' own ranges (dates, or midnight in England
for times), so that a month here counts exactly what the same month's report counts.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Integer, Select, and_, case, cast, exists, func, or_, select

from portal.conversations.models import Conversation
from portal.ehcp.models import Case, StageChange, TimelineException
from portal.ehcp.stages import Stage
from portal.governance import communication
from portal.governance.periods import Period
from portal.governance.rows import shaped
from portal.governance.sql import counted, days_between
from portal.models import Role, User

DECISIONS = (Stage.ASSESSING, Stage.NOT_ASSESSING)


def _month_of(column, months: list[Period], instants: bool = False):
    """The month (its key) that `column` falls in, or NULL outside them all."""
    whens = []
    for month in months:
        start, after_end = communication.moments(month) if instants else (month.start, month.after_end)
        whens.append((and_(column >= start, column < after_end), month.key))
    return case(*whens)


def selects(months: list[Period], team_id: int | None = None) -> list[Select]:
    return [*plans(months, team_id), *first_replies(months, team_id), *past_deadline(months, team_id)]


def _team(statement, column, team_id):
    return statement.where(column == team_id) if team_id is not None else statement


def plans(months: list[Period], team_id: int | None) -> list[Select]:
    excepted = exists().where(TimelineException.case_id == Case.id)
    month = _month_of(Case.first_final_plan_on, months)
    plans_made = _team(
        select(month.label("month"),
               days_between(Case.first_final_plan_on, Case.request_received_on).label("days"))
        .where(Case.is_reassessment.is_(False), Case.first_final_plan_on >= months[0].start,
               Case.first_final_plan_on < months[-1].after_end, ~excepted),
        Case.team_id, team_id,
    ).subquery("trend_plans")
    p = plans_made.c
    return [select(*shaped("trend-plans", team_id, p.month, counted(p.days <= 140), func.count()))
            .group_by(p.month)]


def first_replies(months: list[Period], team_id: int | None) -> list[Select]:
    """The median by month, from each month's counts of replies by working days (a few dozen rows
    a month, however many replies): the middle value, or the mean of the two middle values."""
    days = Conversation.first_reply_working_days
    month = _month_of(Conversation.first_reply_at, months, instants=True)
    start, _ = communication.moments(months[0])
    _, after_end = communication.moments(months[-1])
    counts = _team(
        select(month.label("month"), days.label("days"), func.count().label("replies"))
        .join(User, User.id == Conversation.started_by_id)
        .where(User.role == Role.FAMILY, days.is_not(None), Conversation.first_reply_at >= start,
               Conversation.first_reply_at < after_end),
        Conversation.team_id, team_id,
    ).group_by(month, days).subquery("trend_reply_counts")
    k = counts.c
    running = select(
        k.month, k.days,
        cast(func.sum(k.replies).over(partition_by=k.month, order_by=k.days), Integer).label("upto"),
        cast(func.sum(k.replies).over(partition_by=k.month), Integer).label("total"),
    ).subquery("trend_reply_running")
    r = running.c
    lower = func.min(case((r.upto >= (r.total + 1) // 2, r.days)))
    upper = func.min(case((r.upto >= r.total // 2 + 1, r.days)))
    return [select(*shaped("trend-first-reply", team_id, r.month, func.max(r.total), value=(lower + upper) / 2.0))
            .group_by(r.month)]


def past_deadline(months: list[Period], team_id: int | None) -> list[Select]:
    """For each month end, the new assessments past a legal deadline then (see the module's words):
    the request more than 42 days old with no decision by then, or more than 140 days old with no
    final plan, and the case not ended by then (a closed case ended on the day of its last change).
    One pass over the cases that could be late at one of the month ends (not those whose plan came
    before the first of them) counts all 12 month ends at once."""
    first_end, last_end = months[0].end, months[-1].end
    decisions = (
        select(StageChange.case_id, func.min(StageChange.effective_on).label("decided_on"))
        .where(StageChange.to_stage.in_(DECISIONS)).group_by(StageChange.case_id).subquery("trend_decisions")
    )
    cases = _team(
        select(Case.request_received_on.label("received_on"), Case.first_final_plan_on.label("plan_on"),
               decisions.c.decided_on, case((Case.closed.is_(True), Case.stage_since)).label("ended_on"))
        .join(decisions, decisions.c.case_id == Case.id, isouter=True)
        .where(Case.is_reassessment.is_(False), Case.request_received_on < last_end - timedelta(days=42),
               or_(Case.first_final_plan_on.is_(None), Case.first_final_plan_on > first_end),
               or_(Case.closed.is_(False), Case.stage_since > first_end)),
        Case.team_id, team_id,
    ).subquery("trend_cases")
    c = cases.c

    def late_at(end):
        def after(column):
            return or_(column.is_(None), column > end)

        return and_(after(c.ended_on), or_(
            and_(c.received_on < end - timedelta(days=42), after(c.decided_on)),
            and_(c.received_on < end - timedelta(days=140), after(c.plan_on)),
        ))

    counts = select(*(counted(late_at(month.end)).label(f"month_{n}") for n, month in enumerate(months))
                    ).select_from(cases).cte("trend_past_deadline")
    return [select(*shaped("trend-past-deadline", team_id, month.key, counts.c[f"month_{n}"]))
            for n, month in enumerate(months)]
