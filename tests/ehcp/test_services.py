"""The use cases on a case, called directly: each is one transaction (the change, its audit event
and any emails together, or nothing), refuses what it should with a CaseProblem naming the field,
and turns a change someone else saved first into StaleCase."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from portal.ehcp import family_emails, services
from portal.ehcp.models import AdviceProvider, Case, StageChange, TimelineException
from portal.ehcp.services import CaseProblem, StageUpdate, StaleCase
from portal.ehcp.stages import Stage
from portal.ehcp.timeline import ExceptionType
from portal.extensions import db
from portal.models import AuditEvent, Relationship, Role, User
from portal.outbox import OutboxEmail
from tests.helpers import Factory

TODAY = date.today()


@pytest.fixture
def request_context(app: Flask) -> Iterator[None]:
    """change_stage builds the link in the family's email with url_for."""
    with app.test_request_context():
        yield


@pytest.fixture
def caseworker(make: Factory) -> User:
    return make.user(Role.CASEWORKER, name="Casey Worker")


@pytest.fixture
def case(make: Factory, caseworker: User) -> Case:
    parent = make.user(Role.FAMILY, email="parent@example.org")
    carer = make.user(Role.FAMILY, email="carer@example.org")
    gone = make.user(Role.FAMILY, email="gone@example.org", active=False)
    child = make.child(team=caseworker.team, family=[parent, carer, gone], first_name="Ourchild")
    return make.case(child=child, caseworker=caseworker, request_received_on=TODAY - timedelta(weeks=3))


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def stored(case: Case) -> tuple:
    """The case as the database has it, not as this session last saw it."""
    db.session.expire_all()
    row = db.session.execute(
        select(Case.version, Case.stage, Case.stage_since, Case.expected_on, Case.caseworker_id).where(
            Case.id == case.id
        )
    ).one()
    return tuple(row)


def to_deciding(on: date = TODAY, **notes) -> StageUpdate:
    return StageUpdate(Stage.DECIDING_TO_ASSESS, on, **notes)


# --- change_stage -------------------------------------------------------------------------------


def test_change_stage_saves_the_change_the_case_the_audit_and_one_email_per_active_family_member(
    request_context: None, case: Case, caseworker: User
) -> None:
    version = case.version
    change = services.change_stage(
        case, caseworker, to_deciding(family_note="For you", staff_note="For us"), version, TODAY
    )
    db.session.expire_all()
    assert (change.from_stage, change.to_stage, change.effective_on) == (
        Stage.REQUEST_RECEIVED, Stage.DECIDING_TO_ASSESS, TODAY
    )
    assert (change.family_note, change.staff_note, change.changed_by_id) == ("For you", "For us", caseworker.id)
    assert stored(case)[:3] == (version + 1, Stage.DECIDING_TO_ASSESS, TODAY)
    assert count(AuditEvent, AuditEvent.action == "stage-changed", AuditEvent.target == f"case:{case.id}") == 1
    emails = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.to_email)).all()
    assert [email.to_email for email in emails] == ["carer@example.org", "parent@example.org"]
    for email in emails:
        assert email.template == "stage_changed"
        assert set(email.context) == {
            "child_first_name", "young_person", "stage", "link", "feedback_link", "meaning", "family_date",
            "council_duty",
        }
        assert email.context["young_person"] is False  # a parent and a carer: "Ourchild’s", not "Your"
        assert email.context["link"] == f"http://localhost/family/cases/{case.id}"
        assert "For you" not in repr(email.context) and case.child.last_name not in email.subject


def test_a_young_persons_own_email_says_your(request_context: None, make: Factory, caseworker: User) -> None:
    young_person = make.user(Role.FAMILY, email="young.person@example.org")
    child = make.child(team=caseworker.team, family=[young_person], relationship=Relationship.YOUNG_PERSON)
    case = make.case(child=child)
    services.change_stage(case, caseworker, to_deciding(), case.version, TODAY)
    (email,) = db.session.scalars(select(OutboxEmail)).all()
    assert email.subject == "Your EHC needs assessment or plan has moved to a new stage"
    assert email.context["young_person"] is True


