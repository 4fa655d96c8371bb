"""Staff two-factor sign-in: setting it up, security codes, replays, lock-out and resets."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Role, User
from tests.helpers import PASSWORD, check_page, current_code, get_page, post_page, sign_in, sign_in_fast

START = datetime(2025, 4, 7, 9, 0, 5, tzinfo=UTC)
WRONG_CODE = "Enter a correct security code. Codes change every 30 seconds."
LOCKED = "Your account is locked because of too many failed attempts to sign in"
SET_UP = "/sign-in/set-up-two-factor"
CODE = "/sign-in/security-code"


def password_step(client, user: User, password: str = PASSWORD):
    return client.post("/sign-in", data={"email": user.email, "password": password})


def secret_from(page) -> str:
    return "".join(page.soup.select_one(".app-text-key").get_text().split())


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def set_up(client, user: User) -> str:
    """Sign in with the password, read the key from the page and finish set-up. Returns the secret."""
    response = password_step(client, user)
    assert response.location == SET_UP
    secret = secret_from(get_page(client, SET_UP))
    response = client.post(SET_UP, data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    return secret


def test_staff_without_two_factor_are_sent_to_set_up(app, make):
    user = make.user(Role.CASEWORKER, no_totp=True)
    client = app.test_client()

    response = password_step(client, user)

    assert response.status_code == 302
    assert response.location == SET_UP
    page = get_page(client, SET_UP)
    assert page.h1 == "Set up two-factor sign-in"
    image = page.soup.select_one("img.app-qr-code")
    assert image["src"].startswith("data:image/svg+xml")
    assert image["alt"]
    secret = secret_from(page)
    assert len(secret) == 32
    pyotp.TOTP(secret).now()  # a valid base32 key
    # The same key is shown on reload, so that a slow scan still works.
    assert secret_from(get_page(client, SET_UP)) == secret


def test_wrong_code_at_set_up_is_refused(app, make):
    user = make.user(Role.CASEWORKER, no_totp=True)
    client = app.test_client()
    password_step(client, user)
    secret = secret_from(get_page(client, SET_UP))
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"

    page = post_page(client, SET_UP, {"code": wrong}, status=400)

    assert page.title.startswith("Error: Set up two-factor sign-in")
    assert page.error_messages() == [WRONG_CODE]
    assert WRONG_CODE in page.soup.select_one("#code-error").get_text()
    assert secret_from(page) == secret
    assert reload(user).totp_secret is None
    assert client.get("/casework/children").status_code == 302


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter the security code"),
        ("12ab56", "Security code must be 6 numbers"),
        ("1234567", "Security code must be 6 numbers"),
    ],
)
def test_badly_formed_codes_are_refused(app, make, code, message):
    user = make.user(Role.CASEWORKER, no_totp=True)
    client = app.test_client()
    password_step(client, user)
    page = post_page(client, SET_UP, {"code": code}, status=400)
    assert page.error_messages() == [message]


def test_right_code_finishes_set_up_and_stores_the_secret(app, make):
    user = make.user(Role.CASEWORKER, no_totp=True)
    client = app.test_client()
    password_step(client, user)
    secret = secret_from(get_page(client, SET_UP))

    # Spaces, as people type them from the app, are fine.
    code = pyotp.TOTP(secret).now()
    response = client.post(SET_UP, data={"code": f"{code[:3]} {code[3:]}"})

    assert response.status_code == 302
    assert response.location == "/casework/"
    page = get_page(client, "/casework/children")
    assert "Two-factor sign-in is set up" in page.text
    assert reload(user).totp_secret == secret
    assert "two-factor-set-up" in db.session.scalars(select(AuditEvent.action)).all()
    # The secret no longer sits in the session.
    with client.session_transaction() as session:
        assert secret not in repr(dict(session))


def test_next_sign_in_asks_for_the_security_code(app, make):
    user = make.user(Role.CASEWORKER, no_totp=True)
    with time_machine.travel(START, tick=False) as clock:
        client = app.test_client()
        secret = set_up(client, user)
        client.post("/sign-out")
        clock.shift(timedelta(seconds=60))

        response = password_step(client, user)
        assert response.location == CODE
        page = get_page(client, CODE)
        assert page.h1 == "Enter your security code"
        response = client.post(CODE, data={"code": pyotp.TOTP(secret).now()})
        assert response.status_code == 302
        assert response.location == "/casework/"
        assert client.get("/casework/children").status_code == 200


def test_a_code_cannot_be_used_twice(app, make):
    user = make.user(Role.CASEWORKER)
    with time_machine.travel(START, tick=False):
        client = app.test_client()
        code = current_code(user)
        password_step(client, user)
        assert client.post(CODE, data={"code": code}).status_code == 302
        client.post("/sign-out")

        password_step(client, user)
        page = post_page(client, CODE, {"code": code}, status=400)
        assert page.error_messages() == [WRONG_CODE]
        assert client.get("/casework/children").status_code == 302
        # The next code from the app is fine.
        assert client.post(CODE, data={"code": current_code(user, offset_steps=1)}).status_code == 302


def test_set_up_code_cannot_be_used_again_to_sign_in(app, make):
    user = make.user(Role.MANAGER, no_totp=True)
    with time_machine.travel(START, tick=False):
        client = app.test_client()
        password_step(client, user)
        secret = secret_from(get_page(client, SET_UP))
        code = pyotp.TOTP(secret).now()
        assert client.post(SET_UP, data={"code": code}).status_code == 302
        client.post("/sign-out")
        password_step(client, user)
        assert post_page(client, CODE, {"code": code}, status=400).error_messages() == [WRONG_CODE]


def test_old_codes_are_refused_but_30_seconds_of_drift_is_allowed(app, make):
    user = make.user(Role.CASEWORKER)
    with time_machine.travel(START, tick=False):
        client = app.test_client()
        password_step(client, user)
        for minutes_ago in (5, 2, 1.5):
            page = post_page(client, CODE, {"code": current_code(user, offset_steps=int(-2 * minutes_ago))}, status=400)
            assert page.error_messages() == [WRONG_CODE]
        assert client.post(CODE, data={"code": current_code(user, offset_steps=-1)}).status_code == 302


def test_wrong_codes_count_towards_lockout(app, make):
    user = make.user(Role.CASEWORKER)
    with time_machine.travel(START, tick=False) as clock:
        client = app.test_client()
        password_step(client, user)
        wrong = f"{(int(current_code(user)) + 500_000) % 1_000_000:06d}"
        for _ in range(9):
            assert post_page(client, CODE, {"code": wrong}, status=400).error_messages() == [WRONG_CODE]

        response = client.post(CODE, data={"code": wrong})
        assert response.status_code == 302
        assert response.location == "/sign-in"
        assert LOCKED in get_page(client, "/sign-in").text
        assert reload(user).locked_until is not None
        # The pending sign-in is gone, and the right password and code get nowhere.
        assert client.get(CODE).location == "/sign-in"
        page = check_page(password_step(client, user), 200)
        assert LOCKED in page.text
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)).all()
        assert actions.count("security-code-failed") == 10
        assert "account-locked" in actions

        clock.shift(timedelta(minutes=15, seconds=1))
        sign_in(client, user)
        assert client.get("/casework/children").status_code == 200


def test_wrong_passwords_and_wrong_codes_add_up(app, make):
    user = make.user(Role.CASEWORKER)
    client = app.test_client()
    for _ in range(5):
        password_step(client, user, "not my password at all")
    password_step(client, user)
    wrong = f"{(int(current_code(user)) + 500_000) % 1_000_000:06d}"
    for _ in range(4):
        client.post(CODE, data={"code": wrong})
    assert reload(user).locked_until is None
    response = client.post(CODE, data={"code": wrong})
    assert response.location == "/sign-in"
    assert reload(user).locked_until is not None


def test_not_signed_in_between_password_and_code(app, make):
    user = make.user(Role.ADMIN)
    client = app.test_client()
    assert password_step(client, user).location == CODE

    for url in ("/casework/children", "/admin/accounts", "/account"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.location.startswith("/sign-in"), url
    # Nor can the sign-in page be skipped past: it asks for the password again.
    assert get_page(client, "/sign-in").h1 == "Sign in"


def test_set_up_page_needs_the_password_step(client, make):
    response = client.get(SET_UP)
    assert response.status_code == 302
    assert response.location == "/sign-in"
    assert client.get(CODE).location == "/sign-in"
    assert client.post(CODE, data={"code": "123456"}).location == "/sign-in"
    assert client.get("/casework/children").location.startswith("/sign-in")
    # Two different messages waiting: both shown once, each banner with its own id (checked by get_page).
    page = get_page(client, "/sign-in")
    assert page.text.count("Sign in again to continue.") == 1
    assert page.text.count("Sign in to see this page.") == 1
    assert len(page.soup.select(".govuk-notification-banner")) == 2


def test_pending_sign_in_expires_after_10_minutes(app, make):
    user = make.user(Role.CASEWORKER)
    with time_machine.travel(START, tick=False) as clock:
        client = app.test_client()
        password_step(client, user)
        clock.shift(timedelta(minutes=9, seconds=59))
        assert get_page(client, CODE).h1 == "Enter your security code"

        clock.shift(timedelta(seconds=2))
        response = client.post(CODE, data={"code": current_code(user)})
        assert response.status_code == 302
        assert response.location == "/sign-in"
        assert "Sign in again to continue" in get_page(client, "/sign-in").text
        assert client.get("/casework/children").status_code == 302


def test_pending_set_up_expires_after_10_minutes(app, make):
    user = make.user(Role.CASEWORKER, no_totp=True)
    with time_machine.travel(START, tick=False) as clock:
        client = app.test_client()
        password_step(client, user)
        secret = secret_from(get_page(client, SET_UP))
        clock.shift(timedelta(minutes=10, seconds=1))
        response = client.post(SET_UP, data={"code": pyotp.TOTP(secret).now()})
        assert response.location == "/sign-in"
    assert reload(user).totp_secret is None


def test_family_members_have_no_second_step(client, make):
    user = make.user(Role.FAMILY)
    assert password_step(client, user).location == "/family/"


@pytest.fixture
def skip_app(new_app, config_class) -> Flask:
    class SkipTwoFactor(config_class):
        DEV_SKIP_TWO_FACTOR = True

    return new_app(SkipTwoFactor)


def test_dev_skip_two_factor_skips_the_step(skip_app, make):
    with_key = make.user(Role.CASEWORKER)
    without_key = make.user(Role.ADMIN, no_totp=True)

    for user, home in ((with_key, "/casework/"), (without_key, "/admin/accounts")):
        client = skip_app.test_client()
        response = password_step(client, user)
        assert response.status_code == 302
        assert response.location == home
        assert client.get(home).status_code == 200


def test_two_factor_is_not_skipped_by_default(app, make):
    assert app.config["DEV_SKIP_TWO_FACTOR"] is False
    assert password_step(app.test_client(), make.user(Role.CASEWORKER)).location == CODE


def test_admin_resets_two_factor_and_signs_the_person_out(app, make):
    caseworker = make.user(Role.CASEWORKER)
    admin = make.user(Role.ADMIN)
    theirs = app.test_client()
    sign_in(theirs, caseworker)
    assert theirs.get("/casework/children").status_code == 200

    admins = app.test_client()
    sign_in_fast(admins, admin)
    page = get_page(admins, f"/admin/accounts/{caseworker.id}/reset-two-factor")
    assert page.h1 == f"Reset two-factor sign-in for {caseworker.name}"
    assert reload(caseworker).totp_secret is not None  # a GET changes nothing

    response = admins.post(f"/admin/accounts/{caseworker.id}/reset-two-factor")

    assert response.status_code == 302
    assert response.location == "/admin/accounts"
    assert "Two-factor sign-in reset for" in get_page(admins, "/admin/accounts").text
    account = reload(caseworker)
    assert account.totp_secret is None and account.totp_last_step is None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "two-factor-reset")).one()
    assert (event.actor_id, event.target) == (admin.id, f"user:{caseworker.id}")
    # Their session has ended, and they set up two-factor again at the next sign-in.
    response = theirs.get("/casework/children")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")
    assert password_step(theirs, caseworker).location == SET_UP


def test_only_admins_reset_two_factor(app, make):
    caseworker = make.user(Role.CASEWORKER)
    manager = make.user(Role.MANAGER, team=caseworker.team)
    client = app.test_client()
    sign_in_fast(client, manager)
    assert client.post(f"/admin/accounts/{caseworker.id}/reset-two-factor").status_code == 403
    assert reload(caseworker).totp_secret is not None


def test_family_accounts_have_no_two_factor_to_reset(app, make):
    family = make.user(Role.FAMILY)
    admin = make.user(Role.ADMIN)
    client = app.test_client()
    sign_in_fast(client, admin)
    assert client.post(f"/admin/accounts/{family.id}/reset-two-factor").status_code == 404
