"""Use cases on a case. Each is one transaction: the change, its audit event and any
notification to the family are committed together, or not at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import wraps
from typing import ParamSpec, TypeVar

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from portal import audit
from portal.ehcp import milestones, timeline
from portal.ehcp.family_emails import notify_family_of_stage_change
from portal.ehcp.models import AdviceProvider, AdviceRequest, Case, CaseNote, StageChange, TimelineException
from portal.ehcp.stages import Stage
from portal.ehcp.transfer_amendment import plan_amended
from portal.extensions import db
from portal.models import User


class CaseProblem(ValueError):
    """A change refused for a reason the caseworker can fix; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class StaleCase(Exception):
    """Someone else saved the case after this form was loaded. Nothing was saved."""

    def __init__(self, case: Case, last_change: StageChange | None):
        super().__init__("The case has changed since you opened it")
        self.case = case
        self.last_change = last_change


P = ParamSpec("P")
R = TypeVar("R")


def use_case(function: Callable[P, R]) -> Callable[P, R]:
    """One use case, one transaction: if anything unexpected fails (the outbox insert, say),
    roll back so that nothing it added to the session is saved later by someone else's commit.
    CaseProblem and StaleCase are raised before anything changes (or after a rollback). A
    versioned UPDATE that finds the case already changed is StaleCase wherever the session
    flushes it (an autoflush before the commit, too), not a bare StaleDataError."""

    @wraps(function)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except (CaseProblem, StaleCase):
            raise
        except StaleDataError:
            db.session.rollback()
            case = next((arg for arg in args if isinstance(arg, Case)), None)
            if case is None:
                raise
            db.session.refresh(case)
            raise StaleCase(case, last_change(case)) from None
        except Exception:
            db.session.rollback()
            raise

    return wrapped


def refresh(case: Case) -> None:
    """Keep the stored next deadline and closed flag in step with the case's dates."""
    case.next_deadline_on = milestones.council_deadline(case.dates)
    case.closed = case.stage.is_closed


def last_change(case: Case) -> StageChange | None:
    return db.session.scalar(
        select(StageChange)
        .where(StageChange.case_id == case.id)
        .order_by(StageChange.created_at.desc(), StageChange.id.desc())
        .limit(1)
    )


def _check_version(case: Case, expected_version: int) -> None:
    if case.version != expected_version:
        raise StaleCase(case, last_change(case))


def _commit(case: Case) -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        db.session.refresh(case)
        raise StaleCase(case, last_change(case)) from None


def open_case(
    child_id: int,
    team_id: int,
    request_received_on: date,
    actor: User | None,
    caseworker: User | None = None,
    is_reassessment: bool = False,
) -> Case:
    case = Case(
        reference="pending",
        child_id=child_id,
        team_id=team_id,
        caseworker=caseworker,
        is_reassessment=is_reassessment,
        request_received_on=request_received_on,
        stage=Stage.REQUEST_RECEIVED,
        stage_since=request_received_on,
    )
    refresh(case)
    opened_at = datetime.now(UTC)
    case.created_at = case.updated_at = opened_at
    db.session.add(case)
    db.session.flush()
    case.reference = f"EHC-{request_received_on.year}-{case.id:05d}"
    db.session.add(
        StageChange(case_id=case.id, from_stage=None, to_stage=Stage.REQUEST_RECEIVED,
                    effective_on=request_received_on, changed_by=actor, created_at=opened_at)
    )
    audit.record("case-opened", actor=actor, target=f"case:{case.id}")
    return case


@dataclass(frozen=True)
class StageUpdate:
    """A stage change as the caseworker gives it: the new stage and its date, the notes, and the
    expected date of the next step with the reason for any delay. These become the case's expected
    date and reason (None removes them); a closed case has neither."""

    to_stage: Stage
    effective_on: date
    family_note: str | None = None
    staff_note: str | None = None
    expected_on: date | None = None
    delay_reason: str | None = None


