"""The family dashboard (/family/): a card per linked child with where the latest case stands."""

from __future__ import annotations

from datetime import date, timedelta

from bs4 import Tag
from flask import Flask
from flask.testing import FlaskClient

from portal.ehcp.models import Case
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.models import Child, Role, User
from tests.family.helpers import REQUEST, Family, on_day, rows
from tests.helpers import Factory, Page, get_page, sign_in_fast


def cards(page: Page) -> dict[str, Tag]:
    """The summary cards by their title (the child's full name)."""
    return {
        " ".join(card.select_one(".govuk-summary-card__title").get_text().split()): card
        for card in page.soup.select(".govuk-summary-card")
    }


def dashboard(client: FlaskClient, user: User) -> Page:
    sign_in_fast(client, user)
    page = get_page(client, "/family/")
    assert page.h1 == "Your children"
    return page


def test_the_card_shows_stage_deadline_expected_date_caseworker_and_contact(
    client: FlaskClient, make: Factory, family: Family
) -> None:
    case = make.case(
        child=family.child, stage=Stage.DECIDING_TO_ASSESS, request_received_on=REQUEST,
        stage_since=date(2025, 1, 13), caseworker=family.caseworker, expected_on=date(2025, 2, 14),
    )
    # The decision on whether to assess is due 6 weeks from 6 January 2025: 17 February 2025.
    with on_day(date(2025, 2, 5)):
        page = dashboard(client, family.parent)

    card = cards(page)[family.child.full_name]
    assert rows(card) == {
        "Stage": "Deciding whether to assess Since 13 January 2025.",
        "Legal deadline": "The council must decide whether to carry out an EHC needs assessment by 17 February 2025. "
        "Due in 12 days",
        "Expected date": "The council expects to do this by 14 February 2025.",
        "Final plan": "If the council decides Ourchild needs an EHC plan, it must issue the final plan by 26 May 2025. "
        "Due in 110 days",
        "Caseworker": "Casey Worker",
        "Contact": "North SEND team Phone 01632 960 000 Email send@example.org",
    }
    tag = card.select_one(".govuk-summary-list__value .govuk-tag")
    assert " ".join(tag.get_text().split()) == "Deciding whether to assess"
    assert tag["class"] == ["govuk-tag"]  # blue: GOV.UK Frontend's default tag colour
    assert not card.select(".govuk-tag--red")
    links = [a["href"] for a in card.select(".govuk-summary-card__actions a")]
    assert links == [f"/family/cases/{case.id}"]  # one link per card
    assert card.select_one('a[href="mailto:send@example.org"]')


def test_a_late_council_deadline_is_a_red_tag(client: FlaskClient, make: Factory, family: Family) -> None:
    make.case(child=family.child, stage=Stage.DECIDING_TO_ASSESS, request_received_on=REQUEST)
    with on_day(date(2025, 2, 26)):  # 9 days after 17 February 2025
        page = dashboard(client, family.parent)

    card = cards(page)[family.child.full_name]
    late = card.select_one(".govuk-tag--red")
    assert " ".join(late.get_text().split()) == "Late by 9 days"
    deadline = rows(card)["Legal deadline"]
    assert "exception" not in deadline
    # Late is never unexplained: no reason has been given, so the card says so, with whom to ask and
    # how to complain.
    assert "The council is late. It has not yet told you why, or when it expects to do this." in deadline
    assert "Ask the North SEND team: phone 01632 960 000" in deadline
    assert "Local Government and Social Care Ombudsman" in deadline


def test_due_today_and_tomorrow(client: FlaskClient, make: Factory, family: Family) -> None:
    make.case(child=family.child, stage=Stage.REQUEST_RECEIVED, request_received_on=REQUEST)
    with on_day(date(2025, 2, 17)):
        assert "Due today" in rows(cards(dashboard(client, family.parent))[family.child.full_name])[
            "Legal deadline"
        ]
    with on_day(date(2025, 2, 16)):
        assert "Due in 1 day" in rows(cards(dashboard(client, family.parent))[family.child.full_name])[
            "Legal deadline"
        ]


def test_dates_relative_to_today(client: FlaskClient, make: Factory, family: Family) -> None:
    """Without moving the clock: a request 3 weeks ago is due for a decision in 3 weeks."""
    received = date.today() - timedelta(weeks=3)
    make.case(child=family.child, request_received_on=received)
    due = received + timedelta(weeks=6)
    value = rows(cards(dashboard(client, family.parent))[family.child.full_name])["Legal deadline"]
    assert value == (
        f"The council must decide whether to carry out an EHC needs assessment by {due:%-d %B %Y}. Due in 21 days"
    )


def test_a_late_deadline_with_an_exception_says_so(client: FlaskClient, make: Factory, family: Family) -> None:
    make.case(child=family.child, stage=Stage.ASSESSING, request_received_on=REQUEST, has_exception=True)
    # The decision on whether to issue a plan is due 16 weeks on: 28 April 2025.
    with on_day(date(2025, 5, 1)):
        value = rows(cards(dashboard(client, family.parent))[family.child.full_name])["Legal deadline"]
    assert value.startswith("The council must decide whether to issue an EHC plan by 28 April 2025. Late by 3 days")
    assert "The council has recorded an exception to the time limits." in value


