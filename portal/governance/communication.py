"""The governance report's communication and feedback figures: family messages, the time to the
first reply, conversations overdue now, emails not delivered, feedback and "You said, we did"
actions. Each is a SELECT in the shape of portal/governance/rows.py, so that `rows.run` joins
them with the report's other figures into one UNION ALL statement.

Figures (team_id NULL is the whole service; feedback and actions are service-wide only):

- "family-messages", per team: numerator = messages from families (not from the council) sent in
  the period.
- "first-reply", per team, over conversations started by a family member whose first council
  reply came in the period: part "median-working-days", value = the median of the working days
  from the family's message to that reply (as stored by the conversations code); part
  "within-target", numerator = those answered within the reply target (the urgent target for a
  conversation marked urgent), denominator = all of them.
- "overdue-now", per team: numerator = conversations waiting for the council, as of `today`,
  whose reply-by date has passed.
- "emails-not-delivered", per team (the team of the case an email is about) and service:
  denominator = emails queued in the period, numerator = those that did not reach the person
  (temporary-, permanent- or technical-failure: portal/notifications/status_words.FAILED, as the
  failed emails page counts them); part "failed-for-good" counts only permanent- and
  technical-failure.
- "feedback": part "all", numerator = responses given in the period (by the month stored, which
  anonymous feedback keeps too); "average", value = the mean rating, 1 (very dissatisfied) to
  5 (very satisfied), unrounded; "satisfied", numerator = rated satisfied or very satisfied,
  denominator = all responses (every response has a rating). The same three for each stage as
  "stage:<stage>:all", "stage:<stage>:average" and "stage:<stage>:satisfied" ("stage:none" for
  feedback about no stage in particular).
- "actions", as of now: part "open", numerator = published actions planned or in progress; part
  "done", numerator = published actions done.

Times (a message sent, a reply, an email queued) are stored in UTC and counted by the day they
happened in England, as the working days are: the period runs from midnight London time on its
first day to midnight London time after its last.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import Float, Integer, Select, String, and_, case, cast, func, literal, or_, select

from portal.conversations.models import Conversation, ConversationStatus, Message
from portal.conversations.reply_by import LONDON
from portal.ehcp.models import Case
from portal.feedback.models import Action, ActionStatus, Feedback, Rating
from portal.governance.periods import Period
from portal.governance.rows import shaped
from portal.governance.sql import per_team_and_service
from portal.models import Role, User
from portal.notifications.status_words import FAILED, FAILED_FOR_GOOD
from portal.outbox import OutboxEmail

REPLY_TARGET_WORKING_DAYS = 10
URGENT_REPLY_TARGET_WORKING_DAYS = 2
NO_STAGE = "none"


def selects(
    period: Period, today: date, reply_target: int = REPLY_TARGET_WORKING_DAYS,
    urgent_reply_target: int = URGENT_REPLY_TARGET_WORKING_DAYS,
) -> list[Select]:
    """Every communication and feedback figure's SELECT for the period (`today` for those as of now)."""
    return [
        *family_messages(period),
        *first_reply(period, reply_target, urgent_reply_target),
        *overdue_now(today),
        *emails_not_delivered(period),
        *feedback(period),
        *actions(),
    ]


def moments(period: Period) -> tuple[datetime, datetime]:
    """The period as UTC instants: midnight in England on its first day and after its last."""

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), LONDON).astimezone(UTC)

    return midnight(period.start), midnight(period.after_end)


def _within(column, period: Period):
    start, after_end = moments(period)
    return and_(column >= start, column < after_end)


def _per_team_and_service(figure: str, counts, part=None, numerator="numerator", denominator=None) -> list[Select]:
    """A figure's team rows and its service row from a CTE of counts grouped by team (read once):
    each sum is the team's own count on a team row, and every team's on the service row."""
    c = counts.c

    def total(name):
        return func.coalesce(func.sum(c[name]), 0)

    return per_team_and_service(figure, counts, part, numerator=total(numerator),
                                denominator=total(denominator) if denominator else None)


def family_messages(period: Period) -> list[Select]:
    counts = (
        select(Conversation.team_id, func.count().label("numerator"))
        .select_from(Message).join(Conversation, Conversation.id == Message.conversation_id)
        .where(Message.from_council.is_(False), _within(Message.sent_at, period))
        .group_by(Conversation.team_id)
        .cte("communication_family_messages")
    )
    return _per_team_and_service("family-messages", counts)


def first_reply(period: Period, reply_target: int, urgent_reply_target: int) -> list[Select]:
    """The median is the middle value (the mean of the two middle values for an even count). It
    is found from the counts of replies by working days (a few dozen rows, however many replies):
    running totals in order of days give the lower middle value, at (n + 1) / 2, and the upper, at
    n / 2 + 1 (whole-number division). No percentile function: SQLite has none."""
    days = Conversation.first_reply_working_days
    target = case((Conversation.urgent.is_(True), urgent_reply_target), else_=reply_target)
    counts = (
        select(Conversation.team_id, days.label("days"), func.count().label("replies"),
               func.count(case((days <= target, 1))).label("within"))
        .join(User, User.id == Conversation.started_by_id)
        .where(User.role == Role.FAMILY, days.is_not(None), _within(Conversation.first_reply_at, period))
        .group_by(Conversation.team_id, days)
        .cte("communication_first_replies")
    )
    k = counts.c
    figure = "first-reply"
    team_within = (select(*shaped(figure, k.team_id, "within-target", func.sum(k.within), func.sum(k.replies)))
                   .group_by(k.team_id))
    service_within = select(*shaped(figure, None, "within-target", func.coalesce(func.sum(k.within), 0),
                                    func.coalesce(func.sum(k.replies), 0))).select_from(counts)
    return [_median(figure, counts, by_team=True), _median(figure, counts, by_team=False), team_within,
            service_within]


