"""The demo cases loaded by `flask seed-demo`: every stage, dates relative to today, idempotent."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from portal import demo, demo_conversations, demo_governance
from portal.conversations import reply_by, wording
from portal.conversations.models import (
    Attachment,
    Conversation,
    ConversationRead,
    ConversationStatus,
    Message,
    StaffAbsence,
)
from portal.ehcp import milestones, timeline
from portal.ehcp.models import AdviceRequest, Case, CaseNote, PhaseTransfer, StageChange, TimelineException
from portal.ehcp.stages import Stage
from portal.ehcp.timeline import ExceptionType
from portal.extensions import db
from portal.feedback.models import FeedbackInvitation
from portal.models import AuditEvent, Child, FamilyLink, Relationship, Role, Team, User
from portal.outbox import OutboxEmail, OutboxStatus
from tests.helpers import get_page, sign_in_fast

CASE_MODELS = (Case, StageChange, AdviceRequest, TimelineException, CaseNote)
CONVERSATION_MODELS = (Conversation, Message, StaffAbsence)
ALL_MODELS = (*CASE_MODELS, User, Team, Child, FamilyLink, *CONVERSATION_MODELS)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _counts() -> dict[str, int]:
    return {model.__name__: _count(model) for model in ALL_MODELS}


def _cases() -> list[Case]:
    return list(db.session.scalars(select(Case).order_by(Case.id)))


def _demo_cases() -> list[Case]:
    """The cases of demo.CHILDREN, not the governance history's (demo_governance.py)."""
    return list(db.session.scalars(
        select(Case).join(Child, Child.id == Case.child_id).where(~demo_governance.history_child()).order_by(Case.id)
    ))


def _demo_emails() -> list[OutboxEmail]:
    """The outbox, but for the governance history's emails (all final: nothing for the worker)."""
    return list(db.session.scalars(
        select(OutboxEmail).where(~OutboxEmail.event_key.startswith(demo_governance.EMAIL_KEY)).order_by(OutboxEmail.id)
    ))


def _open_cases() -> list[Case]:
    return [case for case in _cases() if not case.closed]


def _history() -> dict[int, list[StageChange]]:
    changes = db.session.scalars(select(StageChange).order_by(StageChange.effective_on, StageChange.id))
    by_case: dict[int, list[StageChange]] = defaultdict(list)
    for change in changes:
        by_case[change.case_id].append(change)
    return by_case


def _child(first_name: str) -> Child:
    return db.session.scalar(select(Child).where(Child.first_name == first_name))


def _cases_of(child: Child) -> list[Case]:
    return list(db.session.scalars(select(Case).where(Case.child_id == child.id).order_by(Case.id)))


@pytest.fixture
def today(app) -> date:
    demo.seed()
    return date.today()


def test_seeding_again_adds_nothing_even_on_a_later_day(app):
    today = date.today()
    demo.seed(today)
    counts = _counts()
    assert counts["Case"] >= 28
    dates = [(case.id, case.request_received_on, case.stage, case.next_deadline_on) for case in _cases()]
    demo.seed(today)
    assert _counts() == counts
    demo.seed(today + timedelta(days=45))
    assert _counts() == counts
    assert [(case.id, case.request_received_on, case.stage, case.next_deadline_on) for case in _cases()] == dates


def test_seeding_keeps_a_demo_family_that_already_exists(app):
    """A database seeded before the demo had cases gets the cases added to the same children."""
    demo.seed()
    for model in (ConversationRead, Attachment, Message, Conversation, OutboxEmail, StageChange, AdviceRequest,
                  TimelineException, CaseNote, FeedbackInvitation, PhaseTransfer, Case):
        db.session.execute(model.__table__.delete())
    db.session.commit()
    children = _count(Child)
    demo.seed()
    assert _count(Child) == children
    assert _count(Case) == sum(len(spec.cases) for spec in demo.CHILDREN)


def test_every_stage_has_a_case(today):
    stages = {case.stage for case in _cases()}
    assert stages == set(Stage)
    assert demo.case_summary() == f"{len(_demo_cases())} demo cases across {len(Stage)} stages."


def test_some_council_deadlines_are_late_and_some_due_within_two_weeks(today):
    open_cases = _open_cases()
    late = [case for case in open_cases if case.next_deadline_on < today]
    due_soon = [case for case in open_cases if today <= case.next_deadline_on <= today + timedelta(days=14)]
    on_time = [case for case in open_cases if case.next_deadline_on > today + timedelta(days=14)]
    assert len(late) >= 3
    assert len(due_soon) >= 2
    assert on_time
    received_two_weeks_ago = [
        case for case in open_cases
        if case.stage is Stage.DECIDING_TO_ASSESS and case.next_deadline_on > today
    ]
    nine_weeks_and_still_deciding = [
        case for case in late
        if case.stage is Stage.DECIDING_TO_ASSESS and case.request_received_on <= today - timedelta(weeks=9)
    ]
    assert received_two_weeks_ago
    assert nine_weeks_and_still_deciding


