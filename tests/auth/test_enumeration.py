"""No account enumeration: a known and an unknown email get the same answers, in the same time,
and their failed sign-ins count and expire by the same rule."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Role, UnknownSignIn, User
from tests.helpers import check_page

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BAD = "not the password at all"
LOCKED = "Your account is locked"
WRONG = "Enter a correct email address and password"
UNKNOWN = "nobody.here@example.org"


def attempt(client, email: str) -> str:
    response = client.post("/sign-in", data={"email": email, "password": BAD})
    page = check_page(response, response.status_code)
    assert response.status_code < 500
    return "locked" if LOCKED in page.text else "wrong" if WRONG in page.text else page.text[:200]


def test_failures_expire_the_same_way_for_a_known_and_an_unknown_email(app, make) -> None:
    known = make.user(Role.FAMILY).email
    for email in (known, UNKNOWN):
        client = app.test_client()
        with time_machine.travel(START, tick=False) as clock:
            answers = [attempt(client, email) for _ in range(9)]
            # The window of 15 minutes from the first failure ends: the count starts again.
            clock.shift(timedelta(minutes=15, seconds=1))
            answers += [attempt(client, email) for _ in range(9)]
            answers.append(attempt(client, email))
            clock.shift(timedelta(minutes=14))
            answers.append(attempt(client, email))
            clock.shift(timedelta(minutes=1, seconds=1))
            answers.append(attempt(client, email))
        assert answers == ["wrong"] * 18 + ["locked", "locked", "wrong"], email


def test_the_pages_are_the_same_word_for_word(app, make) -> None:
    known = make.user(Role.FAMILY).email
    pages = {}
    for email in (known, UNKNOWN):
        client = app.test_client()
        responses = [client.post("/sign-in", data={"email": email, "password": BAD}) for _ in range(10)]
        pages[email] = [
            check_page(r, r.status_code).soup.select_one("main").get_text(" ", strip=True).replace(email, "EMAIL")
            for r in responses
        ]
        assert [r.status_code for r in responses] == [200] * 10
    assert pages[known] == pages[UNKNOWN]


def test_unknown_emails_with_rate_limiting_off_get_the_ordinary_answer(new_app) -> None:
    app = new_app(RATELIMIT_ENABLED=False)
    client = app.test_client()
    assert [attempt(client, UNKNOWN) for _ in range(11)] == ["wrong"] * 9 + ["locked"] * 2


def test_unknown_emails_are_counted_by_a_hash_and_forgotten_when_their_window_ends(app) -> None:
    client = app.test_client()
    with time_machine.travel(START, tick=False) as clock:
        attempt(client, UNKNOWN)
        (row,) = db.session.scalars(select(UnknownSignIn)).all()
        assert UNKNOWN not in row.email_hash and len(row.email_hash) == 64
        clock.shift(timedelta(minutes=16))
        attempt(client, "someone.else@example.org")
    assert db.session.scalar(select(func.count()).select_from(UnknownSignIn)) == 1


def reset_time(client, email: str) -> float:
    started = time.perf_counter()
    response = client.post("/password/forgotten", data={"email": email})
    assert response.status_code == 302
    return time.perf_counter() - started


def test_a_reset_request_takes_the_same_time_for_known_and_unknown_emails(new_app, make, mail) -> None:
    floor = 0.25
    app = new_app(PASSWORD_RESET_MIN_SECONDS=floor)
    known = make.user(Role.FAMILY).email
    client = app.test_client()
    reset_time(client, known)  # templates compiled, connections open
    times: dict[str, list[float]] = {known: [], UNKNOWN: []}
    for _ in range(6):
        for email in (known, UNKNOWN):
            times[email].append(reset_time(client, email))
    assert all(floor <= t < floor + 0.2 for ts in times.values() for t in ts), times
    difference = abs(statistics.median(times[known]) - statistics.median(times[UNKNOWN]))
    assert difference < 0.03, times
    assert len(mail.to(known)) == 7
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
