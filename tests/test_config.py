"""Production refuses unsafe settings; development works with nothing set."""

import base64
import secrets

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from config import Config, ProductionConfig, database_url
from portal import create_app

# The Signed Event Webhook's verification key as SendGrid shows it: base64 DER, no PEM lines.
WEBHOOK_KEY = base64.b64encode(
    ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
).decode()

GOOD = {
    "SECRET_KEY": secrets.token_urlsafe(48),
    "ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
    "EMAIL_BACKEND": "sendgrid",
    "SENDGRID_API_KEY": "SG.test-key",
    "SENDGRID_WEBHOOK_PUBLIC_KEY": WEBHOOK_KEY,
    "FORCE_HTTPS": True,
    "RATELIMIT_ENABLED": True,
    "PROXY_FIX_HOPS": 0,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://portal@db.internal/portal",
    "SESSION_COOKIE_SECURE": True,
    "DEV_SKIP_TWO_FACTOR": False,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
}


def production(**overrides):
    return type("Production", (ProductionConfig,), {**GOOD, **overrides})


def test_production_starts_with_safe_settings():
    app = create_app(production())
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"SQLALCHEMY_DATABASE_URI": ""}, "DATABASE_URL"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:///prod.sqlite3"}, "DATABASE_URL"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE"),
        ({"DEV_SKIP_TWO_FACTOR": True}, "DEV_SKIP_TWO_FACTOR"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
    ],
)
def test_production_refuses_unsafe_settings(overrides, complaint):
    with pytest.raises(RuntimeError, match=complaint):
        create_app(production(**overrides))


def test_development_defaults_need_nothing_set():
    assert Config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert Config.SQLALCHEMY_DATABASE_URI.endswith("instance/portal.sqlite3")
    assert Config.EMAIL_BACKEND == "file"
    assert Config.RATELIMIT_STORAGE_URI == "memory://"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_url_uses_psycopg_3(given, expected):
    assert database_url(given) == expected
