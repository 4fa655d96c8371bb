"""The page chrome (header, navigation, phase banner, footer) is rendered once per role and
reused (portal/chrome.py): each role sees its own navigation, nobody sees anything of another
person, and the sign-out form carries the session's own CSRF token."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.chrome import CSRF_PLACEHOLDER
from portal.models import Role
from tests.helpers import Factory, Page, get_page, sign_in_fast


def navigation(page: Page) -> list[str]:
    return [" ".join(item.get_text().split()) for item in page.soup.select(".govuk-service-navigation__item")]


def chrome_text(page: Page) -> str:
    selectors = ("header", ".govuk-phase-banner", "footer", ".govuk-skip-link")
    parts = [page.soup.select_one(selector) for selector in selectors]
    return " ".join(" ".join(part.get_text(" ").split()) for part in parts if part is not None)


@pytest.mark.parametrize(
    ("role", "url", "items"),
    [
        (Role.FAMILY, "/family/", ["Assessments and plans", "Messages", "Your account", "Sign out"]),
        (Role.CASEWORKER, "/casework/",
         ["Caseload", "Team inbox", "New requests", "Children", "Your account", "Sign out"]),
        (Role.MANAGER, "/casework/",
         ["Caseload", "Team inbox", "New requests", "Children", "Governance report", "Invite staff", "Your account",
          "Sign out"]),
        (Role.ADMIN, "/account",
         ["Invite staff", "Accounts", "Failed emails", "Closure days", "Import cases", "Audit log", "Your account",
          "Sign out"]),
        (Role.COPRODUCTION, "/account",
         ["Overview", "Comments", "Themes", "You said, we did", "Your account", "Sign out"]),
        (Role.BOARD, "/account", ["Governance report", "Your account", "Sign out"]),
    ],
)
def test_each_role_has_its_own_navigation_whoever_was_served_first(
    client: FlaskClient, make: Factory, role: Role, url: str, items: list[str]
) -> None:
    # Every other role's chrome is cached first: the cache must still give this role its own.
    for other in Role:
        if other is not role:
            sign_in_fast(client, make.user(other))
            get_page(client, "/account")
    sign_in_fast(client, make.user(role))
    assert navigation(get_page(client, url)) == items


def test_the_current_page_is_marked_in_the_navigation_only_on_that_page(client: FlaskClient, make: Factory) -> None:
    sign_in_fast(client, make.user(Role.CASEWORKER))
    caseload = get_page(client, "/casework/")
    children = get_page(client, "/casework/children")
    current = [a.get_text(strip=True) for a in caseload.soup.select("[aria-current=page]")]
    assert current == ["Caseload"]
    assert [a.get_text(strip=True) for a in children.soup.select("[aria-current=page]")] == ["Children"]
    account = get_page(client, "/account")
    assert [a.get_text(strip=True) for a in account.soup.select("[aria-current=page]")] == ["Your account"]


def test_no_one_sees_another_persons_name_or_email_in_the_chrome(
    app: Flask, client: FlaskClient, make: Factory
) -> None:
    first = make.user(Role.FAMILY, name="Quentin Firstperson", email="quentin@example.org")
    second = make.user(Role.FAMILY, name="Rosalind Secondperson", email="rosalind@example.org")
    sign_in_fast(client, first)
    get_page(client, "/family/")
    sign_in_fast(client, second)
    page = get_page(client, "/family/")
    assert "Quentin" not in page.response.get_data(as_text=True)
    assert "quentin@example.org" not in page.response.get_data(as_text=True)
    cached = " ".join(str(html) for html in app.extensions["chrome"].values())
    for detail in ("Quentin", "Rosalind", "quentin@example.org", "rosalind@example.org"):
        assert detail not in cached
    assert "Rosalind" not in chrome_text(page)


def test_the_sign_out_form_carries_this_sessions_own_token_and_works(csrf_app: Flask, make: Factory) -> None:
    tokens = []
    for _ in range(2):
        client = csrf_app.test_client()
        sign_in_fast(client, make.user(Role.FAMILY))
        page = get_page(client, "/family/")
        form = page.soup.select_one("form.app-sign-out")
        token = form.select_one("input[name=csrf_token]")["value"]
        assert CSRF_PLACEHOLDER not in page.response.get_data(as_text=True)
        tokens.append(token)
        assert client.post(form["action"], data={"csrf_token": "not-the-token"}).status_code == 400
        response = client.post(form["action"], data={"csrf_token": token})
        assert response.status_code == 302
        assert client.get("/family/").status_code == 302  # signed out: sent to sign in
    assert tokens[0] != tokens[1]


def test_the_chrome_is_rendered_once_per_role_and_page_not_per_request(
    app: Flask, client: FlaskClient, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal import chrome

    app.extensions["chrome"].clear()
    renders = []
    original = chrome._render
    monkeypatch.setattr(chrome, "_render", lambda *args: renders.append(args) or original(*args))
    for _ in range(3):
        sign_in_fast(client, make.user(Role.FAMILY))
        get_page(client, "/family/")
    # Skip link, header, phase banner and footer: once each, on the first visit only.
    assert sorted(part for part, _, _ in renders) == ["footer", "header", "phase_banner", "skip_link"]


def test_signed_out_pages_offer_sign_in_and_no_account_links(client: FlaskClient) -> None:
    page = get_page(client, "/")
    assert navigation(page) == ["Sign in"]
    assert page.soup.select_one("form.app-sign-out") is None
