"""Settings for the SEND Family Portal.

Every setting comes from an environment variable; README.md lists them with their defaults.
`Config` is development, `TestConfig` is for the test suite and `ProductionConfig` refuses to
start with unsafe values.
"""

import math
import os
import secrets
import tempfile
from collections import Counter
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
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, not {value!r}") from None


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def entropy_bits(value: str) -> float:
    """A rough estimate of a key's randomness: the Shannon entropy of its characters times the
    length of its shortest repeating unit. One repeated character, or a repeated pattern such as
    "abcabcabc", scores low."""
    if not value:
        return 0.0
    period = next(p for p in range(1, len(value) + 1) if value == (value[:p] * (len(value) // p + 1))[: len(value)])
    value = value[:period]
    counts = Counter(value)
    per_char = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return per_char * len(value)


MIN_SECRET_KEY_LENGTH = 32
MIN_SECRET_KEY_BITS = 100


def instance_secret(instance_dir: Path, name: str, make) -> str:
    """A development secret made once and kept in the instance folder (readable by its owner
    only), so that no signing or encryption key is ever written in the code."""
    path = instance_dir / name
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    value = make()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(value + "\n")
    return value


def database_url(value: str) -> str:
    """Use the psycopg 3 driver for plain PostgreSQL URLs (as hosting platforms give them)."""
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix):]
    return value


class Config:
    """Development defaults: SQLite in instance/, emails written to instance/mail/."""

    ENV_NAME = "development"
    # Unset here: create_app makes one once and keeps it in instance/secret_key.
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    # Fernet keys for secrets stored encrypted (TOTP), newest first; instance/encryption_key in development.
    ENCRYPTION_KEYS = _list("ENCRYPTION_KEYS")
    INSTANCE_DIR = INSTANCE_DIR
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'portal.sqlite3'}")
    )
    # hide_parameters: SQL values (password hashes, tokens, names) never appear in errors or logs.
    # No pool_pre_ping: it costs every request one more round trip to the database (about a tenth
    # of a simple page's time, docs/benchmarks.md). Instead connections are replaced after 30
    # minutes, and when the database drops its connections (a restart or failover) SQLAlchemy
    # sees the disconnect on the first query, discards every pooled connection at once, and only
    # the requests already under way fail; /readyz reports the database's state to the load balancer.
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_recycle": 1800, "hide_parameters": True}  # noqa: RUF012

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
    # Failures count towards the lock-out for this long after the first one.
    LOCKOUT_WINDOW = timedelta(minutes=15)
    # Development only: lets demo staff skip two-factor sign-in. Production refuses it.
    DEV_SKIP_TWO_FACTOR = _flag("DEV_SKIP_TWO_FACTOR", False)

    # Rate limits (Flask-Limiter). Use a Redis URL when more than one process serves the app.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    # One budget per IP address shared by every page that takes a password, code or link token
    # (sign-in, security code, two-factor set-up, password reset, invitations).
    SIGN_IN_LIMIT_PER_IP = os.environ.get("SIGN_IN_LIMIT_PER_IP", "30 per minute;300 per hour")
    SIGN_IN_LIMIT_PER_ACCOUNT = os.environ.get("SIGN_IN_LIMIT_PER_ACCOUNT", "20 per 15 minutes")
    # Online requests for an assessment: sends per IP address and per email address (the pages
    # themselves are open to anyone), how long an unsent draft is kept, and how long the link that
    # confirms the email address works.
    REQUEST_LIMIT_PER_IP = os.environ.get("REQUEST_LIMIT_PER_IP", "10 per hour;30 per day")
    REQUEST_LIMIT_PER_EMAIL = os.environ.get("REQUEST_LIMIT_PER_EMAIL", "3 per hour;10 per day")
    REQUEST_DRAFT_LIFETIME = timedelta(days=7)
    REQUEST_CONFIRM_LIFETIME = timedelta(days=7)
    # A password reset request takes at least this long, whether or not the account exists.
    PASSWORD_RESET_MIN_SECONDS = float(os.environ.get("PASSWORD_RESET_MIN_SECONDS", "0.4"))

    # Email.
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "file")
    EMAIL_FILE_DIR = os.environ.get("EMAIL_FILE_DIR", str(INSTANCE_DIR / "mail"))
    EMAIL_FROM = os.environ.get("EMAIL_FROM", "send-portal@example.org")
    EMAIL_REPLY_TO = os.environ.get("EMAIL_REPLY_TO", "")
    SENDGRID_API_KEY = os.environ.get("SENDGRID_API_KEY", "")
    # Empty: SendGrid's own API for SENDGRID_DATA_RESIDENCY ("global" or "eu"). Set in tests.
    SENDGRID_HOST = os.environ.get("SENDGRID_HOST", "")
    SENDGRID_DATA_RESIDENCY = os.environ.get("SENDGRID_DATA_RESIDENCY", "global")
    SENDGRID_TIMEOUT_SECONDS = float(os.environ.get("SENDGRID_TIMEOUT_SECONDS", "10"))
    # The Event Webhook's verification key, as SendGrid shows it (Mail Settings, Signed Event
    # Webhook): without it every webhook request is refused. A limit per sending IP address.
    SENDGRID_WEBHOOK_PUBLIC_KEY = os.environ.get("SENDGRID_WEBHOOK_PUBLIC_KEY", "")
    SENDGRID_WEBHOOK_LIMIT = os.environ.get("SENDGRID_WEBHOOK_LIMIT", "600 per minute")
    # The outbox worker (flask notifications work): rows claimed at a time, how long a claim
    # lasts before another worker may take the rows, and when to give up on an email.
    NOTIFICATIONS_BATCH_SIZE = _int("NOTIFICATIONS_BATCH_SIZE", 20)
    NOTIFICATIONS_LEASE_SECONDS = float(os.environ.get("NOTIFICATIONS_LEASE_SECONDS", "120"))
    # Threads sending at once in each worker process (PostgreSQL; SQLite always uses one).
    NOTIFICATIONS_THREADS = _int("NOTIFICATIONS_THREADS", 10)
    NOTIFICATIONS_POLL_SECONDS = float(os.environ.get("NOTIFICATIONS_POLL_SECONDS", "1"))
    NOTIFICATIONS_MAX_ATTEMPTS = _int("NOTIFICATIONS_MAX_ATTEMPTS", 20)
    NOTIFICATIONS_GIVE_UP_HOURS = float(os.environ.get("NOTIFICATIONS_GIVE_UP_HOURS", "72"))
    NOTIFICATIONS_RETRY_BASE_SECONDS = float(os.environ.get("NOTIFICATIONS_RETRY_BASE_SECONDS", "30"))
    NOTIFICATIONS_RETRY_CAP_SECONDS = float(os.environ.get("NOTIFICATIONS_RETRY_CAP_SECONDS", "3600"))

    # Security headers.
    # Conversations: the council aims to reply within these many working days (portal/conversations/reply_by.py).
    REPLY_TARGET_WORKING_DAYS = _int("REPLY_TARGET_WORKING_DAYS", 10)
    URGENT_REPLY_TARGET_WORKING_DAYS = _int("URGENT_REPLY_TARGET_WORKING_DAYS", 2)
    # Files sent with messages: outside the web root. Shared storage when several app servers run.
    ATTACHMENT_DIR = os.environ.get("ATTACHMENT_DIR", str(INSTANCE_DIR / "attachments"))
    # Where a case-management file an administrator has checked waits (an hour at most) to be
    # imported; empty: a folder in ATTACHMENT_DIR. Shared storage with more than one app server.
    CASE_IMPORT_DIR = os.environ.get("CASE_IMPORT_DIR", "")

    FORCE_HTTPS = _flag("FORCE_HTTPS", False)
    PROXY_FIX_HOPS: int | None = _int("PROXY_FIX_HOPS", 0)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # No form needs more than this, except the message forms that take files (request_guard.py).
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 512 * 1024

    @classmethod
    def check(cls) -> None:
        """Refuse settings that are unsafe for this environment."""

    @classmethod
    def keys(cls) -> dict[str, object]:
        """Development keys: random, made once, kept in the instance folder."""
        folder = cls.INSTANCE_DIR
        return {
            "SECRET_KEY": cls.SECRET_KEY or instance_secret(folder, "secret_key", lambda: secrets.token_urlsafe(48)),
            "ENCRYPTION_KEYS": list(cls.ENCRYPTION_KEYS)
            or [instance_secret(folder, "encryption_key", _new_fernet_key)],
        }


