"""The report's 12-month trends, each month checked exactly: plans within 20 weeks excluding
exceptions, the median first reply, and new assessments past a legal deadline at each month end
worked out from the stage history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from portal.conversations.models import Conversation, ConversationStatus
from portal.ehcp.models import StageChange, TimelineException
from portal.ehcp.stages import Stage
from portal.ehcp.timeline import ExceptionType
from portal.extensions import db
from portal.governance import periods, rows, trends
from portal.models import Role
from tests.helpers import Factory

MONTHS = periods.months_ending(periods.month(2026, 10), 12)  # November 2025 to October 2026


def run(team_id=None) -> rows.Figures:
    return rows.run(db.session, trends.selects(MONTHS, team_id))


def test_the_twelve_months_end_with_the_month_asked_for():
    assert [m.key for m in (MONTHS[0], MONTHS[-1])] == ["2025-11", "2026-10"]
    assert len(MONTHS) == 12


def test_plans_within_20_weeks_by_month_leave_out_plans_with_an_exception(make: Factory):
    team = make.team("North")
    for issued, taken, excepted in ((date(2026, 3, 2), 140, False), (date(2026, 3, 9), 141, False),
                                    (date(2026, 3, 16), 100, True), (date(2026, 10, 31), 90, False)):
        case = make.case(child=make.child(team=team), stage=Stage.FINAL_PLAN,
                         request_received_on=issued - timedelta(days=taken))
        case.first_final_plan_on = issued
        if excepted:
            db.session.add(TimelineException(case_id=case.id, type=ExceptionType.AWAY_FROM_AREA, reason="Away.",
                                             applies_from=case.request_received_on))
    db.session.commit()
    found = run()
    march = found.get("trend-plans", None, "2026-03")
    assert (march.numerator, march.denominator) == (1, 2)
    october = found.get("trend-plans", None, "2026-10")
    assert (october.numerator, october.denominator) == (1, 1)
    assert found.get("trend-plans", None, "2026-04").denominator is None  # no plans: no row
    assert run(team_id=team.id).get("trend-plans", team.id, "2026-03").denominator == 2


def reply(case, family, first_reply_at: datetime, working_days: int) -> None:
    db.session.add(Conversation(
        case_id=case.id, team_id=case.team_id, subject="A question", status=ConversationStatus.WAITING_FOR_FAMILY,
        started_by_id=family.id, started_at=first_reply_at - timedelta(days=working_days + 2),
        first_reply_at=first_reply_at, first_reply_working_days=working_days,
    ))


def test_the_median_first_reply_by_month(make: Factory):
    family = make.user(Role.FAMILY)
    staff = make.user(Role.CASEWORKER)
    case = make.case()
    for working_days in (1, 3, 5, 11):  # June: an even count, the mean of 3 and 5
        reply(case, family, datetime(2026, 6, 10, 12, tzinfo=UTC), working_days)
    for working_days in (2, 2, 9):  # July: the middle one
        reply(case, family, datetime(2026, 7, 10, 12, tzinfo=UTC), working_days)
    # Started by staff: not a family's wait.
    db.session.add(Conversation(case_id=case.id, team_id=case.team_id, subject="From us",
                                status=ConversationStatus.CLOSED, started_by_id=staff.id,
                                first_reply_at=datetime(2026, 7, 10, 12, tzinfo=UTC), first_reply_working_days=30))
    # 23:30 UTC on 30 September is 00:30 on 1 October in England: October's.
    reply(case, family, datetime(2026, 9, 30, 23, 30, tzinfo=UTC), 4)
    db.session.commit()
    found = run()
    june, july = found.get("trend-first-reply", None, "2026-06"), found.get("trend-first-reply", None, "2026-07")
    assert (june.value, june.numerator) == (4.0, 4)
    assert (july.value, july.numerator) == (2.0, 3)
    assert found.get("trend-first-reply", None, "2026-10").value == 4.0
    assert found.get("trend-first-reply", None, "2026-09").value is None


def history(case, changes: list[tuple[Stage, date]]) -> None:
    previous = case.stage
    for stage, on in changes:
        db.session.add(StageChange(case_id=case.id, from_stage=previous, to_stage=stage, effective_on=on))
        previous = stage
    case.stage, case.stage_since = previous, changes[-1][1] if changes else case.stage_since
    case.closed = previous.is_closed


def test_past_a_deadline_at_each_month_end_comes_from_the_history(make: Factory):
    team = make.team("North")
    # Received 1 September 2026: 42 days old on 13 October, so late at the end of October only.
    make.case(child=make.child(team=team), request_received_on=date(2026, 9, 1))
    # Received 1 June, decided on 20 July (late at the end of June? 29 days old: no), plan never:
    # 140 days old on 19 October, so late at the end of October.
    assessing = make.case(child=make.child(team=team), request_received_on=date(2026, 6, 1))
    history(assessing, [(Stage.ASSESSING, date(2026, 7, 20))])
    # Received 1 March, no decision until 1 June: late at the ends of April and May; withdrawn on
    # 15 August, before it was 20 weeks old at a month end with no plan (late on 31 July: 152 days).
    withdrawn = make.case(child=make.child(team=team), request_received_on=date(2026, 3, 1))
    history(withdrawn, [(Stage.ASSESSING, date(2026, 6, 1)), (Stage.WITHDRAWN, date(2026, 8, 15))])
    # A plan issued in time, long ago: never counted.
    planned = make.case(child=make.child(team=team), request_received_on=date(2025, 1, 6), stage=Stage.FINAL_PLAN)
    planned.first_final_plan_on = date(2025, 5, 1)
    # A re-assessment: not a new assessment.
    make.case(child=make.child(team=team), request_received_on=date(2025, 12, 1), is_reassessment=True)
    db.session.commit()
    found = run()
    late = {month.key: found.get("trend-past-deadline", None, month.key).numerator for month in MONTHS}
    assert late == {
        "2025-11": 0, "2025-12": 0, "2026-01": 0, "2026-02": 0, "2026-03": 0, "2026-04": 1, "2026-05": 1,
        "2026-06": 0, "2026-07": 1, "2026-08": 0, "2026-09": 0, "2026-10": 2,
    }
