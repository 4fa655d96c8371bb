"""Requests for an EHC needs assessment: the public request pages (and the same pages for a family
member already signed in), the team's request inbox, and staff registering a request that came
another way. One blueprint; each page module adds its views to it. Use cases are in services.py."""

from flask import Blueprint

bp = Blueprint("intake", __name__)

# The page modules add their views to `bp` (imported last, so that `bp` exists).
from portal.intake import public_pages  # noqa: E402

__all__ = ["bp", "public_pages"]