def _median(figure: str, counts, by_team: bool) -> Select:
    k = counts.c
    keys = [k.team_id] if by_team else []
    per_day = select(*keys, k.days, func.sum(k.replies).label("replies")).group_by(*keys, k.days).subquery()
    d = per_day.c
    partition = [d.team_id] if by_team else None
    running = select(
        *([d.team_id] if by_team else []), d.days,
        cast(func.sum(d.replies).over(partition_by=partition, order_by=d.days), Integer).label("upto"),
        cast(func.sum(d.replies).over(partition_by=partition), Integer).label("total"),
    ).subquery()
    r = running.c
    lower = func.min(case((r.upto >= (r.total + 1) // 2, r.days)))
    upper = func.min(case((r.upto >= r.total // 2 + 1, r.days)))
    statement = select(*shaped(figure, r.team_id if by_team else None, "median-working-days",
                               value=(lower + upper) / 2.0))
    return statement.group_by(r.team_id) if by_team else statement.select_from(running)


def overdue_now(today: date) -> list[Select]:
    counts = (
        select(Conversation.team_id, func.count().label("numerator"))
        .where(Conversation.status == ConversationStatus.WAITING_FOR_COUNCIL, Conversation.reply_due_on < today)
        .group_by(Conversation.team_id)
        .cte("communication_overdue")
    )
    return _per_team_and_service("overdue-now", counts)


def emails_not_delivered(period: Period) -> list[Select]:
    """Team rows count the emails about a case of the team; the service row counts every email,
    with a case or without (a password reset, say)."""
    counts = (
        select(
            Case.team_id,
            func.count().label("denominator"),
            func.coalesce(func.sum(case((OutboxEmail.status.in_(FAILED), 1), else_=0)), 0).label("failed"),
            func.coalesce(func.sum(case((OutboxEmail.status.in_(FAILED_FOR_GOOD), 1), else_=0)), 0)
            .label("for_good"),
        )
        .select_from(OutboxEmail).outerjoin(Case, Case.id == OutboxEmail.case_id)
        .where(_within(OutboxEmail.created_at, period))
        .group_by(Case.team_id)
        .cte("communication_emails")
    )
    teams = counts.c.team_id.is_not(None)
    figure = "emails-not-delivered"
    rows = [*_per_team_and_service(figure, counts, None, "failed", "denominator"),
            *_per_team_and_service(figure, counts, "failed-for-good", "for_good", "denominator")]
    rows[0] = rows[0].where(teams)
    rows[2] = rows[2].where(teams)
    return rows


def feedback(period: Period) -> list[Select]:
    """Grouped by stage once; the service's figures add up the stages."""
    by_stage = (
        select(
            func.coalesce(cast(Feedback.stage, String), NO_STAGE).label("stage"),
            func.count().label("responses"),
            func.sum(Feedback.rating).label("rating_total"),
            func.sum(case((Feedback.rating >= Rating.SATISFIED.value, 1), else_=0)).label("satisfied"),
        )
        .where(Feedback.month >= period.start, Feedback.month < period.after_end)
        .group_by(Feedback.stage)
        .cte("communication_feedback")
    )
    f = by_stage.c
    responses = func.coalesce(func.sum(f.responses), 0)
    satisfied = func.coalesce(func.sum(f.satisfied), 0)
    # Exact on both databases: the total and the count are whole numbers, divided as decimals.
    average = cast(func.sum(f.rating_total), Float()) / func.nullif(func.sum(f.responses), 0)
    stage_average = cast(f.rating_total, Float()) / func.nullif(f.responses, 0)

    def part(name: str):
        return literal("stage:").concat(f.stage).concat(f":{name}")

    figure = "feedback"
    return [
        select(*shaped(figure, None, "all", responses)).select_from(by_stage),
        select(*shaped(figure, None, "average", value=average)).select_from(by_stage),
        select(*shaped(figure, None, "satisfied", satisfied, responses)).select_from(by_stage),
        select(*shaped(figure, None, part("all"), f.responses)),
        select(*shaped(figure, None, part("average"), value=stage_average)),
        select(*shaped(figure, None, part("satisfied"), f.satisfied, f.responses)),
    ]


def actions() -> list[Select]:
    published = Action.published_at.is_not(None)
    open_ = or_(Action.status == ActionStatus.PLANNED, Action.status == ActionStatus.IN_PROGRESS)
    done = Action.status == ActionStatus.DONE
    return [
        select(*shaped("actions", None, "open", func.count())).where(published, open_),
        select(*shaped("actions", None, "done", func.count())).where(published, done),
    ]
