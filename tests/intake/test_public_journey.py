"""The order of the request pages and the age rules, as plain Python (portal/intake/journey.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from portal.intake import journey
from portal.intake.models import Requester

TODAY = date(2026, 12, 1)


@dataclass
class Answers:
    requester: Requester | None = None
    child_id: int | None = None
    child_first_name: str | None = None
    child_last_name: str | None = None
    child_date_of_birth: date | None = None
    school: str | None = None
    needs: str | None = None
    support: str | None = None
    reasons: str | None = None
    professionals: str | None = None
    requester_name: str | None = None
    requester_email: str | None = None
    consent_to_contact: bool | None = None


@pytest.mark.parametrize(("born", "requester", "problem"), [
    (date(2010, 12, 1), Requester.YOUNG_PERSON, None),  # 16 today
    (date(2010, 12, 2), Requester.YOUNG_PERSON, "You must be 16 or older"),  # 16 tomorrow
    (date(2001, 12, 2), Requester.YOUNG_PERSON, None),  # 25 until tomorrow
    (date(2000, 12, 1), Requester.YOUNG_PERSON, "You must be 25 or younger"),  # 26 today
    (date(2000, 12, 1), Requester.PARENT, "The child or young person must be 25 or younger"),
    (date(2026, 12, 1), Requester.PARENT, None),  # born today
    (date(2026, 12, 2), Requester.PARENT, "Date of birth must be today or in the past"),
    (date(2015, 6, 1), None, None),
])
def test_the_age_rules(born, requester, problem):
    found = journey.date_of_birth_problem(born, requester, TODAY)
    assert (found is None) if problem is None else found.startswith(problem)


def test_the_public_order_and_what_is_missing():
    path = journey.Journey(family=False)
    answers = Answers()
    assert path.first_missing(answers, TODAY) == journey.WHO
    assert path.where_to(journey.NEEDS, answers, TODAY) == journey.WHO
    assert path.where_to(journey.WHO, answers, TODAY) is None
    answers.requester = Requester.PARENT
    assert path.after(journey.WHO, answers, TODAY) == journey.CHILD_NAME
    assert path.after(journey.WHO, answers, TODAY, changing=True) == journey.CHILD_NAME  # still missing
    assert path.before(journey.CHILD_NAME, answers) == journey.WHO
    assert path.before(journey.WHO, answers) is None
    assert path.where_to(journey.WHICH_CHILD, answers, TODAY) == journey.CHILD_NAME  # not a public question


def test_a_linked_child_skips_three_questions():
    answers = Answers(child_id=7, requester=Requester.PARENT, child_first_name="Sam", child_last_name="T",
                      child_date_of_birth=date(2016, 5, 4))
    path = journey.Journey(family=True)
    assert path.questions(answers)[:2] == [journey.WHICH_CHILD, journey.SCHOOL]
    assert path.after(journey.WHICH_CHILD, answers, TODAY) == journey.SCHOOL
    another = journey.Journey(family=True, another_child=True)
    assert another.questions(Answers())[:4] == [journey.WHICH_CHILD, journey.WHO, journey.CHILD_NAME,
                                                journey.DATE_OF_BIRTH]
    assert another.answered(journey.WHO, Answers(requester=Requester.YOUNG_PERSON), TODAY) is False


def test_a_child_with_a_plan_is_a_reassessment():
    assert journey.had_a_plan(["assessing", "final_plan"], [None])
    assert journey.had_a_plan(["ceased"], [])
    assert journey.had_a_plan(["assessing"], [date(2024, 1, 1)])
    assert not journey.had_a_plan(["assessing", "withdrawn"], [None])
