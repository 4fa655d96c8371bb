"""Saving an import: one use case, one transaction, bulk SQLAlchemy Core statements.

`import_cases` reads the file (`parse`), compares it with what is stored (`plan`) and, when
nothing is wrong and it is not a dry run, saves every change at once: new children and cases
(their ids reserved first, so that each insert is one batched statement), changed cases and
children (a batched UPDATE each, moving the case's version on so that a form opened before the
import is refused), and one stage change per new case and per change of stage, by the
case-management system (source "import", changed by nobody). Nothing is ever deleted. On
PostgreSQL the caseload tally's row trigger (migration 0010) fires for these statements too.

With `notify`, each family with an account hears of a stage change as when staff make one
(portal.ehcp.family_emails); without it, no email.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app, has_request_context
from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.orm import joinedload

from portal import audit
from portal.case_import.parse import Problem, read
from portal.case_import.plan import CASE_FIELDS, ChangedCase, Known, Plan, Staff, StoredCase, make_plan
from portal.conversations.attachments import clean_name
from portal.ehcp.family_emails import notify_family_of_stage_change
from portal.ehcp.models import Case, StageChange
from portal.extensions import db
from portal.models import Child, FamilyLink, Role, Team, User

CHUNK = 900  # values in one IN (...): under SQLite's oldest limit of 999
CASES, CHILDREN, CHANGES = Case.__table__, Child.__table__, StageChange.__table__


@dataclass(frozen=True)
class ImportResult:
    plan: Plan
    saved: bool

    @property
    def problems(self) -> list[Problem]:
        return self.plan.problems


def import_cases(
    content: bytes, actor: User | None, today: date, *, dry_run: bool = False, notify: bool = False,
    file_name: str | None = None,
) -> ImportResult:
    """Check the file and, unless it is a dry run or anything is wrong, save it."""
    rows, problems = read(content, today)
    plan = make_plan(rows, known_for([row.reference for row in rows]) if rows else Known({}, {}, {}), problems)
    if plan.problems or dry_run:
        return ImportResult(plan, saved=False)
    try:
        _save(plan)
        name = f"{clean_name(file_name)}: " if file_name else ""
        audit.record("cases-imported", actor=actor, detail=name + plan.summary())
        if notify:
            _notify(plan.stage_changes, today)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return ImportResult(plan, saved=True)


def known_for(references: list[str]) -> Known:
    """The teams, active caseworkers and managers, and the cases already imported with these
    references: a few statements, whatever the file's size."""
    teams = {name.casefold(): team_id for team_id, name in db.session.execute(select(Team.id, Team.name))}
    staff = {
        email.lower(): Staff(user_id, team_id)
        for user_id, email, team_id in db.session.execute(
            select(User.id, User.email, User.team_id)
            .where(User.role.in_((Role.CASEWORKER, Role.MANAGER)), User.active.is_(True))
        )
    }
    columns = [CASES.c[name] for name in CASE_FIELDS]
    cases = {}
    for start in range(0, len(references), CHUNK):
        found = db.session.execute(
            select(CASES.c.id, CASES.c.external_reference, CASES.c.expected_on, CASES.c.delay_reason, *columns,
                   CHILDREN.c.id.label("child_id"), CHILDREN.c.first_name, CHILDREN.c.last_name,
                   CHILDREN.c.date_of_birth, CHILDREN.c.team_id.label("child_team_id"))
            .join(CHILDREN, CHILDREN.c.id == CASES.c.child_id)
            .where(CASES.c.external_reference.in_(references[start : start + CHUNK]))
        )
        for row in found.mappings():
            cases[row["external_reference"]] = StoredCase(
                id=row["id"],
                child_id=row["child_id"],
                case={name: row[name] for name in CASE_FIELDS},
                child={"first_name": row["first_name"], "last_name": row["last_name"],
                       "date_of_birth": row["date_of_birth"], "team_id": row["child_team_id"]},
                expected_on=row["expected_on"],
                delay_reason=row["delay_reason"],
            )
    return Known(teams, staff, cases)


