"""The co-production team's workspace: the overview of responses and satisfaction, the families'
comments with their themes, and the themes themselves. Only the coproduction role uses it, and it
never shows a child, a case or a message (see queries.py). One blueprint; each page module adds
its views to it. Figures and the small-number rule are in figures.py, charts in charts.py."""

from flask import Blueprint

bp = Blueprint("coproduction", __name__)

# The page modules add their views to `bp` (imported last, so that `bp` exists).
from portal.coproduction import action_pages, comment_pages, overview_pages, theme_pages  # noqa: E402

__all__ = ["action_pages", "bp", "comment_pages", "overview_pages", "theme_pages"]
