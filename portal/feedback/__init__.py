"""Family feedback: the form every page links to (the phase banner), and its confirmation.
One blueprint; the page modules add their views to it. Use cases are in services.py."""

from flask import Blueprint

bp = Blueprint("feedback", __name__)

# The page modules add their views to `bp` (imported last, so that `bp` exists).
from portal.feedback import family_pages, you_said_pages  # noqa: E402

__all__ = ["bp", "family_pages", "you_said_pages"]
