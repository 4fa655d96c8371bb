"""One-time means one time, even at once: a reset link, a security code and an invitation used by
several requests at the same moment succeed exactly once; the others get the ordinary answer.

The parallel tests use real threads against PostgreSQL, as production runs. The embedded SQLite
database takes one writer at a time, so there the same rules are shown one request after another.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, Invitation, Relationship, Role, User
from portal.tokens import new_token
from tests.helpers import PASSWORD, Factory, Mailbox

NEW_PASSWORD = "marmalade lighthouse trombone"
EXPIRED = "This link has expired or has already been used"
WRONG_CODE = "Enter a correct security code"
AT_ONCE = 3



@pytest.fixture
def on_postgres(app: Flask) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (the CI's second run); SQLite takes one writer at a time")


def at_once(app: Flask, requests: list) -> list:
    """Run each request in its own thread, all released at the same moment."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(index: int, request) -> None:
        barrier.wait()
        try:
            with app.app_context():
                results[index] = request()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [r for r in results if isinstance(r, BaseException)], results
    return results


def audited(action: str, user_id: int | None = None) -> int:
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    if user_id is not None:
        query = query.where(AuditEvent.actor_id == user_id)
    return db.session.scalar(query)


def outcome(response) -> str:
    body = response.get_data(as_text=True)
    if response.status_code >= 500:
        return "server-error"
    if response.status_code == 302:
        return "redirect"
    if EXPIRED in body:
        return "link-used"
    if WRONG_CODE in body:
        return "wrong-code"
    return f"other-{response.status_code}"


# --- Password reset -------------------------------------------------------------------------------


def reset_link(app: Flask, mail: Mailbox, user: User) -> str:
    app.test_client().post("/password/forgotten", data={"email": user.email})
    (message,) = mail.to(user.email)
    return mail.link(message)


def use_reset(app: Flask, link: str, password: str = NEW_PASSWORD):
    return lambda: app.test_client().post(link, data={"password": password, "confirm": password})


def test_a_reset_link_used_twice_resets_once(app, make: Factory, mail) -> None:
    user = make.user(Role.FAMILY)
    link = reset_link(app, mail, user)
    first, second = use_reset(app, link)(), use_reset(app, link, "another tangerine piano river")()
    assert [outcome(first), outcome(second)] == ["redirect", "link-used"]
    assert second.status_code == 404
    assert audited("password-reset", user.id) == 1


def test_three_uses_of_a_reset_link_at_once_reset_the_password_once(app, make, mail, on_postgres) -> None:
    user = make.user(Role.FAMILY)
    link = reset_link(app, mail, user)
    passwords = ["first tangerine piano river", "second tangerine piano river", "third tangerine piano river"]

    results = at_once(app, [use_reset(app, link, password) for password in passwords])

    assert Counter(outcome(r) for r in results) == {"redirect": 1, "link-used": AT_ONCE - 1}
    assert audited("password-reset", user.id) == 1
    winner = passwords[[outcome(r) for r in results].index("redirect")]
    signs_in = [
        app.test_client().post("/sign-in", data={"email": user.email, "password": p}).status_code == 302
        for p in passwords
    ]
    assert signs_in == [p == winner for p in passwords]


# --- Security codes -------------------------------------------------------------------------------


def pending_client(app: Flask, user: User):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.location.endswith("/sign-in/security-code")
    return client


def test_a_security_code_works_once(app, make: Factory) -> None:
    user = make.user(Role.CASEWORKER)
    code = pyotp.TOTP(user.totp_secret).now()
    first, second = pending_client(app, user), pending_client(app, user)
    results = [first.post("/sign-in/security-code", data={"code": code}),
               second.post("/sign-in/security-code", data={"code": code})]
    assert [outcome(r) for r in results] == ["redirect", "wrong-code"]
    assert audited("sign-in", user.id) == 1


def test_the_same_security_code_at_once_signs_in_once(app, make: Factory, on_postgres) -> None:
    user = make.user(Role.CASEWORKER)
    clients = [pending_client(app, user) for _ in range(AT_ONCE)]
    code = pyotp.TOTP(user.totp_secret).now()

    results = at_once(app, [lambda c=c: c.post("/sign-in/security-code", data={"code": code}) for c in clients])

    assert Counter(outcome(r) for r in results) == {"redirect": 1, "wrong-code": AT_ONCE - 1}
    assert audited("sign-in", user.id) == 1
    signed_in = [c.get("/casework/").status_code == 200 for c in clients]
    assert signed_in.count(True) == 1


# --- Invitations ----------------------------------------------------------------------------------


def invitation_token(make: Factory) -> str:
    caseworker = make.user(Role.CASEWORKER)
    child = make.child(team=caseworker.team)
    token, token_hash = new_token()
    db.session.add(
        Invitation(
            email="invited.once@example.org", name="Ivy Invited", role=Role.FAMILY, child_id=child.id,
            relationship_to_child=Relationship.PARENT, token_hash=token_hash, invited_by_id=caseworker.id,
            expires_at=datetime.now(UTC) + timedelta(days=7),
        )
    )
    db.session.commit()
    return token


def accept(app: Flask, token: str):
    data = {"name": "Ivy Invited", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    return lambda: app.test_client().post(f"/invitation/{token}", data=data)


def accounts() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == "invited.once@example.org"))


def test_an_invitation_accepted_twice_makes_one_account(app, make: Factory) -> None:
    token = invitation_token(make)
    first, second = accept(app, token)(), accept(app, token)()
    assert [outcome(first), outcome(second)] == ["redirect", "link-used"]
    assert accounts() == 1


def test_two_people_accepting_one_invitation_at_once_make_one_account(app, make: Factory, on_postgres) -> None:
    token = invitation_token(make)

    results = at_once(app, [accept(app, token) for _ in range(AT_ONCE)])

    assert "server-error" not in [outcome(r) for r in results]
    assert Counter(outcome(r) for r in results) == {"redirect": 1, "link-used": AT_ONCE - 1}
    assert accounts() == 1
    assert audited("invitation-accepted") == 1
