"""The fuzz test: every route in `app.url_map`, for every visitor, with hostile input.

For anonymous visitors, a signed-in user of each role and the two halfway points of a staff
sign-in, it sends each GET page odd query strings (and its GET forms hostile values), and each
POST endpoint its form (fields read from the pages' <form>s) filled with hostile values: very long
strings, NUL and other controls, invalid UTF-8, HTML and script, SQL, huge and negative numbers,
impossible dates, bidirectional overrides, zero-width characters, emoji, repeated fields, a JSON
body and a file. URL arguments get hostile values too. Whatever is sent, the answer is never a
server error (500 or above) and never shows the script sent as markup.

Everything sent is a fixed list, so the test is deterministic.
"""

from __future__ import annotations

import io
import re
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from portal.access import PUBLIC, access_rule
from tests.helpers import Factory
from tests.walk import (
    ANONYMOUS,
    PENDING_CODE,
    PENDING_SET_UP,
    VISITORS,
    FormFields,
    Site,
    build_site,
    discover_forms,
    form_for,
)

# A long walk, made once, in the SQLite run (the PostgreSQL run leaves it out: CI time).
pytestmark = pytest.mark.sqlite_run

SCRIPT = "<script>alert(1)</script>"

# Each value is sent in every field of a form at once.
HOSTILE: dict[str, str] = {
    "long": "x" * 10_000,
    "password-100": ("lantern harbour kettle marmalade " * 4)[:100],  # over zxcvbn's 72 characters
    "controls": "a\x00b\x1b[31m\x07\x08\x7f\x85",
    "html": '"><img src=x onerror=alert(1)>' + SCRIPT,
    "sql-and-templates": "' OR '1'='1'; DROP TABLE users; -- {{ 7*7 }} {% raw %} ${7*7} ../../../etc/passwd",
    "header": "x\r\nSet-Cookie: fuzzed=1\r\n",
    "huge": "9" * 30,
    "int32": str(2**31),
    "int64": str(2**63),
    "negative": "-1",
    "float": "1e309",
    "unicode": "\u202eevil\u202c \u200b\u200c\u200d\u2060\ufeff e\u0301\u0301 \ufffd\uffff\ufffe",
    "emoji": "\U0001f600\U0001f469\u200d\U0001f467" * 30,
    "empty": "",  # and, in "as-shown", what the page gave
    "strong-password": "' OR 1=1 -- lantern harbour kettle",
}
# Sent as repeated values of every field (a GOV.UK date's day, month and year share one name).
REPEATED: dict[str, list[str]] = {
    "impossible-date": ["31", "2", "99999"],
    "negative-date": ["-1", "-13", "-2024"],
    "huge-date": [str(10**30)] * 3,
    "many": ["a", "b"] * 100,
}
# Values for every URL argument, in place of the real one.
PATH_VALUES = [
    "0", "-1", str(2**31), str(2**63), str(10**30), "1.5", "1e3", "abc", quote(SCRIPT, safe=""),
    "%00", "%ff", "%2e%2e%2f%2e%2e", "x" * 2_000, quote("\u202e\U0001f600", safe=""),
]
# Query strings for every GET page (each mixes several odd parameters, to keep the walk quick).
QUERIES = [
    f"page=abc&next=//evil.example/&q={quote(SCRIPT)}&stage={quote(SCRIPT)}",
    "page=0&next=javascript:alert(1)&q=%00%ff%fe",
    "page=-1&next=/%0d%0aSet-Cookie:%20fuzzed=1&mine=y&overdue=y&due_soon=y&excepted=y&closed=y&stage=assessing",
    f"page={2**31}&q=%E2%80%AE%F0%9F%98%80",
    f"page={2**63}&page=1&page=%00",
    f"page={10**30}&next={quote(SCRIPT)}",
    "page=" + "9" * 5_000,  # more digits than int() takes
    "page=%EF%BC%91&q=" + "x" * 10_000,  # a full-width digit one
    "%ff=%ff&%00=%00&" + "&".join(f"f{n}=v" for n in range(2_000)),
]
# The fields tried on a form no page showed this visitor (one they may not use).
GUESSED_FIELDS = FormFields("POST", {name: [""] for name in ("email", "password", "confirm", "name", "code", "text")})


