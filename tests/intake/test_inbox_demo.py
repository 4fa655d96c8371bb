"""The demo requests (portal/demo_requests.py): waiting in the inbox at different ages, one near
its decision deadline and one past it, one about a child the council knows, one closed; seeding
again adds nothing and no email is queued for them."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from portal import demo, demo_requests
from portal.ehcp.timeline import decision_to_assess_due
from portal.extensions import db
from portal.intake import services
from portal.intake.models import AssessmentRequest, RequestStatus
from portal.models import User
from portal.outbox import OutboxEmail
from tests.helpers import get_page, sign_in_fast


def requests() -> list[AssessmentRequest]:
    return list(db.session.scalars(select(AssessmentRequest).order_by(AssessmentRequest.id)))


def test_the_demo_requests(app, client) -> None:
    today = date.today()
    demo.seed(today)
    seeded = requests()
    waiting = [request for request in seeded if request.status is RequestStatus.RECEIVED]
    closed = [request for request in seeded if request.status is RequestStatus.CLOSED]
    assert 4 <= len(waiting) <= 6 and len(closed) == 1
    assert closed[0].closure_reason is not None and closed[0].closure_note and closed[0].decided_by_id
    assert all(request.reference == f"R{request.received_on.year}-{request.id:05d}" for request in seeded)
    assert all(request.requester_email.endswith("@example.org") for request in seeded)

    days_left = sorted((decision_to_assess_due(request.received_on) - today).days for request in waiting)
    assert days_left[0] < 0  # one past its deadline
    assert any(0 <= left <= 7 for left in days_left)  # one near it
    assert len({request.received_on for request in waiting}) == len(waiting)
    matched = [request for request in waiting if services.matching_children(request)]
    assert [(request.child_first_name, request.child_last_name) for request in matched] == [demo_requests.KNOWN_CHILD]

    addresses = [request.requester_email for request in seeded]
    to_them = select(func.count()).select_from(OutboxEmail).where(OutboxEmail.to_email.in_(addresses))
    assert db.session.scalar(to_them) == 0
    demo.seed(today)
    demo.seed(today + timedelta(days=10))
    assert [request.id for request in requests()] == [request.id for request in seeded]

    caseworker = db.session.scalar(select(User).where(User.email == "caseworker.north@example.org"))
    sign_in_fast(client, caseworker)
    page = get_page(client, "/casework/requests")
    assert len(page.soup.select("tbody tr")) == len(waiting)
    assert "Overdue" in page.text
    assert get_page(client, f"/casework/requests/{matched[0].id}").soup.select(".govuk-warning-text")
