"""The EHC stages, the moves allowed between them and what each says to a family."""

from __future__ import annotations

import itertools
from collections import deque

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.ehcp.stages import CLOSED, PATH, STAGE_INFO, TRANSITIONS, Stage, StageInfo

# GOV.UK Frontend 6's tag colours; "blue" is the default tag, with no modifier class.
GOVUK_TAG_COLOURS = {
    "blue",
    "grey",
    "green",
    "teal",
    "turquoise",
    "magenta",
    "purple",
    "pink",
    "red",
    "orange",
    "yellow",
}

# The only ways out of a closed stage: a refusal overturned by mediation or the SEND Tribunal.
OVERTURNED_ON_APPEAL = {
    Stage.NOT_ASSESSING: (Stage.ASSESSING,),
    Stage.NOT_ISSUING: (Stage.DRAFT_PLAN,),
}

PLACEHOLDERS = ("TODO", "TBD", "FIXME", "XXX", "LOREM")


def _reachable(start: Stage) -> set[Stage]:
    seen = {start}
    queue = deque([start])
    while queue:
        for following in TRANSITIONS[queue.popleft()]:
            if following not in seen:
                seen.add(following)
                queue.append(following)
    return seen


def test_every_stage_has_info_and_transitions() -> None:
    assert set(STAGE_INFO) == set(Stage)
    assert set(TRANSITIONS) == set(Stage)


@pytest.mark.parametrize("stage", list(Stage))
def test_every_stage_has_a_label_a_govuk_tag_colour_and_plain_english_texts(stage: Stage) -> None:
    info = stage.info
    assert isinstance(info, StageInfo)
    assert stage.label == info.label
    assert info.label.strip() and info.label[0].isupper()
    assert info.tag_colour in GOVUK_TAG_COLOURS
    for text in (info.label, info.happening, info.next, info.you_can):
        assert text.strip(), stage
        assert text == text.strip()
        assert "  " not in text
        assert not any(placeholder in text.upper() for placeholder in PLACEHOLDERS)
    for sentence in (info.happening, info.next, info.you_can):
        assert sentence[0].isupper()
        assert sentence.endswith(".")


def test_stage_labels_are_distinct() -> None:
    labels = [stage.label for stage in Stage]
    assert len(labels) == len(set(labels))


def test_stage_texts_quote_the_statutory_limits() -> None:
    assert "6 weeks" in Stage.DECIDING_TO_ASSESS.info.next
    assert "16 weeks" in Stage.DECIDING_TO_ISSUE.info.next
    assert "20 weeks" in Stage.DRAFT_PLAN.info.next
    assert "15 days" in Stage.DRAFT_PLAN.info.you_can
    assert "12 months" in Stage.FINAL_PLAN.info.next
    assert "12 weeks" in Stage.ANNUAL_REVIEW.info.next
    for refusal in (Stage.NOT_ASSESSING, Stage.NOT_ISSUING):
        assert "2 months" in refusal.info.you_can
        assert "1 month from a mediation certificate" in refusal.info.you_can


def test_closed_stages() -> None:
    assert {
        Stage.NOT_ASSESSING,
        Stage.NOT_ISSUING,
        Stage.CEASED,
        Stage.MOVED_AWAY,
        Stage.WITHDRAWN,
    } == CLOSED
    for stage in Stage:
        assert stage.is_closed is (stage in CLOSED)
    assert not any(stage.is_closed for stage in PATH)


@pytest.mark.parametrize("stage", sorted(CLOSED))
def test_closed_stages_only_reopen_when_overturned_on_appeal(stage: Stage) -> None:
    assert stage.next_stages == OVERTURNED_ON_APPEAL.get(stage, ())


def test_path_is_the_statutory_order() -> None:
    assert PATH == (
        Stage.REQUEST_RECEIVED,
        Stage.DECIDING_TO_ASSESS,
        Stage.ASSESSING,
        Stage.DECIDING_TO_ISSUE,
        Stage.DRAFT_PLAN,
        Stage.FINAL_PLAN,
        Stage.ANNUAL_REVIEW,
    )
    for current, following in itertools.pairwise(PATH):
        assert current.can_move_to(following), (current, following)


@pytest.mark.parametrize("stage", [*PATH, Stage.NOT_ASSESSING, Stage.NOT_ISSUING])
def test_every_open_stage_can_reach_a_final_plan(stage: Stage) -> None:
    assert Stage.FINAL_PLAN in _reachable(stage)


def test_final_plan_is_reached_again_after_an_annual_review() -> None:
    assert Stage.FINAL_PLAN in _reachable(Stage.ANNUAL_REVIEW)
    assert Stage.ANNUAL_REVIEW in TRANSITIONS[Stage.FINAL_PLAN]
    assert Stage.FINAL_PLAN in TRANSITIONS[Stage.ANNUAL_REVIEW]


@pytest.mark.parametrize("stage", [Stage.CEASED, Stage.MOVED_AWAY, Stage.WITHDRAWN])
def test_ended_cases_go_nowhere(stage: Stage) -> None:
    assert _reachable(stage) == {stage}


def test_nothing_moves_back_to_request_received() -> None:
    for stage in Stage:
        assert Stage.REQUEST_RECEIVED not in stage.next_stages
        assert not stage.can_move_to(Stage.REQUEST_RECEIVED)


def test_no_stage_moves_to_itself_and_no_move_is_listed_twice() -> None:
    for stage, targets in TRANSITIONS.items():
        assert stage not in targets
        assert len(targets) == len(set(targets))
        assert all(isinstance(target, Stage) for target in targets)


def test_a_plan_once_issued_is_never_withdrawn_or_reassessed_from_scratch() -> None:
    for stage in (Stage.FINAL_PLAN, Stage.ANNUAL_REVIEW):
        assert not stage.can_move_to(Stage.WITHDRAWN)
        assert not stage.can_move_to(Stage.DECIDING_TO_ASSESS)
        assert stage.can_move_to(Stage.CEASED)
        assert stage.can_move_to(Stage.MOVED_AWAY)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Stage.REQUEST_RECEIVED, Stage.FINAL_PLAN),
        (Stage.REQUEST_RECEIVED, Stage.ASSESSING),
        (Stage.DECIDING_TO_ASSESS, Stage.DRAFT_PLAN),
        (Stage.ASSESSING, Stage.FINAL_PLAN),
        (Stage.DRAFT_PLAN, Stage.ANNUAL_REVIEW),
        (Stage.NOT_ASSESSING, Stage.FINAL_PLAN),
        (Stage.NOT_ISSUING, Stage.FINAL_PLAN),
        (Stage.FINAL_PLAN, Stage.DRAFT_PLAN),
        (Stage.CEASED, Stage.FINAL_PLAN),
    ],
)
def test_invalid_moves_are_refused(current: Stage, target: Stage) -> None:
    assert not current.can_move_to(target)


@pytest.mark.parametrize("target", list(Stage))
def test_withdrawn_and_moved_away_cannot_move_anywhere(target: Stage) -> None:
    assert not Stage.WITHDRAWN.can_move_to(target)
    assert not Stage.MOVED_AWAY.can_move_to(target)
    assert not Stage.CEASED.can_move_to(target)


@settings(database=None, deadline=None)
@given(current=st.sampled_from(Stage), target=st.sampled_from(Stage))
def test_can_move_to_agrees_with_next_stages(current: Stage, target: Stage) -> None:
    assert current.can_move_to(target) is (target in current.next_stages)
    assert current.next_stages is TRANSITIONS[current]
