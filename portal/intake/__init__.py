"""Requests for an EHC needs assessment: the public request pages (and the same pages for a family
member already signed in), the team's request inbox, and staff registering a request that came
another way. One blueprint; each page module adds its views to it. Use cases are in services.py."""

from flask import Blueprint

bp = Blueprint("intake", __name__)

# The page modules add their views to `bp` (imported last, so that `bp` exists).
from portal.intake import (  # noqa: E402
    decision_pages,
    inbox_pages,
    public_family,
    public_pages,
    register_pages,
)

__all__ = ["bp", "decision_pages", "inbox_pages", "public_family", "public_pages", "register_pages"]