def _new_fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = secrets.token_urlsafe(48)  # a new one each test run
    ENCRYPTION_KEYS = (_new_fernet_key(),)
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    EMAIL_BACKEND = "file"
    DEV_SKIP_TWO_FACTOR = False
    PORTAL_BASE_URL = "http://localhost"
    PASSWORD_RESET_MIN_SECONDS = 0.0
    # Made when the first file is stored; one folder per test process.
    ATTACHMENT_DIR = str(Path(tempfile.gettempdir()) / f"portal-test-attachments-{os.getpid()}")


class ProductionConfig(Config):
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL", ""))
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = _flag("FORCE_HTTPS", True)
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "sendgrid")
    # No default: say 0 when nothing sits in front of the app, or how many proxies do.
    PROXY_FIX_HOPS = _int("PROXY_FIX_HOPS", 0) if "PROXY_FIX_HOPS" in os.environ else None

    @classmethod
    def keys(cls) -> dict[str, object]:
        return {}  # production keys come only from the environment; check() refuses missing ones

    @classmethod
    def check(cls) -> None:
        problems = []
        if len(cls.SECRET_KEY) < MIN_SECRET_KEY_LENGTH or entropy_bits(cls.SECRET_KEY) < MIN_SECRET_KEY_BITS:
            problems.append(
                f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} random characters, "
                "for example from: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if not cls.ENCRYPTION_KEYS or not all(_valid_fernet_key(key) for key in cls.ENCRYPTION_KEYS):
            problems.append(
                "ENCRYPTION_KEYS must list one or more Fernet keys, for example from: python -c "
                "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
            )
        if not cls.SQLALCHEMY_DATABASE_URI.startswith("postgresql+psycopg://"):
            problems.append("DATABASE_URL must be a PostgreSQL URL")
        if not cls.SESSION_COOKIE_SECURE:
            problems.append("SESSION_COOKIE_SECURE must be on")
        if cls.DEV_SKIP_TWO_FACTOR:
            problems.append("DEV_SKIP_TWO_FACTOR is for development only")
        if not cls.RATELIMIT_STORAGE_URI.startswith(("redis://", "rediss://")):
            problems.append("RATELIMIT_STORAGE_URI must be a Redis URL")
        if not cls.RATELIMIT_ENABLED:
            problems.append("RATELIMIT_ENABLED must be on")
        if not cls.FORCE_HTTPS:
            problems.append("FORCE_HTTPS must be on")
        if cls.EMAIL_BACKEND != "sendgrid":
            problems.append(f"EMAIL_BACKEND must be sendgrid, not {cls.EMAIL_BACKEND!r}")
        elif not cls.SENDGRID_API_KEY:
            problems.append("SENDGRID_API_KEY must be set")
        if not _valid_webhook_key(cls.SENDGRID_WEBHOOK_PUBLIC_KEY):
            problems.append("SENDGRID_WEBHOOK_PUBLIC_KEY must be the Signed Event Webhook's verification key")
        if cls.SENDGRID_DATA_RESIDENCY not in ("global", "eu"):
            problems.append("SENDGRID_DATA_RESIDENCY must be global or eu")
        if cls.PROXY_FIX_HOPS is None or cls.PROXY_FIX_HOPS < 0:
            problems.append("PROXY_FIX_HOPS must be set: 0 when no proxy is in front, else how many there are")
        if problems:
            raise RuntimeError("Refusing to start in production: " + "; ".join(problems))


