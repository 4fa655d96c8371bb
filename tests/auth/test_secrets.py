"""Secrets stay secret: TOTP secrets encrypted at rest and never in the session cookie, SQL
parameters never in logs or errors, and staff pages never loading other people's password hashes
or TOTP secrets."""

from __future__ import annotations

import logging
import re

import pyotp
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from portal import crypto
from portal.access import public
from portal.extensions import db
from portal.models import Role, User
from tests.helpers import PASSWORD, get_page, sign_in_fast

SET_UP = "/sign-in/set-up-two-factor"


def stored_secret(user: User) -> str | None:
    return db.session.execute(text("SELECT totp_secret FROM user_account WHERE id = :id"), {"id": user.id}).scalar()


def test_totp_secrets_are_encrypted_at_rest(app, make) -> None:
    secret = pyotp.random_base32()
    user = make.user(Role.CASEWORKER, totp_secret=secret)

    stored = stored_secret(user)

    assert stored is not None and secret not in stored
    assert Fernet(app.config["ENCRYPTION_KEYS"][0].encode()).decrypt(stored.encode()).decode() == secret
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret == secret


def test_a_secret_cannot_be_read_with_another_key(app, make) -> None:
    user = make.user(Role.CASEWORKER)
    app.config["ENCRYPTION_KEYS"] = [Fernet.generate_key().decode()]
    db.session.expire_all()
    with pytest.raises(crypto.DecryptionFailed):
        db.session.get(User, user.id).totp_secret  # noqa: B018 - reading it is the test


def test_keys_rotate_newest_first(app, make) -> None:
    secret = pyotp.random_base32()
    user = make.user(Role.CASEWORKER, totp_secret=secret)
    old_key = app.config["ENCRYPTION_KEYS"][0]
    new_key = Fernet.generate_key().decode()
    app.config["ENCRYPTION_KEYS"] = [new_key, old_key]
    db.session.expire_all()
    account = db.session.get(User, user.id)
    assert account.totp_secret == secret  # still read with the old key
    replacement = pyotp.random_base32()
    account.totp_secret = replacement  # as when two-factor sign-in is set up again
    db.session.commit()
    assert Fernet(new_key.encode()).decrypt(stored_secret(user).encode()).decode() == replacement


def test_the_secret_being_set_up_is_never_in_the_session_cookie(app, make) -> None:
    user = make.user(Role.CASEWORKER, no_totp=True)
    client = app.test_client()
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})

    page = get_page(client, SET_UP)
    secret = "".join(page.soup.select_one(".app-text-key").get_text().split())

    with client.session_transaction() as session:
        assert secret not in repr(dict(session))
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert secret not in cookie.value
    db.session.expire_all()
    pending = db.session.execute(
        text("SELECT totp_pending_secret FROM user_account WHERE id = :id"), {"id": user.id}
    ).scalar()
    assert pending and secret not in pending  # kept on the account, encrypted
    assert get_page(client, SET_UP).soup.select_one(".app-text-key").get_text().split() == [
        secret[i : i + 4] for i in range(0, 32, 4)
    ]


SECRET_COLUMN = r"user_account(?:_\d+)?\.(password_hash|totp_secret|totp_pending_secret)\b(?! IS)"
MARKER = "$argon2id$v=19$m=65536,t=3,p=4$SECRET-MARKER-NEVER-LOGGED"


def test_sql_parameters_never_appear_in_a_database_error(app, make) -> None:
    user = make.user(Role.FAMILY)
    with pytest.raises(IntegrityError) as error:
        db.session.execute(
            insert(User).values(email=user.email.upper(), name="Copy", role=Role.FAMILY, password_hash=MARKER,
                                active=True, failed_sign_ins=0, session_version=1)
        )
    db.session.rollback()
    assert MARKER not in str(error.value)
    assert "hidden due to hide_parameters" in str(error.value)


def test_a_logged_traceback_holds_no_sql_parameters(app, make, caplog) -> None:
    user = make.user(Role.FAMILY)

    @app.route("/test-duplicate-account")
    @public
    def duplicate_account():
        db.session.execute(
            insert(User).values(email=user.email.upper(), name="Copy", role=Role.FAMILY, password_hash=MARKER,
                                active=True, failed_sign_ins=0, session_version=1)
        )
        return "unreachable"

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/test-duplicate-account")

    assert response.status_code == 500
    logged = "\n".join(record.getMessage() + str(record.exc_info) for record in caplog.records) + caplog.text
    assert "IntegrityError" in logged
    assert MARKER not in logged


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        (Role.ADMIN, ["/admin/accounts", "/admin/audit-log", "/admin/staff/invite"]),
        (Role.MANAGER, ["/casework/", "/casework/children", "/casework/children/{child}", "/casework/cases/{case}"]),
        (Role.CASEWORKER, ["/casework/?q=Child", "/casework/cases/{case}", "/account"]),
        (Role.FAMILY, ["/family/", "/family/children/{child}", "/family/cases/{case}"]),
    ],
)
def test_pages_never_load_password_hashes_or_totp_secrets(app, make, count_queries, role, pages) -> None:
    family = make.user(Role.FAMILY)
    manager = make.user(Role.MANAGER)
    make.user(Role.CASEWORKER, team=manager.team)
    child = make.child(team=manager.team, family=[family])
    case = make.case(child=child, caseworker=manager)
    viewer = {Role.FAMILY: family, Role.MANAGER: manager}.get(role) or make.user(role, team=manager.team)
    client = app.test_client()
    sign_in_fast(client, viewer)
    for page in pages:
        url = page.format(child=child.id, case=case.id)
        with count_queries() as queries:
            assert client.get(url).status_code == 200, url
        read = [s for s in queries.statements if s.lstrip().upper().startswith("SELECT")]
        assert read, url
        for statement in read:
            # Selected as a value; "totp_secret IS NOT NULL" (whether it is set up) is allowed.
            loaded = re.findall(SECRET_COLUMN, statement)
            assert not loaded, (url, statement)
