"""SEND Family Portal: the application factory."""

from datetime import date
from pathlib import Path

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from markupsafe import Markup
from sqlalchemy import Integer, bindparam, select
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, config_from_environment
from portal import chrome, components, read_only_commit, request_guard, sessions
from portal.extensions import csrf, db, limiter, login_manager, migrate, talisman
from portal.models import User

ROOT = Path(__file__).resolve().parent.parent

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
# Every signed-in request reads its account: the statement is built once.
USER_BY_ID = select(User).where(User.id == bindparam("user_id", type_=Integer))
PERMISSIONS_POLICY = {
    "camera": "()",
    "microphone": "()",
    "geolocation": "()",
    "payment": "()",
    "usb": "()",
    "interest-cohort": "()",
}


def create_app(config_class: type[Config] | None = None) -> Flask:
    config_class = config_class or config_from_environment()
    config_class.check()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config_class)
    app.config.update(config_class.keys())
    if app.config["PROXY_FIX_HOPS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_HOPS"], x_proto=1)

    register_templates(app)
    register_extensions(app)
    request_guard.init_app(app)  # before the blueprints: it sets the <int:> converter their rules use
    register_blueprints(app)
    sessions.init_app(app)

    from portal import cli, errors

    errors.init_app(app)
    cli.init_app(app)
    return app


def register_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    # Not StrictUndefined: GOV.UK Frontend's macros rely on undefined names being empty.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    chrome.init_app(app)
    components.register(app)

    app.jinja_env.filters["phone_link"] = phone_link
    app.jinja_env.globals["date_html"] = date_html

    @app.context_processor
    def council() -> dict[str, object]:
        config = app.config
        return {
            "council": {
                "name": config["COUNCIL_NAME"],
                "phone": config["COUNCIL_PHONE"],
                "email": config["COUNCIL_EMAIL"],
                "safeguarding_phone": config["COUNCIL_SAFEGUARDING_PHONE"],
            },
            "service_name": config["SERVICE_NAME"],
        }


def date_html(day: date) -> Markup:
    """A date as GOV.UK writes it, in a <time> element: 17 February 2025."""
    return Markup(f'<time datetime="{day.isoformat()}">{day.day} {day:%B %Y}</time>')  # noqa: S704 - digits and a month


def phone_link(number: str) -> Markup:
    """A phone number people can tap on a phone: <a href="tel:01632960000">01632 960 000</a>."""
    digits = "".join(char for char in number if char.isdigit() or char == "+")
    return Markup('<a class="govuk-link" href="tel:{}">{}</a>').format(digits, number)


def register_extensions(app: Flask) -> None:
    # Every model module, so that the metadata (and Alembic) knows every table.
    import portal.conversations.models
    import portal.data_versions
    import portal.ehcp.models
    import portal.feedback.models
    import portal.intake.models
    import portal.outbox  # noqa: F401

    db.init_app(app)
    read_only_commit.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    # Talisman first: its before_request makes the CSP nonce that every page needs, including
    # the error page a failed CSRF check renders.
    _init_talisman(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # sessions.py enforces the time limits

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        user_id, _, version = token.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        user = db.session.scalar(USER_BY_ID, {"user_id": int(user_id)})
        if user is None or user.session_version != int(version) or not user.active:
            return None
        return user


def _init_talisman(app: Flask) -> None:
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=True,
        strict_transport_security_include_subdomains=True,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src"],
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy=PERMISSIONS_POLICY,
    )


def register_blueprints(app: Flask) -> None:
    from portal.admin.routes import bp as admin_bp
    from portal.auth.routes import bp as auth_bp
    from portal.casework.routes import bp as casework_bp
    from portal.conversations import bp as conversations_bp
    from portal.coproduction import bp as coproduction_bp
    from portal.family.routes import bp as family_bp
    from portal.feedback import bp as feedback_bp
    from portal.intake import bp as intake_bp
    from portal.main.routes import bp as main_bp
    from portal.reports import bp as reports_bp
    from portal.webhooks import bp as webhooks_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(family_bp, url_prefix="/family")
    app.register_blueprint(casework_bp, url_prefix="/casework")
    # Its routes carry their own prefix: /family/messages... for families, /casework/... for staff.
    app.register_blueprint(conversations_bp)
    # Public request pages under /request-an-assessment, the team's under /casework/requests.
    app.register_blueprint(intake_bp)
    app.register_blueprint(feedback_bp)
    app.register_blueprint(coproduction_bp, url_prefix="/coproduction")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(webhooks_bp, url_prefix="/webhooks")
