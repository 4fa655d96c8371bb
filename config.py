"""Settings for the SEND Family Portal.

Every setting comes from an environment variable; README.md lists them with their defaults.
`Config` is development, `TestConfig` is for the test suite and `ProductionConfig` refuses to
start with unsafe values.
"""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def database_url(value: str) -> str:
    """Use the psycopg 3 driver for plain PostgreSQL URLs (as hosting platforms give them)."""
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix):]
    return value


class Config:
    """Development defaults: SQLite in instance/, emails written to instance/mail/."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'portal.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": True}  # noqa: RUF012

    # Council branding: a fictional council by default.
    COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "Example County Council")
    COUNCIL_PHONE = os.environ.get("COUNCIL_PHONE", "01632 960 000")
    COUNCIL_EMAIL = os.environ.get("COUNCIL_EMAIL", "send@example.org")
    COUNCIL_SAFEGUARDING_PHONE = os.environ.get("COUNCIL_SAFEGUARDING_PHONE", "01632 960 999")
    COUNCIL_LA_CODE = os.environ.get("COUNCIL_LA_CODE", "000")
    SERVICE_NAME = "SEND Family Portal"
    PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:5000")

    # Sessions and cookies.
    SESSION_COOKIE_NAME = "portal_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", False)
    # Flask-Login's remember-me cookie is never set, but if it were it would be just as safe.
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    STAFF_IDLE_TIMEOUT = timedelta(minutes=_int("STAFF_IDLE_MINUTES", 30))
    FAMILY_IDLE_TIMEOUT = timedelta(minutes=_int("FAMILY_IDLE_MINUTES", 60))
    SESSION_ABSOLUTE_LIMIT = timedelta(hours=_int("SESSION_ABSOLUTE_HOURS", 12))
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_LIMIT

    # Accounts.
    INVITATION_LIFETIME = timedelta(days=7)
    PASSWORD_RESET_LIFETIME = timedelta(hours=1)
    LOCKOUT_THRESHOLD = 10
    LOCKOUT_DURATION = timedelta(minutes=15)
    # Development only: lets demo staff skip two-factor sign-in. Production refuses it.
    DEV_SKIP_TWO_FACTOR = _flag("DEV_SKIP_TWO_FACTOR", False)

    # Rate limits (Flask-Limiter). Use a Redis URL when more than one process serves the app.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    SIGN_IN_LIMIT_PER_IP = os.environ.get("SIGN_IN_LIMIT_PER_IP", "30 per minute;300 per hour")
    SIGN_IN_LIMIT_PER_ACCOUNT = os.environ.get("SIGN_IN_LIMIT_PER_ACCOUNT", "20 per 15 minutes")

    # Email.
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "file")
    EMAIL_FILE_DIR = os.environ.get("EMAIL_FILE_DIR", str(INSTANCE_DIR / "mail"))
    EMAIL_FROM = os.environ.get("EMAIL_FROM", "send-portal@example.org")
    SENDGRID_API_KEY = os.environ.get("SENDGRID_API_KEY", "")
    SENDGRID_HOST = os.environ.get("SENDGRID_HOST", "https://api.sendgrid.com")

    # Security headers.
    FORCE_HTTPS = _flag("FORCE_HTTPS", False)
    PROXY_FIX_HOPS = _int("PROXY_FIX_HOPS", 0)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    @classmethod
    def check(cls) -> None:
        """Refuse settings that are unsafe for this environment."""


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    EMAIL_BACKEND = "file"
    DEV_SKIP_TWO_FACTOR = False
    PORTAL_BASE_URL = "http://localhost"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL", ""))
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = _flag("FORCE_HTTPS", True)
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "sendgrid")

    @classmethod
    def check(cls) -> None:
        problems = []
        if len(cls.SECRET_KEY) < 32:
            problems.append("SECRET_KEY must be set to at least 32 random characters")
        if not cls.SQLALCHEMY_DATABASE_URI.startswith("postgresql+psycopg://"):
            problems.append("DATABASE_URL must be a PostgreSQL URL")
        if not cls.SESSION_COOKIE_SECURE:
            problems.append("SESSION_COOKIE_SECURE must be on")
        if cls.DEV_SKIP_TWO_FACTOR:
            problems.append("DEV_SKIP_TWO_FACTOR is for development only")
        if not cls.RATELIMIT_STORAGE_URI.startswith(("redis://", "rediss://")):
            problems.append("RATELIMIT_STORAGE_URI must be a Redis URL")
        if problems:
            raise RuntimeError("Refusing to start in production: " + "; ".join(problems))


def config_from_environment() -> type[Config]:
    """Pick the settings class named by PORTAL_ENV (development by default)."""
    name = os.environ.get("PORTAL_ENV", "development")
    return {"development": Config, "production": ProductionConfig, "test": TestConfig}[name]
