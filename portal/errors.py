"""GOV.UK-style error pages for 400, 403, 404, 405, 410, 413, 429, 500 and a CSRF failure."""

import time

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.extensions import db, limiter

PAGES = {
    400: ("Sorry, there is a problem with the page you asked for", "errors/400.html"),
    403: ("You do not have permission to see this page", "errors/403.html"),
    404: ("Page not found", "errors/404.html"),
    405: ("Sorry, there is a problem with the page you asked for", "errors/400.html"),
    413: ("Sorry, what you sent was too large", "errors/400.html"),
    429: ("Sorry, there have been too many attempts", "errors/429.html"),
    500: ("Sorry, there is a problem with the service", "errors/500.html"),
}


def render_error(status: int, **context):
    heading, template = PAGES.get(status, PAGES[400] if status < 500 else PAGES[500])
    return render_template(template, heading=heading, **context), status


def _minutes_to_wait() -> int | None:
    """How long until the limit that was hit lets the person try again, to the nearest minute
    (its reset time is a whole second, rounded up), and never less than one."""
    current = limiter.current_limit
    if current is None:
        return None
    return max(1, round((current.reset_at - time.time()) / 60))


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        return render_template("errors/csrf.html", heading="Sorry, we could not save your answers"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        body, status = render_error(error.code, wait_minutes=_minutes_to_wait() if error.code == 429 else None)
        # Keep the exception's own headers (such as Allow on a 405), but not its Content-Type.
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        return body, status, headers

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return render_error(500)
