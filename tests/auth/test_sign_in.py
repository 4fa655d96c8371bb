"""Signing in and out: the happy path, no user enumeration, session renewal, audit and refusals."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Role, User
from tests.helpers import PASSWORD, check_page, get_page, post_page, sign_in

WRONG = "Enter a correct email address and password"
COOKIE = "portal_session"


def audit_rows() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def row_text(event: AuditEvent) -> str:
    return " ".join(str(getattr(event, column.key)) for column in AuditEvent.__table__.columns)


def cookie_value(client) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def test_family_sign_in_lands_on_family_dashboard(client, make):
    user = make.user(Role.FAMILY)
    child = make.child(family=[user])

    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.location == "/family/"
    page = get_page(client, "/family/")
    assert page.h1 == "Your children"
    assert child.full_name in page.text


def test_sign_in_page_renders(client):
    page = get_page(client, "/sign-in")
    assert page.h1 == "Sign in"
    assert page.soup.find("input", {"name": "email"}) is not None
    assert page.soup.find("input", {"name": "password", "type": "password"}) is not None


def test_wrong_password_and_unknown_email_look_the_same(client, make):
    user = make.user(Role.FAMILY, email="known@example.org")

    wrong = client.post("/sign-in", data={"email": user.email, "password": "not the right password"})
    unknown = client.post("/sign-in", data={"email": "nobody@example.org", "password": "not the right password"})

    assert wrong.status_code == unknown.status_code
    wrong_page, unknown_page = check_page(wrong, wrong.status_code), check_page(unknown, unknown.status_code)
    assert wrong_page.text == unknown_page.text
    assert wrong_page.title == unknown_page.title
    assert wrong_page.error_messages() == unknown_page.error_messages() == [WRONG]
    assert wrong_page.title.startswith("Error: ")
    # The password is never sent back in the page.
    assert "not the right password" not in wrong.get_data(as_text=True)
    # Nobody was signed in.
    assert client.get("/family/").status_code == 302


def test_email_is_case_insensitive(app, make):
    user = make.user(Role.FAMILY, email="jo.bloggs@example.org")
    mixed = make.user(Role.FAMILY, email="Sam.Smith@Example.org")

    for account, typed in ((user, "JO.Bloggs@EXAMPLE.org"), (mixed, "sam.smith@example.org")):
        client = app.test_client()
        response = client.post("/sign-in", data={"email": f"  {typed} ", "password": PASSWORD})
        assert response.status_code == 302, typed
        assert response.location == "/family/"
        page = get_page(client, "/account")
        assert account.email in page.text


def test_sign_in_renews_the_session(client, make):
    user = make.user(Role.FAMILY)
    get_page(client, "/sign-in")
    with client.session_transaction() as session:
        session["planted"] = "set by someone before sign-in"
    before = cookie_value(client)
    assert before is not None

    sign_in(client, user)

    after = cookie_value(client)
    assert after is not None and after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == user.get_id()


def test_audit_events_for_success_and_failure(app, make):
    user = make.user(Role.FAMILY)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    bad_password = "Wrong-Horse-Battery-9"

    client.post("/sign-in", data={"email": user.email, "password": bad_password})
    client.post("/sign-in", data={"email": "stranger@example.org", "password": bad_password})
    sign_in(client, user)

    events = [(e.action, e.actor_id, e.target, e.ip_address) for e in audit_rows()]
    assert events == [
        ("sign-in-failed", user.id, f"user:{user.id}", "203.0.113.7"),
        ("sign-in-failed", None, "unknown-account", "203.0.113.7"),
        ("sign-in", user.id, f"user:{user.id}", "203.0.113.7"),
    ]
    for event in audit_rows():
        text = row_text(event)
        assert PASSWORD not in text
        assert bad_password not in text
        assert "stranger@example.org" not in text


def test_empty_form_shows_error_summary(client):
    page = post_page(client, "/sign-in", {"email": "", "password": ""}, status=400)

    assert page.title.startswith("Error: Sign in")
    summary = page.soup.select_one(".govuk-error-summary")
    assert summary is not None
    assert "There is a problem" in summary.get_text()
    assert page.error_messages() == ["Enter your email address", "Enter your password"]
    # Each summary link points at its field, and the field shows the same message.
    assert [a["href"] for a in page.soup.select(".govuk-error-summary__list a")] == ["#email", "#password"]
    assert "Enter your email address" in page.soup.select_one("#email-error").get_text()
    assert "Enter your password" in page.soup.select_one("#password-error").get_text()


def test_only_password_missing(client, make):
    user = make.user(Role.FAMILY)
    page = post_page(client, "/sign-in", {"email": user.email, "password": ""}, status=400)
    assert page.error_messages() == ["Enter your password"]
    assert db.session.get(User, user.id).failed_sign_ins == 0


def test_old_session_cookie_is_refused_after_sign_out(app, client, make):
    user = make.user(Role.FAMILY)
    sign_in(client, user)
    assert client.get("/family/").status_code == 200
    stolen = cookie_value(client)

    response = client.post("/sign-out")
    assert response.status_code == 302
    assert response.location == "/signed-out"
    assert get_page(client, "/signed-out").h1 == "You have signed out"

    thief = app.test_client()
    thief.set_cookie(COOKIE, stolen)
    response = thief.get("/family/")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")
    assert thief.get("/account").status_code == 302


def test_deactivated_account_cannot_sign_in(client, make):
    user = make.user(Role.FAMILY, active=False)
    unknown = client.post("/sign-in", data={"email": "nobody@example.org", "password": PASSWORD})

    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})

    assert response.status_code == unknown.status_code
    page = check_page(response, response.status_code)
    assert page.error_messages() == [WRONG]
    assert page.text == check_page(unknown, unknown.status_code).text
    assert client.get("/family/").status_code == 302


def test_deactivated_user_is_signed_out_of_existing_session(client, make):
    user = make.user(Role.FAMILY)
    sign_in(client, user)
    assert client.get("/family/").status_code == 200

    user.active = False
    db.session.commit()

    response = client.get("/family/")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")


def test_next_only_goes_to_this_site(client, make):
    user = make.user(Role.FAMILY)
    response = client.post("/sign-in?next=//evil.example/x", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.location == "/family/"


def test_next_returns_to_the_page_asked_for(client, make):
    user = make.user(Role.FAMILY)
    child = make.child(family=[user])
    response = client.get(f"/family/children/{child.id}")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in?next=")

    response = client.post(response.location, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.location == f"/family/children/{child.id}"
