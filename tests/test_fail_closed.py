"""The service fails closed on configuration: no signing key in the code, no development
settings on a server pointed at a real database, and no demo accounts in production."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

import config
from config import Config, ProductionConfig, config_from_environment
from portal import create_app
from tests.test_config import production

ROOT = Path(__file__).resolve().parent.parent
# The signing key the service shipped with before it made one per instance.
OLD_PUBLISHED_KEY = "dev-only-not-secret"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/portal_never_opened"


def _clean_environment(**extra: str) -> dict[str, str]:
    names = ("PORTAL_ENV", "SECRET_KEY", "DATABASE_URL", "ENCRYPTION_KEYS", "INSTANCE_PATH", "PROXY_FIX_HOPS")
    env = {key: value for key, value in os.environ.items() if key not in names}
    return {**env, **extra}


def forged_cookie(secret_key: str, user_id: int = 1) -> str:
    """A session cookie claiming to be user 1, signed with the given key, as an attacker who read
    the code would make it."""
    forger = Flask("forger")
    forger.secret_key = secret_key
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    now = time.time()
    return serializer.dumps({"_user_id": f"{user_id}:1", "_fresh": True, "signed_in_at": now, "last_active_at": now})


# --- No hard-coded key ---------------------------------------------------------------------------


def test_no_signing_key_is_written_in_the_code():
    assert os.environ.get("SECRET_KEY", "") == Config.SECRET_KEY
    assert OLD_PUBLISHED_KEY not in (ROOT / "config.py").read_text()


def test_development_makes_a_random_key_once_and_keeps_it_private(tmp_path):
    class Development(Config):
        INSTANCE_DIR = tmp_path
        SECRET_KEY = ""
        ENCRYPTION_KEYS: list[str] = []  # noqa: RUF012

    first = create_app(Development)
    second = create_app(Development)
    key = first.config["SECRET_KEY"]
    assert len(key) >= 48
    assert config.entropy_bits(key) >= config.MIN_SECRET_KEY_BITS
    assert second.config["SECRET_KEY"] == key  # kept, so a restart keeps people signed in
    assert first.config["ENCRYPTION_KEYS"] == second.config["ENCRYPTION_KEYS"]
    Fernet(first.config["ENCRYPTION_KEYS"][0].encode())
    for name in ("secret_key", "encryption_key"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600

    class OtherInstance(Development):
        INSTANCE_DIR = tmp_path / "other"

    assert create_app(OtherInstance).config["SECRET_KEY"] != key


def test_a_cookie_forged_with_the_old_published_key_opens_nothing(app, make):
    from portal.models import Role

    admin = make.user(Role.ADMIN)
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], forged_cookie(OLD_PUBLISHED_KEY, admin.id))

    response = client.get("/admin/accounts")

    assert response.status_code == 302
    assert response.location.startswith("/sign-in")


def test_a_cookie_signed_with_the_real_key_does_open_the_page(app, make):
    """The forgery test above would pass for the wrong reason if forged cookies never worked."""
    from portal.models import Role

    admin = make.user(Role.ADMIN)
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], forged_cookie(app.config["SECRET_KEY"], admin.id))

    assert client.get("/admin/accounts").status_code == 200


# --- Without PORTAL_ENV --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, Config),
        ({"DATABASE_URL": "sqlite:////tmp/portal.sqlite3"}, Config),
        ({"DATABASE_URL": "postgresql://portal@db.internal/portal"}, ProductionConfig),
        ({"DATABASE_URL": "postgres://portal@db.internal/portal"}, ProductionConfig),
        ({"PORTAL_ENV": "development", "DATABASE_URL": "postgresql://u@127.0.0.1/dev"}, Config),
        ({"PORTAL_ENV": "production"}, ProductionConfig),
    ],
)
def test_without_portal_env_any_real_database_means_production(monkeypatch, environment, expected):
    for name in ("PORTAL_ENV", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert config_from_environment() is expected


def test_an_unknown_portal_env_is_refused(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "staging")
    with pytest.raises(RuntimeError, match="PORTAL_ENV must be one of"):
        config_from_environment()


@pytest.mark.parametrize("secret_key", [None, OLD_PUBLISHED_KEY, "x" * 64])
def test_a_server_started_without_portal_env_on_postgresql_refuses_a_guessable_key(secret_key):
    """`gunicorn wsgi:app` with only DATABASE_URL set, as a hurried deployment would start it."""
    env = _clean_environment(DATABASE_URL=POSTGRES_URL)
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(  # noqa: S603 - our own virtualenv's gunicorn, fixed arguments
        [str(gunicorn), "--bind", "127.0.0.1:0", "--workers", "1", "--timeout", "10", "wsgi:app"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert "SECRET_KEY must be at least 32 random characters" in result.stderr


# --- Production refusals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"SECRET_KEY": "x" * 40}, "SECRET_KEY"),
        ({"SECRET_KEY": "ab" * 32}, "SECRET_KEY"),
        ({"SECRET_KEY": "abcdefgh" * 8}, "SECRET_KEY"),
        ({"ENCRYPTION_KEYS": []}, "ENCRYPTION_KEYS"),
        ({"ENCRYPTION_KEYS": ["not-a-fernet-key"]}, "ENCRYPTION_KEYS"),
        ({"EMAIL_BACKEND": "file"}, "EMAIL_BACKEND must be sendgrid"),
        ({"EMAIL_BACKEND": "console"}, "EMAIL_BACKEND must be sendgrid"),
        ({"SENDGRID_API_KEY": ""}, "SENDGRID_API_KEY"),
        ({"SENDGRID_WEBHOOK_PUBLIC_KEY": ""}, "SENDGRID_WEBHOOK_PUBLIC_KEY"),
        ({"SENDGRID_WEBHOOK_PUBLIC_KEY": "not-a-key"}, "SENDGRID_WEBHOOK_PUBLIC_KEY"),
        ({"SENDGRID_WEBHOOK_PUBLIC_KEY": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"}, "SENDGRID_WEBHOOK_PUBLIC_KEY"),
        ({"FORCE_HTTPS": False}, "FORCE_HTTPS"),
        ({"RATELIMIT_ENABLED": False}, "RATELIMIT_ENABLED"),
        ({"PROXY_FIX_HOPS": None}, "PROXY_FIX_HOPS must be set"),
        ({"PROXY_FIX_HOPS": -1}, "PROXY_FIX_HOPS must be set"),
    ],
)
def test_production_refuses_each_unsafe_setting(overrides, complaint):
    with pytest.raises(RuntimeError, match=complaint):
        create_app(production(**overrides))


def test_production_reads_proxy_fix_hops_only_when_it_is_said(monkeypatch):
    """PROXY_FIX_HOPS has no default in production: 0 must be said, not assumed."""
    script = "import config; print(config.ProductionConfig.PROXY_FIX_HOPS)"

    def hops(**extra: str) -> str:
        env = _clean_environment(**extra)
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        return result.stdout.strip()

    assert hops() == "None"
    assert hops(PROXY_FIX_HOPS="0") == "0"
    assert hops(PROXY_FIX_HOPS="2") == "2"


def test_a_strong_random_key_is_accepted():
    assert create_app(production(SECRET_KEY=secrets.token_hex(32))).config["SECRET_KEY"]


# --- Demo data -----------------------------------------------------------------------------------


def test_seed_demo_refuses_to_run_in_production():
    app = create_app(production())
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "seed-demo is for development only" in result.output
    assert "demo harbour kettle lantern" not in result.output
