"""The caseload's reads and the indexes made for them (migration 0007): search by part of a name
or reference on both databases, the team counts unchanged, and on PostgreSQL the plans use the
trigram and partial indexes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import event, insert, text

from portal.casework import queries
from portal.casework.queries import CaseloadFilters
from portal.ehcp.models import Case
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.models import Child, utcnow
from tests.casework.helpers import Teams
from tests.helpers import Factory

BUSY = 3000
TRIGRAM_INDEXES = ("ix_child_full_name_trgm", "ix_ehc_case_reference_trgm")


@pytest.fixture
def on_postgres(app: Flask) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("trigram indexes and EXPLAIN are PostgreSQL's; SQLite scans (the fallback)")


@pytest.fixture
def marigold(make: Factory, teams: Teams) -> Case:
    child = make.child(team=teams.north, first_name="Marigold")
    child.last_name = "Featherstonehaugh"
    case = make.case(child=child, caseworker=teams.caseworker)
    case.reference = "EHC-2026-QX7781"
    db.session.commit()
    return case


def found(teams: Teams, search: str, **filters) -> list[str]:
    result = queries.caseload(
        teams.north.id, teams.caseworker.id, CaseloadFilters(search=search, **filters), queries.today(), 1, 25
    )
    references = [case.reference for case in result.cases]
    assert result.total == len(references)
    return references


@pytest.mark.parametrize(
    "search",
    ["Marigold", "marigold", "RIGO", "feather", "STONEHAUGH", "qx77", "EHC-2026-QX", "7781", "mari 7781"],
)
def test_search_finds_part_of_a_name_or_reference_whatever_the_case(teams: Teams, marigold: Case, search: str) -> None:
    assert found(teams, search) == [marigold.reference]


@pytest.mark.parametrize("search", ["marigoldx", "mari nobody", "%", "_", "Southchild", "Ourchild marigold"])
def test_search_needs_every_word_and_takes_wildcards_literally(teams: Teams, marigold: Case, search: str) -> None:
    assert found(teams, search) == []


def test_search_finds_closed_cases_only_when_asked(teams: Teams, marigold: Case) -> None:
    marigold.closed = True
    db.session.commit()
    assert found(teams, "marigold") == []
    assert found(teams, "marigold", include_closed=True) == [marigold.reference]


def test_team_counts_late_without_a_reason(make: Factory, teams: Teams) -> None:
    on = queries.today()
    team = make.team()

    def late_case(**fields) -> Case:
        case = make.case(child=make.child(team=team))
        case.next_deadline_on = on - timedelta(days=2)
        for name, value in fields.items():
            setattr(case, name, value)
        db.session.commit()
        return case

    late_case()  # nobody told the family anything
    late_case(expected_on=on + timedelta(days=5), delay_reason="Waiting for the health advice")
    late_case(expected_on=on, delay_reason="Today")  # an expected date of today has not passed
    late_case(expected_on=on + timedelta(days=5), delay_reason=" \u3000\n")  # a blank reason
    late_case(expected_on=on - timedelta(days=1), delay_reason="An expected date that has passed")
    late_case(expected_on=None, delay_reason="A reason without a date")
    late_case(closed=True)
    counts = queries.team_counts(team.id, on)
    assert (counts.overdue, counts.late_without_reason) == (6, 4)


# --- PostgreSQL: the indexes and the plans ------------------------------------------------------


def statements_of(call: Callable[[], object]) -> list[tuple[str, object]]:
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return statements


def plan(statement: str, parameters: object, *, off: tuple[str, ...] = ("seqscan",)) -> str:
    """The plan PostgreSQL chooses when it can avoid reading whole tables."""
    connection = db.session.connection()
    for method in off:
        connection.exec_driver_sql(f"SET LOCAL enable_{method} = off")
    rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
    return "\n".join(row[0] for row in rows)


def test_the_migration_made_the_trigram_indexes(on_postgres: None) -> None:
    assert db.session.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")) == 1
    definitions = dict(
        db.session.execute(
            text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(:names)"),
            {"names": list(TRIGRAM_INDEXES)},
        ).all()
    )
    assert sorted(definitions) == sorted(TRIGRAM_INDEXES)
    for definition in definitions.values():
        assert "USING gin (lower(" in definition and "gin_trgm_ops" in definition


def vacuum_analyze() -> None:
    """Fresh statistics and visibility map, as autovacuum keeps them on a live database (VACUUM
    cannot run inside the session's transaction)."""
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE ehc_case, child")


@pytest.fixture
def busy_team(teams: Teams, marigold: Case) -> None:
    """A few thousand cases, the two teams' interleaved as on a live database, with fresh
    statistics: on a handful of rows the planner rightly reads the table instead."""
    on, now = queries.today(), utcnow()
    team_ids = (teams.north.id, teams.south.id)
    children = db.session.scalars(
        insert(Child).returning(Child.id, sort_by_parameter_order=True),
        [
            {
                "first_name": f"Many{n}",
                "last_name": f"Manysurname{n}",
                "date_of_birth": date(2016, 5, 5),
                "team_id": teams.north.id,
                "created_at": now,
            }
            for n in range(BUSY)
        ],
    ).all()
    db.session.execute(
        insert(Case),
        [
            {
                "reference": f"EHC-MANY-{n:05d}",
                "child_id": child_id,
                "team_id": team_ids[n % 2],
                "is_reassessment": False,
                "request_received_on": on - timedelta(days=n % 300),
                "stage": Stage.ASSESSING,
                "stage_since": on,
                "next_deadline_on": on + timedelta(days=n % 90 - 30),
                "has_exception": False,
                "closed": n % 3 == 0,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for n, child_id in enumerate(children)
        ],
    )
    vacuum_analyze()


@pytest.mark.parametrize(
    ("search", "index"), [("feather", "ix_child_full_name_trgm"), ("qx77", "ix_ehc_case_reference_trgm")]
)
def test_search_uses_the_trigram_indexes(
    on_postgres: None, teams: Teams, busy_team: None, search: str, index: str
) -> None:
    filters = CaseloadFilters(search=search)
    on, team_id, user_id = queries.today(), teams.north.id, teams.caseworker.id
    statements = statements_of(lambda: queries.caseload(team_id, user_id, filters, on, 1, 25))
    assert len(statements) == 2  # the count of matches and the page
    for statement, parameters in statements:
        chosen = plan(statement, parameters)
        assert f"Bitmap Index Scan on {index}" in chosen, chosen
    db.session.rollback()


def test_team_counts_read_the_covering_index(on_postgres: None, teams: Teams, busy_team: None) -> None:
    on, team_id = queries.today(), teams.north.id
    # The counts from the cases (as SQLite reads them, and the definition the tally is tested
    # against); PostgreSQL's caseload reads the tally (tests/casework/test_caseload_tally.py).
    [(statement, parameters)] = statements_of(lambda: queries.counted_team_counts(team_id, on))
    # Bitmap scans off too: on a test-sized table (whose indexes also hold earlier tests' deleted
    # rows) reading the team's rows costs about the same; on the 100,000-case benchmark the
    # planner picks this plan by itself (docs/benchmarks.md, the caseload's query plans).
    chosen = plan(statement, parameters, off=("seqscan", "bitmapscan"))
    assert "Index Only Scan using ix_ehc_case_team_open_covering" in chosen, chosen
    db.session.rollback()


def test_a_page_is_read_in_index_order(on_postgres: None, teams: Teams, busy_team: None) -> None:
    """Page 2 of one case a page: the page's ids come in order from the index, not a sort."""
    on, team_id, user_id = queries.today(), teams.north.id, teams.caseworker.id
    for sort in ("deadline", "received", "stage"):
        index = f"ix_ehc_case_team_open_by_{sort}"
        filters = CaseloadFilters(sort=sort)
        statements = statements_of(lambda f=filters: queries.caseload(team_id, user_id, f, on, 2, 1))
        assert len(statements) == 2
        chosen = plan(*statements[1])
        assert f"Index Only Scan using {index}" in chosen, chosen
        db.session.rollback()


def test_a_cases_stage_position_follows_its_stage(app: Flask, make: Factory, teams: Teams) -> None:
    """The column the stage order is read from changes with the stage, in the law's order."""
    case = make.case(child=make.child(team=teams.north), caseworker=teams.caseworker)
    assert case.stage_position == Stage.REQUEST_RECEIVED.position == 0
    case.stage = Stage.ASSESSING
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Case, case.id)
    assert stored.stage_position == Stage.ASSESSING.position
    assert [stage.position for stage in Stage] == list(range(len(Stage)))
    db.session.execute(insert(Case).values(
        reference="EHC-2026-CORE1", child_id=case.child_id, team_id=teams.north.id, stage=Stage.FINAL_PLAN,
        request_received_on=date.today(), stage_since=date.today(), created_at=utcnow(), updated_at=utcnow(),
    ))  # a Core insert, as bench/generate.py makes them, gets its position from the stage too
    db.session.commit()
    core = db.session.scalar(db.select(Case).where(Case.reference == "EHC-2026-CORE1"))
    assert core.stage_position == Stage.FINAL_PLAN.position
