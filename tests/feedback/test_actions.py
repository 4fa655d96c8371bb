"""'You said, we did': actions, the public page, and telling each family whose own non-anonymous
feedback an action answers (once per event, never anyone else, never through anonymous feedback)."""

from __future__ import annotations

from datetime import date

import pytest
from flask import current_app
from sqlalchemy import select

from portal.extensions import db
from portal.feedback import actions
from portal.feedback.models import (
    Action,
    ActionNotice,
    ActionStatus,
    Feedback,
    FeedbackSource,
    FeedbackTheme,
    Theme,
)
from portal.models import Role
from portal.outbox import OutboxEmail
from tests.helpers import get_page, post_page, sign_in_fast

MONTH = date(2026, 11, 1)


@pytest.fixture
def world(make):
    team = make.team("North SEND team")
    told = make.user(Role.FAMILY, name="Tess Told", email="tess.told@example.org")
    other = make.user(Role.FAMILY, name="Otto Other", email="otto.other@example.org")
    hidden = make.user(Role.FAMILY, name="Ann Onymous", email="ann.onymous@example.org")
    make.child(team=team, family=[told, other, hidden], first_name="Zebedee")
    coproduction = make.user(Role.COPRODUCTION, name="Cora Coproduction")
    theme = Theme(name="Communication")
    db.session.add(theme)
    mine = Feedback(rating=1, source=FeedbackSource.ANY_TIME, month=MONTH, anonymous=False, user_id=told.id,
                    could_be_better="Nobody rang back.", has_comment=True)
    anonymous = Feedback(rating=2, source=FeedbackSource.ANY_TIME, month=MONTH, anonymous=True,
                         could_be_better="Letters were late.", has_comment=True)
    unlinked = Feedback(rating=2, source=FeedbackSource.ANY_TIME, month=MONTH, anonymous=False, user_id=other.id,
                        could_be_better="Parking.", has_comment=True)
    db.session.add_all([mine, anonymous, unlinked])
    db.session.flush()
    db.session.add_all(FeedbackTheme(feedback_id=f.id, theme_id=theme.id) for f in (mine, anonymous))
    db.session.commit()
    return {"told": told, "other": other, "hidden": hidden, "coproduction": coproduction, "theme": theme,
            "mine": mine, "anonymous": anonymous, "unlinked": unlinked}


def _action(world, status=ActionStatus.IN_PROGRESS, done_on=None) -> Action:
    draft = actions.ActionDraft(
        you_said="Families said nobody rang back.", we_did="Caseworkers now ring back within 2 working days.",
        status=status, done_on=done_on, theme_ids=(world["theme"].id,),
    )
    with current_app.test_request_context():
        action = actions.save_action(world["coproduction"], draft, date.today())
        actions.link_feedback(world["coproduction"], action, [world["mine"].id, world["anonymous"].id])
    return action


def _emails() -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == "action_update")))


def test_nothing_is_sent_until_the_action_is_published(world):
    _action(world)
    assert _emails() == [] and db.session.scalars(select(ActionNotice)).all() == []


def test_publishing_tells_only_the_family_whose_own_feedback_it_answers(world):
    action = _action(world)
    with current_app.test_request_context():
        assert actions.publish(world["coproduction"], action)
        assert not actions.publish(world["coproduction"], action)
    [email] = _emails()
    assert email.to_email == world["told"].email and email.user_id == world["told"].id
    assert email.context["done"] is False and email.context["link"].endswith("/you-said-we-did")
    assert email.subject == "We are acting on your feedback"
    text = str(email.context) + email.subject
    for secret in ("Zebedee", "Nobody rang back", "Otto", "Ann", "Letters were late"):
        assert secret not in text
    [notice] = db.session.scalars(select(ActionNotice)).all()
    assert (notice.user_id, notice.event) == (world["told"].id, "published")


def test_marking_a_published_action_done_tells_the_family_again_once(world):
    action = _action(world)
    with current_app.test_request_context():
        actions.publish(world["coproduction"], action)
        done = actions.ActionDraft(action.you_said, action.we_did, ActionStatus.DONE, date.today(),
                                   (world["theme"].id,))
        actions.save_action(world["coproduction"], done, date.today(), action)
        actions.save_action(world["coproduction"], done, date.today(), action)
    emails = _emails()
    assert [e.subject for e in emails] == ["We are acting on your feedback", "Your feedback led to a change"]
    assert {e.to_email for e in emails} == {world["told"].email}


