"""Changing one's own password from the account page: the current password (counted towards the
lock-out when wrong), the password rules, and what a change does to sessions, links and email."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from portal.extensions import db
from portal.models import AuditEvent, PasswordReset, Role, User
from portal.tokens import new_token
from tests.helpers import PASSWORD, Factory, Mailbox, check_page, get_page, post_page, sign_in_fast

NEW_PASSWORD = "marmalade lighthouse trombone"
URL = "/account/password"
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def change(client: FlaskClient, current: str = PASSWORD, new: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(URL, data={"current": current, "password": new, "confirm": new if confirm is None else confirm})


def signs_in(app: Flask, email: str, password: str) -> bool:
    """The password is accepted (staff then go on to the security code)."""
    return app.test_client().post("/sign-in", data={"email": email, "password": password}).status_code == 302


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).options(undefer(User.password_hash)).where(User.id == user.id))


def actions(user: User) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)
                                   .order_by(AuditEvent.id)))


def is_signed_in(client: FlaskClient) -> bool:
    return client.get("/account").status_code == 200


@pytest.fixture
def family(make: Factory) -> User:
    return make.user(Role.FAMILY, name="Pat Parent")


@pytest.fixture
def signed_in(client: FlaskClient, family: User) -> FlaskClient:
    sign_in_fast(client, family)
    return client


def test_the_account_page_links_to_a_page_asking_for_the_current_and_new_passwords(signed_in: FlaskClient) -> None:
    account = get_page(signed_in, "/account")
    link = next(a for a in account.soup.select("main a") if a.get_text(strip=True) == "Change your password")
    assert link["href"] == URL
    page = get_page(signed_in, URL)
    assert page.h1 == "Change your password"
    fields = {field["name"]: field.get("autocomplete") for field in page.soup.select("main form input[type=password]")}
    assert fields == {"current": "current-password", "password": "new-password", "confirm": "new-password"}
    labels = [label.get_text(strip=True) for label in page.soup.select("main form label")]
    assert labels == ["Current password", "New password", "Confirm your new password"]
    assert page.soup.select_one(".govuk-back-link")["href"] == "/account"


def test_signed_out_people_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({}, ["Enter your current password", "Enter a password", "Confirm your password"]),
        ({"current": PASSWORD, "password": "short", "confirm": "short"}, ["Password must be 12 characters or more"]),
        (
            {"current": PASSWORD, "password": "password1234", "confirm": "password1234"},
            ["Password is too easy to guess. Use 3 or more random words, or a longer password"],
        ),
        (
            {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"},
            ["Passwords must match"],
        ),
        (
            {"current": PASSWORD, "password": PASSWORD, "confirm": PASSWORD},
            ["Your new password must be different from your current password"],
        ),
    ],
)
def test_problems_are_shown_and_nothing_changes(
    app: Flask, signed_in: FlaskClient, family: User, mail: Mailbox, data: dict, messages: list[str]
) -> None:
    before = fresh(family).password_hash
    page = post_page(signed_in, URL, data, status=400)
    assert page.error_messages() == messages
    assert page.title.startswith("Error: Change your password")
    # Passwords are never sent back in the page.
    assert all(not field.get("value") for field in page.soup.select("input[type=password]"))
    user = fresh(family)
    assert user.password_hash == before
    assert user.failed_sign_ins == 0
    assert "password-changed" not in actions(family)
    assert mail.messages() == []
    assert is_signed_in(signed_in)


def test_a_wrong_current_password_is_an_error_and_counts_towards_the_lock_out(
    app: Flask, signed_in: FlaskClient, family: User
) -> None:
    page = post_page(signed_in, URL, {"current": "not my password", "password": NEW_PASSWORD,
                                      "confirm": NEW_PASSWORD}, status=400)
    assert page.error_messages() == ["Your current password is not correct"]
    assert page.soup.select_one("#current-error") is not None
    user = fresh(family)
    assert user.failed_sign_ins == 1
    assert actions(family) == ["password-change-failed"]
    assert is_signed_in(signed_in)
    assert signs_in(app, family.email, PASSWORD)
    assert not signs_in(app, family.email, NEW_PASSWORD)


def test_the_failure_that_locks_the_account_ends_its_sessions(app: Flask, make: Factory) -> None:
    user = make.user(Role.FAMILY)
    client, other = app.test_client(), app.test_client()
    with time_machine.travel(START, tick=False) as clock:
        sign_in_fast(client, user)
        sign_in_fast(other, user)
        # Failed sign-ins and failed changes count together: 10 in 15 minutes lock the account.
        for _ in range(4):
            app.test_client().post("/sign-in", data={"email": user.email, "password": "wrong guess here"})
        for _ in range(5):
            assert change(client, current="wrong guess here").status_code == 400
        response = change(client, current="wrong guess here")
        assert response.status_code == 302
        assert response.location == "/sign-in"
        assert "Your account is locked" in get_page(client, "/sign-in").text
        assert not is_signed_in(client)
        assert not is_signed_in(other)
        assert "account-locked" in actions(user)
        assert not signs_in(app, user.email, PASSWORD)
        clock.shift(timedelta(minutes=15, seconds=1))
        assert signs_in(app, user.email, PASSWORD)


def test_while_locked_nothing_is_checked(app: Flask, signed_in: FlaskClient, family: User) -> None:
    family.locked_until = datetime.now(UTC) + timedelta(minutes=10)
    db.session.commit()
    page = post_page(signed_in, URL, {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                     status=400)
    assert page.error_messages() == [
        "Your account is locked because of too many failed attempts to sign in. Wait 15 minutes and try again."
    ]
    assert fresh(family).failed_sign_ins == 0
    assert is_signed_in(signed_in)


@pytest.mark.parametrize("role", [Role.FAMILY, Role.CASEWORKER, Role.ADMIN])
def test_a_new_password_ends_every_other_session_and_this_one_goes_on(
    app: Flask, make: Factory, mail: Mailbox, role: Role
) -> None:
    user = make.user(role)
    version = user.session_version
    client, other = app.test_client(), app.test_client()
    sign_in_fast(client, user)
    sign_in_fast(other, user)
    token, token_hash = new_token()
    db.session.add(PasswordReset(user=user, token_hash=token_hash, expires_at=datetime.now(UTC) + timedelta(hours=1)))
    db.session.commit()

    response = change(client)

    assert response.status_code == 302
    assert response.location == "/account"
    page = get_page(client, "/account")
    banner = page.soup.select_one(".govuk-notification-banner--success")
    assert banner is not None
    assert "Your password has been changed" in banner.get_text()
    assert is_signed_in(client)
    assert not is_signed_in(other)
    changed = fresh(user)
    assert changed.session_version == version + 1
    assert changed.password_hash.startswith("$argon2id$")
    assert not signs_in(app, user.email, PASSWORD)
    assert signs_in(app, user.email, NEW_PASSWORD)
    assert "password-changed" in actions(user)
    assert db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "password-changed")
    ) == 1
    # An unused reset link from before no longer works.
    check_page(app.test_client().get(f"/password/reset/{token}"), 404)
    [message] = mail.to(user.email)
    assert message["Subject"] == "Your password has been changed"
    text = mail.text(message)
    assert "was changed on" in text
    assert "If you did not change it, reset your password" in text
    assert "http://localhost/password/forgotten" in text
    assert NEW_PASSWORD not in text and PASSWORD not in text


def test_the_post_is_rate_limited_per_account(new_app, config_class, make: Factory) -> None:
    class LowLimits(config_class):
        SIGN_IN_LIMIT_PER_IP = "50 per minute"
        SIGN_IN_LIMIT_PER_ACCOUNT = "3 per minute"

    app = new_app(LowLimits)
    user = make.user(Role.FAMILY)
    with time_machine.travel(START, tick=False):
        for number in range(3):
            client = app.test_client()
            client.environ_base["REMOTE_ADDR"] = f"198.51.100.{number + 1}"
            sign_in_fast(client, user)
            assert change(client, current="not my password").status_code == 400
        client = app.test_client()
        sign_in_fast(client, user)
        blocked = change(client)
        page = check_page(blocked, 429)
        assert page.h1 == "Sorry, there have been too many attempts"
        assert get_page(client, URL).h1 == "Change your password"  # the page itself is not limited