def test_an_expected_date_after_the_deadline_points_to_the_reason(
    client: FlaskClient, make: Factory, family: Family
) -> None:
    make.case(
        child=family.child, stage=Stage.DECIDING_TO_ASSESS, request_received_on=REQUEST,
        expected_on=date(2025, 2, 24), delay_reason="The educational psychologist is ill",
    )
    with on_day(date(2025, 2, 5)):
        value = rows(cards(dashboard(client, family.parent))[family.child.full_name])["Expected date"]
    assert value == (
        "The council expects to do this by 24 February 2025. This is later than the legal deadline. "
        "The council says this is why: The educational psychologist is ill"
    )


def test_no_expected_date_and_no_caseworker(client: FlaskClient, make: Factory, family: Family) -> None:
    make.case(child=family.child, request_received_on=REQUEST)
    with on_day(date(2025, 1, 7)):
        card_rows = rows(cards(dashboard(client, family.parent))[family.child.full_name])
    assert "Expected date" not in card_rows
    assert card_rows["Caseworker"] == "Not yet assigned"


def test_an_appeal_deadline_is_the_familys_and_never_late(
    client: FlaskClient, make: Factory, family: Family
) -> None:
    make.case(
        child=family.child, stage=Stage.NOT_ASSESSING, request_received_on=REQUEST, stage_since=date(2025, 2, 10)
    )
    with on_day(date(2025, 5, 1)):  # after the appeal deadline: nothing is "late" for the council
        page = dashboard(client, family.parent)
    card = cards(page)[family.child.full_name]
    assert rows(card)["Legal deadline"] == "The council has no more deadlines in this case."
    assert "What you need to do, and by when" not in rows(card)  # the date has passed
    assert not card.select(".govuk-tag--red")
    assert card.select_one(".govuk-tag--grey").get_text().strip() == "Not assessing"


def test_a_withdrawn_case_has_no_deadline(client: FlaskClient, make: Factory, family: Family) -> None:
    make.case(child=family.child, stage=Stage.WITHDRAWN, request_received_on=REQUEST)
    with on_day(date(2025, 2, 5)):
        card_rows = rows(cards(dashboard(client, family.parent))[family.child.full_name])
    assert card_rows["Legal deadline"] == "The council has no more deadlines in this case."
    assert card_rows["Stage"] == "Withdrawn The request was withdrawn on 6 January 2025."
    assert "Caseworker" not in card_rows  # a closed case with nobody assigned says nothing about it


def test_a_child_with_no_case_says_so(client: FlaskClient, family: Family) -> None:
    page = dashboard(client, family.parent)
    card = cards(page)[family.child.full_name]
    assert rows(card) == {
        "Stage": "There is no request for an education, health and care (EHC) needs assessment for Ourchild "
        "in this service.",
        "Contact": "North SEND team Phone 01632 960 000 Email send@example.org",
    }
    assert not [a for a in card.select("a") if "/family/cases/" in a["href"]]


def test_the_latest_case_is_shown_and_earlier_ones_are_listed(
    client: FlaskClient, make: Factory, family: Family
) -> None:
    earlier = make.case(
        child=family.child, stage=Stage.NOT_ASSESSING, request_received_on=date(2023, 3, 6),
        stage_since=date(2023, 4, 17),
    )
    latest = make.case(child=family.child, stage=Stage.ASSESSING, request_received_on=REQUEST)
    with on_day(date(2025, 2, 5)):
        page = dashboard(client, family.parent)
    card = cards(page)[family.child.full_name]
    card_rows = rows(card)
    assert card_rows["Stage"].startswith("Assessing")
    assert card_rows["Earlier requests"] == f"{earlier.reference}: request received 6 March 2023, not assessing"
    hrefs = [a["href"] for a in card.select("a")]
    assert f"/family/cases/{latest.id}" in hrefs
    assert f"/family/cases/{earlier.id}" in hrefs


def test_a_family_with_two_children_sees_both(client: FlaskClient, make: Factory, family: Family) -> None:
    second = make.child(team=family.team, family=[family.parent], first_name="Secondchild")
    make.case(child=family.child, stage=Stage.DRAFT_PLAN, request_received_on=REQUEST)
    make.case(child=second, stage=Stage.FINAL_PLAN, request_received_on=date(2024, 1, 8),
              final_plan_on=date(2024, 5, 20))
    with on_day(date(2025, 2, 5)):
        page = dashboard(client, family.parent)

    found = cards(page)
    assert list(found) == [family.child.full_name, second.full_name]  # by first name
    assert rows(found[family.child.full_name])["Stage"].startswith("Draft plan issued")
    second_rows = rows(found[second.full_name])
    assert second_rows["Stage"].startswith("Final plan issued")
    assert second_rows["Legal deadline"] == "The council must review the EHC plan by 20 May 2025. Due in 104 days"