def test_publishing_an_action_already_done_sends_one_email_that_says_so(world):
    action = _action(world)
    with current_app.test_request_context():
        done = actions.ActionDraft(action.you_said, action.we_did, ActionStatus.DONE, date.today(),
                                   (world["theme"].id,))
        actions.save_action(world["coproduction"], done, date.today(), action)
        actions.publish(world["coproduction"], action)
        actions.link_feedback(world["coproduction"], action, [world["mine"].id])  # linked again: no more emails
    [email] = _emails()
    assert email.subject == "Your feedback led to a change" and email.context["done"] is True
    assert [notice.event for notice in db.session.scalars(select(ActionNotice))] == ["done"]


@pytest.mark.parametrize(
    ("status", "done_on", "message"),
    [
        (ActionStatus.DONE, None, "Enter the date it was done"),
        (ActionStatus.DONE, date(2999, 1, 1), "The date it was done must be today or in the past"),
        (ActionStatus.PLANNED, date(2026, 1, 1), "Only give a date it was done if its status is done"),
    ],
)
def test_a_done_date_must_fit_the_status(world, status, done_on, message):
    with pytest.raises(actions.ActionProblem, match=message):
        actions.save_action(world["coproduction"], actions.ActionDraft("a", "b", status, done_on), date.today())


def test_the_public_page_shows_published_actions_and_a_family_sees_which_answer_them(client, world):
    unpublished = _action(world)
    assert "nobody rang back" not in get_page(client, "/you-said-we-did").text
    published = _action(world)
    with current_app.test_request_context():
        actions.publish(world["coproduction"], published)
    page = get_page(client, "/you-said-we-did")
    assert page.h1 == "You said, we did"
    assert page.text.count("Families said nobody rang back.") == 1
    assert "Answers your feedback" not in page.text
    sign_in_fast(client, world["told"])
    assert actions.unseen_notices(world["told"].id) == 1
    page = get_page(client, "/you-said-we-did")
    assert "Answers your feedback" in page.soup.select_one(".govuk-summary-card").get_text()
    assert actions.unseen_notices(world["told"].id) == 0
    assert unpublished.published_at is None


def test_the_public_page_reads_a_fixed_number_of_statements(client, world, count_queries):
    for _ in range(3):
        with current_app.test_request_context():
            actions.publish(world["coproduction"], _action(world))
    sign_in_fast(client, world["told"])
    with count_queries() as counter:
        get_page(client, "/you-said-we-did")
    assert counter.count <= 10


def test_the_team_adds_links_and_publishes_an_action_through_the_pages(client, world):
    sign_in_fast(client, world["coproduction"])
    page = post_page(client, "/coproduction/actions/new", {"you_said": "", "we_did": "", "status": ""}, status=400)
    assert "Enter what families said" in page.error_messages()
    response = client.post("/coproduction/actions/new", data={
        "you_said": "Letters came late.", "we_did": "We now email letters the same day.",
        "status": "in_progress", "themes": str(world["theme"].id),
    })
    assert response.status_code == 302
    action = db.session.scalar(select(Action))
    page = get_page(client, f"/coproduction/actions/{action.id}")
    boxes = {int(box["value"]) for box in page.soup.select("input[name=feedback]")}
    assert boxes == {world["mine"].id, world["anonymous"].id}
    assert "Zebedee" not in page.text and "Tess" not in page.text
    client.post(f"/coproduction/actions/{action.id}/feedback", data={"feedback": [str(world["mine"].id)]})
    assert client.post(f"/coproduction/actions/{action.id}/publish").status_code == 302
    assert [e.to_email for e in _emails()] == [world["told"].email]
    assert "Letters came late." in get_page(client, "/you-said-we-did").text


def test_the_dashboard_says_when_the_council_acted_on_their_feedback(client, world):
    with current_app.test_request_context():
        actions.publish(world["coproduction"], _action(world))
    sign_in_fast(client, world["told"])
    notice = get_page(client, "/family/").soup.find("a", string="See what it did")
    assert notice is not None and notice["href"] == "/you-said-we-did"
    get_page(client, notice["href"])
    assert get_page(client, "/family/").soup.find("a", string="See what it did") is None
    sign_in_fast(client, world["other"])
    page = get_page(client, "/family/")
    assert page.soup.find("a", string="See what it did") is None
    assert page.soup.find("a", string="You said, we did")["href"] == "/you-said-we-did"
