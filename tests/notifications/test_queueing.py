"""Every email is an outbox row queued in the transaction that causes it: the change commits
whatever the provider does, a change that rolls back leaves no email, and emails queued while the
provider is down go out when it is back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal import invitations
from portal.ehcp import services
from portal.ehcp.models import StageChange
from portal.ehcp.services import StageUpdate
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.models import Role
from portal.notifications.worker import send_pending
from portal.outbox import OutboxEmail, OutboxStatus, queue_email
from tests.fake_sendgrid import FakeSendGrid
from tests.notifications.helpers import all_rows, check_bodies, use_sendgrid

TODAY = date.today()


@pytest.fixture
def case(make):
    caseworker = make.user(Role.CASEWORKER)
    parent = make.user(Role.FAMILY, email="parent@example.org")
    child = make.child(team=caseworker.team, family=[parent], first_name="Ourchild")
    return make.case(child=child, caseworker=caseworker, request_received_on=TODAY - timedelta(weeks=3))


def _change_stage(app, case):
    with app.test_request_context():
        return services.change_stage(
            case, case.caseworker, StageUpdate(Stage.DECIDING_TO_ASSESS, TODAY), case.version, TODAY
        )


def test_a_stage_change_whose_send_fails_still_commits_and_its_email_goes_later(app, case):
    with FakeSendGrid([503]) as fake:
        use_sendgrid(app, fake)
        change = _change_stage(app, case)
        assert send_pending() == 0
        [email] = all_rows()
        assert db.session.get(StageChange, change.id) is not None
        assert email.status is OutboxStatus.PENDING
        assert email.event_key == f"stage-change:{change.id}:{email.user_id}"
        assert (email.case_id, email.to_email) == (case.id, "parent@example.org")
        assert set(email.context) == {
            "child_first_name", "young_person", "stage", "link", "feedback_link", "meaning", "family_date",
            "council_duty",
        }
        assert send_pending(now=email.next_attempt_at) == 1
    assert all_rows()[0].status is OutboxStatus.SENT
    assert fake.accepted_ids() == [str(email.id)]
    check_bodies(fake)


def test_a_stage_change_that_rolls_back_leaves_no_email(app, case, monkeypatch):
    def failing_commit(case):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_commit", failing_commit)
    with pytest.raises(RuntimeError):
        _change_stage(app, case)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0


def test_a_reset_request_succeeds_with_the_provider_down_and_its_email_goes_when_it_is_back(app, make, client):
    user = make.user(Role.FAMILY, email="reset.me@example.org")
    with FakeSendGrid([503]) as fake:
        use_sendgrid(app, fake)
        response = client.post("/password/forgotten", data={"email": "reset.me@example.org"})
        assert response.status_code in (200, 302)
        [email] = all_rows()
        assert (email.template, email.user_id, email.status) == ("password_reset", user.id, OutboxStatus.PENDING)
        assert email.event_key.startswith("password-reset:")
        assert send_pending() == 0
        assert all_rows()[0].status is OutboxStatus.PENDING
        assert send_pending(now=all_rows()[0].next_attempt_at) == 1
    assert fake.accepted_ids() == [str(email.id)]
    assert "/password/reset/" in fake.requests[-1]["body"]["content"][0]["value"]


def test_an_invitation_succeeds_with_the_provider_down_and_goes_when_it_is_back(app, make):
    admin = make.user(Role.ADMIN)
    with FakeSendGrid([503]) as fake:
        use_sendgrid(app, fake)
        with app.test_request_context():
            invitation = invitations.invite_staff(admin, "new.person@example.org", "New Person", Role.ADMIN, None)
        assert send_pending() == 0
        [email] = all_rows()
        assert email.event_key == f"invitation:{invitation.id}:{invitation.last_sent_at.isoformat()}"
        assert send_pending(now=email.next_attempt_at) == 1
    assert fake.accepted_ids() == [str(email.id)]


def test_one_event_never_makes_two_emails(app):
    queue_email("a@example.org", "Subject", "password_reset", event_key="password-reset:1", link="x")
    db.session.commit()
    queue_email("a@example.org", "Subject", "password_reset", event_key="password-reset:1", link="x")
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert len(all_rows()) == 1
