"""Fixtures for the request tests (shared by the public pages' and the team's pages' tests: add
only)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.extensions import db
from portal.intake.models import AssessmentRequest, RequestChannel, Requester, RequestStatus


def add_received_request(
    received_on: date | None = None,
    child_first_name: str = "Robin",
    child_last_name: str = "Requestson",
    child_date_of_birth: date = date(2016, 5, 4),
    requester: Requester = Requester.PARENT,
    requester_email: str | None = "robin.parent@example.org",
    **fields,
) -> AssessmentRequest:
    """A request the council has received (as if its sender had confirmed their email address),
    not yet decided by the team: synthetic, committed."""
    received_on = received_on or date.today() - timedelta(days=3)
    request = AssessmentRequest(
        status=fields.pop("status", RequestStatus.RECEIVED),
        channel=fields.pop("channel", RequestChannel.ONLINE),
        requester=requester,
        requester_name=fields.pop("requester_name", "Sam Requestson"),
        requester_email=requester_email,
        child_first_name=child_first_name,
        child_last_name=child_last_name,
        child_date_of_birth=child_date_of_birth,
        school=fields.pop("school", "Example Primary School"),
        needs=fields.pop("needs", "Robin finds reading hard.\nRobin gets upset at lunchtime."),
        support=fields.pop("support", "A teaching assistant for two mornings a week."),
        reasons=fields.pop("reasons", "The support is not enough."),
        professionals=fields.pop("professionals", "The school's SENCO."),
        consent_to_contact=fields.pop("consent_to_contact", True),
        received_on=received_on,
        **fields,
    )
    db.session.add(request)
    db.session.flush()
    request.reference = f"R{received_on.year}-{request.id:05d}"
    db.session.commit()
    return request


@pytest.fixture
def received_request(app):
    """`received_request(**fields)`: add a received request (see add_received_request)."""
    return add_received_request


# --- The online request pages (tests/intake/test_public_*.py, test_family_request*.py) ----------

PUBLIC_ANSWERS: dict[str, dict[str, object]] = {
    "who-is-asking": {"requester": "parent"},
    "name": {"child_first_name": "Sam", "child_last_name": "Testperson"},
    "date-of-birth": {"child_date_of_birth": ["4", "5", "2016"]},
    "school-or-setting": {"school": "Example Primary School"},
    "needs": {"needs": "Sam finds reading hard.\nSam gets upset at lunchtime."},
    "support": {"support": "A teaching assistant two mornings a week."},
    "reasons": {"reasons": "The support is not enough."},
    "professionals": {"professionals": "Dr Example at Example Health Centre"},
    "contact-details": {
        "requester_name": "Pat Testperson", "requester_email": "pat.parent@example.org",
        "requester_phone": "01632 960 001",
    },
    "consent": {"consent_to_contact": "yes"},
}


def answer_questions(client, answers: dict[str, dict[str, object]] | None = None, prefix="/request-an-assessment"):
    """Answer every question page in order (each must redirect onwards); the last response."""
    response = None
    for slug, data in (answers or PUBLIC_ANSWERS).items():
        response = client.post(f"{prefix}/{slug}", data=data)
        assert response.status_code == 302, (slug, response.get_data(as_text=True)[:800])
    return response


@pytest.fixture
def answered(client):
    """A client whose draft has every answer (from PUBLIC_ANSWERS), at "Check your answers"."""
    response = answer_questions(client)
    assert response.location == "/request-an-assessment/check-your-answers"
    return client
