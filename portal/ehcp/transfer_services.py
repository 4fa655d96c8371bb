"""Use cases on a case's phase transfers (portal/ehcp/phase_transfer.py has the rules). Each is
one transaction with its audit event, as in services.py; recording or removing a transfer moves
the case's version on, so a form loaded before it is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from portal import audit
from portal.ehcp import phase_transfer
from portal.ehcp.models import Case, PhaseTransfer
from portal.ehcp.services import CaseProblem, _check_version, _commit, use_case
from portal.extensions import db
from portal.models import User


@use_case
def record_phase_transfer(
    case: Case, actor: User, moves_on: date, to_post_16: bool, today: date, expected_version: int | None = None
) -> PhaseTransfer:
    """Record that the child moves to the next phase on `moves_on`, with the day the plan must be
    amended by. Only for a case with a plan, a move no more than 3 years ahead and not before the
    plan, and one transfer a move date."""
    if expected_version is not None:
        _check_version(case, expected_version)
    if case.stage not in phase_transfer.WITH_A_PLAN:
        raise CaseProblem("A phase transfer can only be recorded for a case with a plan", "moves_on")
    problem = phase_transfer.moves_on_problem(moves_on, case.first_final_plan_on or case.final_plan_on, today)
    if problem:
        raise CaseProblem(problem, "moves_on")
    already = db.session.scalar(
        select(func.count()).select_from(PhaseTransfer)
        .where(PhaseTransfer.case_id == case.id, PhaseTransfer.moves_on == moves_on)
    )
    if already:
        raise CaseProblem(f"A phase transfer on {moves_on:%-d %B %Y} is already recorded for this case", "moves_on")
    recorded_at = datetime.now(UTC)
    transfer = PhaseTransfer(
        case_id=case.id,
        moves_on=moves_on,
        to_post_16=to_post_16,
        amend_by=phase_transfer.amend_by(moves_on, to_post_16),
        recorded_by_id=actor.id,
        recorded_at=recorded_at,
    )
    db.session.add(transfer)
    case.updated_at = recorded_at  # moves the case's version on, so older forms are refused
    audit.record("phase-transfer-recorded", actor=actor, target=f"case:{case.id}", detail=f"moves on {moves_on}")
    _commit(case)
    return transfer


@use_case
def remove_phase_transfer(case: Case, actor: User, transfer: PhaseTransfer, expected_version: int) -> None:
    """Remove a transfer recorded by mistake (not one whose plan has been amended: that is history)."""
    _check_version(case, expected_version)
    if transfer.case_id != case.id:
        raise CaseProblem("That phase transfer is not on this case")
    if transfer.amended_on is not None:
        raise CaseProblem("A phase transfer whose plan has been amended cannot be removed")
    moves_on = transfer.moves_on
    db.session.delete(transfer)
    case.updated_at = datetime.now(UTC)
    audit.record("phase-transfer-removed", actor=actor, target=f"case:{case.id}", detail=f"moves on {moves_on}")
    _commit(case)


def case_transfers(case_id: int) -> list[PhaseTransfer]:
    """A case's transfers, soonest move first."""
    return list(
        db.session.scalars(
            select(PhaseTransfer)
            .where(PhaseTransfer.case_id == case_id)
            .order_by(PhaseTransfer.moves_on, PhaseTransfer.id)
        )
    )
