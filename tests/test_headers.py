"""Security headers, the session cookie, HSTS and where `next` may send someone after sign-in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.models import Role
from tests.helpers import PASSWORD, Factory, current_code, sign_in, sign_in_fast


def csp(response: TestResponse) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def nonce_of(response: TestResponse) -> str:
    nonces = [value for value in csp(response)["script-src"] if value.startswith("'nonce-")]
    assert len(nonces) == 1, csp(response)["script-src"]
    return nonces[0].removeprefix("'nonce-").removesuffix("'")


def check_security_headers(response: TestResponse) -> None:
    assert response.status_code == 200
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    directives = csp(response)
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]
    assert "'self'" in directives["script-src"]
    assert len(nonce_of(response)) >= 16
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions
    assert response.headers["Cache-Control"] == "no-store"


def check_inline_scripts(response: TestResponse) -> None:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    inline = [script for script in soup.find_all("script") if not script.get("src")]
    assert inline, "expected the GOV.UK Frontend inline scripts"
    nonce = nonce_of(response)
    assert all(script.get("nonce") == nonce for script in inline), [s.get("nonce") for s in inline]


def test_public_page_has_security_headers(client: FlaskClient) -> None:
    first = client.get("/")
    second = client.get("/")
    for response in (first, second):
        check_security_headers(response)
        check_inline_scripts(response)
    assert nonce_of(first) != nonce_of(second)


def test_signed_in_page_has_security_headers(client: FlaskClient, make: Factory) -> None:
    family = make.user(Role.FAMILY)
    sign_in_fast(client, family)
    first = client.get("/family/")
    second = client.get("/account")
    for response in (first, second):
        check_security_headers(response)
        check_inline_scripts(response)
    assert nonce_of(first) != nonce_of(second)


def test_error_page_has_security_headers(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    check_inline_scripts(response)


def test_static_files_may_be_cached(client: FlaskClient) -> None:
    response = client.get("/static/dist/main.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    response.close()


def session_cookie_header(response: TestResponse) -> str:
    cookies = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("portal_session=")]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    return cookies[0]


def test_session_cookie_is_http_only_and_same_site_lax(client: FlaskClient, make: Factory) -> None:
    family = make.user(Role.FAMILY)
    response = sign_in(client, family)
    attributes = [part.strip().lower() for part in session_cookie_header(response).split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


def test_hsts_is_sent_over_https_even_with_force_https_off(new_app: Callable[..., Flask]) -> None:
    app = new_app(FORCE_HTTPS=False)
    client = app.test_client()
    plain = client.get("/")
    assert plain.status_code == 200  # FORCE_HTTPS off: no redirect to https
    response = client.get("/", base_url="https://localhost")
    assert response.status_code == 200
    hsts = response.headers["Strict-Transport-Security"]
    assert "max-age=" in hsts
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 31536000
    assert "includeSubDomains" in hsts


UNSAFE_NEXT = [
    "//evil.example",
    "https://evil.example/x",
    "/\\evil.example",
    "javascript:alert(document.domain)",
    "/\t/evil.example",
    "///evil.example",
    "http:evil.example",
]


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_unsafe_next_goes_to_family_home(client: FlaskClient, make: Factory, target: str) -> None:
    family = make.user(Role.FAMILY)
    form = client.get("/sign-in", query_string={"next": target})
    assert form.status_code == 200
    assert "evil.example" not in form.get_data(as_text=True)
    assert "javascript:" not in form.get_data(as_text=True)
    response = client.post(
        "/sign-in", query_string={"next": target}, data={"email": family.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.location == "/family/"


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_unsafe_next_goes_to_staff_home_after_security_code(client: FlaskClient, make: Factory, target: str) -> None:
    caseworker = make.user(Role.CASEWORKER)
    response = client.post(
        "/sign-in", query_string={"next": target}, data={"email": caseworker.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.location == "/sign-in/security-code"
    response = client.post("/sign-in/security-code", data={"code": current_code(caseworker)})
    assert response.status_code == 302
    assert response.location == "/casework/"


def test_next_on_this_site_is_followed(client: FlaskClient, make: Factory) -> None:
    family = make.user(Role.FAMILY)
    refused = client.get("/account")
    assert refused.status_code == 302
    assert refused.location == "/sign-in?next=%2Faccount"
    response = client.post(refused.location, data={"email": family.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.location == "/account"
    assert client.get("/account").status_code == 200


def test_next_on_this_site_is_followed_after_security_code(client: FlaskClient, make: Factory) -> None:
    admin = make.user(Role.ADMIN)
    response = client.post(
        "/sign-in", query_string={"next": "/account"}, data={"email": admin.email, "password": PASSWORD}
    )
    assert response.location == "/sign-in/security-code"
    response = client.post("/sign-in/security-code", data={"code": current_code(admin)})
    assert response.status_code == 302
    assert response.location == "/account"
