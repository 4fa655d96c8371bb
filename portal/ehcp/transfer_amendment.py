"""An amended plan marks the phase transfers it was issued for (part of a stage change's
transaction: portal/ehcp/services.py change_stage)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from portal.ehcp.models import Case, PhaseTransfer
from portal.extensions import db


def plan_amended(case: Case, effective_on: date) -> None:
    """An amended plan was issued on `effective_on` (the end of an annual review that proposed
    amendments): it is the amended plan for each transfer not yet amended whose deadline falls in
    that year or later. Part of the caller's transaction: nothing is committed here."""
    first_year_due = date(effective_on.year, 1, 1)  # phase_transfer.amended_by_plan_of, in SQL
    db.session.execute(
        update(PhaseTransfer)
        .where(
            PhaseTransfer.case_id == case.id,
            PhaseTransfer.amended_on.is_(None),
            PhaseTransfer.amend_by >= first_year_due,
        )
        .values(amended_on=effective_on)
    )
