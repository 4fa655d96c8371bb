"""Feedback for the co-production tests, written straight to the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, literal, select

from portal.conversations.reply_by import today_in_england
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.feedback.models import Feedback, FeedbackSource, FeedbackTheme, Theme
from portal.models import User


def this_month() -> date:
    return today_in_england().replace(day=1)


def months_ago(count: int) -> date:
    month = this_month()
    for _ in range(count):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


def feedback(
    rating: int = 4, stage: Stage | None = Stage.ASSESSING, month: date | None = None, *,
    worked_well: str | None = None, could_be_better: str | None = None, user: User | None = None,
    case_id: int | None = None, contact_ok: bool = False, source: FeedbackSource = FeedbackSource.ANY_TIME,
    themes: tuple[Theme, ...] = (),
) -> Feedback:
    """Anonymous unless `user` is given."""
    anonymous = user is None
    row = Feedback(
        rating=rating, stage=stage, month=month or this_month(), worked_well=worked_well,
        could_be_better=could_be_better, has_comment=bool(worked_well or could_be_better), source=source,
        anonymous=anonymous, contact_ok=contact_ok and not anonymous, user_id=None if anonymous else user.id,
        case_id=None if anonymous else case_id, given_at=None if anonymous else datetime.now(UTC),
    )
    db.session.add(row)
    db.session.flush()
    db.session.add_all(FeedbackTheme(feedback_id=row.id, theme_id=theme.id) for theme in themes)
    db.session.commit()
    return row


def many(count: int, month: date | None = None, with_comment: bool = True, theme: Theme | None = None) -> None:
    """`count` anonymous responses spread over the stages and ratings, in bulk."""
    stages = [*Stage, None]
    rows = [
        {"rating": 1 + i % 5, "stage": stages[i % len(stages)], "month": month or months_ago(i % 12),
         "worked_well": f"Comment number {i}" if with_comment else None, "could_be_better": None,
         "has_comment": with_comment, "source": FeedbackSource.ANY_TIME, "anonymous": True, "contact_ok": False}
        for i in range(count)
    ]
    db.session.execute(insert(Feedback), rows)
    if theme is not None:
        db.session.execute(insert(FeedbackTheme).from_select(
            ["feedback_id", "theme_id"], select(Feedback.id, literal(theme.id))))
    db.session.commit()


def theme(name: str) -> Theme:
    row = Theme(name=name)
    db.session.add(row)
    db.session.commit()
    return row


def shown(page) -> list[str]:
    """The responses a comments page lists, each as its words."""
    return [" ".join(item.get_text(" ").split()) for item in page.soup.select("main li.app-message")]
