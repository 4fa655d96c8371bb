"""The team's use cases on requests (portal/intake/services.py, "The team's decisions"): opening
a case from a request, closing one, registering one that came another way, the requester's
access, the audit log, and two people deciding at once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.ehcp.models import Case, StageChange
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.intake import services
from portal.intake.models import AssessmentRequest, ClosureReason, RequestChannel, Requester, RequestStatus
from portal.models import AuditEvent, Child, FamilyLink, Invitation, Relationship, Role
from portal.outbox import OutboxEmail
from tests.helpers import Factory
from tests.intake.conftest import add_received_request


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


def actions(target: str) -> list[str]:
    return list(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target == target).order_by(AuditEvent.id)
    ))


@pytest.fixture(autouse=True)
def _request_context(app):
    """The invitation email's link is built with url_for, as in a request."""
    with app.test_request_context():
        yield


@pytest.fixture
def staff(make: Factory):
    team = make.team("North SEND team")
    caseworker = make.user(Role.CASEWORKER, team=team, name="Casey Worker")
    south = make.team("South SEND team")
    south_caseworker = make.user(Role.CASEWORKER, team=south, name="Sol South")
    return team, caseworker, south, south_caseworker


def test_opening_a_case_registers_the_child_and_counts_from_the_day_received(app, staff) -> None:
    team, caseworker, _, _ = staff
    received = date.today() - timedelta(days=10)
    request = add_received_request(received_on=received)

    opened = services.open_case_from_request(request, caseworker, services.Opening(None, team, caseworker))

    assert opened is not None
    case = db.session.get(Case, opened.case.id)
    assert case.request_received_on == received
    assert case.stage is Stage.REQUEST_RECEIVED and case.stage_since == received
    assert case.team_id == team.id and case.caseworker_id == caseworker.id
    child = db.session.get(Child, case.child_id)
    assert (child.first_name, child.last_name, child.date_of_birth) == ("Robin", "Requestson", date(2016, 5, 4))
    assert child.team_id == team.id
    db.session.refresh(request)
    assert request.status is RequestStatus.CASE_OPENED
    assert (request.case_id, request.child_id, request.team_id) == (case.id, child.id, team.id)
    assert request.decided_by_id == caseworker.id and request.decided_at is not None
    assert count(StageChange, StageChange.case_id == case.id) == 1
    assert actions(f"request:{request.id}") == ["request-confirmed"]
    assert actions(f"case:{case.id}") == ["case-opened"]


def test_the_requester_is_invited_by_email_to_follow_the_case(app, staff) -> None:
    team, caseworker, _, _ = staff
    request = add_received_request(requester=Requester.CARER, requester_email="carer.request@example.org")

    opened = services.open_case_from_request(request, caseworker, services.Opening(None, team))

    assert opened.requester_access == "invited"
    invitation = db.session.scalars(select(Invitation).where(Invitation.email == "carer.request@example.org")).one()
    assert invitation.child_id == opened.case.child_id
    assert invitation.relationship_to_child is Relationship.CARER
    assert invitation.invited_by_id == caseworker.id
    email = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_email == "carer.request@example.org")).one()
    assert email.template == "invitation"
    assert "Requestson" not in str(email.context) and "2016" not in str(email.context)


def test_a_requester_with_an_account_is_asked_to_accept_and_one_signed_in_is_linked(app, staff, make) -> None:
    team, caseworker, _, _ = staff
    holder = make.user(Role.FAMILY, email="has.account@example.org")
    asked = services.open_case_from_request(
        add_received_request(requester_email=holder.email), caseworker, services.Opening(None, team)
    )
    assert asked.requester_access == "asked"
    assert count(FamilyLink, FamilyLink.user_id == holder.id) == 0  # nothing shared until they accept

    signed_in = make.user(Role.FAMILY, email="signed.in@example.org")
    request = add_received_request(requester_email=signed_in.email, requester_user_id=signed_in.id,
                                   child_first_name="Linda", requester=Requester.YOUNG_PERSON)
    # Until the team confirms the request, the requester is linked to nothing.
    assert count(FamilyLink, FamilyLink.user_id == signed_in.id) == 0
    linked = services.open_case_from_request(request, caseworker, services.Opening(None, team))
    assert linked.requester_access == "linked"
    link = db.session.scalars(select(FamilyLink).where(FamilyLink.user_id == signed_in.id)).one()
    assert link.child_id == linked.case.child_id
    assert link.relationship_to_child is Relationship.YOUNG_PERSON
    assert "family-linked" in actions(f"child:{link.child_id}")


def test_a_school_is_not_invited(app, staff) -> None:
    team, caseworker, _, _ = staff
    request = add_received_request(requester=Requester.SCHOOL, requester_email="senco@school.example.org")
    opened = services.open_case_from_request(request, caseworker, services.Opening(None, team))
    assert opened.requester_access == "not-family"
    assert count(Invitation) == 0


def test_a_known_child_is_used_not_registered_again(app, staff, make) -> None:
    team, caseworker, _, _ = staff
    child = make.child(team=team, first_name="Robin")
    child.last_name, child.date_of_birth = "Requestson", date(2016, 5, 4)
    db.session.commit()
    request = add_received_request(child_first_name=" robin ", child_last_name="REQUESTSON")

    assert [found.id for found in services.matching_children(request)] == [child.id]
    opened = services.open_case_from_request(request, caseworker, services.Opening(child, team))
    assert opened.case.child_id == child.id
    assert count(Child) == 1


def test_matching_needs_the_same_date_of_birth(app, staff, make) -> None:
    team, _, _, _ = staff
    child = make.child(team=team, first_name="Robin")
    child.last_name = "Requestson"
    db.session.commit()
    assert services.matching_children(add_received_request(child_date_of_birth=date(2016, 5, 5))) == []
    assert services.matching_children(AssessmentRequest(child_first_name="Robin")) == []


