"""The governance report's communication and feedback figures, checked exactly against
conversations made through the conversation use cases with known dates, and emails, feedback and
actions with known dates and statuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from portal.conversations.models import Conversation, UrgentReason
from portal.ehcp.models import Case
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.feedback.models import Action, ActionStatus, Feedback, FeedbackSource
from portal.governance import communication, periods, rows
from portal.models import Role, Team, User
from portal.outbox import OutboxEmail, OutboxStatus
from tests.conversations.helpers import reply, start
from tests.helpers import Factory

DECEMBER = periods.month(2026, 12)


def at(day: int, month: int = 12, year: int = 2026, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def figures(period: periods.Period, today: date = date(2027, 1, 15), **targets) -> rows.Figures:
    return rows.run(db.session, communication.selects(period, today, **targets))


@dataclass
class Side:
    team: Team
    caseworker: User
    parent: User
    case: Case


def side(make: Factory, name: str) -> Side:
    team = make.team(name)
    caseworker = make.user(Role.CASEWORKER, team=team)
    parent = make.user(Role.FAMILY)
    case = make.case(child=make.child(team=team, family=[parent]), caseworker=caseworker)
    return Side(team, caseworker, parent, case)


@dataclass
class World:
    north: Side
    south: Side
    conversations: dict[str, Conversation]


@pytest.fixture
def world(make: Factory) -> World:
    """December 2026. North: four family conversations first answered after 1, 3 (urgent), 5 and 11
    working days; South: one urgent answered after 2, and one started by staff."""
    north, south = side(make, "North SEND team"), side(make, "South SEND team")
    made: dict[str, Conversation] = {}

    # Thursday 24 December, answered Tuesday 29th: Christmas Day and the Boxing Day substitute
    # (Monday 28th) are bank holidays, so 1 working day.
    made["christmas"] = start(north.parent, north.case, now=at(24))
    reply(north.caseworker, made["christmas"], now=at(29))
    made["five"] = start(north.parent, north.case, now=at(1))
    reply(north.caseworker, made["five"], now=at(8))
    reply(north.parent, made["five"], now=at(9))  # a follow-up: waits again, due 23 December
    made["eleven"] = start(north.parent, north.case, now=at(1))
    reply(north.caseworker, made["eleven"], now=at(16))
    made["urgent-late"] = start(north.parent, north.case, urgent=UrgentReason.SAFETY, now=at(1))
    reply(north.caseworker, made["urgent-late"], now=at(4))
    # November's: neither its message nor its reply is December's.
    made["november"] = start(north.parent, north.case, now=at(2, 11))
    reply(north.caseworker, made["november"], now=at(5, 11))

    made["urgent-on-time"] = start(south.parent, south.case, urgent=UrgentReason.OUT_OF_EDUCATION, now=at(1))
    reply(south.caseworker, made["urgent-on-time"], now=at(3))
    made["by-staff"] = start(south.caseworker, south.case, now=at(1))
    reply(south.parent, made["by-staff"], now=at(2))
    reply(south.caseworker, made["by-staff"], now=at(3))
    made["waiting"] = start(south.parent, south.case, now=at(14))  # unanswered: due 30 December
    return World(north, south, made)


def test_the_stored_working_days_are_the_conversations_own(world):
    stored = {name: c.first_reply_working_days for name, c in world.conversations.items()}
    assert stored == {"christmas": 1, "five": 5, "eleven": 11, "urgent-late": 3, "november": 3,
                      "urgent-on-time": 2, "by-staff": 1, "waiting": None}
    assert world.conversations["five"].reply_due_on == date(2026, 12, 23)
    assert world.conversations["waiting"].reply_due_on == date(2026, 12, 30)


def test_family_messages_are_counted_by_team_and_for_the_service(world):
    found = figures(DECEMBER)
    north, south = world.north.team.id, world.south.team.id
    assert found.get("family-messages", north).numerator == 5  # 4 starts and 1 follow-up
    assert found.get("family-messages", south).numerator == 3  # 2 starts and 1 reply to staff
    assert found.get("family-messages").numerator == 8
    assert found.get("family-messages", north).denominator is None
    assert figures(periods.month(2026, 11)).get("family-messages", north).numerator == 1


def test_a_message_just_after_midnight_in_summer_is_the_new_months(make):
    family = side(make, "Summer team")
    start(family.parent, family.case, now=datetime(2026, 6, 30, 23, 30, tzinfo=UTC))  # 00:30 on 1 July
    assert figures(periods.month(2026, 7)).get("family-messages").numerator == 1
    assert figures(periods.month(2026, 6)).get("family-messages").numerator == 0


def test_the_median_first_reply_and_the_share_within_the_target(world):
    found = figures(DECEMBER)
    north, south = world.north.team.id, world.south.team.id
    # North: 1, 3, 5, 11 working days: an even count, so the mean of 3 and 5.
    assert found.get("first-reply", north, "median-working-days").value == 4.0
    # Within 10 days, or 2 for the urgent one: 1 and 5, not 3 (urgent) nor 11.
    assert found.get("first-reply", north, "within-target") == rows.Figure(2, 4, None)
    # South: only the family's own conversation; the one staff started is left out.
    assert found.get("first-reply", south, "median-working-days").value == 2.0
    assert found.get("first-reply", south, "within-target") == rows.Figure(1, 1, None)
    # The service: 1, 2, 3, 5, 11.
    assert found.get("first-reply", None, "median-working-days").value == 3.0
    assert found.get("first-reply", None, "within-target") == rows.Figure(3, 5, None)


def test_the_targets_are_parameters(world):
    found = figures(DECEMBER, reply_target=5, urgent_reply_target=3)
    assert found.get("first-reply", None, "within-target") == rows.Figure(4, 5, None)  # all but 11


def test_a_period_with_no_replies_has_no_median(world):
    found = figures(periods.month(2026, 8))
    assert found.get("first-reply", None, "median-working-days").value is None
    assert found.get("first-reply", None, "within-target") == rows.Figure(0, 0, None)
    assert found.get("first-reply", world.north.team.id, "median-working-days") == rows.Figure()
    assert found.get("family-messages").numerator == 0


def test_overdue_now_counts_waits_whose_date_has_passed(world):
    north, south = world.north.team.id, world.south.team.id
    on_the_30th = figures(DECEMBER, today=date(2026, 12, 30))
    assert on_the_30th.get("overdue-now", north).numerator == 1  # due 23 December
    assert on_the_30th.get("overdue-now", south) == rows.Figure()  # due today: not overdue
    assert on_the_30th.get("overdue-now").numerator == 1
    on_the_31st = figures(DECEMBER, today=date(2026, 12, 31))
    assert on_the_31st.get("overdue-now", south).numerator == 1
    assert on_the_31st.get("overdue-now").numerator == 2
    assert figures(DECEMBER, today=date(2026, 12, 23)).get("overdue-now").numerator == 0


def email(status: OutboxStatus, created_at: datetime, case: Case | None = None) -> None:
    email.count = getattr(email, "count", 0) + 1
    db.session.add(OutboxEmail(
        event_key=f"test:{email.count}:{created_at.isoformat()}", to_email="someone@example.org",
        case_id=case.id if case else None, subject="Test", template="new_message", context={},
        status=status, created_at=created_at,
    ))


def test_emails_not_delivered_by_team_and_for_the_service(make):
    north, south = side(make, "North SEND team"), side(make, "South SEND team")
    for status in (OutboxStatus.DELIVERED, OutboxStatus.PERMANENT_FAILURE, OutboxStatus.TEMPORARY_FAILURE,
                   OutboxStatus.SENT):
        email(status, at(10, 10), north.case)
    email(OutboxStatus.TECHNICAL_FAILURE, at(31, 10, hour=23, minute=30), south.case)  # GMT: still 31st
    email(OutboxStatus.DELIVERED, at(12, 10), south.case)
    email(OutboxStatus.PENDING, at(30, 9, hour=23, minute=30))  # 00:30 on 1 October in England
    email(OutboxStatus.PERMANENT_FAILURE, at(15, 10))
    email(OutboxStatus.PERMANENT_FAILURE, at(1, 11, hour=0, minute=30))  # November's
    email(OutboxStatus.PERMANENT_FAILURE, at(30, 9, hour=22, minute=30))  # September's
    db.session.commit()

    found = figures(periods.month(2026, 10))
    assert found.get("emails-not-delivered", north.team.id) == rows.Figure(2, 4, None)
    assert found.get("emails-not-delivered", south.team.id) == rows.Figure(1, 2, None)
    assert found.get("emails-not-delivered") == rows.Figure(4, 8, None)
    assert found.get("emails-not-delivered", north.team.id, "failed-for-good") == rows.Figure(1, 4, None)
    assert found.get("emails-not-delivered", None, "failed-for-good") == rows.Figure(3, 8, None)
    empty = figures(periods.month(2026, 8))
    assert empty.get("emails-not-delivered") == rows.Figure(0, 0, None)
    assert empty.get("emails-not-delivered", north.team.id) == rows.Figure()


def give(rating: int, stage: Stage | None, month: date, anonymous: bool = False) -> None:
    db.session.add(Feedback(rating=rating, stage=stage, month=month, anonymous=anonymous,
                            source=FeedbackSource.ANY_TIME))


def test_feedback_volumes_average_and_share_satisfied_by_stage(app):
    november = date(2026, 11, 1)
    for rating, anonymous in ((5, False), (4, True), (2, False)):
        give(rating, Stage.ASSESSING, november, anonymous)
    give(3, Stage.DRAFT_PLAN, november)
    give(5, Stage.DRAFT_PLAN, november, anonymous=True)
    give(1, None, november)
    give(5, Stage.ASSESSING, date(2026, 10, 1))
    give(1, Stage.ASSESSING, date(2026, 12, 1))
    db.session.commit()

    found = figures(periods.month(2026, 11))
    assert found.get("feedback", None, "all") == rows.Figure(6, None, None)
    assert found.get("feedback", None, "average").value == pytest.approx(20 / 6)
    assert found.get("feedback", None, "satisfied") == rows.Figure(3, 6, None)
    assert found.get("feedback", None, "stage:assessing:all").numerator == 3
    assert found.get("feedback", None, "stage:assessing:average").value == pytest.approx(11 / 3)
    assert found.get("feedback", None, "stage:assessing:satisfied") == rows.Figure(2, 3, None)
    assert found.get("feedback", None, "stage:draft_plan:all").numerator == 2
    assert found.get("feedback", None, "stage:draft_plan:average").value == 4.0
    assert found.get("feedback", None, "stage:draft_plan:satisfied") == rows.Figure(1, 2, None)
    assert found.get("feedback", None, "stage:none:average").value == 1.0
    assert found.get("feedback", None, "stage:none:satisfied") == rows.Figure(0, 1, None)
    assert set(found.parts("feedback")) == {"all", "average", "satisfied"} | {
        f"stage:{stage}:{part}" for stage in ("assessing", "draft_plan", "none")
        for part in ("all", "average", "satisfied")}

    quarter = figures(periods.quarter(2026, 4))
    assert quarter.get("feedback", None, "all").numerator == 8
    assert quarter.get("feedback", None, "stage:assessing:all").numerator == 5
    empty = figures(periods.month(2026, 8))
    assert empty.get("feedback", None, "all").numerator == 0
    assert empty.get("feedback", None, "average").value is None
    assert empty.get("feedback", None, "satisfied") == rows.Figure(0, 0, None)


def test_you_said_we_did_actions_open_and_done_are_the_published_ones(app):
    published = at(1, 11)
    for status, when in ((ActionStatus.PLANNED, published), (ActionStatus.IN_PROGRESS, published),
                         (ActionStatus.PLANNED, None), (ActionStatus.DONE, published),
                         (ActionStatus.DONE, published), (ActionStatus.DONE, None),
                         (ActionStatus.NOT_POSSIBLE, published)):
        db.session.add(Action(you_said="Said", we_did="Did", status=status, published_at=when,
                              done_on=date(2026, 11, 20) if status is ActionStatus.DONE else None))
    db.session.commit()
    found = figures(DECEMBER)
    assert found.get("actions", None, "open") == rows.Figure(2, None, None)
    assert found.get("actions", None, "done") == rows.Figure(2, None, None)


def test_every_figure_is_one_statement(world, count_queries):
    db.session.expire_all()
    with count_queries() as queries:
        found = figures(DECEMBER)
    assert queries.count == 1
    assert found.get("first-reply", None, "median-working-days").value == 3.0
    assert found.get("family-messages").numerator == 8
    assert found.get("overdue-now").numerator == 2
    assert found.get("emails-not-delivered").denominator is not None
    assert found.get("feedback", None, "all").numerator == 0
    assert found.get("actions", None, "open").numerator == 0