def _reserve_ids(table, count: int) -> list[int]:
    """`count` new ids for the table: from its sequence on PostgreSQL; on SQLite (one writer at
    a time) the next ones after the largest."""
    if count == 0:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        return list(db.session.scalars(
            # The table's name is one of this module's own tables, never input.
            text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, :n)"),  # noqa: S608
            {"n": count},
        ))
    start = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0))) + 1
    return list(range(start, start + count))


def _save(plan: Plan) -> None:
    now = datetime.now(UTC)
    new = plan.new
    child_ids = _reserve_ids(CHILDREN, len(new))
    case_ids = _reserve_ids(CASES, len(new))
    _insert_many(CHILDREN, [
        {"id": child_id, **item.child, "created_at": now} for child_id, item in zip(child_ids, new, strict=True)
    ])
    _insert_many(CASES, [
        {
            "id": case_id, "reference": f"EHC-{item.row.request_received_on.year}-{case_id:05d}",
            "external_reference": item.row.reference, "child_id": child_id, **item.case,
            "has_exception": False, "version": 1, "created_at": now, "updated_at": now,
        }
        for case_id, child_id, item in zip(case_ids, child_ids, new, strict=True)
    ])
    changes = [
        {"case_id": case_id, "from_stage": None, "to_stage": item.case["stage"], "effective_on": item.row.stage_since}
        for case_id, item in zip(case_ids, new, strict=True)
    ] + [
        {"case_id": item.stored.id, "from_stage": item.from_stage, "to_stage": item.row.stage,
         "effective_on": item.row.stage_since}
        for item in plan.stage_changes
    ]
    _insert_many(CHANGES, [
        {**change, "changed_by_id": None, "source": "import", "created_at": now} for change in changes
    ])
    _update_many(CASES, [(item.stored.id, item.case) for item in plan.changed if item.case],
                 {"version": CASES.c.version + 1, "updated_at": now})
    _update_many(CHILDREN, [(item.stored.child_id, item.child) for item in plan.changed if item.child], {})


def _insert_many(table, rows: list[dict[str, object]]) -> None:
    """One INSERT compiled once and sent for every row (the driver's executemany: psycopg
    pipelines them, without a round trip each). Measured faster here than multi-row VALUES, whose
    statements SQLAlchemy and psycopg take longer to build than the database to run."""
    if rows:
        db.session.execute(insert(table), rows)


def _update_many(table, changes: list[tuple[int, dict[str, object]]], extra: dict[str, object]) -> None:
    """One batched UPDATE for each set of columns that change together."""
    def columns(change: tuple[int, dict[str, object]]) -> tuple[str, ...]:
        return tuple(sorted(change[1]))

    for names, group in itertools.groupby(sorted(changes, key=columns), key=columns):
        statement = (
            update(table).where(table.c.id == bindparam("row_id"))
            .values({name: bindparam(f"new_{name}") for name in names} | extra)
        )
        db.session.execute(statement, [
            {"row_id": row_id, **{f"new_{name}": value for name, value in values.items()}} for row_id, values in group
        ])


def _notify(changed: list[ChangedCase], today: date) -> None:
    """The stage-change email to each family with an account, for every case whose stage moved."""
    case_ids = [item.stored.id for item in changed]
    for start in range(0, len(case_ids), CHUNK):
        cases = db.session.scalars(
            select(Case).options(joinedload(Case.child))
            .where(Case.id.in_(case_ids[start : start + CHUNK]),
                   Case.child_id.in_(select(FamilyLink.child_id)))
            .execution_options(populate_existing=True)
        ).all()
        for case in cases:
            if has_request_context():
                notify_family_of_stage_change(case, today)
            else:
                with current_app.test_request_context():  # a command: no request of its own
                    notify_family_of_stage_change(case, today)
