"""CSV files for the import tests, written as a case-management system (or Excel) writes them.
Synthetic data only."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.ehcp.models import Case, StageChange
from portal.extensions import db
from portal.models import Child

HEADER = (
    "reference", "child_first_name", "child_last_name", "child_date_of_birth", "team", "caseworker_email",
    "request_received_on", "stage", "stage_since", "draft_served_on", "final_plan_on", "first_final_plan_on",
    "review_meeting_on", "amendments_proposed_on", "is_reassessment",
)
TODAY = date.today()
RECEIVED = TODAY - timedelta(weeks=10)


def line(reference: str = "CMS-1", team: str = "North SEND team", **values: object) -> dict[str, str]:
    """One case: received 10 weeks ago, assessing since 4 weeks ago, unless told otherwise."""
    row = {
        "reference": reference, "child_first_name": "Ada", "child_last_name": "Importedchild",
        "child_date_of_birth": date(2016, 3, 14), "team": team, "caseworker_email": "",
        "request_received_on": RECEIVED, "stage": "assessing", "stage_since": TODAY - timedelta(weeks=4),
        "is_reassessment": "no",
    }
    row.update(values)
    return {name: _text(row.get(name, "")) for name in HEADER}


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def csv_bytes(rows: list[dict[str, str]], header: tuple[str, ...] = HEADER, newline: str = "\n",
              bom: bool = False) -> bytes:
    lines = [",".join(header)] + [",".join(_quoted(row.get(name, "")) for name in header) for row in rows]
    text = newline.join(lines) + newline
    return ("\ufeff" if bom else "").encode() + text.encode()


def _quoted(value: str) -> str:
    return f'"{value}"' if any(char in value for char in ',"\n') else value


def uk(day: date) -> str:
    """As Excel shows a date in the UK: 01/12/2026."""
    return day.strftime("%d/%m/%Y")


def state() -> dict[str, list[tuple]]:
    """The cases, children and stage changes as stored, updated_at and version included."""
    db.session.expire_all()
    return {
        "cases": [tuple(row) for row in db.session.execute(select(Case.__table__).order_by(Case.id))],
        "children": [tuple(row) for row in db.session.execute(select(Child.__table__).order_by(Child.id))],
        "changes": [tuple(row) for row in db.session.execute(select(StageChange.__table__).order_by(StageChange.id))],
    }


def imported(reference: str) -> Case:
    db.session.expire_all()
    return db.session.scalars(select(Case).where(Case.external_reference == reference)).one()
