"""Hostile input on every request page, in every field: never a 500. The page answers with a
GOV.UK error (or, for something harmless, goes on), and the draft keeps what it had."""

from __future__ import annotations

import pytest

from portal.intake import journey
from portal.intake.models import MAX_ANSWER_LENGTH
from portal.models import Role
from tests.helpers import check_page, sign_in_fast
from tests.intake.conftest import PUBLIC_ANSWERS, answer_questions

START = "/request-an-assessment"
FAMILY = "/family/ask-for-an-assessment"
HOSTILE = {
    "very long": "x" * (MAX_ANSWER_LENGTH * 10),
    "html": '<img src=x onerror="alert(1)"><script>alert(1)</script>',
    "right-to-left override": "abc\u202edcba",
    "zero-width joiner": "a\u200db",
    "nul": "a\x00b",
    "lone surrogate escape": "\udcff",
    "private use": "\ue000",
    "non-character": "\uffff",
    "emoji with joiners": "👩‍👩‍👧‍👦" * 50,
    "combining marks": "a" + "\u0300" * 40,
    "sql": "'; DROP TABLE assessment_request; --",
}


def fields_of(slug: str) -> list[str]:
    if slug == journey.WHICH_CHILD:
        return ["child"]
    if slug == journey.DATE_OF_BIRTH:
        return ["child_date_of_birth"]
    return list(PUBLIC_ANSWERS[slug])


def hostile_posts(slug: str):
    good = PUBLIC_ANSWERS.get(slug, {})
    for field in fields_of(slug):
        for name, value in HOSTILE.items():
            data = dict(good)
            data[field] = [value, value, value] if field == "child_date_of_birth" else value
            yield f"{field}: {name}", data


def check_never_a_server_error(client, url: str, slug: str) -> None:
    for what, data in hostile_posts(slug):
        try:
            response = client.post(url, data=data)
        except UnicodeEncodeError:
            continue  # the test client cannot send it: nor can a browser
        assert response.status_code in (200, 302), (slug, what, response.status_code)
        if response.status_code == 200:
            page = check_page(response)
            assert page.error_messages(), (slug, what)
            assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize("slug", list(PUBLIC_ANSWERS))
def test_every_public_page(client, slug):
    before = {name: data for name, data in PUBLIC_ANSWERS.items() if list(PUBLIC_ANSWERS).index(name) <
              list(PUBLIC_ANSWERS).index(slug)}
    if before:
        answer_questions(client, before)
    check_never_a_server_error(client, f"{START}/{slug}", slug)


def test_the_check_and_confirm_pages(client):
    answer_questions(client)
    for what, value in HOSTILE.items():
        try:
            assert client.post(f"{START}/check-your-answers", data={"submit": value}).status_code in (200, 302), what
            response = client.get(f"{START}/confirm/{value[:200]}")
        except UnicodeEncodeError:
            continue
        assert response.status_code in (400, 404), what  # 400: a path no URL can have (a NUL)


def test_every_family_page(client, make):
    parent = make.user(Role.FAMILY)
    child = make.child(family=[parent])
    sign_in_fast(client, parent)
    check_never_a_server_error(client, FAMILY, journey.WHICH_CHILD)
    client.post(FAMILY, data={"child": "another"})
    family_answers = {**PUBLIC_ANSWERS, "contact-details": {"requester_name": "Pat Parent"}}
    order = [slug for slug in journey.FAMILY_ORDER if slug != journey.WHICH_CHILD]
    for index, slug in enumerate(order):
        answer_questions(client, {name: family_answers[name] for name in order[:index]}, prefix=FAMILY)
        check_never_a_server_error(client, f"{FAMILY}/{slug}", slug)
    assert child.id