def _valid_webhook_key(key: str) -> bool:
    """An elliptic-curve public key as SendGrid shows it: base64 DER, without the PEM lines."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from sendgrid.helpers.eventwebhook import EventWebhook

    try:
        return isinstance(EventWebhook().convert_public_key_to_ecdsa(key.strip()), ec.EllipticCurvePublicKey)
    except Exception:  # noqa: BLE001 - any key the library cannot read is refused
        return False


def _valid_fernet_key(key: str) -> bool:
    from cryptography.fernet import Fernet

    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        return False
    return True


ENVIRONMENTS: dict[str, type[Config]] = {"development": Config, "production": ProductionConfig, "test": TestConfig}


def config_from_environment() -> type[Config]:
    """Pick the settings class named by PORTAL_ENV. Without PORTAL_ENV, the development settings
    apply only to the embedded SQLite database: a process pointed at any other database (a
    server started as `gunicorn wsgi:app` with a PostgreSQL DATABASE_URL) is production, and
    refuses to start without production's settings."""
    name = os.environ.get("PORTAL_ENV")
    if name is None:
        url = os.environ.get("DATABASE_URL", "")
        name = "development" if not url or url.startswith("sqlite") else "production"
    if name not in ENVIRONMENTS:
        raise RuntimeError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}, not {name!r}")
    return ENVIRONMENTS[name]