@use_case
def change_stage(case: Case, actor: User, update: StageUpdate, expected_version: int, today: date) -> StageChange:
    """Move a case to its next stage, set the expected date and reason for the next step, and
    tell the family, in one transaction. Everything is checked before anything changes."""
    _check_version(case, expected_version)
    if not case.stage.can_move_to(update.to_stage):
        raise CaseProblem(
            f"A case at ‘{case.stage.label}’ cannot move to ‘{update.to_stage.label}’. Choose one of the stages shown",
            "to_stage",
        )
    if update.effective_on > today:
        raise CaseProblem("The date of the change must be today or in the past", "effective_on")
    if update.effective_on < case.stage_since:
        raise CaseProblem(
            f"The date of the change must be on or after {case.stage_since:%-d %B %Y}, the date of the last change",
            "effective_on",
        )
    moved = _stage_fields(case, update.to_stage, update.effective_on)
    if update.to_stage.is_closed:
        expected_on, delay_reason = None, None
    else:
        now = case.dates
        dates = replace(now, **{name: value for name, value in moved.items() if hasattr(now, name)})
        expected_on, delay_reason = _expected(
            update.expected_on, update.delay_reason, milestones.council_deadline(dates), today
        )
    # The change and the case carry the same time: the family dashboard reads a case's changes
    # only when the case has changed since their last visit (portal/family/updates.py).
    changed_at = datetime.now(UTC)
    change = StageChange(
        case_id=case.id,
        from_stage=case.stage,
        to_stage=update.to_stage,
        effective_on=update.effective_on,
        changed_by=actor,
        family_note=update.family_note or None,
        staff_note=update.staff_note or None,
        created_at=changed_at,
    )
    if case.stage is Stage.ANNUAL_REVIEW:  # the review ends: keep its dates for the governance report
        change.review_meeting_on, change.amendments_proposed_on = case.review_meeting_on, case.amendments_proposed_on
    if case.stage is Stage.ANNUAL_REVIEW and update.to_stage is Stage.FINAL_PLAN and case.amendments_proposed_on:
        plan_amended(case, update.effective_on)  # the amended plan is issued: for the phase transfers too
    db.session.add(change)
    case.updated_at = changed_at
    for name, value in moved.items():
        setattr(case, name, value)
    case.expected_on, case.delay_reason = expected_on, delay_reason
    refresh(case)
    audit.record("stage-changed", actor=actor, target=f"case:{case.id}")
    notify_family_of_stage_change(case, today)
    _commit(case)
    return change


def _stage_fields(case: Case, stage: Stage, effective_on: date) -> dict[str, object]:
    """The case's fields after a move to `stage` on `effective_on`."""
    fields: dict[str, object] = {"stage": stage, "stage_since": effective_on}
    if stage is Stage.DRAFT_PLAN:
        fields["draft_served_on"] = effective_on
    elif stage is Stage.FINAL_PLAN:
        fields["final_plan_on"] = effective_on
        fields["first_final_plan_on"] = case.first_final_plan_on or effective_on
    elif stage is Stage.ANNUAL_REVIEW:
        fields["review_meeting_on"] = None
        fields["amendments_proposed_on"] = None
    return fields


def _expected(
    expected_on: date | None, delay_reason: str | None, legal_due: date | None, today: date | None
) -> tuple[date | None, str | None]:
    """The expected date and reason to save, or CaseProblem. The date cannot be in the past; one
    after the legal deadline needs a reason (the family sees it), which is kept only then."""
    if expected_on is not None and today is not None and expected_on < today:
        raise CaseProblem("The expected date must be today or in the future", "expected_on")
    problem = milestones.expected_date_problem(expected_on, delay_reason, legal_due)
    if problem:
        raise CaseProblem(problem, "delay_reason")
    late = expected_on is not None and legal_due is not None and expected_on > legal_due
    return expected_on, ((delay_reason or "").strip() or None if late else None)


@use_case
def set_expected_date(
    case: Case,
    actor: User,
    expected_on: date | None,
    delay_reason: str | None,
    expected_version: int,
    today: date | None = None,
) -> None:
    """Set (or, with None, remove) the expected date of the next step and the reason for any
    delay. With `today`, a date before it is refused (without, as when setting up past cases,
    it is not checked)."""
    _check_version(case, expected_version)
    case.expected_on, case.delay_reason = _expected(expected_on, delay_reason, case.next_deadline_on, today)
    audit.record("expected-date-set", actor=actor, target=f"case:{case.id}")
    _commit(case)


