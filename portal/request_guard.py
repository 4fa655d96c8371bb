"""Limits on what any request may carry, set once for the whole app.

- Record ids in URLs (`<int:...>`) are whole numbers from 1 to 2**31 - 1, the range of a
  PostgreSQL integer column: anything else matches no route, so it is the 404 page rather than a
  database overflow error.
- A NUL character in the path or the query string is a bad request (PostgreSQL text cannot hold
  one, so a search or an audit record would fail in the database).
- Only the message forms and the case import (UPLOADS) take files, each in one field and up to
  its own size; no form takes a JSON body. Any other request carrying either is refused with a
  GOV.UK error page before any view (or form) sees it. (Flask-WTF would otherwise give a form
  the uploaded FileStorage, or a JSON number or list, as a field's data.) The one JSON exception
  is SendGrid's signed Event Webhook (JSON_ENDPOINTS), which reads its raw body itself.
- A body larger than MAX_CONTENT_LENGTH, or form fields larger than MAX_FORM_MEMORY_SIZE, is the
  GOV.UK 413 page (werkzeug raises RequestEntityTooLarge while the form is read here).
"""

from flask import Flask, Request, abort, request
from werkzeug.routing import IntegerConverter

# The largest value of a PostgreSQL `integer` (and so of every id column).
MAX_ID = 2**31 - 1
# The only views that take a JSON body: they check its signature before reading it, not a form.
JSON_ENDPOINTS = frozenset({"webhooks.sendgrid_events"})
# The forms that send a message, with up to 5 files of 10MB each (portal/conversations/attachments.py).
UPLOAD_MAX_BYTES = 5 * 10 * 1024 * 1024 + 1024 * 1024
# The one field of those forms that may carry files (portal/conversations/forms.py).
UPLOAD_FIELD = "files"
# The case import's one CSV file (portal/admin/case_import_pages.py): 13,000 cases are about 2MB.
CASE_IMPORT_MAX_BYTES = 10 * 1024 * 1024
# Every form that takes files: endpoint -> (the one field that may carry them, the largest body).
UPLOADS: dict[str, tuple[str, int]] = {
    **dict.fromkeys(
        ("conversations.family_start", "conversations.family_conversation",
         "conversations.staff_start", "conversations.staff_conversation"),
        (UPLOAD_FIELD, UPLOAD_MAX_BYTES),
    ),
    "admin.case_import": ("file", CASE_IMPORT_MAX_BYTES + 1024 * 1024),
}
UPLOAD_ENDPOINTS = frozenset(UPLOADS)


class PortalRequest(Request):
    """A request whose size limit follows its endpoint: known as soon as the URL is matched, so
    the limit holds whoever reads the body first (Flask-WTF's CSRF check reads it before any
    view, and before this module's own check)."""

    @property
    def max_content_length(self) -> int | None:
        if self.url_rule is not None and self.url_rule.endpoint in UPLOADS:
            return UPLOADS[self.url_rule.endpoint][1]
        return super().max_content_length


class RecordIdConverter(IntegerConverter):
    """`<int:name>` for record ids: ASCII digits only (werkzeug's `\\d` also matches other
    scripts' digits), from 1 to MAX_ID."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits: int = 0, min: int = 1, max: int = MAX_ID, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Call before the blueprints are registered: their rules compile with the converter then."""
    app.url_map.converters["int"] = RecordIdConverter
    app.request_class = PortalRequest
    app.before_request(refuse_unexpected_input)


def refuse_unexpected_input() -> None:
    # PostgreSQL text cannot hold NUL: a query string or path with one (a caseload search, an
    # audited path) would fail in the database. Forms refuse it field by field, with a message.
    if "\x00" in request.path or any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400)
    if request.is_json and request.endpoint not in JSON_ENDPOINTS:
        abort(415)
    if request.endpoint in UPLOADS:
        # Files only in the form's file field: anywhere else a form would be given a file as text.
        if any(name != UPLOADS[request.endpoint][0] for name in request.files):
            abort(400)
        return
    # Reading request.files parses the body: a too-large one raises the 413 here.
    if request.files:
        abort(400)
