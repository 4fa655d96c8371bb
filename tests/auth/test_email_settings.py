"""The email settings page, /account/emails: a family turns emails about new messages on or off
(stage changes always go, and the page says why); a caseworker or manager the daily digest, which
then stops; everyone else reads which emails they get."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Relationship, Role, User
from portal.outbox import OutboxEmail
from tests.helpers import Factory, check_page, get_page, post_page, sign_in_fast

URL = "/account/emails"


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def checked(page) -> str:
    return page.soup.select_one("input[name=choice][checked]")["value"]


def save(client: FlaskClient, choice: str | None):
    return client.post(URL, data={} if choice is None else {"choice": choice})


def test_the_account_page_links_to_the_email_settings(client: FlaskClient, make: Factory) -> None:
    sign_in_fast(client, make.user(Role.FAMILY))
    page = get_page(client, "/account")
    assert page.soup.find("a", href=URL).get_text() == "Email settings"


def test_a_young_person_reads_about_their_own_case(client: FlaskClient, make: Factory) -> None:
    young_person = make.user(Role.FAMILY)
    make.child(family=[young_person], relationship=Relationship.YOUNG_PERSON)
    sign_in_fast(client, young_person)
    page = get_page(client, URL)
    assert "We always email you when your case moves to a new stage" in page.text
    assert "child" not in page.soup.find("main").find("p").get_text()


def test_a_family_turns_message_emails_off_and_on_and_sees_why_stage_changes_always_go(
    client: FlaskClient, make: Factory
) -> None:
    parent = make.user(Role.FAMILY)
    sign_in_fast(client, parent)
    page = get_page(client, URL)
    assert page.h1 == "Email settings"
    assert "We always email you when the case of a child linked to your account moves to a new stage" in page.text
    assert "You cannot turn these emails off" in page.text
    legend = page.soup.select_one("fieldset legend").get_text(strip=True)
    assert legend == "Emails about new messages from the SEND team"
    assert checked(page) == "yes"

    response = save(client, "no")
    assert response.status_code == 302 and response.location == URL
    assert fresh(parent).message_emails is False
    page = get_page(client, URL)
    banner = page.soup.select_one(".govuk-notification-banner--success")
    assert "Your email settings have been saved." in banner.get_text()
    assert checked(page) == "no"

    save(client, "yes")
    assert fresh(parent).message_emails is True
    actions = select(AuditEvent.action).where(AuditEvent.actor_id == parent.id).order_by(AuditEvent.id)
    assert list(db.session.scalars(actions)) == ["message-emails-off", "message-emails-on"]


def test_saving_with_nothing_chosen_shows_the_error_summary(client: FlaskClient, make: Factory) -> None:
    parent = make.user(Role.FAMILY)
    sign_in_fast(client, parent)
    page = check_page(save(client, None), 400)
    assert page.title.startswith("Error: ")
    assert page.error_messages() == ["Select whether you want emails about new messages from the SEND team"]
    assert page.soup.select_one(".govuk-error-summary__list a")["href"] == "#choice"
    assert page.soup.find(id="choice") is not None
    assert fresh(parent).message_emails is True
    page = check_page(save(client, "maybe"), 400)
    assert fresh(parent).message_emails is True


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER])
def test_staff_turn_the_digest_off_and_then_get_none(
    app: Flask, client: FlaskClient, make: Factory, role: Role
) -> None:
    person = make.user(role)
    child = make.child(team=person.team, first_name="Duechild")
    make.case(child=child, caseworker=person, request_received_on=date.today().replace(day=1).replace(year=2020))
    sign_in_fast(client, person)
    page = get_page(client, URL)
    assert page.soup.select_one("fieldset legend").get_text(strip=True) == "A daily email about your cases’ deadlines"
    assert "new messages" not in page.text

    post_page(client, URL, {"choice": "no"}, status=302)
    assert fresh(person).digest_emails is False
    result = app.test_cli_runner().invoke(args=["notifications", "digest"])
    assert "Queued 0 digest emails" in result.output
    assert db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == "digest")).all() == []

    post_page(client, URL, {"choice": "yes"}, status=302)
    app.test_cli_runner().invoke(args=["notifications", "digest"])
    (email,) = db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == "digest")).all()
    assert email.to_email == person.email


@pytest.mark.parametrize("role", [Role.COPRODUCTION, Role.ADMIN])
def test_others_read_which_emails_they_get_with_nothing_to_choose(
    client: FlaskClient, make: Factory, role: Role
) -> None:
    person = make.user(role)
    sign_in_fast(client, person)
    page = get_page(client, URL)
    assert "We email you only about your account" in page.text
    assert page.soup.find("input", {"name": "choice"}) is None
    before = (person.message_emails, person.digest_emails)
    check_page(client.post(URL, data={"choice": "no"}), 200)
    assert (fresh(person).message_emails, fresh(person).digest_emails) == before


def test_signed_out_goes_to_sign_in(client: FlaskClient) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and "/sign-in" in response.location
