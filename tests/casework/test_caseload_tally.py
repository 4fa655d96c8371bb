"""The caseload's team counts on PostgreSQL come from `caseload_tally`, which a trigger keeps up
to date (migration 0010). Whatever happens to the cases (made through the ORM or a Core insert,
changed by the services or a Core UPDATE, reassigned in bulk, moved to another team, closed or
deleted), the counts read from the tally are the counts read from the cases, on every day."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, update

from portal.casework import queries
from portal.ehcp.models import Case, StageChange, caseload_tally
from portal.extensions import db
from portal.models import Team
from tests.casework.helpers import Teams, many_cases
from tests.helpers import Factory


@pytest.fixture
def on_postgres(app: Flask) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the tally's trigger is PostgreSQL's; SQLite counts the cases")


def assert_tally_matches(*teams: Team) -> None:
    today = queries.today()
    for team in teams:
        for on in (today - timedelta(days=40), today - timedelta(days=1), today, today + timedelta(days=10),
                   today + timedelta(days=400)):
            assert queries.team_counts(team.id, on) == queries.counted_team_counts(team.id, on), (team.name, on)


def test_the_counts_are_the_same_from_the_tally_as_from_the_cases(
    on_postgres: None, make: Factory, teams: Teams
) -> None:
    rng = random.Random(10)
    today = queries.today()
    cases = many_cases(teams.north, 60, caseworker=teams.caseworker) + many_cases(teams.south, 20)
    reasons = [None, "", " \u3000\n", "Waiting for the health advice"]
    for case in cases:
        case.next_deadline_on = rng.choice([None, today + timedelta(days=rng.randint(-60, 60))])
        case.expected_on = rng.choice([None, today + timedelta(days=rng.randint(-20, 40))])
        case.delay_reason = rng.choice(reasons)
        case.has_exception = rng.random() < 0.2
        case.caseworker_id = rng.choice([None, teams.caseworker.id]) if case.team_id == teams.north.id else None
        case.closed = rng.random() < 0.1
    db.session.commit()
    assert_tally_matches(teams.north, teams.south)

    # A Core UPDATE (as when an email fails for good), a bulk unassignment, a move between teams,
    # a deletion and a closure: the trigger sees them all.
    db.session.execute(update(Case).where(Case.id.in_([c.id for c in cases[:10]]))
                       .values(family_not_reached_since=func.now()))
    db.session.execute(update(Case).where(Case.caseworker_id == teams.caseworker.id).values(caseworker_id=None))
    db.session.execute(update(Case).where(Case.id == cases[20].id).values(team_id=teams.south.id))
    db.session.execute(update(Case).where(Case.id == cases[21].id).values(closed=True))
    db.session.execute(update(Case).where(Case.id == cases[22].id).values(closed=False))
    db.session.execute(delete(StageChange).where(StageChange.case_id == cases[23].id))
    db.session.execute(delete(Case).where(Case.id == cases[23].id))
    db.session.commit()
    assert_tally_matches(teams.north, teams.south)


def test_the_services_keep_the_tally_right(on_postgres: None, app: Flask, make: Factory, teams: Teams) -> None:
    from portal.ehcp import services
    from portal.ehcp.timeline import ExceptionType

    today = queries.today()
    case = make.case(child=make.child(team=teams.north), request_received_on=today - timedelta(weeks=8),
                     caseworker=teams.caseworker)
    assert_tally_matches(teams.north)
    services.record_exception(case, teams.caseworker, ExceptionType.PERSONAL_CIRCUMSTANCES,
                              "The family asked for more time", today - timedelta(days=1), today,
                              expected_version=case.version)
    assert_tally_matches(teams.north)
    empty = db.session.scalar(select(func.count()).select_from(caseload_tally).where(caseload_tally.c.cases < 0))
    assert empty == 0  # never below zero


def test_no_trigger_and_no_tally_rows_on_sqlite(app: Flask, teams: Teams) -> None:
    if db.engine.dialect.name == "postgresql":
        pytest.skip("SQLite only")
    assert db.session.scalar(select(func.count()).select_from(caseload_tally)) == 0
    assert queries.team_counts(teams.north.id, date.today()) == queries.counted_team_counts(teams.north.id,
                                                                                        date.today())