def check(response: TestResponse, what: str) -> str | None:
    if response.status_code >= 500:
        return f"{what}: {response.status_code}"
    if SCRIPT in response.get_data(as_text=True):
        return f"{what}: {response.status_code} shows the script unescaped"
    if "fuzzed=1" in response.headers.get("Set-Cookie", ""):
        return f"{what}: a header was injected"
    return None


def field_sets(form: FormFields) -> list[tuple[str, dict[str, list[str]]]]:
    """(name, data) pairs: hostile values in every field the page lets a person fill in (hidden
    fields keep the page's values, so that validation gets past them), then in hidden ones too."""

    def filled(value, hidden_too: bool = False) -> dict[str, list[str]]:
        return {
            name: (values if name in form.hidden and not hidden_too else value if isinstance(value, list) else [value])
            for name, values in form.defaults.items()
        }

    sets = [("as-shown", dict(form.defaults))]
    sets += [(name, filled(value)) for name, value in HOSTILE.items()]
    sets += [(name, filled(values)) for name, values in REPEATED.items()]
    if form.hidden:
        sets += [(f"hidden-{name}", filled(HOSTILE[name], hidden_too=True)) for name in ("controls", "huge")]
    return sets


def post_requests(form: FormFields) -> list[tuple[str, dict]]:
    """(name, keyword arguments for client.post) for a form."""
    requests = [(name, {"data": data}) for name, data in field_sets(form)]
    invalid_utf8 = "&".join(f"{quote(name)}=%ff%fe%ed%b3%bfpat" for name in form.names()).encode()
    requests += [
        ("invalid-utf8", {"data": invalid_utf8, "content_type": "application/x-www-form-urlencoded"}),
        ("no-fields", {"data": {}}),
        ("many-fields", {"data": {f"field{n}": "v" for n in range(3_000)}}),
        ("json", {"json": {name: [1, {"a": None}] for name in form.names()} or [1]}),
        ("file", {"data": {name: (io.BytesIO(b"%PDF-1.4 " + SCRIPT.encode()), "evil.html") for name in form.names()},
                  "content_type": "multipart/form-data"}),
    ]
    return requests


LIGHT = ("html", "invalid-utf8", "file")


def pages_needing_a_sign_in_in_progress(site: Site) -> set[str]:
    """Public endpoints that send someone signed out to the sign-in page (the second step)."""
    pages = set()
    for rule in site.rules():
        if "GET" in (rule.methods or set()) and access_rule(site.app.view_functions[rule.endpoint]) == PUBLIC:
            url = site.url(rule)
            response = site.client(ANONYMOUS).get(url) if url else None
            if response is not None and response.status_code == 302 and response.location.startswith("/sign-in"):
                pages.add(rule.endpoint)
    return pages


def is_post(rule: Rule) -> bool:
    return "POST" in (rule.methods or set())


