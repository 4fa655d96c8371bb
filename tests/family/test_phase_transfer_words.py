"""A move to the next phase of education on the family's case page: the move, then the council's
duty to amend the plan by its date (or the fact that it did), in the reader's words, and a late
duty never unexplained."""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient

from portal.ehcp.models import Case, PhaseTransfer
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.models import Relationship, Role
from tests.family.helpers import Family, words
from tests.family.test_case_page import case_page, section
from tests.helpers import Factory

HEADING = "Moving to a new school or college"


def with_plan(make: Factory, family: Family) -> Case:
    case = make.case(child=family.child, request_received_on=date(2024, 1, 8), caseworker=family.caseworker)
    case.stage, case.stage_since = Stage.FINAL_PLAN, date(2024, 5, 20)
    case.final_plan_on = case.first_final_plan_on = date(2024, 5, 20)
    db.session.commit()
    return case


def transfer(case: Case, moves_on: date, to_post_16: bool, amend_by: date, amended_on: date | None = None) -> None:
    db.session.add(PhaseTransfer(case_id=case.id, moves_on=moves_on, to_post_16=to_post_16, amend_by=amend_by,
                                 amended_on=amended_on))
    db.session.commit()


def transfer_text(page) -> str:
    """The section's words, up to the "How these dates are worked out" details after it."""
    parts = []
    for part in section(page, HEADING):
        if part.name == "details":
            break
        parts.append(words(part))
    return " ".join(parts)


def test_a_parent_reads_the_councils_duty_with_its_date(client: FlaskClient, make: Factory, family: Family) -> None:
    case = with_plan(make, family)
    transfer(case, date(2027, 9, 1), False, date(2027, 2, 15))
    text = transfer_text(case_page(client, family.parent, case, today=date(2026, 12, 2)))
    assert "Ourchild moves to a new school on 1 September 2027." in text
    assert ("The council must issue Ourchild’s amended EHC plan, naming the new school, by 15 February 2027. "
            "Due in 75 days") in text
    assert "The council is late" not in text


def test_a_young_person_reads_your_plan(client: FlaskClient, make: Factory, family: Family) -> None:
    young = make.user(Role.FAMILY, name="Yan Person")
    child = make.child(team=family.team, family=[young], first_name="Yan", relationship=Relationship.YOUNG_PERSON)
    case = with_plan(make, Family(family.team, family.caseworker, young, child))
    transfer(case, date(2027, 9, 1), True, date(2027, 3, 31))
    text = transfer_text(case_page(client, young, case, today=date(2026, 12, 2)))
    assert "You move to college or training on 1 September 2027." in text
    assert ("The council must issue your amended EHC plan, naming the college or training provider, "
            "by 31 March 2027.") in text
    assert "Yan’s" not in text and "your child" not in text.lower()


def test_a_late_duty_says_the_council_has_not_said_why_and_how_to_complain(
    client: FlaskClient, make: Factory, family: Family
) -> None:
    case = with_plan(make, family)
    transfer(case, date(2026, 9, 1), False, date(2026, 2, 15))
    page = case_page(client, family.parent, case, today=date(2026, 3, 2))
    text = transfer_text(page)
    assert "The council must issue Ourchild’s amended EHC plan, naming the new school, by 15 February 2026." in text
    assert "Late by 15 days" in text
    assert "The council is late. It has not yet told you why, or when it expects to do this." in text
    assert "Local Government and Social Care Ombudsman" in text
    assert page.soup.select_one("main .govuk-inset-text .govuk-tag--red") is not None


def test_an_amended_plan_is_a_fact_with_its_date_not_a_duty(client: FlaskClient, make: Factory, family: Family) -> None:
    case = with_plan(make, family)
    transfer(case, date(2026, 9, 1), False, date(2026, 2, 15), amended_on=date(2026, 2, 10))
    text = transfer_text(case_page(client, family.parent, case, today=date(2026, 10, 1)))
    assert "Ourchild moved to a new school on 1 September 2026." in text
    assert "Ourchild’s amended EHC plan for the move was issued on 10 February 2026." in text
    assert "must issue" not in text and "late" not in text.lower()


@pytest.mark.parametrize("transfers", [0, 1])
def test_no_section_without_a_transfer_and_another_familys_transfer_stays_theirs(
    client: FlaskClient, make: Factory, family: Family, transfers: int
) -> None:
    case = with_plan(make, family)
    other_parent = make.user(Role.FAMILY, name="Other Parent")
    other_child = make.child(team=family.team, family=[other_parent], first_name="Otherchild")
    other = with_plan(make, Family(family.team, family.caseworker, other_parent, other_child))
    transfer(other, date(2027, 9, 1), False, date(2027, 2, 15))
    if transfers:
        transfer(case, date(2027, 9, 1), True, date(2027, 3, 31))
    page = case_page(client, family.parent, case, today=date(2026, 12, 2))
    headings = [words(h) for h in page.soup.select("main h2")]
    assert (HEADING in headings) is bool(transfers)
    assert "Otherchild" not in page.text
