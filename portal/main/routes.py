"""The start page, information pages linked from every footer, and health checks."""

from flask import Blueprint, redirect, render_template
from flask_login import current_user
from sqlalchemy import text

from portal.access import public
from portal.extensions import db

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def start():
    if current_user.is_authenticated:
        from portal.auth.routes import home_for

        return redirect(home_for(current_user))
    return render_template("main/start.html")


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("main/accessibility.html")


@bp.route("/privacy")
@public
def privacy():
    return render_template("main/privacy.html")


@bp.route("/cookies")
@public
def cookies():
    return render_template("main/cookies.html")


@bp.route("/contact")
@public
def contact():
    return render_template("main/contact.html")


@bp.route("/healthz")
@public
def healthz():
    return {"status": "ok"}


@bp.route("/readyz")
@public
def readyz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means not ready
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
