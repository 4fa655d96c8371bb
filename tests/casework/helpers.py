"""Helpers for the caseworker page tests: the teams, date fields as a browser sends them, many
cases at once, and a snapshot of everything a refused change must leave alone."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

from portal.ehcp.models import Case, StageChange
from portal.ehcp.services import refresh
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.models import Child, Team, User

_numbers = itertools.count(90_000)


@dataclass
class Teams:
    north: Team
    caseworker: User
    other_caseworker: User
    manager: User
    parent: User
    carer: User
    child: Child
    case: Case
    south: Team
    south_caseworker: User
    south_case: Case


def date_fields(name: str, value: date) -> dict[str, list[str]]:
    """A GOV.UK date input: day, month and year boxes that share one name."""
    return {name: [str(value.day), str(value.month), str(value.year)]}


def typed_date(name: str, day: str, month: str, year: str) -> dict[str, list[str]]:
    return {name: [day, month, year]}


def many_cases(
    team: Team,
    count: int,
    caseworker: User | None = None,
    first_name: str = "Bulk",
    request_received_on: date | None = None,
    stage: Stage = Stage.ASSESSING,
) -> list[Case]:
    """`count` children, each with a case, added in one transaction (fast enough for 500)."""
    received = request_received_on or date.today() - timedelta(weeks=3)
    cases = []
    for _ in range(count):
        number = next(_numbers)
        child = Child(first_name=f"{first_name}{number}", last_name=f"Bulksurname{number}",
                      date_of_birth=date(2016, 5, 5), team=team)
        case = Case(reference=f"EHC-BULK-{number}", child=child, team_id=team.id, caseworker=caseworker,
                    request_received_on=received, stage=stage, stage_since=received)
        refresh(case)
        db.session.add_all([child, case])
        cases.append(case)
    db.session.flush()
    db.session.add_all(
        StageChange(case_id=case.id, from_stage=None, to_stage=stage, effective_on=received) for case in cases
    )
    db.session.commit()
    return cases


def set_case(case: Case, **fields) -> Case:
    """Set a case's fields directly (test set-up, not a use case). A new stage brings its deadline
    and closed flag with it, unless a deadline is given too."""
    for name, value in fields.items():
        setattr(case, name, value)
    if "stage" in fields:
        deadline = case.next_deadline_on
        refresh(case)
        if "next_deadline_on" in fields:
            case.next_deadline_on = deadline
    db.session.commit()
    return case


def case_row(case_id: int) -> tuple:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    return (
        case.version, case.stage, case.stage_since, case.expected_on, case.delay_reason, case.caseworker_id,
        case.review_meeting_on, case.amendments_proposed_on, case.has_exception, case.next_deadline_on,
    )


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table but the audit log (where views of a case are written)."""
    db.session.expire_all()
    return {
        table.name: sorted(tuple(row) for row in db.session.execute(table.select()).all())
        for table in db.metadata.sorted_tables
        if table.name != "audit_event"
    }
