"""Demo requests for an assessment, waiting in the team's request inbox: sent online and
confirmed, of different ages (one past its decision deadline; one, about a child the council
already knows, 2 days from it: same name and date of birth as a demo child, so its page warns),
and one closed as a duplicate. The two oldest come first in the inbox, where the browser crawl
checks them.

Made as the service would have left them, with their days counted back from today; no email is
queued (the seeded history is not news to anyone). A demo request is known by its requester's
email address: running it again adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.intake.models import AssessmentRequest, ClosureReason, RequestChannel, Requester, RequestStatus
from portal.models import Child, User

# The demo child a new request matches: the council knows them, with no family account yet.
KNOWN_CHILD = ("Dev", "Nofamily")


@dataclass(frozen=True)
class DemoRequest:
    email: str  # the requester's: the demo request's stable key
    name: str
    requester: Requester
    child: tuple[str, str]
    born: date | None  # None: the known demo child's date of birth
    received_ago: int
    needs: str
    support: str
    reasons: str
    school: str = "Example Primary School"
    professionals: str = ""
    closed: tuple[int, ClosureReason, str] | None = None  # days ago, reason, explanation


REQUESTS: tuple[DemoRequest, ...] = (
    DemoRequest(
        "harper.parent@example.org", "Alex Testwell", Requester.PARENT, ("Harper", "Testwell"), date(2018, 4, 9), 2,
        needs="Harper finds it hard to follow instructions in class.\nShe gets very tired and upset after school.",
        support="A reading group three times a week.",
        reasons="The school says it has done all it can with its own budget.",
        professionals="The school’s SENCo, Ms Example.",
    ),
    DemoRequest(
        "jordan.young.person@example.org", "Jordan Samplefield", Requester.YOUNG_PERSON, ("Jordan", "Samplefield"),
        date(2009, 8, 21), 10, school="Example College",
        needs="I have dyslexia and anxiety. I cannot keep up with the written work on my course.",
        support="Extra time in exams.",
        reasons="I want to stay on my course and I need more help to do it.",
    ),
    DemoRequest(
        "dev.carer@example.org", "Robin Carerfield", Requester.CARER, KNOWN_CHILD, None, 40,
        needs="Dev has autism and does not speak at school.", support="A key worker at lunchtime.",
        reasons="Dev has been out of school for most of this term.",
        professionals="A speech and language therapist, and the community paediatrician.",
    ),
    DemoRequest(
        "sky.parent@example.org", "Jo Exampleton", Requester.PARENT, ("Sky", "Exampleton"), date(2015, 1, 30), 23,
        needs="Sky has cerebral palsy and uses a wheelchair.",
        support="A teaching assistant in the mornings.",
        reasons="Sky needs help all day, and physiotherapy at school.",
        professionals="Sky’s physiotherapist.",
    ),
    DemoRequest(
        "rowan.carer@example.org", "Sam Sampleby", Requester.CARER, ("Rowan", "Sampleby"), date(2013, 10, 2), 47,
        needs="Rowan has ADHD and has been excluded twice this year.",
        support="A behaviour plan at school.",
        reasons="The school cannot meet Rowan’s needs.",
    ),
    DemoRequest(
        "harper.parent.again@example.org", "Alex Testwell", Requester.PARENT, ("Harper", "Testwell"),
        date(2018, 4, 9), 20,
        needs="Harper finds it hard to follow instructions.", support="A reading group.",
        reasons="The school has done all it can.",
        closed=(18, ClosureReason.DUPLICATE,
                "Alex Testwell sent this request twice. We kept the newer one, which has more detail."),
    ),
)


def _moment(day: date, hour: int = 10) -> datetime:
    return min(datetime.combine(day, time(hour), tzinfo=UTC), datetime.now(UTC))


def seed_requests(users: dict[str, User], decided_by_email: str, today: date) -> None:
    """Add the demo requests that are not there yet."""
    known = db.session.scalar(
        select(Child).where(Child.first_name == KNOWN_CHILD[0], Child.last_name == KNOWN_CHILD[1])
        .order_by(Child.id).limit(1)
    )
    existing = set(db.session.scalars(
        select(AssessmentRequest.requester_email)
        .where(AssessmentRequest.requester_email.in_([spec.email for spec in REQUESTS]))
    ))
    for spec in REQUESTS:
        if spec.email in existing or (spec.born is None and known is None):
            continue
        received = today - timedelta(days=spec.received_ago)
        request = AssessmentRequest(
            status=RequestStatus.RECEIVED, channel=RequestChannel.ONLINE, requester=spec.requester,
            requester_name=spec.name, requester_email=spec.email,
            child_first_name=spec.child[0], child_last_name=spec.child[1],
            child_date_of_birth=spec.born or known.date_of_birth,
            school=spec.school, needs=spec.needs, support=spec.support, reasons=spec.reasons,
            professionals=spec.professionals or None, consent_to_contact=bool(spec.professionals),
            sent_at=_moment(received, 9), email_confirmed_at=_moment(received), received_on=received,
            created_at=_moment(received, 8),
        )
        if spec.closed is not None:
            closed_ago, reason, explanation = spec.closed
            request.status = RequestStatus.CLOSED
            request.decided_by = users[decided_by_email]
            request.decided_at = _moment(today - timedelta(days=closed_ago), 14)
            request.closure_reason, request.closure_note = reason, explanation
        db.session.add(request)
        db.session.flush()
        request.reference = f"R{received.year}-{request.id:05d}"
    db.session.commit()