def test_stored_deadline_and_closed_flag_follow_the_timeline(today):
    for case in _cases():
        assert case.next_deadline_on == milestones.council_deadline(case.dates), case.reference
        assert case.closed is case.stage.is_closed, case.reference
        if case.closed:
            assert case.next_deadline_on is None


def test_exceptions_of_every_type_with_reasons(today):
    exceptions = list(db.session.scalars(select(TimelineException)))
    assert {exception.type for exception in exceptions} == set(ExceptionType)
    excepted_cases = {exception.case_id for exception in exceptions}
    assert len(excepted_cases) >= 2
    for case in _cases():
        assert case.has_exception is (case.id in excepted_cases), case.reference
    for exception in exceptions:
        case = db.session.get(Case, exception.case_id)
        assert exception.reason.strip()
        assert case.request_received_on <= exception.applies_from <= today
        assert exception.recorded_by.is_staff


def test_expected_dates_past_the_deadline_have_a_reason_for_the_family(today):
    cases = _cases()
    past_deadline = [
        case for case in cases
        if case.expected_on and case.next_deadline_on and case.expected_on > case.next_deadline_on
    ]
    assert past_deadline
    for case in past_deadline:
        assert case.delay_reason and case.delay_reason.strip()
        assert "Staff only" not in case.delay_reason
    for case in cases:
        assert milestones.expected_date_problem(case.expected_on, case.delay_reason, case.next_deadline_on) is None
        if case.delay_reason:
            assert case in past_deadline
    assert any(case.expected_on is not None and case not in past_deadline for case in cases)


def test_advice_received_outstanding_and_late(today):
    advice = list(db.session.scalars(select(AdviceRequest)))
    assert any(a.received_on is not None for a in advice)
    assert any(a.received_on is None and a.due_on >= today for a in advice)
    assert any(a.received_on is None and a.due_on < today for a in advice)
    assert any(a.received_on is not None and a.received_on > a.due_on for a in advice)
    for a in advice:
        case = db.session.get(Case, a.case_id)
        assert a.due_on == timeline.advice_due(a.requested_on)
        assert case.request_received_on <= a.requested_on <= today
        assert a.received_on is None or a.requested_on <= a.received_on <= today


def test_every_history_walks_allowed_steps_from_the_request_to_the_current_stage(today):
    history = _history()
    for case in _cases():
        changes = history[case.id]
        first, last = changes[0], changes[-1]
        assert first.from_stage is None
        assert first.to_stage is Stage.REQUEST_RECEIVED
        assert first.effective_on == case.request_received_on
        assert last.to_stage is case.stage, case.reference
        assert last.effective_on == case.stage_since, case.reference
        for before, after in pairwise(changes):
            assert after.from_stage is before.to_stage, case.reference
            assert before.to_stage.can_move_to(after.to_stage), case.reference
            assert before.effective_on <= after.effective_on <= today, case.reference
        for change in changes:
            assert change.changed_by is not None and change.changed_by.is_staff
            assert change.changed_by.team_id == case.team_id
        drafts = [c.effective_on for c in changes if c.to_stage is Stage.DRAFT_PLAN]
        plans = [c.effective_on for c in changes if c.to_stage is Stage.FINAL_PLAN]
        assert case.draft_served_on == (drafts[-1] if drafts else None), case.reference
        assert case.final_plan_on == (plans[-1] if plans else None), case.reference
        assert case.first_final_plan_on == (plans[0] if plans else None), case.reference


def test_notes_for_families_and_notes_that_are_clearly_staff_only(today):
    changes = list(db.session.scalars(select(StageChange)))
    family_notes = [c.family_note for c in changes if c.family_note]
    staff_notes = [c.staff_note for c in changes if c.staff_note]
    case_notes = [note.text for note in db.session.scalars(select(CaseNote))]
    assert len(family_notes) >= 5
    assert staff_notes
    assert len(case_notes) >= 3
    for text in staff_notes + case_notes:
        assert text.startswith("Staff only: "), text
    for text in family_notes:
        assert "Staff only" not in text
    for note in db.session.scalars(select(CaseNote)):
        assert note.author.is_staff


