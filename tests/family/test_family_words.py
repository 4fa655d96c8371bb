"""What families read, checked on every demo case made by hand, the first history case at each
stage, and every stage, for a parent and for a young person: a deadline is never worded as done;
a late case always says why, or that the council has not said why, with whom to contact and how
to complain; the family's own action and date come first; and a young person is never addressed
as a parent."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from portal import demo, demo_governance
from portal.ehcp import milestones
from portal.ehcp.models import Case
from portal.ehcp.stages import CLOSED, Stage
from portal.extensions import db
from portal.models import FamilyLink, Relationship, Role, User
from tests.family.helpers import rows, words
from tests.helpers import Factory, Page, get_page, sign_in_fast

DATE = r"(\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4})"
# A completed step, as a fact: "was issued on 3 May 2026", "ended on ...", "sent on ...".
DONE = re.compile(r"\b(?:issued|sent|held|ended|withdrawn|decided[^.]*?|received)\s+on\s+" + DATE)
# The old wording that read as done: "Final plan issued: 13 December 2026".
LABEL_AND_DATE = re.compile(r"\b(?:issued|sent|received|held)\s*:\s*" + DATE, re.IGNORECASE)
NOT_TOLD = "It has not yet told you why, or when it expects to do this."


def parsed(day: str) -> date:
    return datetime.strptime(day, "%d %B %Y").date()


def check_words(text: str, today: date) -> None:
    for match in DONE.finditer(text):
        assert parsed(match.group(1)) <= today, f"a future date worded as done: {match.group(0)!r}"
    assert not LABEL_AND_DATE.search(text), LABEL_AND_DATE.search(text).group(0)


def check_late(deadline_row: str, late: bool) -> None:
    if not late:
        return
    told = "The council says this is why" in deadline_row or "It says this is why:" in deadline_row
    not_told = NOT_TOLD in deadline_row and "Ombudsman" in deadline_row and "phone" in deadline_row
    assert told or not_told, deadline_row


def check_reader(text: str, young_person: bool) -> None:
    if young_person:
        assert "your child" not in text.lower(), re.search(r".{60}your child.{40}", text, re.IGNORECASE | re.S)


def family_readers(make: Factory, case: Case) -> dict[bool, User]:
    """A parent and a young person linked to the case's child (the demo's own, or new ones)."""
    readers = {}
    for young_person, relationship in ((False, Relationship.PARENT), (True, Relationship.YOUNG_PERSON)):
        existing = db.session.scalar(
            select(User).join(FamilyLink).where(
                FamilyLink.child_id == case.child_id, FamilyLink.relationship_to_child == relationship
            )
        )
        if existing is None:
            existing = make.user(Role.FAMILY)
            db.session.add(FamilyLink(user=existing, child_id=case.child_id, relationship_to_child=relationship))
            db.session.commit()
        readers[young_person] = existing
    return readers


def case_page(client: FlaskClient, user: User, case: Case) -> Page:
    sign_in_fast(client, user)
    return get_page(client, f"/family/cases/{case.id}")


def card_for(client: FlaskClient, user: User, case: Case) -> tuple | None:
    """The dashboard card whose case this is, or None for an earlier case (listed on its child's card)."""
    sign_in_fast(client, user)
    page = get_page(client, "/family/")
    for card in page.soup.select(".govuk-summary-card"):
        if card.select_one(f'.govuk-summary-card__actions a[href="/family/cases/{case.id}"]'):
            return rows(card), words(card), [words(dt) for dt in card.select(".govuk-summary-list__key")]
    assert page.soup.select_one(f'a[href="/family/cases/{case.id}"]'), f"case {case.id} is not on the dashboard"
    return None


def check_case(client: FlaskClient, make: Factory, case: Case, today: date) -> None:
    has_action = any(m.due_on >= today for m in milestones.family_dates(case.dates))
    next_due = milestones.council_deadline(case.dates)
    late = next_due is not None and next_due < today
    for young_person, user in family_readers(make, case).items():
        page = case_page(client, user, case)
        text = words(page.soup.select_one("main"))
        check_words(text, today)
        check_reader(text, young_person)
        if young_person:
            assert page.h1.startswith("Your "), page.h1
        headings = [words(h) for h in page.soup.select("main h2")]
        if has_action:
            assert headings[0] == "What you need to do, and by when", (case.stage, headings)
        summary = rows(page.soup.select_one("main .govuk-summary-list"))
        check_late(summary["Legal deadline"], late)
        if late:
            assert page.soup.select_one("main .govuk-summary-list .govuk-tag--red")

        card = card_for(client, user, case)
        if card is None:
            continue
        card_rows, card_text, keys = card
        check_words(card_text, today)
        check_reader(card_text, young_person)
        check_late(card_rows["Legal deadline"], late)
        if has_action:
            assert keys[0] == "What you need to do, and by when", keys
        # Nothing on the page contradicts the card: the same words for the same deadline.
        assert card_rows["Legal deadline"] == summary["Legal deadline"]


def test_every_demo_case_reads_right_for_a_parent_and_a_young_person(app, client, make) -> None:
    demo.seed()
    today = date.today()
    cases = db.session.scalars(select(Case).order_by(Case.id)).all()
    assert {case.stage for case in cases} >= CLOSED  # every way of closing is in the demo
    for case in _hand_made_and_one_history_case_a_stage(cases):
        check_case(client, make, case, today)


def _hand_made_and_one_history_case_a_stage(cases: list[Case]) -> list[Case]:
    """Every case made by hand, and the first of the governance history's cases (about 900, made
    by one pattern: portal/demo_governance.py) at each stage, on time and late."""
    chosen, kinds = [], set()
    for case in cases:
        if case.child.last_name in demo_governance.SURNAMES:
            kind = (case.stage, case.next_deadline_on is not None and case.next_deadline_on < date.today())
            if kind in kinds:
                continue
            kinds.add(kind)
        chosen.append(case)
    return chosen


STAGE_DATES = {
    Stage.DRAFT_PLAN: {"draft_served_on": -5},
    Stage.FINAL_PLAN: {"final_plan_on": -20, "first_final_plan_on": -20},
    Stage.ANNUAL_REVIEW: {"final_plan_on": -380, "review_meeting_on": -30, "amendments_proposed_on": -10},
    Stage.CEASED: {"final_plan_on": -400},
}


@pytest.mark.parametrize("stage", list(Stage))
@pytest.mark.parametrize("weeks_ago", [3, 30])  # on time, and long past every deadline
def test_every_stage_reads_right(app, client, make, stage: Stage, weeks_ago: int) -> None:
    today = date.today()
    received = today - timedelta(weeks=weeks_ago)
    since = max(received, today - timedelta(days=30))
    fields = {name: today + timedelta(days=days) for name, days in STAGE_DATES.get(stage, {}).items()}
    child = make.child(first_name="Wordchild")
    case = make.case(child=child, stage=stage, request_received_on=received, stage_since=since, **fields)
    check_case(client, make, case, today)


def test_the_not_told_text_goes_once_the_council_gives_a_date_and_a_reason(app, client, make) -> None:
    today = date.today()
    child = make.child(first_name="Latechild")
    case = make.case(child=child, stage=Stage.DECIDING_TO_ASSESS, request_received_on=today - timedelta(weeks=8))
    parent = family_readers(make, case)[False]
    assert NOT_TOLD in words(case_page(client, parent, case).soup.select_one("main"))

    case.expected_on, case.delay_reason = today + timedelta(days=7), "We are waiting for a report from school."
    db.session.commit()
    text = words(case_page(client, parent, case).soup.select_one("main"))
    assert NOT_TOLD not in text
    assert "The council expects to do this by" in text
    assert "We are waiting for a report from school." in text


def test_annual_review_dates_are_shown_with_the_rule_that_made_them(app, client, make) -> None:
    child = make.child(first_name="Reviewchild")
    case = make.case(
        child=child, stage=Stage.ANNUAL_REVIEW, request_received_on=date(2024, 1, 8), stage_since=date(2026, 10, 1),
        final_plan_on=date(2025, 11, 3), review_meeting_on=date(2026, 11, 2), amendments_proposed_on=date(2026, 11, 9),
    )
    page = case_page(client, family_readers(make, case)[False], case)
    text = words(page.soup.select_one("main"))
    assert "The annual review meeting was held on 2 November 2026." in text
    assert "The council sent its proposed changes to the plan on 9 November 2026." in text
    # 8 weeks from the proposed changes (4 January 2027), before 12 weeks from the meeting (25 January 2027).
    assert rows(page.soup.select_one("main .govuk-summary-list"))["Legal deadline"].startswith(
        "The council must issue the amended EHC plan by 4 January 2027."
    )
    assert (
        "The legal deadline is 8 weeks after the proposed changes were sent on 9 November 2026, and no later than "
        "12 weeks after the review meeting on 2 November 2026." in text
    )
