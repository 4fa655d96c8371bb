"""Session time limits: idle time-outs for families and staff, the 12-hour limit, and the cookie."""

from datetime import UTC, datetime, timedelta

import time_machine

from portal.models import Role
from tests.helpers import PASSWORD, get_page, sign_in

START = datetime(2025, 2, 10, 9, 0, tzinfo=UTC)
COOKIE = "portal_session"


def assert_signed_out(client, url: str, reason: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")
    page = get_page(client, response.location)
    assert page.h1 == "Sign in"
    assert reason in page.text
    # The session really is over: the next request is refused too, and says nothing more.
    again = client.get(url)
    assert again.status_code == 302
    assert again.location.startswith("/sign-in")


def test_family_signed_out_after_60_idle_minutes_not_59(app, make):
    user = make.user(Role.FAMILY)
    with time_machine.travel(START, tick=False) as clock:
        client = app.test_client()
        sign_in(client, user)
        clock.shift(timedelta(minutes=59))
        assert client.get("/family/").status_code == 200

        clock.shift(timedelta(minutes=60, seconds=1))
        assert_signed_out(client, "/family/", "had not used the service for 60 minutes")


def test_family_at_exactly_60_minutes_is_still_signed_in(app, make):
    user = make.user(Role.FAMILY)
    with time_machine.travel(START, tick=False) as clock:
        client = app.test_client()
        sign_in(client, user)
        clock.shift(timedelta(minutes=60))
        assert client.get("/family/").status_code == 200


def test_staff_signed_out_after_30_idle_minutes(app, make):
    user = make.user(Role.CASEWORKER)
    with time_machine.travel(START, tick=False) as clock:
        client = app.test_client()
        sign_in(client, user)
        clock.shift(timedelta(minutes=29))
        assert client.get("/casework/children").status_code == 200

        clock.shift(timedelta(minutes=30, seconds=1))
        assert_signed_out(client, "/casework/children", "had not used the service for 30 minutes")


def test_staff_idle_limit_is_shorter_than_familys(app, make):
    family = make.user(Role.FAMILY)
    staff = make.user(Role.ADMIN)
    with time_machine.travel(START, tick=False) as clock:
        family_client, staff_client = app.test_client(), app.test_client()
        sign_in(family_client, family)
        sign_in(staff_client, staff)
        clock.shift(timedelta(minutes=45))
        assert family_client.get("/account").status_code == 200
        assert_signed_out(staff_client, "/account", "You have been signed out because you had not used the service")


def test_activity_resets_the_idle_clock(app, make):
    user = make.user(Role.CASEWORKER)
    with time_machine.travel(START, tick=False) as clock:
        client = app.test_client()
        sign_in(client, user)
        # 2 hours in all, but never more than 25 minutes between requests.
        for _ in range(5):
            clock.shift(timedelta(minutes=25))
            assert client.get("/casework/children").status_code == 200
        clock.shift(timedelta(minutes=25))
        assert client.get("/account").status_code == 200


def test_signed_out_after_12_hours_even_with_activity(app, make):
    user = make.user(Role.FAMILY)
    with time_machine.travel(START, tick=False) as clock:
        client = app.test_client()
        sign_in(client, user)
        for _ in range(14):
            clock.shift(timedelta(minutes=50))
            assert client.get("/family/").status_code == 200
        # 11 hours 40 minutes so far. Still signed in at 12 hours exactly.
        clock.shift(timedelta(minutes=20))
        assert client.get("/family/").status_code == 200
        clock.shift(timedelta(seconds=1))
        assert_signed_out(client, "/family/", "signed in for more than 12 hours")


def test_staff_also_have_the_12_hour_limit(app, make):
    user = make.user(Role.MANAGER)
    with time_machine.travel(START, tick=False) as clock:
        client = app.test_client()
        sign_in(client, user)
        for _ in range(28):
            clock.shift(timedelta(minutes=25))
            assert client.get("/casework/children").status_code == 200
        # 11 hours 40 minutes so far; 21 more minutes is within the idle limit but past 12 hours.
        clock.shift(timedelta(minutes=21))
        assert_signed_out(client, "/casework/children", "signed in for more than 12 hours")


def test_can_sign_in_again_after_a_time_out(app, make):
    user = make.user(Role.FAMILY)
    with time_machine.travel(START, tick=False) as clock:
        client = app.test_client()
        sign_in(client, user)
        clock.shift(timedelta(minutes=61))
        assert client.get("/family/").status_code == 302
        sign_in(client, user)
        assert client.get("/family/").status_code == 200


def test_session_cookie_is_a_browser_session_cookie(client, make):
    user = make.user(Role.FAMILY)
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302

    headers = [value for value in response.headers.getlist("Set-Cookie") if value.startswith(f"{COOKIE}=")]
    assert len(headers) == 1
    attributes = [part.strip().split("=")[0].lower() for part in headers[0].split(";")[1:]]
    assert "expires" not in attributes
    assert "max-age" not in attributes
    assert "httponly" in attributes
    assert "samesite" in attributes
    assert client.get_cookie(COOKIE).expires is None

    # Later responses keep it a session cookie.
    response = client.get("/family/")
    for value in response.headers.getlist("Set-Cookie"):
        if value.startswith(f"{COOKIE}="):
            assert "expires" not in value.lower()
            assert "max-age" not in value.lower()


def test_pages_are_not_cached(client, make):
    user = make.user(Role.FAMILY)
    sign_in(client, user)
    assert client.get("/family/").headers["Cache-Control"] == "no-store"


def test_the_idle_clock_is_written_at_most_once_a_minute(app, make):
    """A page within a minute of the last recorded one sends no new session cookie; after a
    minute, the cookie carries the new time."""
    user = make.user(Role.FAMILY)
    with time_machine.travel(START, tick=False) as clock:
        client = app.test_client()
        sign_in(client, user)
        client.get("/family/")  # the first page shows (and so takes from the session) any message
        clock.shift(timedelta(seconds=59))
        assert "Set-Cookie" not in client.get("/family/").headers
        clock.shift(timedelta(seconds=1))
        assert COOKIE in client.get("/family/").headers["Set-Cookie"]
        # Recorded at 1 minute: still signed in 60 minutes after that, not 1 second more.
        clock.shift(timedelta(minutes=60))
        assert client.get("/family/").status_code == 200
