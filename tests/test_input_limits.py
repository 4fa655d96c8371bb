"""No 500 from any input: passwords longer than zxcvbn takes, files and JSON sent to forms, bodies
over the size limits, record ids beyond the database's integer range and odd page numbers."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.test import encode_multipart

from portal.extensions import db
from portal.models import Invitation, PasswordReset, Relationship, Role, User
from portal.pagination import MAX_PAGE
from portal.passwords import MAX_LENGTH, password_problem, verify_password
from portal.request_guard import MAX_ID, UPLOADS, RecordIdConverter
from portal.tokens import new_token
from tests.helpers import Factory, check_page, sign_in_fast
from tests.test_access import snapshot
from tests.walk import ANONYMOUS, build_site, discover_forms, form_for

PORTAL = Path(__file__).resolve().parent.parent / "portal"
WORDS = "marmalade lighthouse trombone kettle harbour lantern "


def strong(length: int) -> str:
    return (WORDS * 10)[:length]


# --- Passwords longer than zxcvbn's 72 characters ------------------------------------------------


@pytest.mark.parametrize("length", [72, 73, 100, 255, 256])
def test_any_length_up_to_the_limit_is_judged(length: int) -> None:
    assert password_problem(strong(length)) is None
    assert "too easy to guess" in password_problem("a" * length)


def test_a_password_over_the_limit_is_refused_for_its_length() -> None:
    assert password_problem(strong(MAX_LENGTH + 1)) == f"Password must be {MAX_LENGTH} characters or fewer"


def test_a_long_password_is_strong_when_any_part_is() -> None:
    """Weak padding around a strong stretch is still strong, wherever the stretch is."""
    for position in range(0, 200, 17):
        password = "a" * position + "Vq7#mZ2!xLp9" + "a" * (244 - position)
        assert password_problem(password) is None, position
    assert "too easy to guess" in password_problem("password" * 32)


def test_the_form_hints_count_in_long_passwords_too() -> None:
    email = "jo.bloggs@example.org"
    assert "too easy to guess" in password_problem(email + "1" * 129, [email])
    assert password_problem(email + "1" * 129) is None


def reset_link(user: User) -> str:
    token, token_hash = new_token()
    db.session.add(PasswordReset(user=user, token_hash=token_hash, expires_at=datetime.now(UTC) + timedelta(hours=1)))
    db.session.commit()
    return f"/password/reset/{token}"


def invitation_link(make: Factory) -> str:
    caseworker = make.user(Role.CASEWORKER)
    child = make.child(team=caseworker.team)
    token, token_hash = new_token()
    db.session.add(
        Invitation(
            email="long.password@example.org",
            name="Long Password",
            role=Role.FAMILY,
            child=child,
            relationship_to_child=Relationship.PARENT,
            token_hash=token_hash,
            invited_by=caseworker,
            expires_at=datetime.now(UTC) + timedelta(days=7),
        )
    )
    db.session.commit()
    return f"/invitation/{token}"


@pytest.mark.parametrize("length", [73, 100, 256])
def test_a_long_password_resets_the_password(client, make: Factory, length: int) -> None:
    user = make.user(Role.FAMILY)
    password = strong(length)
    response = client.post(reset_link(user), data={"password": password, "confirm": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.refresh(user)
    assert verify_password(user.password_hash, password)


@pytest.mark.parametrize("length", [73, 100, 256])
def test_a_long_weak_password_at_reset_is_a_form_error(client, make: Factory, length: int) -> None:
    user = make.user(Role.FAMILY)
    before = user.password_hash
    response = client.post(reset_link(user), data={"password": "b" * length, "confirm": "b" * length})
    page = check_page(response, 400)
    assert page.error_messages() == ["Password is too easy to guess. Use 3 or more random words, or a longer password"]
    db.session.refresh(user)
    assert user.password_hash == before


def test_a_257_character_password_at_reset_is_a_form_error(client, make: Factory) -> None:
    user = make.user(Role.FAMILY)
    password = strong(257)
    response = client.post(reset_link(user), data={"password": password, "confirm": password})
    page = check_page(response, 400)
    assert "Password must be 256 characters or fewer" in page.error_messages()


@pytest.mark.parametrize("length", [73, 100, 256])
def test_a_long_password_accepts_an_invitation(client, make: Factory, length: int) -> None:
    password = strong(length)
    response = client.post(
        invitation_link(make), data={"name": "Long Password", "password": password, "confirm": password}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    user = db.session.scalars(select(User).where(User.email == "long.password@example.org")).one()
    assert verify_password(user.password_hash, password)


@pytest.mark.parametrize("password", ["c" * 100, strong(257)], ids=["100-weak", "257-strong"])
def test_a_long_refused_password_at_an_invitation_is_a_form_error(client, make: Factory, password: str) -> None:
    response = client.post(
        invitation_link(make), data={"name": "Long Password", "password": password, "confirm": password}
    )
    page = check_page(response, 400)
    assert "#password" in [link["href"] for link in page.soup.select(".govuk-error-summary__list a")]
    assert db.session.scalars(select(User).where(User.email == "long.password@example.org")).first() is None


# --- Files and JSON: only the message forms' files field takes files; no form takes JSON ------------


def test_a_file_in_any_field_of_any_form_is_refused_and_saves_nothing(app: Flask, make: Factory) -> None:
    """Every POST endpoint, signed out and as each role that may use it, with a file in each field
    its form has (read from the pages), one field at a time: a GOV.UK 400 page, nothing saved. The
    one exception is the file field of the forms that take files (request_guard.UPLOADS): the message
    forms' files (tests/conversations/ checks what they accept) and the case import's CSV file
    (tests/case_import/)."""
    site = build_site(app, make)
    found = discover_forms(site)
    failures = []
    sent = 0
    for rule in site.rules():
        if "POST" not in (rule.methods or set()):
            continue
        url = site.url(rule)
        assert url is not None, site.skipped
        form = form_for(found, "POST", url)
        names = form.names() if form else ["name"]
        visitors = [ANONYMOUS, *(role.value for role in Role if site.may_visit(role.value, rule.endpoint))]
        if rule.endpoint in UPLOADS:
            upload_field = UPLOADS[rule.endpoint][0]
            assert upload_field in names, f"{rule.endpoint} has no {upload_field} field"
            names = [name for name in names if name != upload_field]
        for visitor in visitors:
            for name in names:
                data = {**(form.defaults if form else {}), name: (io.BytesIO(b"%PDF-1.4"), "letter.pdf")}
                client = site.client(visitor)
                before = snapshot()
                response = client.post(url, data=data, content_type="multipart/form-data")
                sent += 1
                what = f"{visitor} {url} file in {name}"
                if response.status_code != 400:
                    failures.append(f"{what}: {response.status_code}")
                    continue
                page = check_page(response, 400)
                if page.h1 != "Sorry, there is a problem with the page you asked for":
                    failures.append(f"{what}: {page.h1!r}")
                if snapshot() != before:
                    failures.append(f"{what}: the database changed")
    assert sent > 50
    assert not failures, "\n".join(failures)


def test_a_file_is_refused_even_with_csrf_protection_on(csrf_app: Flask) -> None:
    response = csrf_app.test_client().post(
        "/sign-in", data={"email": (io.BytesIO(b"x"), "a.txt")}, content_type="multipart/form-data"
    )
    assert check_page(response, 400).h1


def test_a_json_body_is_refused(client) -> None:
    response = client.post("/sign-in", json={"email": 5, "password": ["x"]})
    page = check_page(response, 415)
    assert page.h1 == "Sorry, there is a problem with the page you asked for"


def multipart(fields: dict[str, str]) -> dict:
    """A multipart body built in memory (the test client would spool a large one to a temporary
    file it never closes)."""
    boundary, body = encode_multipart(fields)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.parametrize("multipart_body", [False, True], ids=["urlencoded", "multipart"])
def test_a_body_over_the_limit_is_the_too_large_page(client, multipart_body: bool) -> None:
    fields = {"email": "a" * (1024 * 1024 + 1), "password": "x"}
    response = client.post("/sign-in", **(multipart(fields) if multipart_body else {"data": fields}))
    page = check_page(response, 413)
    assert page.h1 == "Sorry, what you sent was too large"


def test_a_multipart_field_over_the_form_memory_limit_is_the_too_large_page(app: Flask, client) -> None:
    size = app.config["MAX_FORM_MEMORY_SIZE"] + 1
    assert size < app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/sign-in", **multipart({"email": "a" * size, "password": "x"}))
    assert check_page(response, 413).h1 == "Sorry, what you sent was too large"


# --- Record ids: 1 to 2**31 - 1, on every route, in one place ------------------------------------------

# Also 5,000 digits (more than int() takes) and an Arabic-Indic digit one (not an ASCII digit).
OUT_OF_RANGE_IDS = ["0", "-1", str(MAX_ID + 1), str(2**63), str(10**30), "9" * 5_000, "%D9%A1"]


def int_rules(app: Flask):
    return [
        rule for rule in app.url_map.iter_rules()
        if any(isinstance(converter, RecordIdConverter) for converter in rule._converters.values())
    ]


def test_every_int_url_argument_uses_the_bounded_converter(app: Flask) -> None:
    assert app.url_map.converters["int"] is RecordIdConverter
    assert int_rules(app), "no route takes an id"
    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            if type(converter).__name__ in ("IntegerConverter", "NumberConverter"):
                pytest.fail(f"{rule.rule}: <{name}> is not bounded")
            if isinstance(converter, RecordIdConverter):
                assert (converter.min, converter.max, converter.signed) == (1, MAX_ID, False), rule.rule


def test_ids_outside_the_database_range_are_not_found(app: Flask, make: Factory) -> None:
    """Every route with an id, signed out and as every role that may use it: each id beyond the
    range (one argument at a time, the others real) is the GOV.UK 404 page, never a 500."""
    site = build_site(app, make)
    values = site.values()
    failures = []
    checked = 0
    for rule in int_rules(app):
        visitors = [ANONYMOUS, *(role.value for role in Role if site.may_visit(role.value, rule.endpoint))]
        id_arguments = [name for name, c in rule._converters.items() if isinstance(c, RecordIdConverter)]
        for argument in id_arguments:
            for value in OUT_OF_RANGE_IDS:
                path = rule.rule
                for name in rule.arguments:
                    path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value if name == argument else values[name]), path)
                for visitor in visitors:
                    for method in sorted({"GET", "POST"} & (rule.methods or set())):
                        response = site.client(visitor).open(path, method=method)
                        checked += 1
                        if response.status_code != 404:
                            failures.append(f"{visitor} {method} {path}: {response.status_code}")
                        elif check_page(response, 404).h1 != "Page not found":
                            failures.append(f"{visitor} {method} {path}: not the GOV.UK 404 page")
    assert checked > 50
    assert not failures, "\n".join(failures)


def test_the_largest_id_is_looked_up_and_not_found(app: Flask, make: Factory) -> None:
    caseworker = make.user(Role.CASEWORKER)
    client = app.test_client()
    sign_in_fast(client, caseworker)
    for path in (f"/casework/cases/{MAX_ID}", f"/casework/children/{MAX_ID}"):
        assert check_page(client.get(path), 404).h1 == "Page not found"


def test_the_example_from_the_report(app: Flask, make: Factory) -> None:
    client = app.test_client()
    sign_in_fast(client, make.user(Role.CASEWORKER))
    assert check_page(client.get("/casework/cases/99999999999999999999"), 404).h1 == "Page not found"


# --- Page numbers -----------------------------------------------------------------------------------

PAGINATED = {
    "/casework/": Role.CASEWORKER,
    "/casework/children": Role.MANAGER,
    "/admin/audit-log": Role.ADMIN,
    "/coproduction/comments": Role.COPRODUCTION,
}
FIRST_PAGE = ["0", "-1", "abc", "", "1.5", "%EF%BC%91", "0" * 5_000, "01"]
NOT_FOUND = [str(MAX_PAGE + 1), str(2**31), str(2**63), str(10**30), "9" * 5_000]  # int() takes 4,300 digits


@pytest.mark.parametrize("path", PAGINATED)
def test_odd_page_numbers_are_the_first_page_or_not_found(app: Flask, make: Factory, path: str) -> None:
    client = app.test_client()
    sign_in_fast(client, make.user(PAGINATED[path]))
    first = check_page(client.get(path))
    for value in FIRST_PAGE:
        page = check_page(client.get(f"{path}?page={value}"))
        assert page.h1 == first.h1, value
    for value in NOT_FOUND:
        assert check_page(client.get(f"{path}?page={value}"), 404).h1 == "Page not found", value
    assert check_page(client.get(f"{path}?page=2"), 404).h1 == "Page not found"  # past the last page


def test_every_view_reads_the_page_number_through_the_one_helper() -> None:
    """`?page=` is read only by portal.pagination.page_number, and no view converts a query value
    with `type=int` (which has no upper bound)."""
    offenders = []
    for path in PORTAL.rglob("*.py"):
        text = path.read_text()
        if path.name != "pagination.py" and re.search(r"""args\.get\(\s*["']page["']|type=int""", text):
            offenders.append(str(path.relative_to(PORTAL)))
    assert not offenders, offenders


# --- NUL, which PostgreSQL text cannot hold ----------------------------------------------------------


@pytest.mark.parametrize("query", ["q=a%00b", "%00=1", "stage=%00"])
def test_a_nul_in_the_query_string_is_a_bad_request(app: Flask, make: Factory, query: str) -> None:
    client = app.test_client()
    sign_in_fast(client, make.user(Role.CASEWORKER))
    before = snapshot()
    page = check_page(client.get(f"/casework/?{query}"), 400)
    assert page.h1 == "Sorry, there is a problem with the page you asked for"
    assert snapshot() == before  # not even the audit record of a search


def test_a_nul_in_the_path_is_a_bad_request(client) -> None:
    assert check_page(client.get("/password/reset/a%00b"), 400).h1
