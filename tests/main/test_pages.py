"""The start and information pages, branding, health checks and the GOV.UK-style error pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal import create_app
from portal.access import public
from portal.extensions import db
from portal.models import Role
from tests.helpers import PASSWORD, Factory, Page, check_page, get_page, sign_in_fast

FOOTER_LINKS = {
    "/accessibility": "Accessibility statement",
    "/privacy": "Privacy notice",
    "/cookies": "Cookies",
    "/contact": "Contact",
}
PUBLIC_PAGES = ["/", "/accessibility", "/privacy", "/cookies", "/contact", "/sign-in", "/password/forgotten",
                "/signed-out"]
SIGNED_IN_PAGES = {
    Role.FAMILY: ["/family/", "/account"],
    Role.CASEWORKER: ["/casework/children", "/account"],
    Role.MANAGER: ["/admin/staff/invite"],
    Role.COPRODUCTION: ["/account"],
    Role.ADMIN: ["/admin/accounts", "/admin/audit-log", "/admin/staff/invite"],
}


def all_pages(client_for: Callable[[Role | None], FlaskClient]) -> Iterator[Page]:
    anonymous = client_for(None)
    for url in PUBLIC_PAGES:
        yield get_page(anonymous, url)
    yield get_page(anonymous, "/no-such-page", status=404)
    yield get_page(anonymous, "/password/reset/not-a-real-token", status=404)
    for role, urls in SIGNED_IN_PAGES.items():
        client = client_for(role)
        for url in urls:
            yield get_page(client, url)
    yield get_page(client_for(Role.FAMILY), "/casework/children", status=403)


@pytest.fixture
def client_for(app: Flask, make: Factory) -> Callable[[Role | None], FlaskClient]:
    team = make.team()

    def factory(role: Role | None) -> FlaskClient:
        client = app.test_client()
        if role is not None:
            sign_in_fast(client, make.user(role, team=team if role in (Role.CASEWORKER, Role.MANAGER) else None))
        return client

    return factory


def test_start_page(client: FlaskClient) -> None:
    page = get_page(client, "/")
    assert page.h1 == "SEND Family Portal"
    start = page.soup.select_one("a.govuk-button--start")
    assert start is not None
    assert start["href"] == "/sign-in"


def test_start_page_sends_signed_in_people_home(client: FlaskClient, make: Factory) -> None:
    sign_in_fast(client, make.user(Role.FAMILY))
    response = client.get("/")
    assert response.status_code == 302
    assert response.location == "/family/"


def test_accessibility_statement(client: FlaskClient) -> None:
    page = get_page(client, "/accessibility")
    assert "Accessibility statement" in page.h1
    headings = [" ".join(h.get_text().split()) for h in page.soup.find_all(["h2", "h3"])]
    assert "Compliance status" in headings
    assert "Enforcement procedure" in headings
    assert "Equality Advisory and Support Service" in page.text


@pytest.mark.parametrize(
    ("url", "words"),
    [("/privacy", "Privacy"), ("/cookies", "Cookies"), ("/contact", "Contact")],
)
def test_information_pages(client: FlaskClient, url: str, words: str) -> None:
    page = get_page(client, url)
    assert words in page.h1


def test_contact_page_gives_the_councils_contact_details(client: FlaskClient, app: Flask) -> None:
    page = get_page(client, "/contact")
    assert app.config["COUNCIL_PHONE"] in page.text
    assert app.config["COUNCIL_EMAIL"] in page.text


def test_every_page_links_to_the_four_information_pages_in_its_footer(client_for) -> None:
    count = 0
    for page in all_pages(client_for):
        footer = page.soup.find("footer")
        assert footer is not None, page.title
        links = {a["href"]: " ".join(a.get_text().split()) for a in footer.find_all("a")}
        for href, text in FOOTER_LINKS.items():
            assert links.get(href) == text, (page.title, links)
        count += 1
    assert count > 15


def test_no_gov_uk_crown_or_font(client_for) -> None:
    for page in all_pages(client_for):
        html = page.response.get_data(as_text=True)
        lowered = html.lower()
        assert "gds transport" not in lowered, page.title
        assert "crown" not in lowered, page.title
        assert "govuk-logo" not in lowered, page.title
        assert "govuk-header__logotype" not in lowered, page.title
        assert "govuk-opengraph-image" not in lowered, page.title
        assert "govuk-icon-mask" not in lowered, page.title


def test_council_name_comes_from_config(new_app) -> None:
    app = new_app(COUNCIL_NAME="Testshire Council")
    page = get_page(app.test_client(), "/")
    assert "Testshire Council" in page.title
    assert "Testshire Council" in page.soup.find("header").get_text()
    assert "Testshire Council" in page.soup.find("footer").get_text()
    assert "Example County Council" not in page.response.get_data(as_text=True)


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"status": "ok"}


def test_readyz_when_the_database_answers(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json()["database"] == "ok"


@pytest.mark.parametrize(
    "uri",
    ["postgresql+psycopg://postgres@127.0.0.1:1/x", "sqlite:////nonexistent-directory-for-tests/x.sqlite3"],
    ids=["postgresql-nothing-listening", "sqlite-missing-directory"],
)
def test_readyz_when_the_database_is_unreachable(new_app, uri: str) -> None:
    app = new_app(SQLALCHEMY_DATABASE_URI=uri)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.is_json
    assert response.get_json()["database"] == "unreachable"
    assert "127.0.0.1" not in response.get_data(as_text=True)


def test_404_page(client: FlaskClient) -> None:
    page = get_page(client, "/no-such-page", status=404)
    assert page.h1 == "Page not found"
    assert page.soup.find("footer") is not None
    assert "govuk-template" in page.soup.html.get("class", [])


def test_403_page_for_a_family_member_on_a_caseworker_page(client: FlaskClient, make: Factory) -> None:
    sign_in_fast(client, make.user(Role.FAMILY))
    page = get_page(client, "/casework/children", status=403)
    assert page.h1 == "You do not have permission to see this page"


def test_405_page_for_get_on_sign_out(client: FlaskClient) -> None:
    response = client.get("/sign-out")
    page = check_page(response, 405)
    assert page.h1 == "Sorry, there is a problem with the page you asked for"
    assert "POST" in response.headers.get("Allow", "")


def test_429_page_after_too_many_sign_in_attempts(new_app, make: Factory) -> None:
    app = new_app(SIGN_IN_LIMIT_PER_IP="2 per minute")
    family = make.user(Role.FAMILY)
    client = app.test_client()
    for _ in range(2):
        page = check_page(client.post("/sign-in", data={"email": family.email, "password": "wrong password"}), 200)
        assert "Enter a correct email address and password" in page.error_messages()
    response = client.post("/sign-in", data={"email": family.email, "password": PASSWORD})
    page = check_page(response, 429)
    assert page.h1 == "Sorry, there have been too many attempts"
    assert response.headers.get("Retry-After")
    assert client.get("/account").status_code == 302  # the right password did not sign them in


def test_500_page(config_class, app: Flask) -> None:
    class NoPropagation(config_class):  # type: ignore[valid-type, misc]
        TESTING = False
        PROPAGATE_EXCEPTIONS = False

    broken_app = create_app(NoPropagation)

    def broken():
        raise RuntimeError("something went wrong in a test")

    broken_app.add_url_rule("/test-only-broken", "test_only_broken", public(broken))
    try:
        response = broken_app.test_client().get("/test-only-broken")
        page = check_page(response, 500)
        assert page.h1 == "Sorry, there is a problem with the service"
        assert "something went wrong" not in page.response.get_data(as_text=True)
        assert "Traceback" not in page.response.get_data(as_text=True)
    finally:
        with broken_app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_csrf_page(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    page = check_page(client.post("/sign-in", data={"email": "someone@example.org", "password": "x"}), 400)
    assert page.h1 == "Sorry, we could not save your answers"
    assert page.soup.find("a", href="/") is not None
