"""What a family reads about a case, as plain Python (portal/family/wording.py)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.ehcp.milestones import CaseDates
from portal.ehcp.stages import CLOSED, Stage
from portal.family.wording import Reader, family_view

REQUEST = date(2025, 1, 6)
S = Stage
PARENT = Reader(young_person=False, first_name="Ourchild")
YOUNG_PERSON = Reader(young_person=True, first_name="Ourchild")


def dates(stage: Stage, **changes) -> CaseDates:
    changes.setdefault("stage_since", REQUEST)
    return CaseDates(stage=stage, request_received_on=REQUEST, **changes)


def test_a_deadline_is_a_duty_with_its_subject_and_date() -> None:
    view = family_view(dates(S.ASSESSING), PARENT, today=date(2025, 4, 9))
    assert view.duty.text == "The council must decide whether to issue an EHC plan by 28 April 2025"
    assert view.duty.status.text == "Due in 19 days"
    assert view.duty.rule == "16 weeks after the council received the request on 6 January 2025"
    # Before a draft plan, the council may yet decide not to issue one: the duty is conditional.
    assert view.final_plan.text == (
        "If the council decides Ourchild needs an EHC plan, it must issue the final plan by 26 May 2025")
    young = family_view(dates(S.REQUEST_RECEIVED), YOUNG_PERSON, today=date(2025, 1, 7))
    assert young.final_plan.text == (
        "If the council decides you need an EHC plan, it must issue the final plan by 26 May 2025")
    after_draft = family_view(dates(S.DRAFT_PLAN, draft_served_on=date(2025, 4, 28)), PARENT, today=date(2025, 4, 29))
    assert after_draft.duty.text == "The council must issue the final EHC plan by 26 May 2025"
    assert view.final_plan.status.text == "Due in 47 days"


@pytest.mark.parametrize(
    "case_dates", [dates(S.DRAFT_PLAN), dates(S.ASSESSING, is_reassessment=True), dates(S.FINAL_PLAN)]
)
def test_the_final_plan_deadline_is_not_repeated_or_shown_after_the_plan(case_dates: CaseDates) -> None:
    assert family_view(case_dates, PARENT, REQUEST).final_plan is None


def test_once_issued_the_final_plan_is_a_fact_with_its_timing() -> None:
    late = family_view(dates(S.FINAL_PLAN), PARENT, date(2025, 7, 1), first_final_plan_on=date(2025, 6, 16))
    assert late.final_plan.text == "The first final EHC plan was issued on 16 June 2025, 21 days late"
    on_time = family_view(dates(S.FINAL_PLAN), PARENT, date(2025, 7, 1), first_final_plan_on=date(2025, 5, 1))
    assert on_time.final_plan.text == "The first final EHC plan was issued on 1 May 2025, on time"


def test_closed_cases_have_no_council_deadline_and_say_what_closing_means() -> None:
    for stage in CLOSED:
        view = family_view(dates(stage), PARENT, REQUEST)
        assert view.final_plan is None and view.duty is None and view.late is None
        assert view.closure is not None and view.closure.meaning
        assert view.closure.can_appeal is (stage in (S.NOT_ASSESSING, S.NOT_ISSUING, S.CEASED))


def test_an_expected_date_after_a_council_deadline() -> None:
    late = family_view(dates(S.DECIDING_TO_ASSESS), PARENT, REQUEST, expected_on=date(2025, 2, 18))
    on_time = family_view(dates(S.DECIDING_TO_ASSESS), PARENT, REQUEST, expected_on=date(2025, 2, 17))
    assert late.expected_after_deadline and not on_time.expected_after_deadline


def test_a_late_case_is_told_why_only_with_a_date_to_come_and_a_reason() -> None:
    today = date(2025, 3, 1)  # the decision was due on 17 February 2025
    not_told = family_view(dates(S.DECIDING_TO_ASSESS), PARENT, today)
    assert not_told.late is not None and not not_told.late.told
    no_reason = family_view(dates(S.DECIDING_TO_ASSESS), PARENT, today, expected_on=date(2025, 3, 10))
    assert not no_reason.late.told
    told = family_view(dates(S.DECIDING_TO_ASSESS), PARENT, today, date(2025, 3, 10), "Waiting for a report")
    assert told.late.told and told.late.reason == "Waiting for a report"
    stale = family_view(dates(S.DECIDING_TO_ASSESS), PARENT, today, date(2025, 2, 25), "Waiting for a report")
    assert not stale.late.told  # the date it gave has passed too


def test_the_familys_own_dates_are_actions_until_they_pass() -> None:
    draft = dates(S.DRAFT_PLAN, draft_served_on=date(2025, 4, 14))
    (action,) = family_view(draft, PARENT, date(2025, 4, 20)).actions
    assert action.text == (
        "Comment on the draft plan and name the school or college you want by 28 April 2025"
    )
    assert action.status.days == 8
    passed = family_view(draft, PARENT, date(2025, 5, 1))
    assert passed.actions == []
    assert [fact.text for fact in passed.passed_actions] == [
        "The last day to comment on the draft plan and name the school or college you want was 28 April 2025"
    ]


def test_words_fit_the_reader() -> None:
    assert family_view(dates(S.ASSESSING), PARENT, REQUEST).heading == (
        "Ourchild’s education, health and care needs assessment"
    )
    assert family_view(dates(S.FINAL_PLAN), YOUNG_PERSON, REQUEST).heading == "Your education, health and care plan"
    for stage in Stage:
        text = family_view(dates(stage), YOUNG_PERSON, REQUEST).text
        for line in (text.happening, text.next, text.you_can):
            assert "your child" not in line.lower(), (stage, line)
    assert family_view(dates(S.MOVED_AWAY), YOUNG_PERSON, REQUEST).stage_fact.startswith("You moved")
    assert family_view(dates(S.MOVED_AWAY), PARENT, REQUEST).stage_fact.startswith("Ourchild moved")


@pytest.mark.parametrize("stage", list(Stage))
def test_a_stage_is_a_fact_with_its_date(stage: Stage) -> None:
    fact = family_view(dates(stage, stage_since=date(2025, 3, 3)), PARENT, date(2025, 3, 10)).stage_fact
    assert "3 March 2025" in fact
    assert " since " not in fact.lower() or fact.startswith("Since")  # never "Plan ended since ..."


def test_after_the_review_meeting_the_family_is_not_told_to_prepare_for_it() -> None:
    review = dates(S.ANNUAL_REVIEW, review_meeting_on=date(2026, 10, 22), amendments_proposed_on=date(2026, 11, 1))
    before = family_view(review, PARENT, date(2026, 10, 1)).text.you_can
    after = family_view(review, PARENT, date(2026, 12, 1)).text.you_can
    assert "before the meeting" in before
    assert "before the meeting" not in after and "mediation" in after


def test_a_plan_updated_since_it_was_first_issued_says_both_dates() -> None:
    view = family_view(
        dates(S.FINAL_PLAN, final_plan_on=date(2025, 10, 27)), YOUNG_PERSON, date(2026, 1, 5),
        first_final_plan_on=date(2024, 9, 22),
    )
    assert view.final_plan.text.endswith("It was last updated on 27 October 2025")


def test_comments_go_to_the_council_and_an_appeal_starts_with_mediation() -> None:
    (comments,) = family_view(dates(S.DRAFT_PLAN, draft_served_on=date(2025, 4, 14)), PARENT, date(2025, 4, 20)).actions
    assert comments.to_council and not comments.mediation_first
    (appeal,) = family_view(dates(S.CEASED, stage_since=date(2025, 4, 14)), YOUNG_PERSON, date(2025, 4, 20)).actions
    assert appeal.mediation_first and not appeal.to_council
    assert appeal.text == "If you disagree, you can appeal to the SEND Tribunal until 14 June 2025"


def test_a_young_persons_ended_plan_is_theirs() -> None:
    view = family_view(dates(S.CEASED), YOUNG_PERSON, REQUEST)
    assert view.closure.meaning.startswith("The council has decided to end your EHC plan. It must keep the plan")
    parent = family_view(dates(S.CEASED), PARENT, REQUEST).closure.meaning
    assert parent.startswith("The council has decided to end Ourchild’s EHC plan.")
    assert parent.endswith("If you appeal to the SEND Tribunal, it must keep them until the Tribunal decides.")