def test_both_carers_of_one_child_see_it(app: Flask, make: Factory, family: Family) -> None:
    carers = [make.user(Role.FAMILY, name=f"Carer {n}") for n in (1, 2)]
    child = make.child(team=family.team, family=carers, first_name="Sharedchild")
    case = make.case(child=child, stage=Stage.ASSESSING, request_received_on=REQUEST)
    for carer in carers:
        page = dashboard(app.test_client(), carer)
        assert list(cards(page)) == [child.full_name]
        assert any(a["href"] == f"/family/cases/{case.id}" for a in page.soup.select("a"))


def test_other_families_children_are_not_shown(client: FlaskClient, make: Factory, family: Family) -> None:
    stranger = make.user(Role.FAMILY)
    other = make.child(team=family.team, family=[stranger], first_name="Neighbourchild")
    other_case = make.case(child=other)
    page = dashboard(client, family.parent)
    assert "Neighbourchild" not in page.text
    assert f"/family/cases/{other_case.id}" not in page.response.get_data(as_text=True)


def test_an_account_with_no_children(client: FlaskClient, make: Factory) -> None:
    page = dashboard(client, make.user(Role.FAMILY))
    assert "Your account is not linked to any children yet." in page.text
    assert not page.soup.select(".govuk-summary-card")


# --- Query budget: at most 10 SQL statements, whatever the number of children and cases ---------


def add_cases(children: list[Child], caseworkers: list[User], per_child: int) -> None:
    """Many cases at once, straight into the database: older ones closed, the newest open."""
    for child_number, child in enumerate(children):
        for n in range(per_child):
            received = REQUEST - timedelta(weeks=per_child - n)
            db.session.add(Case(
                reference=f"BULK-{child.id}-{n}", child_id=child.id, team_id=child.team_id,
                caseworker_id=caseworkers[(child_number + n) % len(caseworkers)].id,
                request_received_on=received, stage=Stage.ASSESSING if n == per_child - 1 else Stage.WITHDRAWN,
                stage_since=received, expected_on=received + timedelta(weeks=15),
            ))
    db.session.commit()


def check_dashboard_queries(client: FlaskClient, count_queries, user: User, children: int) -> Page:
    sign_in_fast(client, user)
    with count_queries() as queries:
        response = client.get("/family/")
    page = Page(response)
    assert response.status_code == 200
    assert len(page.soup.select(".govuk-summary-card")) == children
    assert queries.count <= 10, f"{queries.count} queries:\n" + "\n\n".join(queries.statements)
    return page


def test_dashboard_queries_with_ten_children_and_cases(
    client: FlaskClient, make: Factory, family: Family, count_queries
) -> None:
    caseworkers = [make.user(Role.CASEWORKER, team=family.team) for _ in range(10)]
    children = [family.child] + [make.child(team=family.team, family=[family.parent]) for _ in range(9)]
    add_cases(children, caseworkers, per_child=1)
    page = check_dashboard_queries(client, count_queries, family.parent, children=10)
    assert page.text.count("Assessing") == 10


def test_dashboard_queries_with_five_hundred_cases(
    client: FlaskClient, make: Factory, family: Family, count_queries
) -> None:
    caseworkers = [make.user(Role.CASEWORKER, team=family.team) for _ in range(20)]
    children = [family.child] + [make.child(team=family.team, family=[family.parent]) for _ in range(9)]
    add_cases(children, caseworkers, per_child=50)
    # Another family's cases are in the database too, and must not be read.
    stranger = make.user(Role.FAMILY)
    add_cases([make.child(team=family.team, family=[stranger]) for _ in range(2)], caseworkers, per_child=50)
    page = check_dashboard_queries(client, count_queries, family.parent, children=10)
    assert page.text.count("Earlier requests") == 10


def test_staff_cannot_see_the_dashboard(client: FlaskClient, make: Factory) -> None:
    for role in (Role.CASEWORKER, Role.MANAGER, Role.COPRODUCTION, Role.ADMIN):
        sign_in_fast(client, make.user(role))
        get_page(client, "/family/", status=403)


def test_a_child_with_something_for_the_family_to_do_comes_first(
    client: FlaskClient, make: Factory, family: Family
) -> None:
    """Ourchild comes first by name, but Zedchild's draft plan needs comments: Zedchild first."""
    second = make.child(team=family.team, family=[family.parent], first_name="Zedchild")
    make.case(child=family.child, stage=Stage.ASSESSING, request_received_on=REQUEST)
    make.case(child=second, stage=Stage.DRAFT_PLAN, request_received_on=REQUEST,
              stage_since=date(2025, 4, 14), draft_served_on=date(2025, 4, 14))
    with on_day(date(2025, 4, 20)):
        page = dashboard(client, family.parent)
    assert list(cards(page)) == [second.full_name, family.child.full_name]
