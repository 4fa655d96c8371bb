"""Session rules: idle and absolute time-outs, and no caching of pages.

Flask-Login restores the user from the session (id and session version together, see
`User.get_id`); these checks then sign the person out, saying why, when a limit has passed.
"""

import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

SIGNED_IN_AT = "signed_in_at"
LAST_ACTIVE_AT = "last_active_at"
# The idle clock is moved on at most once a minute: a session that has not changed is not signed
# and sent back again with every page. So a time-out can come up to a minute before the full
# idle time since the very last page (a page within a minute of the last recorded one).
ACTIVITY_RESOLUTION_SECONDS = 60


def start(now: float | None = None) -> None:
    """Call just after login_user: the session's clocks start."""
    now = time.time() if now is None else now
    session[SIGNED_IN_AT] = now
    session[LAST_ACTIVE_AT] = now


def end() -> None:
    logout_user()
    session.clear()


def _expired_message() -> str | None:
    now = time.time()
    config = current_app.config
    signed_in_at = session.get(SIGNED_IN_AT)
    last_active_at = session.get(LAST_ACTIVE_AT)
    if signed_in_at is None or last_active_at is None:
        return "You need to sign in again."
    if now - signed_in_at > config["SESSION_ABSOLUTE_LIMIT"].total_seconds():
        hours = int(config["SESSION_ABSOLUTE_LIMIT"].total_seconds() // 3600)
        return f"You have been signed out because you were signed in for more than {hours} hours."
    idle = config["STAFF_IDLE_TIMEOUT"] if current_user.is_staff else config["FAMILY_IDLE_TIMEOUT"]
    if now - last_active_at > idle.total_seconds():
        minutes = int(idle.total_seconds() // 60)
        return f"You have been signed out because you had not used the service for {minutes} minutes."
    return None


def enforce_time_limits():
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    message = _expired_message()
    if message is not None:
        end()
        flash(message, "signed-out")
        return redirect(url_for("auth.sign_in"))
    now = time.time()
    if now - session[LAST_ACTIVE_AT] >= ACTIVITY_RESOLUTION_SECONDS:
        session[LAST_ACTIVE_AT] = now
    return None


def no_store(response):
    """Pages may show personal data or carry a form token: never keep them in a cache. A view
    that already said no-store (a file download: "private, no-store") keeps its own words."""
    if request.endpoint != "static" and "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.before_request(enforce_time_limits)
    app.after_request(no_store)
