"""What an import would change: the file's rows compared with the portal's teams, staff and
cases. Plain Python: no Flask, no database (`apply` reads what is stored and saves the plan).

A case is found by its reference in the case-management system (Case.external_reference). Its
stored fields are worked out as the services keep them (portal.ehcp.services: refresh and
_stage_fields): the next legal deadline, closed, the stage's position, the first final plan.
An unchanged line changes nothing at all, so importing the same file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from portal.case_import.parse import BEFORE_FINAL, Problem, Row
from portal.ehcp import milestones
from portal.ehcp.milestones import CaseDates, long_date
from portal.ehcp.stages import Stage

# The case's columns an import writes: the file's, and those worked out from them.
CASE_FIELDS = (
    "team_id", "caseworker_id", "is_reassessment", "request_received_on", "stage", "stage_since",
    "draft_served_on", "final_plan_on", "first_final_plan_on", "review_meeting_on", "amendments_proposed_on",
    "next_deadline_on", "closed", "stage_position",
)
CHILD_FIELDS = ("first_name", "last_name", "date_of_birth")


@dataclass(frozen=True)
class Staff:
    id: int
    team_id: int | None


@dataclass(frozen=True)
class StoredCase:
    """What is stored for a case already imported: its CASE_FIELDS, its child's CHILD_FIELDS,
    and the expected date and reason (cleared by a change of stage, as change_stage does)."""

    id: int
    child_id: int
    case: dict[str, object]
    child: dict[str, object]
    expected_on: date | None = None
    delay_reason: str | None = None


@dataclass(frozen=True)
class Known:
    """The portal's side: teams by name (case-insensitive), active caseworkers and managers by
    email, and the cases already imported, by reference."""

    teams: dict[str, int]
    staff: dict[str, Staff]
    cases: dict[str, StoredCase]


@dataclass(frozen=True)
class NewCase:
    row: Row
    case: dict[str, object]
    child: dict[str, object]


@dataclass(frozen=True)
class ChangedCase:
    row: Row
    stored: StoredCase
    case: dict[str, object]  # only the fields that change (with version and updated_at added by apply)
    child: dict[str, object]  # likewise
    from_stage: Stage | None = None  # set when the stage changes


@dataclass
class Plan:
    new: list[NewCase] = field(default_factory=list)
    changed: list[ChangedCase] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def stage_changes(self) -> list[ChangedCase]:
        return [change for change in self.changed if change.from_stage is not None]

    def summary(self) -> str:
        return (f"{_count(len(self.new), 'new case')}, {_count(len(self.changed), 'updated case')} "
                f"({_count(len(self.stage_changes), 'stage change')}), {_count(self.unchanged, 'unchanged case')}")


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def case_fields(row: Row, team_id: int, caseworker_id: int | None, stored: StoredCase | None) -> dict[str, object]:
    kept = stored.case["first_final_plan_on"] if stored else None
    first_final = row.first_final_plan_on or kept or row.final_plan_on
    values: dict[str, object] = {
        "team_id": team_id,
        "caseworker_id": caseworker_id,
        "is_reassessment": row.is_reassessment,
        "request_received_on": row.request_received_on,
        "stage": row.stage,
        "stage_since": row.stage_since,
        "draft_served_on": row.draft_served_on,
        "final_plan_on": row.final_plan_on,
        "first_final_plan_on": first_final if row.stage not in BEFORE_FINAL else None,
        "review_meeting_on": row.review_meeting_on,
        "amendments_proposed_on": row.amendments_proposed_on,
    }
    dates = CaseDates(**{name: values[name] for name in CaseDates.__dataclass_fields__})  # type: ignore[arg-type]
    values["next_deadline_on"] = milestones.council_deadline(dates)
    values["closed"] = row.stage.is_closed
    values["stage_position"] = row.stage.position
    return values


def child_fields(row: Row) -> dict[str, object]:
    return {"first_name": row.child_first_name, "last_name": row.child_last_name,
            "date_of_birth": row.child_date_of_birth}


def make_plan(rows: list[Row], known: Known, problems: list[Problem] | None = None) -> Plan:
    """The changes the rows make, or (in `problems`) why they cannot be made."""
    plan = Plan(problems=list(problems or []))
    for row in rows:
        team_id = known.teams.get(row.team.casefold())
        if team_id is None:
            plan.problems.append(Problem(row.line, "team", f"There is no team called ‘{row.team}’ in the portal. "
                                         "Use a team’s name exactly as the portal shows it"))
            continue
        stored = known.cases.get(row.reference)
        caseworker_id = _caseworker(row, team_id, known, stored, plan.problems)
        if caseworker_id is False:
            continue
        values = case_fields(row, team_id, caseworker_id, stored)  # type: ignore[arg-type]
        if stored is None:
            plan.new.append(NewCase(row, values, {**child_fields(row), "team_id": team_id}))
            continue
        moved = values["stage"] != stored.case["stage"]
        if moved and row.stage_since < stored.case["stage_since"]:  # type: ignore[operator]
            since, stage = stored.case["stage_since"], stored.case["stage"]
            plan.problems.append(Problem(
                row.line, "stage_since",
                f"The case has been at ‘{stage.label}’ in the portal since {long_date(since)}. "  # type: ignore[union-attr, arg-type]
                "A move to another stage must be dated on or after then",
            ))
            continue
        case = {name: value for name, value in values.items() if stored.case[name] != value}
        if moved and (stored.expected_on is not None or stored.delay_reason is not None):
            case |= {"expected_on": None, "delay_reason": None}
        child = {name: value for name, value in child_fields(row).items() if stored.child[name] != value}
        if team_id != stored.child["team_id"]:
            child["team_id"] = team_id
        if case or child:
            from_stage = stored.case["stage"] if moved else None
            plan.changed.append(ChangedCase(row, stored, case, child, from_stage))  # type: ignore[arg-type]
        else:
            plan.unchanged += 1
    plan.problems.sort(key=lambda problem: problem.line or 0)  # by line, each line's in column order
    return plan


def _caseworker(row: Row, team_id: int, known: Known, stored: StoredCase | None, problems: list[Problem]):
    """The caseworker's id, None for nobody, or False (with a problem) for someone not allowed.
    An empty cell keeps an imported case's caseworker, unless the case moves to another team."""
    if row.caseworker_email is None:
        if stored is not None and stored.case["team_id"] == team_id:
            return stored.case["caseworker_id"]
        return None
    staff = known.staff.get(row.caseworker_email)
    if staff is None:
        problems.append(Problem(row.line, "caseworker_email", f"No active caseworker or manager has the email address "
                                f"{row.caseworker_email}"))
        return False
    if staff.team_id != team_id:
        problems.append(Problem(row.line, "caseworker_email", f"{row.caseworker_email} is not in {row.team}. Choose a "
                                "caseworker or manager in the case’s team"))
        return False
    return staff.id
