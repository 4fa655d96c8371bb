"""Bad input on every account form: a 400 with a GOV.UK error summary, never a 500, nothing echoed
unescaped and nothing already saved changed."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    AuditEvent,
    FamilyLink,
    Invitation,
    PasswordReset,
    Relationship,
    Role,
    User,
)
from portal.tokens import new_token
from tests.helpers import PASSWORD, Factory, Page, check_page, sign_in_fast

# A long walk, made once: in the PostgreSQL run when there is one (its column lengths are
# strict, where SQLite keeps any length), otherwise in the SQLite run. CI time.
pytestmark = pytest.mark.postgres_run

NEW_PASSWORD = "marmalade lighthouse trombone"
SCRIPT = "<script>alert(1)</script>"

# Values that are wrong for any email field.
BAD_EMAILS = {
    "long": "x" * 9_988 + "@example.org",
    "rtl-override": "pat\u202eparent@example.org",
    "zero-width-joiner": "pat\u200dparent@example.org",
    "emoji": "pat\U0001f600@example.org",
    "emoji-domain": "pat@ex\U0001f600ample.org",
    "combining": "pa\u0301t@example.org",
    "nul": "pat\x00parent@example.org",
    "html": SCRIPT,
    "html-local-part": f"{SCRIPT}@example.org",
    "no-domain": "a@",
    "no-local-part": "@b.com",
    "space": "a b@c.com",
    "no-dot": "a@b",
    "300-characters": "x" * 300 + "@example.org",
}
# Values that are wrong for any name field.
BAD_NAMES = {
    "long": "N" * 10_000,
    "101-characters": "N" * 101,
    "rtl-override": "Pat \u202eParent",
    "left-to-right-isolate": "Pat \u2066Parent",
    "nul": "Pat\x00Parent",
    "escape": "Pat\x1bParent",
    "html": SCRIPT,
    "only-spaces": "   ",
    "zero-width-space": "Pat\u200bParent",
    "zero-width-joiner": "Ana\u200dMaria",
    "word-joiner": "Pat\u2060Parent",
    "byte-order-mark": "\ufeffPat Parent",
    "soft-hyphen": "Pat Par\u00adent",
    "non-character": "Pat \ufdd0Parent",
    "non-character-end-of-plane": "Pat Parent\U0001fffe",
    "private-use": "Pat \ue000Parent",
    "combining-run": "Pa" + "\u0301\u0302\u0303\u0304\u0306" + "t Parent",
    "zalgo": "P" + "\u0336" * 30 + "at",
}
# Choice fields: anything that is not one of the choices.
BAD_CHOICES = {
    "long": "c" * 10_000,
    "html": SCRIPT,
    "nul": "\x00",
    "unknown": "admin-superuser",
}
LONG_PASSWORD = "p" * 10_000


@dataclass
class Scene:
    """What is saved before each bad submission."""

    family: User
    caseworker: User
    admin: User
    child_id: int
    team_id: int
    token: str


@pytest.fixture
def scene(make: Factory) -> Scene:
    family = make.user(Role.FAMILY, email="existing@example.org", name="Existing Parent")
    caseworker = make.user(Role.CASEWORKER)
    admin = make.user(Role.ADMIN)
    child = make.child(team=caseworker.team, family=[family])
    token, token_hash = new_token()
    db.session.add(
        Invitation(
            email="invited@example.org",
            name="Invited Carer",
            role=Role.FAMILY,
            child_id=child.id,
            relationship_to_child=Relationship.CARER,
            token_hash=token_hash,
            invited_by_id=caseworker.id,
            expires_at=datetime.now(UTC) + timedelta(days=7),
        )
    )
    db.session.commit()
    return Scene(family, caseworker, admin, child.id, caseworker.team_id, token)


@dataclass(frozen=True)
class Form:
    url: str
    valid: dict[str, str]
    signed_in_as: str | None = None
    required_message: dict[str, str] | None = None


def forms(scene: Scene) -> dict[str, Form]:
    return {
        "sign-in": Form("/sign-in", {"email": scene.family.email, "password": PASSWORD}),
        "forgotten-password": Form("/password/forgotten", {"email": scene.family.email}),
        "accept-invitation": Form(
            f"/invitation/{scene.token}",
            {"name": "Invited Carer", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        ),
        "invite-family-member": Form(
            f"/casework/children/{scene.child_id}/invite",
            {"name": "New Parent", "email": "new.parent@example.org", "relationship": "parent"},
            signed_in_as="caseworker",
        ),
        "invite-staff": Form(
            "/admin/staff/invite",
            {
                "name": "New Starter",
                "email": "new.starter@example.org",
                "role": "caseworker",
                "team": str(scene.team_id),
            },
            signed_in_as="admin",
        ),
    }


def client_for(app: Flask, scene: Scene, form: Form):
    client = app.test_client()
    if form.signed_in_as:
        sign_in_fast(client, getattr(scene, form.signed_in_as))
    return client


def snapshot() -> dict[str, object]:
    """Everything a bad submission must leave alone."""
    db.session.expire_all()
    users = db.session.execute(
        select(
            User.id,
            User.email,
            User.name,
            User.password_hash,
            User.role,
            User.active,
            User.team_id,
            User.failed_sign_ins,
            User.locked_until,
            User.session_version,
            User.totp_secret,
        ).order_by(User.id)
    ).all()
    invitations = db.session.execute(
        select(Invitation.id, Invitation.email, Invitation.name, Invitation.used_at).order_by(Invitation.id)
    ).all()
    links = db.session.execute(
        select(FamilyLink.user_id, FamilyLink.child_id, FamilyLink.relationship_to_child).order_by(FamilyLink.id)
    ).all()
    counts = {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (User, Invitation, FamilyLink, PasswordReset, AuditEvent)
    }
    return {"users": users, "invitations": invitations, "links": links, "counts": counts}


def cases() -> list:
    params = []
    email_forms = ("sign-in", "forgotten-password", "invite-family-member", "invite-staff")
    name_forms = ("accept-invitation", "invite-family-member", "invite-staff")
    for form in email_forms:
        params += [pytest.param(form, "email", value, id=f"{form}-email-{name}") for name, value in BAD_EMAILS.items()]
    for form in name_forms:
        params += [pytest.param(form, "name", value, id=f"{form}-name-{name}") for name, value in BAD_NAMES.items()]
    params += [
        pytest.param("sign-in", "password", LONG_PASSWORD, id="sign-in-password-long"),
        pytest.param("accept-invitation", "password", LONG_PASSWORD, id="accept-invitation-password-long"),
        pytest.param("accept-invitation", "confirm", LONG_PASSWORD, id="accept-invitation-confirm-long"),
        pytest.param("accept-invitation", "password", "short\x00pass", id="accept-invitation-password-short-nul"),
    ]
    params += [
        pytest.param("invite-family-member", "relationship", value, id=f"invite-family-member-relationship-{name}")
        for name, value in BAD_CHOICES.items()
    ]
    for field in ("role", "team"):
        params += [
            pytest.param("invite-staff", field, value, id=f"invite-staff-{field}-{name}")
            for name, value in BAD_CHOICES.items()
        ]
    return params


def assert_refused(response, field: str, mail) -> Page:
    page = check_page(response, 400)
    summary = page.soup.select_one(".govuk-error-summary")
    assert summary is not None, "no error summary"
    assert "There is a problem" in summary.get_text()
    assert page.error_messages(), "the error summary lists no errors"
    assert f"#{field}" in [link["href"] for link in page.soup.select(".govuk-error-summary__list a")]
    error = page.soup.select_one(f"#{field}-error")
    assert error is not None, f"no error message by the {field} field"
    assert "govuk-error-message" in error["class"]
    assert error.get_text(strip=True)
    body = response.get_data(as_text=True)
    assert SCRIPT not in body
    assert mail.messages() == []
    return page


@pytest.mark.parametrize(("form_name", "field", "value"), cases())
def test_bad_input_is_refused_and_changes_nothing(app, scene, mail, form_name, field, value):
    form = forms(scene)[form_name]
    client = client_for(app, scene, form)
    before = snapshot()

    response = client.post(form.url, data={**form.valid, field: value})

    assert_refused(response, field, mail)
    assert snapshot() == before
    if value == SCRIPT and field in ("name", "email"):
        # Shown back safely: escaped inside the input, never as markup.
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "form_name", ["sign-in", "forgotten-password", "accept-invitation", "invite-family-member", "invite-staff"]
)
def test_invalid_utf8_is_refused_and_changes_nothing(app, scene, mail, form_name):
    """A lone surrogate cannot be sent by the test client, so send the bytes a broken client would:
    '\\udcff' encoded as if it were UTF-8, which is not valid UTF-8."""
    form = forms(scene)[form_name]
    client = client_for(app, scene, form)
    field = "name" if "name" in form.valid else "email"
    before = snapshot()

    others = {key: value for key, value in form.valid.items() if key != field}
    body = urlencode(others).encode() + f"&{field}=".encode() + b"pat\xed\xb3\xbf@example.org"
    response = client.post(form.url, data=body, content_type="application/x-www-form-urlencoded")

    assert_refused(response, field, mail)
    assert snapshot() == before


def test_the_test_client_cannot_send_a_lone_surrogate(client):
    with pytest.raises(UnicodeEncodeError):
        client.post("/sign-in", data={"email": "pat\udcff@example.org", "password": PASSWORD})


@pytest.mark.parametrize(
    "password",
    ["\u202e" + PASSWORD, PASSWORD + "\u200d", "\U0001f600" * 12, "e\u0301" * 12, "pass\x00word-long-enough", SCRIPT],
)
def test_odd_passwords_at_sign_in_are_just_wrong(app, scene, mail, password):
    """Any text can be a password, so these are not format errors: the usual wrong-password page."""
    client = app.test_client()
    before = snapshot()

    response = client.post("/sign-in", data={"email": scene.family.email, "password": password})

    page = check_page(response, 200)
    assert page.error_messages() == ["Enter a correct email address and password"]  # once, not per field
    assert SCRIPT not in response.get_data(as_text=True)
    after = snapshot()
    assert after["users"] != before["users"]  # one more failed sign-in for the account ...
    user = db.session.get(User, scene.family.id)
    assert user.failed_sign_ins == 1
    assert user.password_hash == before["users"][0].password_hash  # ... and nothing else
    assert {k: v for k, v in after["counts"].items() if k != "AuditEvent"} == {
        k: v for k, v in before["counts"].items() if k != "AuditEvent"
    }


@pytest.mark.parametrize(
    "name",
    [
        "Zoe\u0308 Smith",
        "Nguye\u0302\u0303n Thi\u0323",
        "\u0645\u062d\u0645\u062f \u0639\u0644\u064a",
        "Siobhán O’Neill-Ng",
        "Aoife \U0001f308",
    ],
)
def test_names_in_any_script_are_accepted_and_shown_escaped(app, scene, mail, name):
    """Combining marks, right-to-left scripts and symbols appear in real names: they are kept as
    typed (composed to NFC). Controls, invisible characters and angle brackets are refused."""
    client = app.test_client()
    response = client.post(
        f"/invitation/{scene.token}", data={"name": name, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )

    assert response.status_code == 302
    user = db.session.scalars(select(User).where(User.email == "invited@example.org")).one()
    assert user.name == unicodedata.normalize("NFC", name)
    page = check_page(client.get("/account"))
    assert unicodedata.normalize("NFC", name) in page.text


def test_html_in_an_existing_name_is_escaped_on_staff_pages(app, scene):
    """Data saved before validation existed (or by other routes) is still escaped when shown."""
    user = db.session.get(User, scene.family.id)
    user.name = SCRIPT
    db.session.commit()
    client = app.test_client()
    sign_in_fast(client, scene.caseworker)

    response = client.get(f"/casework/children/{scene.child_id}")

    check_page(response)
    assert SCRIPT not in response.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.get_data(as_text=True)
