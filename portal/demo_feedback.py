"""Demo feedback: a year of varied, synthetic responses across the stages and themes, and "You
said, we did" actions (published and not), so that the co-production team's charts and the loop
back to families show something real. Made once: running it again adds nothing. No email is left
in the outbox: the seeded history is not news to anyone; the demo parent has one notice waiting.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from portal.ehcp.stages import PATH, Stage
from portal.extensions import db
from portal.feedback.models import (
    Action,
    ActionFeedback,
    ActionNotice,
    ActionStatus,
    ActionTheme,
    Feedback,
    FeedbackSource,
    FeedbackTheme,
    Theme,
)
from portal.models import User

THEMES = ("Communication", "Waiting times", "Caseworker contact", "School placement", "The draft plan",
          "This website")

# (theme, what worked well, what could be better): synthetic, and plain.
COMMENTS = (
    ("Communication", "The letter explained each step clearly.", "Nobody told us the assessment had started."),
    ("Communication", "I was told what would happen next.", "Emails used words we did not understand."),
    ("Waiting times", "The decision came before the deadline.", "We waited weeks without hearing anything."),
    ("Waiting times", "", "The plan was late and we were not told why."),
    ("Caseworker contact", "Our caseworker rang back the same day.", "I could not find out who our caseworker was."),
    ("Caseworker contact", "The caseworker listened to us.", "Our caseworker changed three times."),
    ("School placement", "The school visit was arranged quickly.", "We were not asked which school we wanted."),
    ("The draft plan", "The draft plan described our son well.", "The draft plan had the wrong name in it."),
    ("The draft plan", "", "We had too little time to comment on the draft."),
    ("This website", "Seeing the dates online helped a lot.", "I could not find where to send a message."),
)

# Stages where families struggle more in the demo: lower ratings there.
HARDER = {Stage.ASSESSING: -1.2, Stage.DRAFT_PLAN: -0.8, Stage.DECIDING_TO_ASSESS: -0.4}

ACTIONS = (
    ("Families said nobody told them when the assessment had started.",
     "The portal now shows every stage and its date, and families get an email at every stage change.",
     ActionStatus.DONE, 60, ("Communication",)),
    ("Families said they could not find out who their caseworker was.",
     "Every case page now names the caseworker and the team. We are also recording absences so that "
     "families know who replies while their caseworker is away.",
     ActionStatus.IN_PROGRESS, None, ("Caseworker contact",)),
    ("Families said they had too little time to comment on the draft plan.",
     "The law sets at least 15 days. We cannot shorten our side, but we now send the draft on the day it "
     "is ready and tell families the last day to comment.",
     ActionStatus.NOT_POSSIBLE, None, ("The draft plan",)),
)
UNPUBLISHED = ("Families said letters used words they did not understand.",
               "We are rewriting our letters in plain English with parents.", ActionStatus.PLANNED,
               None, ("Communication",))


def seed_feedback(users: dict[str, User], parent_email: str, today: date, per_month: int = 25) -> None:
    if db.session.scalar(select(Theme.id).where(Theme.name == THEMES[0])) is not None:
        return
    themes = {name: Theme(name=name) for name in THEMES}
    db.session.add_all(themes.values())
    families = [user for user in users.values() if not user.is_staff]
    parent = users[parent_email]
    chance = random.Random(2026)  # noqa: S311 - synthetic demo data, repeatable on purpose
    responses: list[tuple[Feedback, str]] = []
    for months_ago in range(12, -1, -1):
        month = _month(today, months_ago)
        for _ in range(per_month + chance.randint(-8, 8)):
            stage = chance.choice((*PATH, None))
            theme, worked, better = chance.choice(COMMENTS)
            rating = round(min(5, max(1, chance.gauss(3.6 + HARDER.get(stage, 0) + (12 - months_ago) * 0.05, 1))))
            anonymous = chance.random() < 0.4
            person = None if anonymous else chance.choice(families)
            has_words = chance.random() < 0.7
            feedback = Feedback(
                rating=rating, stage=stage, anonymous=anonymous, month=month,
                source=chance.choice(list(FeedbackSource)),
                worked_well=(worked or None) if has_words and rating >= 3 else None,
                could_be_better=better if has_words and rating <= 3 else None,
                user_id=person.id if person else None,
                contact_ok=person is not None and chance.random() < 0.3,
                given_at=None if anonymous else _moment(min(today, month + timedelta(days=chance.randint(0, 27)))),
            )
            feedback.has_comment = bool(feedback.worked_well or feedback.could_be_better)
            responses.append((feedback, theme))
    # The demo parent's own feedback, which the first action answers: they are told about it.
    own = Feedback(rating=2, stage=Stage.ASSESSING, anonymous=False, month=_month(today, 3), user_id=parent.id,
                   source=FeedbackSource.STAGE_CHANGE, could_be_better="Nobody told us the assessment had started.",
                   has_comment=True, contact_ok=True, given_at=_moment(_month(today, 3) + timedelta(days=4)))
    responses.append((own, "Communication"))
    db.session.add_all(feedback for feedback, _ in responses)
    db.session.flush()
    # Most comments are tagged already; some are left for the team to tag.
    db.session.add_all(
        FeedbackTheme(feedback_id=feedback.id, theme_id=themes[theme].id)
        for feedback, theme in responses if feedback.has_comment and (feedback is own or chance.random() < 0.75)
    )
    db.session.flush()
    for number, spec in enumerate((*ACTIONS, UNPUBLISHED)):
        others = [(feedback, theme) for feedback, theme in responses if feedback is not own]
        _action(spec, themes, others, published=spec is not UNPUBLISHED, today=today, offset=number)
    first = db.session.scalar(select(Action.id).order_by(Action.id).limit(1))
    db.session.add(ActionFeedback(action_id=first, feedback_id=own.id))
    db.session.add(ActionNotice(action_id=first, user_id=parent.id, event="done"))
    db.session.commit()


def _action(spec, themes, responses, published: bool, today: date, offset: int) -> None:
    you_said, we_did, status, done_days_ago, theme_names = spec
    action = Action(
        you_said=you_said, we_did=we_did, status=status,
        done_on=today - timedelta(days=done_days_ago) if done_days_ago else None,
        published_at=_moment(today - timedelta(days=90 - offset * 10)) if published else None,
    )
    db.session.add(action)
    db.session.flush()
    db.session.add_all(ActionTheme(action_id=action.id, theme_id=themes[name].id) for name in theme_names)
    answered = [feedback for feedback, theme in responses if theme in theme_names and feedback.could_be_better][:12]
    db.session.add_all(ActionFeedback(action_id=action.id, feedback_id=feedback.id) for feedback in answered)


def _month(today: date, months_ago: int) -> date:
    index = today.year * 12 + today.month - 1 - months_ago
    return date(index // 12, index % 12 + 1, 1)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 30), tzinfo=UTC)