def test_a_draft_plan_open_for_comments_and_an_annual_review_with_amendments(today):
    cases = _cases()
    assert any(
        case.stage is Stage.DRAFT_PLAN and timeline.draft_comments_due(case.draft_served_on) >= today
        for case in cases
    )
    reviews = [case for case in cases if case.stage is Stage.ANNUAL_REVIEW]
    assert any(case.review_meeting_on and case.amendments_proposed_on for case in reviews)
    assert any(case.review_meeting_on and not case.amendments_proposed_on for case in reviews)
    for case in reviews:
        if case.amendments_proposed_on:
            assert case.review_meeting_on <= case.amendments_proposed_on <= today


def test_a_reassessment_for_a_child_whose_earlier_case_is_closed(today):
    reassessments = [case for case in _cases() if case.is_reassessment]
    assert reassessments
    for case in reassessments:
        earlier = [other for other in _cases_of(case.child) if other.id != case.id]
        assert earlier
        assert all(other.closed and other.request_received_on < case.request_received_on for other in earlier)
        assert case.next_deadline_on == timeline.reassessment_final_plan_due(case.request_received_on)


def test_cases_assigned_in_both_teams_and_some_unassigned(today):
    cases = _cases()
    assigned = {case.caseworker.email for case in cases if case.caseworker}
    assert {demo.CASEWORKER_NORTH, demo.CASEWORKER_SOUTH, demo.MANAGER_NORTH} <= assigned
    assert any(case.caseworker is None and not case.closed for case in cases)
    assert {case.team.name for case in cases} == set(demo.TEAMS)
    for case in cases:
        assert case.team_id == case.child.team_id
        if case.caseworker:
            assert case.caseworker.team_id == case.team_id
            assert case.caseworker.role in (Role.CASEWORKER, Role.MANAGER)


def test_the_demo_families_keep_their_children_and_have_cases(today):
    parent = db.session.scalar(select(User).where(User.email == "parent.two.children@example.org"))
    assert len(parent.child_links) == 2
    for link in parent.child_links:
        assert _cases_of(link.child)
    cleo = _child("Cleo")
    assert {link.user.email for link in cleo.family_links} == {"carer.one@example.org", "carer.two@example.org"}
    assert len(_cases_of(cleo)) == 1
    young_person = db.session.scalar(select(User).where(User.email == "young.person@example.org"))
    [link] = young_person.child_links
    assert link.relationship_to_child is Relationship.YOUNG_PERSON
    assert _cases_of(link.child)[-1].stage in (Stage.FINAL_PLAN, Stage.ANNUAL_REVIEW)


def test_the_demo_young_person_sees_the_councils_duty_for_their_move_to_college(today, client):
    """A phase transfer still to come, on a case a demo family signs in to: every new user can see one."""
    young_person = db.session.scalar(select(User).where(User.email == "young.person@example.org"))
    case = _cases_of(young_person.child_links[0].child)[-1]
    sign_in_fast(client, young_person)
    text = " ".join(get_page(client, f"/family/cases/{case.id}").text.split())
    amend_by = date(today.year if today < date(today.year, 3, 31) else today.year + 1, 3, 31)
    assert f"You move to college or training on 1 September {amend_by.year}." in text
    assert ("The council must issue your amended EHC plan, naming the college or training provider, "
            f"by 31 March {amend_by.year}.") in text


def test_children_are_synthetic_and_aged_2_to_24(today):
    children = list(db.session.scalars(select(Child)))
    history = db.session.scalar(select(func.count()).select_from(Child).where(demo_governance.history_child()))
    assert len(children) == len(demo.CHILDREN) + history
    assert len({child.last_name for child in children}) >= 20
    for child in children:
        born = child.date_of_birth
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        assert 2 <= age <= 24, child.first_name
        assert all(born < case.request_received_on for case in _cases_of(child))
    with_family = {link.child_id for link in db.session.scalars(select(FamilyLink))}
    assert len(with_family) < len(children) // 2


def test_seeding_queues_one_email_and_uses_only_example_org_addresses(today):
    # The two emails of a past stage change, both final, and the team's request to link Cleo,
    # waiting for the worker (make run delivers it to instance/mail/).
    emails = _demo_emails()
    assert sorted(email.status for email in emails) == sorted(
        [OutboxStatus.DELIVERED, OutboxStatus.PERMANENT_FAILURE, OutboxStatus.PENDING]
    )
    [pending] = [email for email in emails if not email.status.is_final]
    assert (pending.template, pending.to_email) == ("link_request", demo.LINK_REQUEST_EMAIL)
    assert all(email.to_email.endswith("@example.org") for email in emails)
    for user in db.session.scalars(select(User)):
        assert user.email.endswith("@example.org"), user.email
    opened = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case-opened")).all()
    assert len(opened) == _count(Case)
    assert all(event.actor_id is None for event in opened)