def test_change_stage_keeps_the_deadline_and_closed_flag_in_step(
    request_context: None, case: Case, caseworker: User
) -> None:
    services.change_stage(case, caseworker, StageUpdate(Stage.WITHDRAWN, TODAY), case.version, TODAY)
    db.session.refresh(case)
    assert case.closed
    assert case.next_deadline_on is None


def test_a_failure_after_the_change_was_added_leaves_nothing_behind(
    request_context: None, case: Case, caseworker: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(family_emails, "queue_email", broken)
    before = stored(case), count(StageChange), count(AuditEvent)
    with pytest.raises(RuntimeError):
        services.change_stage(case, caseworker, to_deciding(), case.version, TODAY)
    # Rolled back: nothing is left in the session for the next commit to save by accident.
    assert not db.session.new and not db.session.dirty
    db.session.commit()
    assert (stored(case), count(StageChange), count(AuditEvent)) == before
    assert count(OutboxEmail) == 0


@pytest.mark.parametrize(
    ("update", "field", "message"),
    [
        (StageUpdate(Stage.FINAL_PLAN, TODAY), "to_stage",
         "A case at ‘Request received’ cannot move to ‘Final plan issued’. Choose one of the stages shown"),
        (to_deciding(TODAY + timedelta(days=1)), "effective_on", "The date of the change must be today or in the past"),
        (to_deciding(TODAY - timedelta(weeks=4)), "effective_on", "The date of the change must be on or after"),
    ],
)
def test_change_stage_refuses(
    request_context: None, case: Case, caseworker: User, update: StageUpdate, field: str, message: str
) -> None:
    before = stored(case), count(StageChange)
    with pytest.raises(CaseProblem) as refused:
        services.change_stage(case, caseworker, update, case.version, TODAY)
    assert refused.value.field == field
    assert str(refused.value).startswith(message)
    assert (stored(case), count(StageChange)) == before
    assert count(OutboxEmail) == 0


def test_an_old_version_is_stale_and_names_the_last_change(
    request_context: None, case: Case, caseworker: User, make: Factory
) -> None:
    services.change_stage(case, caseworker, to_deciding(), case.version, TODAY)
    before = stored(case), count(StageChange)
    with pytest.raises(StaleCase) as stale:
        services.change_stage(case, caseworker, StageUpdate(Stage.ASSESSING, TODAY), case.version - 1, TODAY)
    assert stale.value.last_change.to_stage is Stage.DECIDING_TO_ASSESS
    assert stale.value.last_change.changed_by_id == caseworker.id
    assert (stored(case), count(StageChange)) == before


def test_a_change_saved_by_someone_else_after_loading_is_stale_not_an_error(
    request_context: None, case: Case, caseworker: User
) -> None:
    """The version matched when checked, but another request saved the case before this one
    committed: the versioned UPDATE finds nothing, and that is StaleCase with nothing saved."""
    version = case.version
    with db.engine.begin() as other:
        other.execute(update(Case).where(Case.id == case.id).values(version=Case.version + 1, expected_on=TODAY))
    before = count(StageChange), count(AuditEvent)
    with pytest.raises(StaleCase) as stale:
        services.change_stage(case, caseworker, to_deciding(), version, TODAY)
    assert stale.value.case.version == version + 1
    assert (count(StageChange), count(AuditEvent), count(OutboxEmail)) == (*before, 0)
    assert stored(case)[:2] == (version + 1, Stage.REQUEST_RECEIVED)


# --- Expected date and review dates --------------------------------------------------------------


def test_an_expected_date_after_the_legal_date_needs_a_reason(case: Case, caseworker: User) -> None:
    late = case.next_deadline_on + timedelta(days=1)
    with pytest.raises(CaseProblem) as refused:
        services.set_expected_date(case, caseworker, late, "  ", case.version)
    assert refused.value.field == "delay_reason"
    assert stored(case)[3] is None
    services.set_expected_date(case, caseworker, late, " Panel moved ", case.version)
    db.session.refresh(case)
    assert (case.expected_on, case.delay_reason) == (late, "Panel moved")
    # On time again: the reason no longer applies.
    services.set_expected_date(case, caseworker, case.next_deadline_on, "Panel moved", case.version)
    db.session.refresh(case)
    assert case.delay_reason is None


def test_review_dates_only_in_an_annual_review(case: Case, caseworker: User) -> None:
    with pytest.raises(CaseProblem) as refused:
        services.set_review_dates(case, caseworker, TODAY, None, case.version, TODAY)
    assert refused.value.field == "review_meeting_on"


def test_review_dates_set_the_next_deadline(case: Case, caseworker: User) -> None:
    case.stage, case.final_plan_on = Stage.ANNUAL_REVIEW, TODAY - timedelta(days=365)
    services.refresh(case)
    db.session.commit()
    meeting = TODAY - timedelta(days=7)
    services.set_review_dates(case, caseworker, meeting, None, case.version, TODAY)
    db.session.refresh(case)
    assert case.next_deadline_on == meeting + timedelta(weeks=4)
    services.set_review_dates(case, caseworker, meeting, TODAY, case.version, TODAY)
    db.session.refresh(case)
    assert case.next_deadline_on == min(TODAY + timedelta(weeks=8), meeting + timedelta(weeks=12))


# --- Exceptions, advice, notes, assigning -----------------------------------------------------------


def test_record_exception(case: Case, caseworker: User) -> None:
    with pytest.raises(CaseProblem) as refused:
        services.record_exception(
            case, caseworker, ExceptionType.AWAY_FROM_AREA, "Away", TODAY + timedelta(1), TODAY, case.version
        )
    assert refused.value.field == "applies_from"
    assert count(TimelineException) == 0
    services.record_exception(
        case, caseworker, ExceptionType.AWAY_FROM_AREA, "  Away  ", TODAY, TODAY, case.version, "  Staff only  "
    )
    db.session.refresh(case)
    assert case.has_exception
    assert db.session.execute(select(TimelineException.reason, TimelineException.staff_note)).one() == (
        "Away", "Staff only"
    )


def test_advice_is_due_in_6_weeks_and_received_after_it_was_asked_for(case: Case, caseworker: User) -> None:
    asked = case.request_received_on
    advice = services.request_advice(case, caseworker, AdviceProvider.HEALTH, asked, TODAY)
    assert advice.due_on == asked + timedelta(weeks=6)
    with pytest.raises(CaseProblem) as refused:
        services.advice_received(case, advice, caseworker, asked - timedelta(days=1), TODAY, case.version)
    assert refused.value.field == "received_on"
    services.advice_received(case, advice, caseworker, TODAY, TODAY, case.version)
    db.session.refresh(advice)
    assert advice.received_on == TODAY


def test_request_advice_refuses_dates_before_the_request(case: Case, caseworker: User) -> None:
    with pytest.raises(CaseProblem) as refused:
        services.request_advice(case, caseworker, AdviceProvider.HEALTH, case.request_received_on - timedelta(1), TODAY)
    assert refused.value.field == "requested_on"


def test_add_note(case: Case, caseworker: User) -> None:
    note = services.add_note(case, caseworker, "  Rang the school  ")
    assert note.text == "Rang the school"
    assert count(AuditEvent, AuditEvent.action == "staff-note-added") == 1


def test_reassign_only_within_the_team(case: Case, caseworker: User, make: Factory) -> None:
    manager = make.user(Role.MANAGER, team=caseworker.team)
    outsider = make.user(Role.CASEWORKER)
    with pytest.raises(CaseProblem) as refused:
        services.reassign(case, manager, outsider, case.version)
    assert refused.value.field == "caseworker"
    assert stored(case)[4] == caseworker.id
    services.reassign(case, manager, manager, case.version)
    assert stored(case)[4] == manager.id
    services.reassign(case, manager, None, case.version)
    assert stored(case)[4] is None
    with pytest.raises(StaleCase):
        services.reassign(case, manager, caseworker, case.version - 1)