def test_the_child_a_family_member_chose_is_offered_whatever_the_names(app, staff, make) -> None:
    team, _, _, _ = staff
    theirs = make.child(team=team, first_name="Ourchild")
    request = add_received_request(child_first_name="Ourchild", child_last_name="Renamed", child_id=theirs.id)
    assert [found.id for found in services.matching_children(request)] == [theirs.id]


def test_a_caseworker_from_another_team_is_refused_and_nothing_changes(app, staff) -> None:
    team, _, _, south_caseworker = staff
    request = add_received_request()
    with pytest.raises(services.RequestProblem) as refused:
        services.open_case_from_request(request, south_caseworker, services.Opening(None, team, south_caseworker))
    assert refused.value.field == "caseworker"
    db.session.rollback()
    db.session.refresh(request)
    assert request.status is RequestStatus.RECEIVED
    assert count(Case) == 0 and count(Child) == 0


def test_the_second_decision_finds_the_request_decided(app, staff) -> None:
    team, caseworker, south, south_caseworker = staff
    request = add_received_request()
    # Both people loaded the request before either decided.
    stale = db.session.get(AssessmentRequest, request.id)
    assert services.open_case_from_request(request, caseworker, services.Opening(None, team)) is not None
    assert services.open_case_from_request(stale, south_caseworker, services.Opening(None, south)) is None
    assert services.close_request(stale, south_caseworker, ClosureReason.DUPLICATE, "A duplicate.") is False
    assert count(Case) == 1 and count(Child) == 1 and count(Invitation) == 1
    db.session.refresh(request)
    assert request.status is RequestStatus.CASE_OPENED and request.decided_by_id == caseworker.id


def test_closing_keeps_the_request_with_its_reason(app, staff) -> None:
    _, caseworker, _, south_caseworker = staff
    request = add_received_request()
    assert services.close_request(request, caseworker, ClosureReason.NOT_GENUINE, "Nobody at this address.") is True
    db.session.refresh(request)
    assert request.status is RequestStatus.CLOSED
    assert request.closure_reason is ClosureReason.NOT_GENUINE
    assert request.closure_note == "Nobody at this address."
    assert request.decided_by_id == caseworker.id
    assert request.needs.startswith("Robin finds reading hard")  # nothing deleted
    assert actions(f"request:{request.id}") == ["request-closed"]
    assert services.close_request(request, south_caseworker, ClosureReason.DUPLICATE, "Again.") is False
    assert count(Case) == 0 and count(OutboxEmail) == 0


def registration(**changes) -> services.Registration:
    values = {
        "channel": RequestChannel.LETTER, "requester": Requester.PARENT, "requester_name": "Lee Letterwriter",
        "received_on": date.today() - timedelta(days=20), "child_first_name": "Morgan",
        "child_last_name": "Postbox", "child_date_of_birth": date(2015, 2, 3),
        "requester_email": "lee.letter@example.org",
    }
    return services.Registration(**(values | changes))


def test_registering_a_request_opens_its_case_from_the_day_received(app, staff) -> None:
    team, caseworker, _, _ = staff
    received = date.today() - timedelta(days=20)
    case = services.register_request(caseworker, registration(), services.Opening(None, team, caseworker), date.today())

    case = db.session.get(Case, case.id)
    assert case.request_received_on == received and case.caseworker_id == caseworker.id
    request = db.session.scalars(select(AssessmentRequest)).one()
    assert request.status is RequestStatus.CASE_OPENED
    assert request.channel is RequestChannel.LETTER
    assert request.registered_by_id == caseworker.id == request.decided_by_id
    assert request.reference == f"R{received.year}-{request.id:05d}"
    assert request.case_id == case.id and request.child_id == case.child_id
    assert actions(f"request:{request.id}") == ["request-registered"]
    # Family members are invited from the child's page afterwards: nobody is emailed yet.
    assert count(Invitation) == 0 and count(OutboxEmail) == 0


def test_registering_refuses_a_future_date_and_the_online_channel(app, staff) -> None:
    team, caseworker, _, _ = staff
    today = date.today()
    with pytest.raises(services.RequestProblem) as future:
        services.register_request(caseworker, registration(received_on=today + timedelta(days=1)),
                                  services.Opening(None, team), today)
    assert future.value.field == "received_on"
    with pytest.raises(services.RequestProblem) as online:
        services.register_request(caseworker, registration(channel=RequestChannel.ONLINE),
                                  services.Opening(None, team), today)
    assert online.value.field == "channel"
    assert count(AssessmentRequest) == 0 and count(Case) == 0
    # Today itself is allowed.
    assert services.register_request(caseworker, registration(received_on=today), services.Opening(None, team), today)


def test_decision_due_is_six_weeks_from_day_zero(app) -> None:
    from portal.ehcp.timeline import decision_to_assess_due

    request = add_received_request(received_on=date(2026, 11, 3))
    assert services.decision_due(request) == decision_to_assess_due(date(2026, 11, 3)) == date(2026, 12, 15)
    assert services.decision_due(AssessmentRequest()) is None


def test_a_known_child_of_another_team_moves_to_the_team_that_opens_the_case(app, make, received_request):
    north, south = make.team("North SEND team"), make.team("South SEND team")
    child = make.child(team=north, first_name="Movingchild")
    actor = make.user(Role.CASEWORKER, team=south)
    with app.test_request_context():
        opened = services.open_case_from_request(received_request(), actor, services.Opening(child=child, team=south))
    db.session.refresh(child)
    assert child.team_id == south.id == opened.case.team_id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "child-moved-team")).target == (
        f"child:{child.id}"
    )
