"""Every request page uses at most 10 SQL statements, with few or many requests and children."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.intake.models import AssessmentRequest, Requester, RequestStatus
from portal.models import Role
from tests.helpers import sign_in_fast
from tests.intake.conftest import PUBLIC_ANSWERS
from tests.intake.test_public_confirm import the_link

START = "/request-an-assessment"
FAMILY = "/family/ask-for-an-assessment"
BUDGET = 10


def many_requests(count: int, user_id: int | None = None) -> None:
    for n in range(count):
        db.session.add(AssessmentRequest(
            status=RequestStatus.RECEIVED, requester=Requester.PARENT, requester_user_id=user_id,
            child_first_name=f"Bulk{n}", child_last_name="Child", reference=f"RB-{n:05d}",
            received_on=date(2026, 11, 1) + timedelta(days=n % 20), requester_email="bulk@example.org",
        ))
    db.session.commit()


def within_budget(count_queries, send) -> None:
    with count_queries() as queries:
        response = send()
    assert response.status_code in (200, 302), response.status_code
    assert queries.count <= BUDGET, f"{queries.count} queries:\n" + "\n\n".join(queries.statements)


@pytest.mark.parametrize("rows", [10, 500])
def test_the_public_pages(client, count_queries, rows):
    many_requests(rows)
    within_budget(count_queries, lambda: client.get(START))
    for slug, data in PUBLIC_ANSWERS.items():
        within_budget(count_queries, lambda: client.get(f"{START}/{slug}"))  # noqa: B023
        within_budget(count_queries, lambda: client.post(f"{START}/{slug}", data=data))  # noqa: B023
        within_budget(count_queries, lambda: client.post(f"{START}/{slug}", data={}))  # noqa: B023
    within_budget(count_queries, lambda: client.get(f"{START}/check-your-answers"))
    within_budget(count_queries, lambda: client.post(f"{START}/check-your-answers"))
    within_budget(count_queries, lambda: client.get(f"{START}/check-your-email"))
    url = the_link()
    within_budget(count_queries, lambda: client.get(url))
    within_budget(count_queries, lambda: client.post(url))
    within_budget(count_queries, lambda: client.get(url))


@pytest.mark.parametrize(("children", "rows"), [(1, 10), (10, 500)])
def test_the_family_pages_and_dashboard(client, make, count_queries, children, rows):
    parent = make.user(Role.FAMILY)
    team = make.team()
    linked = [make.child(team=team, family=[parent]) for _ in range(children)]
    for child in linked:
        make.case(child=child, stage=Stage.ANNUAL_REVIEW)  # a plan: a request is a re-assessment
    many_requests(rows, user_id=parent.id)
    sign_in_fast(client, parent)
    within_budget(count_queries, lambda: client.get(FAMILY))
    within_budget(count_queries, lambda: client.post(FAMILY, data={"child": str(linked[0].id)}))
    skipped = ("who-is-asking", "name", "date-of-birth")  # known for a linked child
    later = {slug: data for slug, data in PUBLIC_ANSWERS.items() if slug not in skipped}
    later["contact-details"] = {"requester_name": "Pat Parent"}
    for slug, data in later.items():
        within_budget(count_queries, lambda: client.get(f"{FAMILY}/{slug}"))  # noqa: B023
        within_budget(count_queries, lambda: client.post(f"{FAMILY}/{slug}", data=data))  # noqa: B023
    within_budget(count_queries, lambda: client.get(f"{FAMILY}/check-your-answers"))
    within_budget(count_queries, lambda: client.post(f"{FAMILY}/check-your-answers"))
    within_budget(count_queries, lambda: client.get(f"{FAMILY}/sent"))
    with count_queries() as queries:
        page = client.get("/family/")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("You asked for an assessment") == rows + 1
    assert queries.count <= BUDGET, f"{queries.count} queries:\n" + "\n\n".join(queries.statements)
