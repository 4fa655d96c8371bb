"""The co-production team's use cases on themes: create, rename, merge, and tag feedback. Each is
one transaction with its audit record."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, literal, select

from portal import audit
from portal.extensions import db
from portal.feedback.models import ActionTheme, Feedback, FeedbackTheme, Theme
from portal.models import User


class ThemeProblem(ValueError):
    """A theme name that cannot be used, or a merge that cannot be made."""


def _taken(name: str, besides: int | None = None) -> bool:
    same = select(Theme.id).where(func.lower(Theme.name) == name.lower())
    if besides is not None:
        same = same.where(Theme.id != besides)
    return db.session.scalar(same.limit(1)) is not None


def create_theme(name: str, actor: User) -> Theme:
    if _taken(name):
        raise ThemeProblem(f"There is already a theme called {name}")
    theme = Theme(name=name)
    db.session.add(theme)
    db.session.flush()
    audit.record("theme-created", actor=actor, target=f"theme:{theme.id}", detail=name)
    db.session.commit()
    return theme


def rename_theme(theme: Theme, name: str, actor: User) -> None:
    if _taken(name, besides=theme.id):
        raise ThemeProblem(f"There is already a theme called {name}")
    audit.record("theme-renamed", actor=actor, target=f"theme:{theme.id}", detail=f"{theme.name} to {name}")
    theme.name = name
    db.session.commit()


def merge_themes(gone: Theme, kept: Theme, actor: User) -> None:
    """Move every feedback and action tagged `gone` to `kept` (once each), then delete `gone`."""
    if gone.id == kept.id:
        raise ThemeProblem("Choose another theme to merge it into")
    for link, owner in ((FeedbackTheme, FeedbackTheme.feedback_id), (ActionTheme, ActionTheme.action_id)):
        already = select(owner).where(link.theme_id == kept.id)
        db.session.execute(
            insert(link).from_select(
                [owner.key, "theme_id"],
                select(owner, literal(kept.id)).where(link.theme_id == gone.id, owner.not_in(already)),
            )
        )
        db.session.execute(delete(link).where(link.theme_id == gone.id))
    audit.record("themes-merged", actor=actor, target=f"theme:{kept.id}", detail=f"{gone.name} into {kept.name}")
    db.session.delete(gone)
    db.session.commit()


def tag_feedback(feedback: Feedback, theme_ids: set[int], actor: User) -> None:
    """Set the feedback's themes to exactly these (ids of themes that no longer exist are left out)."""
    chosen = list(db.session.scalars(select(Theme).where(Theme.id.in_(theme_ids)).order_by(Theme.name))) \
        if theme_ids else []
    feedback.themes = chosen
    audit.record("feedback-tagged", actor=actor, target=f"feedback:{feedback.id}",
                 detail=", ".join(theme.name for theme in chosen) or "No themes")
    db.session.commit()
