"""The governance report for managers and the oversight board (the board role sees nothing else):
the page, its CSV and the print layout. The figures are worked out in portal/governance."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

# The page module adds its views to `bp` (imported last, so that `bp` exists).
from portal.reports import report_pages  # noqa: E402

__all__ = ["bp", "report_pages"]
