"""Account lock-out after repeated failures, and the Flask-Limiter rate limits on signing in."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Role, User
from tests.helpers import PASSWORD, check_page

LOCKED = "Your account is locked because of too many failed attempts to sign in"
WRONG = "Enter a correct email address and password"
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
BAD_PASSWORD = "not the password at all"


def attempt(client, email: str, password: str = BAD_PASSWORD):
    return client.post("/sign-in", data={"email": email, "password": password})


def page_of(response):
    return check_page(response, response.status_code)


def actions(user: User | None = None) -> list[str]:
    query = select(AuditEvent.action).order_by(AuditEvent.id)
    if user is not None:
        query = query.where(AuditEvent.actor_id == user.id)
    return list(db.session.scalars(query))


def test_ten_wrong_passwords_lock_the_account_for_15_minutes(client, make):
    user = make.user(Role.FAMILY)
    with time_machine.travel(START, tick=False) as clock:
        for number in range(1, 10):
            page = page_of(attempt(client, user.email))
            assert WRONG in page.text, number
            assert LOCKED not in page.text

        tenth = page_of(attempt(client, user.email))
        assert LOCKED in tenth.text
        assert "Wait 15 minutes" in tenth.text
        assert tenth.error_messages()[0].startswith(LOCKED)

        # The right password is refused, with exactly the same page.
        right = attempt(client, user.email, PASSWORD)
        assert right.status_code != 302
        assert page_of(right).text == tenth.text
        assert client.get("/family/").status_code == 302

        clock.shift(timedelta(minutes=14, seconds=59))
        assert LOCKED in page_of(attempt(client, user.email, PASSWORD)).text

        clock.shift(timedelta(seconds=2))
        response = attempt(client, user.email, PASSWORD)
        assert response.status_code == 302
        assert response.location == "/family/"
        assert client.get("/family/").status_code == 200


def test_a_successful_sign_in_resets_the_count(app, make):
    user = make.user(Role.FAMILY)
    client = app.test_client()
    for _ in range(9):
        attempt(client, user.email)
    assert db.session.get(User, user.id).failed_sign_ins == 9

    assert attempt(client, user.email, PASSWORD).status_code == 302
    assert db.session.get(User, user.id).failed_sign_ins == 0
    client.post("/sign-out")

    for _ in range(9):
        page = page_of(attempt(client, user.email))
        assert WRONG in page.text
        assert LOCKED not in page.text
    account = db.session.get(User, user.id)
    assert account.failed_sign_ins == 9
    assert account.locked_until is None


def test_unknown_email_gets_the_same_lock_message(client, make):
    user = make.user(Role.FAMILY, email="real@example.org")
    with time_machine.travel(START, tick=False):
        real = [page_of(attempt(client, user.email)) for _ in range(10)]
        unknown = [page_of(attempt(client, "made-up@example.org")) for _ in range(10)]
        eleventh = page_of(attempt(client, "made-up@example.org", PASSWORD))

    # Attempt by attempt, an unknown email looks exactly like a real one.
    assert [page.text for page in unknown] == [page.text for page in real]
    assert [page.response.status_code for page in unknown] == [page.response.status_code for page in real]
    assert LOCKED in unknown[9].text
    assert LOCKED not in unknown[8].text
    assert eleventh.text == real[9].text


def test_unknown_email_lock_also_ends_after_15_minutes(client):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(10):
            attempt(client, "made-up@example.org")
        assert LOCKED in page_of(attempt(client, "made-up@example.org")).text
        clock.shift(timedelta(minutes=16))
        page = page_of(attempt(client, "made-up@example.org"))
        assert WRONG in page.text
        assert LOCKED not in page.text


def test_lockout_is_audited(client, make):
    user = make.user(Role.FAMILY)
    for _ in range(10):
        attempt(client, user.email)
    attempt(client, user.email, PASSWORD)

    assert actions(user) == ["sign-in-failed"] * 10 + ["account-locked", "sign-in-refused-locked"]
    locked = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account-locked")).one()
    assert locked.target == f"user:{user.id}"
    assert locked.ip_address == "127.0.0.1"
    assert db.session.get(User, user.id).locked_until is not None


def test_locking_one_account_leaves_others_alone(client, make):
    victim = make.user(Role.FAMILY)
    other = make.user(Role.FAMILY)
    for _ in range(10):
        attempt(client, victim.email)
    response = attempt(client, other.email, PASSWORD)
    assert response.status_code == 302


# Rate limits -----------------------------------------------------------------------------------


@pytest.fixture
def limited_app(new_app, config_class) -> Flask:
    class LowLimits(config_class):
        SIGN_IN_LIMIT_PER_IP = "5 per minute"
        SIGN_IN_LIMIT_PER_ACCOUNT = "3 per minute"

    return new_app(LowLimits)


def client_from(app: Flask, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def assert_too_many(response) -> None:
    page = check_page(response, 429)
    assert page.h1 == "Sorry, there have been too many attempts"
    # The limits here are per minute: it says how long, rounded up to a whole minute.
    assert "Wait 1 minute, then try again" in page.text


def test_per_account_limit_gives_the_429_page(limited_app, make):
    user = make.user(Role.FAMILY)
    with time_machine.travel(START, tick=False) as clock:
        # Three attempts from three addresses: the account limit, not the address limit.
        for number in range(3):
            response = attempt(client_from(limited_app, f"198.51.100.{number + 1}"), user.email)
            assert response.status_code == 200
        blocked = attempt(client_from(limited_app, "198.51.100.9"), user.email, PASSWORD)
        assert_too_many(blocked)
        # The right password did not get through: no sign-in was recorded.
        assert "sign-in" not in actions(user)
        # The same account in another case is the same account.
        assert_too_many(attempt(client_from(limited_app, "198.51.100.10"), user.email.upper(), PASSWORD))
        # Another account from the same address is not affected.
        assert attempt(client_from(limited_app, "198.51.100.9"), "someone-else@example.org").status_code == 200

        clock.shift(timedelta(minutes=1, seconds=1))
        assert attempt(client_from(limited_app, "198.51.100.9"), user.email, PASSWORD).status_code == 302


def test_signing_in_again_and_again_does_not_use_up_the_accounts_limit(limited_app, make):
    """Only failed attempts count against an account (3 a minute here); a caseworker who signs in
    and out all morning is never locked out by it."""
    user = make.user(Role.FAMILY)
    with time_machine.travel(START, tick=False):
        for number in range(4):
            client = client_from(limited_app, f"198.51.100.{number + 20}")
            assert attempt(client, user.email, PASSWORD).status_code == 302
        for number in range(3):
            assert attempt(client_from(limited_app, f"198.51.100.{number + 30}"), user.email).status_code == 200
        assert_too_many(attempt(client_from(limited_app, "198.51.100.40"), user.email, PASSWORD))


def test_per_address_limit_gives_the_429_page(limited_app, make):
    user = make.user(Role.FAMILY)
    client = client_from(limited_app, "192.0.2.50")
    with time_machine.travel(START, tick=False) as clock:
        for number in range(5):
            assert attempt(client, f"person{number}@example.org").status_code == 200
        assert_too_many(attempt(client, user.email, PASSWORD))
        # Other addresses can still sign in.
        assert attempt(client_from(limited_app, "192.0.2.51"), user.email, PASSWORD).status_code == 302

        clock.shift(timedelta(minutes=1, seconds=1))
        assert attempt(client, "person9@example.org").status_code == 200


def test_the_sign_in_page_itself_is_not_limited(limited_app):
    client = client_from(limited_app, "192.0.2.60")
    with time_machine.travel(START, tick=False):
        for _ in range(6):
            attempt(client, "nobody@example.org")
        assert check_page(client.get("/sign-in")).h1 == "Sign in"


def test_forgotten_password_is_limited_too(limited_app):
    client = client_from(limited_app, "192.0.2.70")
    with time_machine.travel(START, tick=False):
        for _ in range(3):
            response = client.post("/password/forgotten", data={"email": "nobody@example.org"})
            assert response.status_code == 302
        assert_too_many(client.post("/password/forgotten", data={"email": "nobody@example.org"}))
