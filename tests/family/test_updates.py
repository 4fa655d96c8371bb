""""Updates since your last visit" on the family dashboard: stage changes and exceptions recorded
on their children's cases since they last opened it, in plain words with dates, then no longer
new. A first visit shows none."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from portal.ehcp import services
from portal.ehcp.milestones import long_date
from portal.ehcp.models import Case, StageChange
from portal.ehcp.stages import Stage
from portal.ehcp.timeline import ExceptionType
from portal.extensions import db
from portal.models import Relationship, Role, User
from tests.family.helpers import Family, move
from tests.family.test_dashboard import add_cases
from tests.helpers import Factory, Page, get_page, sign_in_fast


def visit(client: FlaskClient, user: User) -> Page:
    sign_in_fast(client, user)
    return get_page(client, "/family/")


def updates(page: Page) -> list[str]:
    banner = page.soup.select_one(".govuk-notification-banner[aria-labelledby=updates-title]")
    if banner is None:
        return []
    heading = banner.select_one(".govuk-notification-banner__heading")
    assert heading.get_text(strip=True) == "Updates since your last visit"
    return [" ".join(item.get_text().split()) for item in banner.select("li")]


def seen_at(user: User) -> datetime | None:
    db.session.expire_all()
    return db.session.get(User, user.id).updates_seen_at


def test_a_first_visit_shows_no_updates_and_is_remembered(client: FlaskClient, make: Factory, family: Family) -> None:
    make.case(child=family.child)
    assert seen_at(family.parent) is None
    page = visit(client, family.parent)
    assert updates(page) == []
    assert "Updates since your last visit" not in page.text
    assert seen_at(family.parent) is not None


def test_a_stage_change_since_the_last_visit_is_shown_once(
    app: Flask, client: FlaskClient, make: Factory, family: Family
) -> None:
    today = date.today()
    case = make.case(child=family.child, request_received_on=today - timedelta(days=10))
    visit(client, family.parent)
    move(app, case, family.caseworker, Stage.DECIDING_TO_ASSESS, today,
         family_note="A note for the family", staff_note="A staff-only note")

    page = visit(client, family.parent)
    assert updates(page) == [
        f"Ourchild’s case moved to a new stage, ‘Deciding whether to assess’, on {long_date(today)}"
    ]
    link = page.soup.select_one(".govuk-notification-banner li a")["href"]
    assert link == f"/family/cases/{case.id}"
    assert "A staff-only note" not in page.text

    assert updates(visit(client, family.parent)) == []


def test_a_visit_with_nothing_new_writes_nothing_and_the_next_change_still_shows(
    app: Flask, client: FlaskClient, make: Factory, family: Family
) -> None:
    today = date.today()
    case = make.case(child=family.child, request_received_on=today - timedelta(days=10))
    visit(client, family.parent)
    first = seen_at(family.parent)
    assert updates(visit(client, family.parent)) == []
    assert seen_at(family.parent) == first  # an ordinary visit is a read, not a write
    move(app, case, family.caseworker, Stage.DECIDING_TO_ASSESS, today)
    assert len(updates(visit(client, family.parent))) == 1
    assert seen_at(family.parent) > first
    assert updates(visit(client, family.parent)) == []


def test_a_visit_when_no_case_has_changed_reads_no_history(
    app: Flask, client: FlaskClient, make: Factory, family: Family, count_queries
) -> None:
    """Nothing changed on any case since the last visit: the updates are not even looked for
    (the cases' own `updated_at` says so), and a change made after that is still found."""
    today = date.today()
    case = make.case(child=family.child, request_received_on=today - timedelta(days=10))
    visit(client, family.parent)
    with count_queries() as queries:
        assert updates(visit(client, family.parent)) == []
    history = [s for s in queries.statements if "stage_change" in s or "timeline_exception" in s]
    assert history == [], history
    move(app, case, family.caseworker, Stage.DECIDING_TO_ASSESS, today)
    with count_queries() as queries:
        assert len(updates(visit(client, family.parent))) == 1
    assert any("stage_change" in statement for statement in queries.statements)


def test_an_exception_is_an_update_too(app: Flask, client: FlaskClient, make: Factory, family: Family) -> None:
    today = date.today()
    case = make.case(child=family.child, request_received_on=today - timedelta(days=10))
    visit(client, family.parent)
    services.record_exception(case, family.caseworker, ExceptionType.PERSONAL_CIRCUMSTANCES,
                              "The family were in hospital.", today, today, case.version, staff_note="Staff only")
    assert updates(visit(client, family.parent)) == [
        f"The council recorded an exception to the time limits for Ourchild’s case, from {long_date(today)}: "
        "Exceptional personal circumstances of the child or family"
    ]


def test_a_young_person_reads_your_case(app: Flask, client: FlaskClient, make: Factory, family: Family) -> None:
    young = make.user(Role.FAMILY)
    child = make.child(team=family.team, family=[young], relationship=Relationship.YOUNG_PERSON, first_name="Yan")
    today = date.today()
    case = make.case(child=child, request_received_on=today - timedelta(days=10))
    visit(client, young)
    move(app, case, family.caseworker, Stage.DECIDING_TO_ASSESS, today)
    assert updates(visit(client, young)) == [
        f"Your case moved to a new stage, ‘Deciding whether to assess’, on {long_date(today)}"
    ]


def test_another_familys_changes_are_not_shown(app: Flask, client: FlaskClient, make: Factory, family: Family) -> None:
    stranger = make.user(Role.FAMILY)
    other = make.child(team=family.team, family=[stranger], first_name="Strangerchild")
    today = date.today()
    make.case(child=family.child)
    case = make.case(child=other, request_received_on=today - timedelta(days=10))
    visit(client, family.parent)
    move(app, case, family.caseworker, Stage.DECIDING_TO_ASSESS, today)
    assert updates(visit(client, family.parent)) == []


def test_dashboard_queries_with_updates_to_show(
    app: Flask, client: FlaskClient, make: Factory, family: Family, count_queries
) -> None:
    """At most 10 statements with ten children, many cases and updates: the two reads and the
    one UPDATE are fixed, whatever the number of updates."""
    caseworkers = [make.user(Role.CASEWORKER, team=family.team) for _ in range(3)]
    children = [family.child] + [make.child(team=family.team, family=[family.parent]) for _ in range(9)]
    add_cases(children, caseworkers, per_child=5)
    for case in db.session.scalars(select(Case)):
        db.session.add(StageChange(case_id=case.id, from_stage=Stage.REQUEST_RECEIVED, to_stage=case.stage,
                                   effective_on=case.stage_since, staff_note="Staff only"))
    db.session.execute(update(User).where(User.id == family.parent.id)
                       .values(updates_seen_at=datetime.now(UTC) - timedelta(days=400)))
    db.session.commit()
    sign_in_fast(client, family.parent)
    with count_queries() as queries:
        response = client.get("/family/")
    assert response.status_code == 200
    page = Page(response)
    assert len(updates(page)) == 10  # the newest ten: every case moved since
    assert queries.count <= 10, f"{queries.count} queries:\n" + "\n\n".join(queries.statements)