@use_case
def set_review_dates(
    case: Case, actor: User, meeting_on: date | None, amendments_on: date | None, expected_version: int, today: date
) -> None:
    _check_version(case, expected_version)
    if case.stage is not Stage.ANNUAL_REVIEW:
        raise CaseProblem("Review dates can only be recorded during an annual review", "review_meeting_on")
    if amendments_on is not None and (meeting_on is None or amendments_on < meeting_on):
        raise CaseProblem("The amendments must be proposed on or after the review meeting", "amendments_proposed_on")
    if amendments_on is not None and amendments_on > today:
        raise CaseProblem("The date amendments were proposed must be today or in the past", "amendments_proposed_on")
    case.review_meeting_on = meeting_on
    case.amendments_proposed_on = amendments_on
    refresh(case)
    audit.record("review-dates-set", actor=actor, target=f"case:{case.id}")
    _commit(case)


@use_case
def record_exception(
    case: Case,
    actor: User,
    kind: timeline.ExceptionType,
    reason: str,
    applies_from: date,
    today: date,
    expected_version: int,
    staff_note: str | None = None,
) -> TimelineException:
    """Record an exception. `reason` is the explanation the family reads; `staff_note` never
    reaches them."""
    _check_version(case, expected_version)
    if applies_from > today:
        raise CaseProblem("The date must be today or in the past", "applies_from")
    if applies_from < case.request_received_on:
        raise CaseProblem("The date must be on or after the date the request was received", "applies_from")
    recorded_at = datetime.now(UTC)
    exception = TimelineException(
        case_id=case.id,
        type=kind,
        reason=reason.strip(),
        staff_note=(staff_note or "").strip() or None,
        applies_from=applies_from,
        recorded_by=actor,
        recorded_at=recorded_at,
    )
    db.session.add(exception)
    case.has_exception = True
    case.updated_at = recorded_at  # the same time as the exception (portal/family/updates.py)
    audit.record("exception-recorded", actor=actor, target=f"case:{case.id}")
    _commit(case)
    return exception


@use_case
def request_advice(case: Case, actor: User, provider: AdviceProvider, requested_on: date, today: date) -> AdviceRequest:
    if requested_on > today:
        raise CaseProblem("The date advice was asked for must be today or in the past", "requested_on")
    if requested_on < case.request_received_on:
        raise CaseProblem("The date must be on or after the date the request was received", "requested_on")
    advice = AdviceRequest(
        case_id=case.id, provider=provider, requested_on=requested_on, due_on=timeline.advice_due(requested_on)
    )
    db.session.add(advice)
    audit.record("advice-requested", actor=actor, target=f"case:{case.id}")
    db.session.commit()
    return advice


@use_case
def advice_received(
    case: Case, advice: AdviceRequest, actor: User, received_on: date, today: date, expected_version: int
) -> None:
    """Mark advice as received. Refused, with nothing saved, if the case changed since the form was
    loaded (someone else may have marked it already)."""
    _check_version(case, expected_version)
    if advice.received_on is not None:
        raise StaleCase(case, last_change(case))
    if received_on > today:
        raise CaseProblem("The date advice was received must be today or in the past", "received_on")
    if received_on < advice.requested_on:
        raise CaseProblem("The date advice was received must be on or after the date it was asked for", "received_on")
    advice.received_on = received_on
    case.updated_at = datetime.now(UTC)  # moves the case's version on, so older forms are refused
    audit.record("advice-received", actor=actor, target=f"case:{advice.case_id}")
    _commit(case)


@use_case
def add_note(case: Case, actor: User, text: str) -> CaseNote:
    note = CaseNote(case_id=case.id, author=actor, text=text.strip())
    db.session.add(note)
    audit.record("staff-note-added", actor=actor, target=f"case:{case.id}")
    db.session.commit()
    return note


@use_case
def reassign(case: Case, actor: User, caseworker: User | None, expected_version: int) -> None:
    _check_version(case, expected_version)
    if caseworker is not None and caseworker.team_id != case.team_id:
        raise CaseProblem("Choose a caseworker in this case’s team", "caseworker")
    case.caseworker = caseworker
    audit.record("case-reassigned", actor=actor, target=f"case:{case.id}")
    _commit(case)
