"""Forgotten password: the email, the single-use one-hour link, the password rules and their effects."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, PasswordReset, Role, User
from tests.helpers import PASSWORD, check_page, get_page, post_page, sign_in

NEW_PASSWORD = "marmalade lighthouse trombone"
START = datetime(2025, 5, 6, 10, 0, tzinfo=UTC)
EXPIRED = "This link has expired or has already been used"


def ask_for_reset(client, email: str):
    response = client.post("/password/forgotten", data={"email": email})
    assert response.status_code == 302
    assert response.location == "/password/link-sent"
    return get_page(client, response.location)


def reset_link(client, mail, user: User) -> str:
    ask_for_reset(client, user.email)
    messages = mail.to(user.email)
    assert len(messages) == 1
    return mail.link(messages[0])


def set_password(client, link: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(link, data={"password": password, "confirm": password if confirm is None else confirm})


def signs_in(app, email: str, password: str) -> bool:
    response = app.test_client().post("/sign-in", data={"email": email, "password": password})
    return response.status_code == 302


def test_forgotten_password_page(client):
    page = get_page(client, "/password/forgotten")
    assert page.h1 == "Reset your password"
    assert page.soup.find("input", {"name": "email"}) is not None


def test_known_email_gets_one_email_with_a_link(client, make, mail):
    user = make.user(Role.FAMILY)

    page = ask_for_reset(client, user.email.upper())

    assert page.h1 == "Check your email"
    messages = mail.messages()
    assert len(messages) == 1
    message = messages[0]
    assert message["To"] == user.email
    assert message["Subject"] == "Reset your password"
    link = mail.link(message)
    assert link.startswith("/password/reset/")
    assert f"http://localhost{link}" in message.get_body(("html",)).get_content()


def test_unknown_email_gets_no_email_and_the_same_page(client, make, mail):
    user = make.user(Role.FAMILY, email="known@example.org")

    known = ask_for_reset(client, user.email)
    mail.clear()
    unknown = ask_for_reset(client, "unknown@example.org")

    assert mail.messages() == []
    assert unknown.h1 == known.h1
    assert unknown.text.replace("unknown@example.org", "EMAIL") == known.text.replace("known@example.org", "EMAIL")
    assert db.session.scalar(select(func.count()).select_from(PasswordReset)) == 1


def test_deactivated_account_gets_no_email(client, make, mail):
    user = make.user(Role.FAMILY, active=False)
    ask_for_reset(client, user.email)
    assert mail.messages() == []


def test_link_sets_a_new_password(app, client, make, mail):
    user = make.user(Role.FAMILY)
    link = reset_link(client, mail, user)

    page = get_page(client, link)
    assert page.h1 == "Create a new password"
    response = set_password(client, link)

    assert response.status_code == 302
    assert response.location == "/sign-in"
    page = get_page(client, "/sign-in")
    assert "Your password has been changed" in page.text
    assert not signs_in(app, user.email, PASSWORD)
    assert signs_in(app, user.email, NEW_PASSWORD)


def test_link_works_once(app, client, make, mail):
    user = make.user(Role.FAMILY)
    link = reset_link(client, mail, user)
    assert set_password(client, link).status_code == 302

    page = get_page(app.test_client(), link, status=404)
    assert page.h1 == EXPIRED
    page = post_page(
        app.test_client(),
        link,
        {"password": "another good passphrase here", "confirm": "another good passphrase here"},
        status=404,
    )
    assert page.h1 == EXPIRED
    assert signs_in(app, user.email, NEW_PASSWORD)


def test_a_new_password_cancels_every_other_reset_link(app, client, make, mail):
    user = make.user(Role.FAMILY)
    first = reset_link(client, mail, user)
    mail.clear()
    second = reset_link(client, mail, user)
    assert first != second

    assert set_password(client, second).status_code == 302
    assert get_page(client, first, status=404).h1 == EXPIRED


def test_made_up_link_is_refused(client):
    page = get_page(client, "/password/reset/not-a-real-token", status=404)
    assert page.h1 == EXPIRED


def test_link_expires_after_one_hour(app, client, make, mail):
    user = make.user(Role.FAMILY)
    with time_machine.travel(START, tick=False) as clock:
        link = reset_link(client, mail, user)
        clock.shift(timedelta(minutes=59))
        assert get_page(client, link).h1 == "Create a new password"
        clock.shift(timedelta(minutes=1, seconds=1))
        assert get_page(client, link, status=404).h1 == EXPIRED
        response = set_password(client, link)
        assert response.status_code == 404
        assert signs_in(app, user.email, PASSWORD)
        assert not signs_in(app, user.email, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password1234", "Password is too easy to guess. Use 3 or more random words, or a longer password"),
        ("aaaaaaaaaaaa", "Password is too easy to guess. Use 3 or more random words, or a longer password"),
        ("Xq7#mPz!vR2", "Password must be 12 characters or more"),
        ("", "Enter a password"),
    ],
)
def test_weak_passwords_are_refused(app, client, make, mail, password, message):
    user = make.user(Role.FAMILY)
    link = reset_link(client, mail, user)
    before = db.session.get(User, user.id).password_hash

    page = post_page(client, link, {"password": password, "confirm": password}, status=400)

    assert page.title.startswith("Error: Create a new password")
    assert page.error_messages()[0] == message
    assert message in page.soup.select_one("#password-error").get_text()
    assert db.session.get(User, user.id).password_hash == before
    # The link still works after a refused password.
    assert set_password(client, link).status_code == 302


def test_password_using_the_email_address_is_refused(client, make, mail):
    user = make.user(Role.FAMILY, email="gwendolyn.fairweather@example.org")
    link = reset_link(client, mail, user)
    page = post_page(
        client, link, {"password": "gwendolyn.fairweather", "confirm": "gwendolyn.fairweather"}, status=400
    )
    assert "Password is too easy to guess" in page.error_messages()[0]


def test_passwords_that_do_not_match_are_refused(app, client, make, mail):
    user = make.user(Role.FAMILY)
    link = reset_link(client, mail, user)

    page = post_page(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}, status=400)

    assert page.error_messages() == ["Passwords must match"]
    assert signs_in(app, user.email, PASSWORD)


def test_reset_signs_out_every_other_session(app, client, make, mail):
    user = make.user(Role.FAMILY)
    elsewhere = app.test_client()
    sign_in(elsewhere, user)
    assert elsewhere.get("/family/").status_code == 200

    link = reset_link(client, mail, user)
    assert set_password(client, link).status_code == 302

    response = elsewhere.get("/family/")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")


def test_reset_email_has_no_child_details(client, make, mail):
    user = make.user(Role.FAMILY)
    child = make.child(family=[user])
    reset_link(client, mail, user)

    message = mail.to(user.email)[0]
    for part in (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
        message["Subject"],
    ):
        assert child.last_name not in part
        for date_text in ("2015-01-01", "1 January 2015", "01/01/2015", "1/1/2015", "2015"):
            assert date_text not in part


def test_reset_unlocks_a_locked_account(app, client, make, mail):
    user = make.user(Role.FAMILY)
    for _ in range(10):
        client.post("/sign-in", data={"email": user.email, "password": "wrong wrong wrong"})
    assert db.session.get(User, user.id).locked_until is not None
    assert not signs_in(app, user.email, PASSWORD)

    link = reset_link(client, mail, user)
    assert set_password(client, link).status_code == 302

    account = db.session.get(User, user.id)
    assert account.locked_until is None
    assert account.failed_sign_ins == 0
    assert signs_in(app, user.email, NEW_PASSWORD)


def test_reset_is_audited_without_the_token(client, make, mail):
    user = make.user(Role.FAMILY)
    client.environ_base["REMOTE_ADDR"] = "203.0.113.44"
    link = reset_link(client, mail, user)
    token = link.rsplit("/", 1)[1]
    set_password(client, link)
    ask_for_reset(client, "stranger@example.org")

    events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [(e.action, e.actor_id, e.target, e.ip_address) for e in events] == [
        ("password-reset-requested", user.id, f"user:{user.id}", "203.0.113.44"),
        ("password-reset", user.id, f"user:{user.id}", "203.0.113.44"),
        ("password-reset-requested", None, "unknown-account", "203.0.113.44"),
    ]
    for event in events:
        values = " ".join(str(getattr(event, column.key)) for column in AuditEvent.__table__.columns)
        assert token not in values
        assert NEW_PASSWORD not in values
        assert "stranger@example.org" not in values


def test_only_the_token_hash_is_stored(client, make, mail):
    user = make.user(Role.FAMILY)
    token = reset_link(client, mail, user).rsplit("/", 1)[1]
    reset = db.session.scalars(select(PasswordReset)).one()
    assert reset.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in " ".join(str(getattr(reset, c.key)) for c in PasswordReset.__table__.columns)


def test_signed_in_user_page_for_link_sent_does_not_leak(client):
    # Visiting "link sent" directly shows the general wording, not someone's address.
    page = check_page(client.get("/password/link-sent"))
    assert "If that email address has an account" in page.text