def fuzz_visitor(site: Site, visitor: str) -> tuple[list[str], int]:
    failures: list[str] = []
    sent = 0
    found = discover_forms(site, (visitor,))
    halfway_pages = pages_needing_a_sign_in_in_progress(site) if visitor in (PENDING_CODE, PENDING_SET_UP) else set()

    def send(method: str, url: str, what: str, **kwargs) -> None:
        nonlocal sent
        client = site.client(visitor)
        response = client.open(url, method=method, **kwargs)
        sent += 1
        failure = check(response, f"{visitor} {method} {url[:120]} [{what}]")
        if failure:
            failures.append(failure)

    for rule in site.rules():
        allowed = site.may_visit(visitor, rule.endpoint)
        # Everything is sent by the visitors a page is for: its roles, or for a public page someone
        # signed out (or, for the pages of the second sign-in step, someone halfway through).
        # Anyone else, refused or sent elsewhere before any form is read, gets a few requests.
        if access_rule(site.app.view_functions[rule.endpoint]) == PUBLIC:
            thorough = visitor == ANONYMOUS or rule.endpoint in halfway_pages
        else:
            thorough = allowed
        if "GET" in (rule.methods or set()):
            url = site.url(rule)
            if url is not None:
                for query in QUERIES if thorough else QUERIES[:1]:
                    send("GET", f"{url}?{query}", query[:40])
                get_form = form_for(found, "GET", url)
                if get_form is not None and thorough:
                    for name, data in field_sets(get_form):
                        send("GET", f"{url}?{urlencode(data, doseq=True)}", f"GET form {name}")
        if is_post(rule):
            url = site.url(rule)
            if url is None:
                continue
            form = form_for(found, "POST", url) or GUESSED_FIELDS
            requests = post_requests(form)
            if not thorough:
                requests = [r for r in requests if r[0] in LIGHT]
            for name, kwargs in requests:
                # Token links are single use: each request gets a fresh one (Site.url).
                send("POST", site.url(rule) or url, name, **kwargs)
    return failures, sent


@pytest.mark.parametrize("visitor", VISITORS)
def test_no_hostile_input_gives_a_server_error(app: Flask, make: Factory, visitor: str) -> None:
    site = build_site(app, make)
    failures, sent = fuzz_visitor(site, visitor)
    assert sent > 100
    assert not failures, f"{len(failures)} of {sent} requests failed:\n" + "\n".join(failures[:50])
    unexpected = {endpoint: why for endpoint, why in site.skipped.items() if endpoint not in SKIPPED}
    assert not unexpected, f"endpoints the walk could not build a URL for (add a value or a reason): {unexpected}"


# Endpoints the walk cannot reach, with the reason. Empty: every URL argument has a test value.
SKIPPED: dict[str, str] = {}


def hostile_paths(rule: Rule) -> list[str]:
    """The rule's path with each of its arguments replaced by each hostile value in turn (the
    other arguments keep the value 1)."""
    paths = []
    for argument in sorted(rule.arguments):
        for value in PATH_VALUES:
            path = rule.rule
            for name in rule.arguments:
                path = re.sub(rf"<(?:[^:<>]+:)?{name}>", value if name == argument else "1", path)
            paths.append(path)
    return paths


# Most hostile arguments match no route, whoever asks; the rest reach the token pages.
@pytest.mark.parametrize("visitor", [ANONYMOUS, "caseworker"])
def test_hostile_url_arguments_are_never_a_server_error(app: Flask, make: Factory, visitor: str) -> None:
    site = build_site(app, make)
    failures = []
    sent = 0
    for rule in site.rules():
        if not rule.arguments:
            continue
        for path in hostile_paths(rule):
            for method in sorted({"GET", "POST"} & (rule.methods or set())):
                response = site.client(visitor).open(path, method=method, data={"name": SCRIPT})
                sent += 1
                failure = check(response, f"{visitor} {method} {path[:120]}")
                if failure:
                    failures.append(failure)
    assert sent > 50
    assert not failures, "\n".join(failures)


def test_the_walk_reaches_the_two_halfway_sign_in_pages(app: Flask, make: Factory) -> None:
    """A control for the tests above: the pending visitors really are halfway through signing in."""
    site = build_site(app, make)
    code_page = site.client(PENDING_CODE).get("/sign-in/security-code")
    set_up_page = site.client(PENDING_SET_UP).get("/sign-in/set-up-two-factor")
    assert code_page.status_code == 200
    assert set_up_page.status_code == 200
    found = discover_forms(site, (PENDING_CODE, PENDING_SET_UP, ANONYMOUS, "caseworker"))
    assert "code" in found["POST /sign-in/security-code"].names()
    assert "code" in found["POST /sign-in/set-up-two-factor"].names()
    assert {"password", "confirm"} <= set(found["POST /password/reset/<token>"].names())
    assert {"name", "password", "confirm"} <= set(found["POST /invitation/<token>"].names())
    case_forms = [key for key in found if key.startswith("POST /casework/cases/")]
    assert len(case_forms) >= 6, case_forms
