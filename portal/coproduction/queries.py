"""Reads for the co-production workspace. The overview's figures are SQL aggregates (GROUP BY
month, GROUP BY stage); the comments are one page of rows with their themes.

On PostgreSQL the figures, and the comments' count when no theme or search is chosen, are summed
from `feedback_tally` (kept by a trigger: see portal/feedback/models.py), a few hundred rows
whatever the number of responses; on SQLite they are counted from the feedback itself.

Separation: nothing here reads a child, a case or a message. A family member's name and email are
joined only for feedback whose giver agreed to be contacted (`contact_ok`); anonymous feedback
holds no account to join.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import selectinload

from portal.coproduction.figures import DISSATISFIED_AT_MOST, Group, month_label, months_back
from portal.ehcp.stages import PATH, Stage
from portal.extensions import db
from portal.feedback.models import Feedback, FeedbackTheme, Theme, feedback_tally
from portal.models import User

MONTHS_SHOWN = 12
NO_STAGE_LABEL = "Not one part in particular"


@dataclass(frozen=True)
class Source:
    """Where responses are counted: the tally (each row `responses` strong) or the feedback (1 each)."""

    month: object
    stage: object
    rating: object
    has_comment: object
    weight: object
    table: object


def _source() -> Source:
    if db.session.get_bind().dialect.name == "postgresql":
        t = feedback_tally.c
        return Source(t.month, t.stage, t.rating, t.has_comment, t.responses, feedback_tally)
    return _feedback_source()


def _aggregates(source: Source):
    return (
        func.coalesce(func.sum(source.weight), 0),
        func.coalesce(func.sum(source.rating * source.weight), 0),
        func.coalesce(func.sum(case((source.rating <= DISSATISFIED_AT_MOST, source.weight), else_=0)), 0),
    )


def by_month(this_month: date) -> list[Group]:
    """Each of the last MONTHS_SHOWN months, oldest first, with months of no responses as 0."""
    months = months_back(this_month, MONTHS_SHOWN)
    source = _source()
    rows = db.session.execute(
        select(source.month, *_aggregates(source)).where(source.month >= months[0]).group_by(source.month)
    ).all()
    found = {month: (int(count), int(total), int(dissatisfied)) for month, count, total, dissatisfied in rows}
    return [Group(month_label(month), *found.get(month, (0, 0, 0))) for month in months]


def by_stage(this_month: date) -> list[Group]:
    """Each stage on the statutory path, any other stage with responses, then feedback about no
    stage in particular, over the last MONTHS_SHOWN months."""
    start = months_back(this_month, MONTHS_SHOWN)[0]
    source = _source()
    rows = db.session.execute(
        select(source.stage, *_aggregates(source)).where(source.month >= start).group_by(source.stage)
    ).all()
    found = {Stage(stage) if stage is not None else None: (int(count), int(total), int(dissatisfied))
             for stage, count, total, dissatisfied in rows}
    stages = sorted(set(PATH) | {stage for stage in found if stage is not None}, key=lambda s: s.position)
    groups = [Group(stage.label, *found.get(stage, (0, 0, 0))) for stage in stages]
    return [*groups, Group(NO_STAGE_LABEL, *found.get(None, (0, 0, 0)))]


# --- Comments ----------------------------------------------------------------------------------

WITH_COMMENT, WITHOUT_COMMENT, ANY_COMMENT = "yes", "no", "any"
NO_STAGE = "none"


@dataclass(frozen=True)
class CommentFilters:
    stage: Stage | None = None
    no_stage: bool = False  # "Not one part in particular"
    rating: int | None = None
    month: date | None = None
    theme_id: int | None = None
    comment: str = WITH_COMMENT
    search: str = ""


@dataclass(frozen=True)
class CommentRow:
    feedback: Feedback
    # Only when the family member agreed to be contacted; otherwise None.
    contact_name: str | None
    contact_email: str | None


@dataclass(frozen=True)
class CommentsPage:
    rows: list[CommentRow]
    total: int
    page: int
    pages: int
    # With a theme or a search, matches are counted up to COUNTED_AT_MOST: True when there are more.
    more: bool = False


# Counting every match of a theme or a search reads every match; past this many, the page says
# "more than" and shows the newest this many.
COUNTED_AT_MOST = 1000


def like_pattern(search: str) -> str:
    """A LIKE pattern for the text anywhere, with LIKE's own wildcards taken literally."""
    escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _counted_conditions(filters: CommentFilters, source: Source) -> list:
    """The filters the tally can answer too: stage, rating, month and whether there is a comment."""
    conditions = []
    if filters.no_stage:
        conditions.append(source.stage.is_(None))
    elif filters.stage is not None:
        conditions.append(source.stage == filters.stage.value)
    if filters.rating is not None:
        conditions.append(source.rating == filters.rating)
    if filters.month is not None:
        conditions.append(source.month == filters.month)
    if filters.comment == WITH_COMMENT:
        conditions.append(source.has_comment.is_(True))
    elif filters.comment == WITHOUT_COMMENT:
        conditions.append(source.has_comment.is_(False))
    return conditions


