"""The governance report's timeliness figures, each checked exactly against cases with known dates,
per team and for the whole service, and all of them run as one SQL statement."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask import Flask

from portal.ehcp import services
from portal.ehcp.models import Case, PhaseTransfer, StageChange, TimelineException
from portal.ehcp.services import StageUpdate
from portal.ehcp.stages import Stage
from portal.ehcp.timeline import ExceptionType
from portal.extensions import db
from portal.governance import periods, rows, timeliness
from portal.models import Role, Team
from tests.helpers import Factory

OCTOBER = periods.month(2026, 10)
TODAY = date(2026, 12, 1)
MID_OCTOBER = date(2026, 10, 15)


@pytest.fixture
def teams(make: Factory) -> tuple[Team, Team]:
    return make.team("North"), make.team("South")


def report(period: periods.Period = OCTOBER, today: date = TODAY) -> rows.Figures:
    return rows.run(db.session, timeliness.selects(period, today))


def counts(found: rows.Figures, figure: str, part: str | None, team: Team | None = None) -> tuple:
    row = found.get(figure, team.id if team else None, part)
    return row.numerator, row.denominator


def weeks(found: rows.Figures, part: str, team: Team | None = None) -> tuple:
    row = found.get("weeks-to-plan", team.id if team else None, part)
    return row.value, row.denominator


def a_case(make: Factory, team: Team, received: date, stage: Stage = Stage.ASSESSING, **fields) -> Case:
    return make.case(child=make.child(team=team), stage=stage, request_received_on=received, **fields)


def plan(make: Factory, team: Team, days: int, issued_on: date = MID_OCTOBER, excepted: bool = False,
         reassessment: bool = False) -> Case:
    """A case whose first final plan was issued `days` after the request."""
    received = issued_on - timedelta(days=days)
    case = a_case(make, team, received, Stage.FINAL_PLAN, stage_since=issued_on, final_plan_on=issued_on,
                  first_final_plan_on=issued_on, is_reassessment=reassessment)
    if excepted:
        exception(case, ExceptionType.PERSONAL_CIRCUMSTANCES, received + timedelta(days=10))
    return case


def exception(case: Case, kind: ExceptionType, applies_from: date) -> None:
    db.session.add(TimelineException(case_id=case.id, type=kind, reason="Reason", applies_from=applies_from))
    case.has_exception = True
    db.session.commit()


def change(case: Case, from_stage: Stage, to_stage: Stage, on: date, **dates) -> None:
    db.session.add(StageChange(case_id=case.id, from_stage=from_stage, to_stage=to_stage, effective_on=on, **dates))
    db.session.commit()


# --- Requests and decisions -------------------------------------------------------------------------


def test_requests_received_in_the_period_for_initial_assessments(make: Factory, teams) -> None:
    north, south = teams
    for received in (date(2026, 10, 1), date(2026, 10, 31), date(2026, 9, 30), date(2026, 11, 1)):
        a_case(make, north, received)
    a_case(make, north, date(2026, 10, 10), is_reassessment=True)
    a_case(make, south, MID_OCTOBER)
    found = report()
    assert counts(found, "requests-received", None, north) == (2, None)
    assert counts(found, "requests-received", None, south) == (1, None)
    assert counts(found, "requests-received", None) == (3, None)


def test_decisions_within_6_weeks_count_each_case_once_by_its_first_decision(make: Factory, teams) -> None:
    north, south = teams
    september = date(2026, 9, 1)
    on_day_42 = a_case(make, north, september)
    change(on_day_42, Stage.DECIDING_TO_ASSESS, Stage.ASSESSING, september + timedelta(days=42))
    on_day_43 = a_case(make, north, september, Stage.NOT_ASSESSING)
    change(on_day_43, Stage.DECIDING_TO_ASSESS, Stage.NOT_ASSESSING, september + timedelta(days=43))
    twice_in_october = a_case(make, north, september)  # counted once, by its first decision (day 34)
    change(twice_in_october, Stage.DECIDING_TO_ASSESS, Stage.ASSESSING, date(2026, 10, 5))
    change(twice_in_october, Stage.DECIDING_TO_ASSESS, Stage.ASSESSING, date(2026, 10, 25))
    first_in_september = a_case(make, north, date(2026, 8, 1))
    change(first_in_september, Stage.DECIDING_TO_ASSESS, Stage.NOT_ASSESSING, date(2026, 9, 25))
    change(first_in_september, Stage.DECIDING_TO_ASSESS, Stage.ASSESSING, date(2026, 10, 20))
    overturned = a_case(make, north, date(2026, 8, 1))  # a refusal overturned is not a decision
    change(overturned, Stage.DECIDING_TO_ASSESS, Stage.NOT_ASSESSING, date(2026, 9, 10))
    change(overturned, Stage.NOT_ASSESSING, Stage.ASSESSING, date(2026, 10, 20))
    reassessment = a_case(make, north, september, is_reassessment=True)
    change(reassessment, Stage.DECIDING_TO_ASSESS, Stage.ASSESSING, date(2026, 10, 10))
    in_november = a_case(make, north, september)
    change(in_november, Stage.DECIDING_TO_ASSESS, Stage.ASSESSING, date(2026, 11, 1))
    straight_away = a_case(make, south, date(2026, 10, 1))
    change(straight_away, Stage.REQUEST_RECEIVED, Stage.ASSESSING, date(2026, 10, 5))
    found = report()
    assert counts(found, "decisions-to-assess", None, north) == (2, 3)
    assert counts(found, "decisions-to-assess", None, south) == (1, 1)
    assert counts(found, "decisions-to-assess", None) == (3, 4)


# --- New plans --------------------------------------------------------------------------------------


def test_a_plan_on_day_140_is_within_20_weeks_and_one_on_day_141_is_not(make: Factory, teams) -> None:
    north, south = teams
    for days in (140, 141, 364, 365):
        plan(make, north, days)
    plan(make, south, 100)
    plan(make, north, 100, reassessment=True)
    plan(make, north, 100, issued_on=date(2026, 9, 30))
    plan(make, north, 100, issued_on=date(2026, 11, 1))
    found = report()
    assert counts(found, "plans-issued", "all", north) == (4, None)
    assert counts(found, "plans-issued", "within-20-weeks", north) == (1, 4)
    assert counts(found, "plans-issued", "over-20-weeks-under-a-year", north) == (2, 4)
    assert counts(found, "plans-issued", "a-year-or-more", north) == (1, 4)
    assert counts(found, "plans-issued", "within-20-weeks", south) == (1, 1)
    assert counts(found, "plans-issued", "over-20-weeks-under-a-year", south) == (0, 1)
    assert counts(found, "plans-issued", "all") == (5, None)
    assert counts(found, "plans-issued", "within-20-weeks") == (2, 5)
    assert counts(found, "plans-issued", "over-20-weeks-under-a-year") == (2, 5)
    assert counts(found, "plans-issued", "a-year-or-more") == (1, 5)


def test_a_plan_with_an_exception_counts_only_in_the_including_exceptions_rate(make: Factory, teams) -> None:
    north, south = teams
    plan(make, north, 100, excepted=True)
    plan(make, north, 120)
    plan(make, north, 200)
    plan(make, south, 400, excepted=True)
    found = report()
    assert counts(found, "plans-issued", "within-20-weeks", north) == (2, 3)
    assert counts(found, "plans-issued", "within-20-weeks-ex", north) == (1, 2)
    assert counts(found, "plans-issued", "over-20-weeks-under-a-year-ex", north) == (1, 2)
    assert counts(found, "plans-issued", "a-year-or-more", south) == (1, 1)
    assert counts(found, "plans-issued", "a-year-or-more-ex", south) == (0, 0)
    assert counts(found, "plans-issued", "within-20-weeks") == (2, 4)
    assert counts(found, "plans-issued", "within-20-weeks-ex") == (1, 2)
    assert counts(found, "plans-issued", "a-year-or-more") == (1, 4)
    assert counts(found, "plans-issued", "a-year-or-more-ex") == (0, 2)


def test_average_median_and_90th_percentile_weeks_to_the_plan(make: Factory, teams) -> None:
    north, south = teams
    for week in range(1, 11):  # 1 to 10 weeks; the 9- and 10-week cases have exceptions
        plan(make, north, 7 * week, excepted=week >= 9)
    for week in (10, 20, 30):
        plan(make, south, 7 * week)
    found = report()
    assert weeks(found, "average", north) == (pytest.approx(5.5), 10)
    assert weeks(found, "median", north) == (pytest.approx(5.5), 10)  # the mean of the 5th and 6th
    assert weeks(found, "p90", north) == (pytest.approx(9), 10)  # the 9th of 10
    assert weeks(found, "average-ex", north) == (pytest.approx(4.5), 8)
    assert weeks(found, "median-ex", north) == (pytest.approx(4.5), 8)
    assert weeks(found, "p90-ex", north) == (pytest.approx(8), 8)  # the 8th of 8 (90% of 8 is 7.2)
    assert weeks(found, "average", south) == (pytest.approx(20), 3)
    assert weeks(found, "median", south) == (pytest.approx(20), 3)
    assert weeks(found, "p90", south) == (pytest.approx(30), 3)
    assert weeks(found, "p90-ex", south) == (pytest.approx(30), 3)
    # The service: 1 to 10, 10, 20 and 30 weeks; without exceptions, 1 to 8, 10, 20 and 30.
    assert weeks(found, "average") == (pytest.approx(115 / 13), 13)
    assert weeks(found, "median") == (pytest.approx(7), 13)
    assert weeks(found, "p90") == (pytest.approx(20), 13)  # the 12th of 13 (90% of 13 is 11.7)
    assert weeks(found, "average-ex") == (pytest.approx(96 / 11), 11)
    assert weeks(found, "median-ex") == (pytest.approx(6), 11)
    assert weeks(found, "p90-ex") == (pytest.approx(20), 11)  # the 10th of 11


def test_a_period_with_no_plans_has_no_data_not_zero_per_cent(make: Factory, teams) -> None:
    north, _south = teams
    plan(make, north, 100, issued_on=date(2026, 9, 15))
    found = report()
    assert counts(found, "plans-issued", "within-20-weeks") == (0, 0)
    assert counts(found, "plans-issued", "within-20-weeks-ex") == (0, 0)
    assert counts(found, "plans-issued", "within-20-weeks", north) == (None, None)
    assert weeks(found, "average") == (None, 0)
    assert weeks(found, "p90") == (None, None)
    assert weeks(found, "median-ex") == (None, None)
    assert weeks(found, "p90", north) == (None, None)
    assert counts(found, "decisions-to-assess", None) == (0, 0)
    assert counts(found, "annual-reviews", "decided-within-4-weeks") == (0, 0)
    assert counts(found, "phase-transfers", None) == (0, 0)


# --- Annual reviews and phase transfers ---------------------------------------------------------------


def test_annual_reviews_held_decided_within_4_weeks_and_amended_within_12(make: Factory, teams) -> None:
    north, south = teams
    meeting = date(2026, 10, 1)
    kept = a_case(make, north, date(2020, 1, 1), Stage.FINAL_PLAN)  # decided on day 28
    change(kept, Stage.ANNUAL_REVIEW, Stage.FINAL_PLAN, meeting + timedelta(days=28), review_meeting_on=meeting)
    amending = a_case(make, north, date(2020, 1, 1), Stage.FINAL_PLAN)  # decided on day 29
    change(amending, Stage.ANNUAL_REVIEW, Stage.FINAL_PLAN, date(2026, 11, 20), review_meeting_on=meeting,
           amendments_proposed_on=meeting + timedelta(days=29))
    ceased = a_case(make, north, date(2020, 1, 1), Stage.CEASED, is_reassessment=True)  # reviews count them
    change(ceased, Stage.ANNUAL_REVIEW, Stage.CEASED, date(2026, 10, 15), review_meeting_on=date(2026, 10, 5))
    a_case(make, north, date(2020, 1, 1), Stage.ANNUAL_REVIEW, review_meeting_on=date(2026, 10, 10))
    no_meeting = a_case(make, north, date(2020, 1, 1), Stage.FINAL_PLAN)
    change(no_meeting, Stage.ANNUAL_REVIEW, Stage.FINAL_PLAN, date(2026, 10, 10))
    august = date(2026, 8, 1)
    for days in (84, 85):  # amended plans issued 84 and 85 days after the meeting
        amended = a_case(make, south, date(2020, 1, 1), Stage.FINAL_PLAN)
        change(amended, Stage.ANNUAL_REVIEW, Stage.FINAL_PLAN, august + timedelta(days=days),
               review_meeting_on=august, amendments_proposed_on=date(2026, 8, 20))
    a_case(make, south, date(2020, 1, 1), Stage.ANNUAL_REVIEW, review_meeting_on=date(2026, 9, 20),
           amendments_proposed_on=date(2026, 10, 18))  # open, decided on day 28
    found = report()
    assert counts(found, "annual-reviews", "held", north) == (4, None)
    assert counts(found, "annual-reviews", "held", south) == (None, None)
    assert counts(found, "annual-reviews", "held") == (4, None)
    assert counts(found, "annual-reviews", "decided-within-4-weeks", north) == (2, 3)
    assert counts(found, "annual-reviews", "decided-within-4-weeks", south) == (1, 1)
    assert counts(found, "annual-reviews", "decided-within-4-weeks") == (3, 4)
    assert counts(found, "annual-reviews", "amended-within-12-weeks", north) == (None, None)
    assert counts(found, "annual-reviews", "amended-within-12-weeks", south) == (1, 2)
    assert counts(found, "annual-reviews", "amended-within-12-weeks") == (1, 2)


def test_a_review_meeting_still_to_come_is_not_held(make: Factory, teams) -> None:
    north, _south = teams
    a_case(make, north, date(2020, 1, 1), Stage.ANNUAL_REVIEW, review_meeting_on=date(2026, 10, 20))
    assert counts(report(today=date(2026, 10, 19)), "annual-reviews", "held") == (0, None)
    assert counts(report(today=date(2026, 10, 20)), "annual-reviews", "held") == (1, None)


def test_phase_transfers_amended_by_their_deadline(make: Factory, teams) -> None:
    north, south = teams
    february, march = date(2027, 2, 15), date(2027, 3, 31)
    for team, amend_by, amended_on in (
        (north, february, date(2027, 2, 10)),
        (north, february, date(2027, 2, 16)),
        (north, february, None),  # late
        (north, date(2026, 2, 15), None),  # another period
        (south, march, None),  # not due yet: left out
        (south, march, date(2027, 2, 20)),
    ):
        case = a_case(make, team, date(2020, 1, 1), Stage.FINAL_PLAN)
        db.session.add(PhaseTransfer(case_id=case.id, moves_on=date(2027, 9, 1), to_post_16=amend_by == march,
                                     amend_by=amend_by, amended_on=amended_on))
    db.session.commit()
    found = report(periods.quarter(2027, 1), today=date(2027, 3, 1))
    assert counts(found, "phase-transfers", None, north) == (1, 3)
    assert counts(found, "phase-transfers", None, south) == (1, 1)
    assert counts(found, "phase-transfers", None) == (2, 4)


# --- Now, and exceptions ----------------------------------------------------------------------------


def test_open_cases_past_a_deadline_now_by_stage_and_by_how_late(make: Factory, teams) -> None:
    north, south = teams
    for team, stage, days_late, fields in (
        (north, Stage.DRAFT_PLAN, 1, {}),
        (north, Stage.DRAFT_PLAN, 28, {}),
        (north, Stage.ASSESSING, 29, {}),
        (north, Stage.DRAFT_PLAN, 1, {"is_reassessment": True}),
        (north, Stage.DRAFT_PLAN, 0, {}),  # due today: not late
        (north, Stage.WITHDRAWN, 30, {}),  # closed
        (south, Stage.ASSESSING, 84, {}),
        (south, Stage.REQUEST_RECEIVED, 85, {}),
    ):
        case = a_case(make, team, date(2026, 1, 1), stage, **fields)
        case.next_deadline_on = TODAY - timedelta(days=days_late)
        db.session.commit()
    found = report()
    late = "past-deadline-now"
    assert counts(found, late, "all", north) == (4, None)
    assert counts(found, late, "all", south) == (2, None)
    assert counts(found, late, "all") == (6, None)
    assert {part: row.numerator for part, row in found.parts(late, north.id).items()} == {
        "all": 4, "draft_plan": 3, "assessing": 1, "up-to-4-weeks": 3, "4-to-12-weeks": 1,
    }
    assert {part: row.numerator for part, row in found.parts(late, None).items()} == {
        "all": 6, "draft_plan": 3, "assessing": 2, "request_received": 1,
        "up-to-4-weeks": 3, "4-to-12-weeks": 2, "over-12-weeks": 1,
    }
    assert counts(found, late, "over-12-weeks", south) == (1, None)


def test_exceptions_recorded_in_the_period_by_type(make: Factory, teams) -> None:
    north, south = teams
    for team, kind, applies_from, fields in (
        (north, ExceptionType.SCHOOL_CLOSURE, date(2026, 10, 1), {}),
        (north, ExceptionType.PERSONAL_CIRCUMSTANCES, date(2026, 10, 31), {}),
        (north, ExceptionType.PERSONAL_CIRCUMSTANCES, MID_OCTOBER, {}),
        (north, ExceptionType.SCHOOL_CLOSURE, date(2026, 9, 30), {}),
        (north, ExceptionType.SCHOOL_CLOSURE, MID_OCTOBER, {"is_reassessment": True}),
        (south, ExceptionType.AWAY_FROM_AREA, date(2026, 10, 10), {}),
    ):
        exception(a_case(make, team, date(2026, 9, 1), **fields), kind, applies_from)
    found = report()
    assert {part: row.numerator for part, row in found.parts("exceptions", north.id).items()} == {
        "all": 3, "school_closure": 1, "personal_circumstances": 2,
    }
    assert {part: row.numerator for part, row in found.parts("exceptions", south.id).items()} == {
        "all": 1, "away_from_area": 1,
    }
    assert counts(found, "exceptions", "all") == (4, None)


# --- One statement, and the dates a review keeps ----------------------------------------------------


def test_every_timeliness_figure_is_one_statement(make: Factory, teams, count_queries) -> None:
    north, south = teams
    plan(make, north, 140, excepted=True)
    plan(make, south, 141)
    selects = timeliness.selects(OCTOBER, TODAY)
    with count_queries() as queries:
        found = rows.run(db.session, selects)
    assert queries.count == 1
    assert counts(found, "plans-issued", "within-20-weeks") == (1, 2)
    assert counts(found, "exceptions", "all") == (0, None)
    assert {key[0] for key in found._rows} >= {
        "requests-received", "decisions-to-assess", "plans-issued", "weeks-to-plan", "annual-reviews",
        "phase-transfers", "past-deadline-now", "exceptions",
    }


@pytest.fixture
def request_context(app: Flask) -> Iterator[None]:
    """change_stage builds the link in the family's email with url_for."""
    with app.test_request_context():
        yield