def test_a_demo_case_that_breaks_the_rules_is_refused(app, monkeypatch):
    bad = demo.DemoChild(
        "Bad", "Demospec", demo.NORTH, age=(6, 0),
        cases=(demo.DemoCase(30, steps=(demo.Step(Stage.FINAL_PLAN, 10),)),),
    )
    monkeypatch.setattr(demo, "CHILDREN", (bad,))
    with pytest.raises(ValueError, match="cannot move"):
        demo.seed()


def test_one_case_shows_a_family_not_reached(today):
    """Ben's second parent (not a demo sign-in) did not get the draft plan email: his case is
    flagged, and the failed email is there for the administrator's page."""
    flagged = list(db.session.scalars(select(Case).where(Case.family_not_reached_since.is_not(None))))
    assert [case.child.first_name for case in flagged] == [demo.NOT_REACHED_CHILD]
    failed = db.session.scalar(select(OutboxEmail).where(OutboxEmail.status == OutboxStatus.PERMANENT_FAILURE))
    assert (failed.case_id, failed.to_email) == (flagged[0].id, demo.NOT_REACHED_EMAIL)
    assert demo.NOT_REACHED_EMAIL not in {account.email for account in demo.ACCOUNTS}
    demo.seed()
    assert len(_demo_emails()) == 3


# --- Conversations ---------------------------------------------------------------------------


def _conversations() -> list[Conversation]:
    return list(db.session.scalars(select(Conversation).order_by(Conversation.id)))


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_conversations_in_every_state(today):
    conversations = _conversations()
    waiting = [c for c in conversations if c.status is ConversationStatus.WAITING_FOR_COUNCIL]
    on_track = [c for c in waiting if not c.urgent and c.reply_due_on >= today]
    overdue = [c for c in waiting if c.reply_due_on < today]
    urgent = [c for c in waiting if c.urgent]
    answered = [c for c in conversations if c.status is ConversationStatus.WAITING_FOR_FAMILY]
    closed = [c for c in conversations if c.status is ConversationStatus.CLOSED]
    assert on_track and len(overdue) >= 2 and urgent and answered and closed
    assert all(c.urgent_reason is not None for c in urgent)
    for conversation in waiting:
        started_on = reply_by.local_date(conversation.waiting_since)
        target = reply_by.Targets().for_conversation(conversation.urgent)
        assert conversation.reply_due_on == reply_by.add_working_days(started_on, target)
        assert conversation.waiting_since.replace(tzinfo=None) <= datetime.now(UTC).replace(tzinfo=None)
    for conversation in answered + closed:
        assert conversation.reply_due_on is None
        assert conversation.first_reply_at is not None
    assert all(c.closed_at is not None and c.closed_by_id == c.case.caseworker_id for c in closed)
    for message in db.session.scalars(select(Message)):
        assert message.body.strip() and "Staff only" not in message.body
        assert message.author.email.endswith("@example.org")


def test_one_conversation_needs_cover_because_its_caseworker_is_away(today, client):
    away = _user(demo_conversations.AWAY)
    [absence] = db.session.scalars(select(StaffAbsence).where(StaffAbsence.user_id == away.id)).all()
    assert absence.starts_on <= today <= absence.ends_on and absence.cancelled_at is None
    covered = [c for c in _conversations()
               if c.case.caseworker_id == away.id and c.status is ConversationStatus.WAITING_FOR_COUNCIL]
    assert covered
    # The young person sees who will reply instead, in "your" words.
    [conversation] = covered
    young_person = _user(demo_conversations.YOUNG_PERSON)
    assert young_person.child_links[0].child_id == conversation.case.child_id
    sign_in_fast(client, young_person)
    page = get_page(client, f"/family/messages/{conversation.id}")
    first_name = away.name.split()[0]
    assert wording.cover_sentence(first_name, absence.ends_on, conversation.case.team.name) in page.text


def test_the_demo_parent_sees_several_conversations_in_different_states(today):
    parent = _user(demo_conversations.PARENT)
    children = {link.child_id for link in parent.child_links}
    theirs = [c for c in _conversations() if c.case.child_id in children]
    assert len(theirs) >= 4
    assert {c.status for c in theirs} == set(ConversationStatus)
    assert any(c.urgent for c in theirs) and any(c.reply_due_on and c.reply_due_on < today for c in theirs)
    carers = [c for c in _conversations() if c.case.child.first_name == "Cleo"]
    assert [c.message_count for c in carers] == [2]


def test_seeding_conversations_again_adds_nothing_and_sends_no_message_email(today):
    counts = {model.__name__: _count(model) for model in CONVERSATION_MODELS}
    demo.seed(today + timedelta(days=30))
    assert {model.__name__: _count(model) for model in CONVERSATION_MODELS} == counts
    templates = {email.template for email in _demo_emails()}
    assert not templates & set(demo_conversations.MESSAGE_TEMPLATES)