def _feedback_source() -> Source:
    return Source(Feedback.month, Feedback.stage, Feedback.rating, Feedback.has_comment, literal(1), Feedback.__table__)


def _conditions(filters: CommentFilters) -> list:
    conditions = _counted_conditions(filters, _feedback_source())
    if filters.theme_id is not None:
        conditions.append(exists().where(FeedbackTheme.feedback_id == Feedback.id,
                                         FeedbackTheme.theme_id == filters.theme_id))
    if filters.search:
        pattern = like_pattern(filters.search)
        conditions.append(or_(func.lower(Feedback.worked_well).like(pattern, escape="\\"),
                              func.lower(Feedback.could_be_better).like(pattern, escape="\\")))
    return conditions


def _with_contact():
    """Feedback with its giver's name and email only where they agreed to be contacted."""
    return select(Feedback, User.name, User.email).outerjoin(
        User, and_(User.id == Feedback.user_id, Feedback.contact_ok.is_(True), Feedback.anonymous.is_(False)),
    )


NEWEST_FIRST = (Feedback.month.desc(), Feedback.id.desc())


def comments(filters: CommentFilters, page: int, page_size: int) -> CommentsPage:
    """One page of feedback, newest month first, with its themes: three statements."""
    conditions = _conditions(filters)
    source = _source()
    more = False
    if filters.theme_id is None and not filters.search:
        # FROM the source's table even when no condition names it (a weight of 1 names none).
        total = db.session.scalar(
            select(func.coalesce(func.sum(source.weight), 0)).select_from(source.table)
            .where(*_counted_conditions(filters, source))
        ) or 0
    else:
        matches = select(Feedback.id).where(*conditions).limit(COUNTED_AT_MOST + 1).subquery()
        total = db.session.scalar(select(func.count()).select_from(matches)) or 0
        more = total > COUNTED_AT_MOST
        total = min(total, COUNTED_AT_MOST)
    pages = max(1, -(-total // page_size))
    rows = db.session.execute(
        _with_contact().where(*conditions).order_by(*NEWEST_FIRST)
        .limit(page_size).offset((page - 1) * page_size).options(selectinload(Feedback.themes))
    ).all() if page <= pages else []
    return CommentsPage([CommentRow(*row) for row in rows], total, page, pages, more)


def comment(feedback_id: int) -> CommentRow | None:
    row = db.session.execute(
        _with_contact().where(Feedback.id == feedback_id).options(selectinload(Feedback.themes))
    ).first()
    return CommentRow(*row) if row is not None else None


@dataclass(frozen=True)
class ExportRow:
    month: date
    stage: Stage | None
    source: str
    rating: int
    worked_well: str | None
    could_be_better: str | None
    themes: str | None
    contact_name: str | None
    contact_email: str | None


def export_rows(filters: CommentFilters) -> Iterator[ExportRow]:
    """Every row of the filter, newest month first, in one statement read in batches: each row's
    themes joined in SQL, names and emails only where the family member agreed to be contacted."""
    themes = (
        select(func.aggregate_strings(Theme.name, "; "))
        .join(FeedbackTheme, FeedbackTheme.theme_id == Theme.id)
        .where(FeedbackTheme.feedback_id == Feedback.id)
        .scalar_subquery()
    )
    statement = (
        select(Feedback.month, Feedback.stage, Feedback.source, Feedback.rating, Feedback.worked_well,
               Feedback.could_be_better, themes, User.name, User.email)
        .outerjoin(User, and_(User.id == Feedback.user_id, Feedback.contact_ok.is_(True),
                              Feedback.anonymous.is_(False)))
        .where(*_conditions(filters))
        .order_by(*NEWEST_FIRST)
        .execution_options(yield_per=1000)
    )
    for row in db.session.execute(statement):
        yield ExportRow(*row)


# --- Themes ------------------------------------------------------------------------------------


def themes() -> list[Theme]:
    return list(db.session.scalars(select(Theme).order_by(Theme.name)))


@dataclass(frozen=True)
class ThemeName:
    id: int
    name: str


def theme_names() -> list[ThemeName]:
    """Every theme's id and name, by name: plain values, kept between requests by the comments."""
    return [ThemeName(*row) for row in db.session.execute(select(Theme.id, Theme.name).order_by(Theme.name))]


def themes_with_counts() -> list[tuple[Theme, int]]:
    """Every theme with how much feedback it tags (one statement)."""
    tagged = (
        select(func.count()).select_from(FeedbackTheme).where(FeedbackTheme.theme_id == Theme.id).scalar_subquery()
    )
    return [(theme, count) for theme, count in db.session.execute(select(Theme, tagged).order_by(Theme.name))]


def theme(theme_id: int) -> Theme | None:
    return db.session.get(Theme, theme_id)