def test_the_change_that_ends_a_review_keeps_its_dates(request_context: None, make: Factory) -> None:
    caseworker = make.user(Role.CASEWORKER)
    meeting, proposed, issued = date(2026, 9, 1), date(2026, 9, 20), date(2026, 10, 20)
    case = make.case(child=make.child(team=caseworker.team), stage=Stage.ANNUAL_REVIEW,
                     request_received_on=date(2020, 1, 1), stage_since=date(2026, 8, 1),
                     review_meeting_on=meeting, amendments_proposed_on=proposed)
    ended = services.change_stage(case, caseworker, StageUpdate(Stage.FINAL_PLAN, issued), case.version, TODAY)
    assert (ended.review_meeting_on, ended.amendments_proposed_on) == (meeting, proposed)
    next_review = services.change_stage(
        case, caseworker, StageUpdate(Stage.ANNUAL_REVIEW, TODAY), case.version, TODAY
    )
    assert (next_review.review_meeting_on, next_review.amendments_proposed_on) == (None, None)
    assert (case.review_meeting_on, case.amendments_proposed_on) == (None, None)  # cleared for the next one
    found = report()  # the dates kept count the review once the case has moved on
    team = caseworker.team
    assert counts(found, "annual-reviews", "amended-within-12-weeks", team) == (1, 1)  # day 49
    assert counts(found, "annual-reviews", "held", team) == (None, None)  # the meeting was in September
