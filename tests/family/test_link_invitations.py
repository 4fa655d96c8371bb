"""A family member with an account answers a team's request to link a child: nothing is shared
until they accept, and "This is not my child" ends it. Nobody else can see or answer it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, FamilyLink, Invitation, Relationship, Role, User
from tests.family.helpers import Family
from tests.helpers import Factory, check_page, get_page, sign_in_fast

NOT_OPEN = "This request is no longer open"


def count_links(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(FamilyLink).where(FamilyLink.user_id == user.id))


def ask(app: Flask, family: Family, email: str, relationship: str = "carer") -> Invitation:
    """The caseworker invites `email` to a new child in the family's team, as the page does."""
    staff = app.test_client()
    sign_in_fast(staff, family.caseworker)
    response = staff.post(
        f"/casework/children/{family.child.id}/invite",
        data={"name": "Pat Parent", "email": email, "relationship": relationship},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return db.session.scalars(select(Invitation).order_by(Invitation.id.desc())).first()


@pytest.fixture
def asked(app: Flask, make: Factory, family: Family) -> tuple[User, Invitation]:
    """A second parent with an account (linked to another child) whom the team asks about Ourchild."""
    other_parent = make.user(Role.FAMILY, name="Alex Other", email="alex.other@example.org")
    make.child(family=[other_parent], first_name="Sibling")
    return other_parent, ask(app, family, "Alex.Other@Example.org")


def signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    sign_in_fast(client, user)
    return client


def test_the_request_shows_first_and_links_nothing_yet(app, family, asked) -> None:
    parent, _ = asked
    client = signed_in(app, parent)

    page = get_page(client, "/family/")

    request = page.soup.select_one(".app-link-request")
    assert request is not None
    heading = " ".join(request.h2.get_text().split())
    assert heading == "North SEND team has asked to add Ourchild’s information to your account"
    assert family.child.last_name not in page.text
    assert [b.get_text(strip=True) for b in request.select("button")] == ["Accept", "This is not my child"]
    assert count_links(parent) == 1
    assert get_page(client, f"/family/children/{family.child.id}", status=404).h1 == "Page not found"


def test_the_email_names_only_the_first_name_and_team(app, make, family, mail) -> None:
    make.user(Role.FAMILY, email="holder@example.org")
    ask(app, family, "holder@example.org")

    message = mail.to("holder@example.org")[0]
    assert message["Subject"] == "A SEND team has asked to link a child to your account"
    text = mail.text(message)
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "North SEND team has asked to link information about Ourchild" in part
        assert family.child.last_name not in part
        assert "2015" not in part
    assert mail.link(message) == "/sign-in"


def test_accepting_links_the_child_with_the_relationship_given(app, family, asked) -> None:
    parent, invitation = asked
    client = signed_in(app, parent)

    response = client.post(f"/family/requests/{invitation.id}/accept")

    assert response.status_code == 302 and response.location == "/family/"
    page = get_page(client, "/family/")
    assert "Ourchild’s information has been added to your account" in page.text
    assert page.soup.select_one(".app-link-request") is None
    assert family.child.full_name in page.text
    link = db.session.scalars(
        select(FamilyLink).where(FamilyLink.user_id == parent.id, FamilyLink.child_id == family.child.id)
    ).one()
    assert link.relationship_to_child is Relationship.CARER
    db.session.refresh(invitation)
    assert invitation.used_at is not None
    assert get_page(client, f"/family/children/{family.child.id}").h1 == family.child.full_name
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "family-link-accepted")).one()
    assert (event.actor_id, event.target) == (parent.id, f"invitation:{invitation.id}")


def test_this_is_not_my_child_declines_and_links_nothing(app, family, asked) -> None:
    parent, invitation = asked
    client = signed_in(app, parent)

    response = client.post(f"/family/requests/{invitation.id}/decline")

    assert response.status_code == 302
    page = get_page(client, "/family/")
    assert "We will not add Ourchild’s information to your account" in page.text
    assert page.soup.select_one(".app-link-request") is None
    assert count_links(parent) == 1
    db.session.refresh(invitation)
    assert invitation.declined_at is not None and invitation.used_at is None
    assert "family-link-declined" in db.session.scalars(select(AuditEvent.action)).all()
    # Accepting afterwards does nothing.
    client.post(f"/family/requests/{invitation.id}/accept")
    assert NOT_OPEN in get_page(client, "/family/").text
    assert count_links(parent) == 1
    # The team sees only that it was declined.
    staff = signed_in(app, family.caseworker)
    child_page = get_page(staff, f"/casework/children/{family.child.id}")
    assert "Declined" in child_page.text


def test_a_second_accept_gets_the_no_longer_open_answer(app, family, asked) -> None:
    parent, invitation = asked
    client = signed_in(app, parent)

    first = client.post(f"/family/requests/{invitation.id}/accept")
    second = client.post(f"/family/requests/{invitation.id}/accept")

    assert first.status_code == second.status_code == 302
    page = get_page(client, "/family/")
    assert NOT_OPEN in page.text
    assert count_links(parent) == 2
    accepted = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "family-link-accepted")
    )
    assert accepted == 1


def test_two_accepts_at_once_make_one_link(app, family, asked, database_uri) -> None:
    if not database_uri.startswith("postgresql"):
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    parent, invitation = asked
    clients = [signed_in(app, parent) for _ in range(4)]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    invitation_id = invitation.id

    def click(client: FlaskClient) -> None:
        with app.app_context():  # each request still gets its own context and session
            barrier.wait()
            statuses.append(client.post(f"/family/requests/{invitation_id}/accept").status_code)

    threads = [threading.Thread(target=click, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302] * len(clients)
    assert count_links(parent) == 2
    accepted = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "family-link-accepted")
    )
    assert accepted == 1


def test_another_family_cannot_see_or_answer_the_request(app, make, family, asked) -> None:
    parent, invitation = asked
    stranger = signed_in(app, family.parent)  # a family member, but not the one asked

    page = get_page(stranger, "/family/")
    assert page.soup.select_one(".app-link-request") is None
    for answer in ("accept", "decline"):
        response = stranger.post(f"/family/requests/{invitation.id}/{answer}")
        assert check_page(response, 404).h1 == "Page not found"
    missing = stranger.post(f"/family/requests/{invitation.id + 1000}/accept")
    assert check_page(missing, 404).text == check_page(response, 404).text
    db.session.refresh(invitation)
    assert invitation.used_at is None and invitation.declined_at is None
    assert count_links(family.parent) == 1 and count_links(parent) == 1


def test_expired_and_withdrawn_requests_are_not_shown_and_cannot_be_accepted(app, family, asked) -> None:
    parent, invitation = asked
    client = signed_in(app, parent)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=7, minutes=1)):
        client = signed_in(app, parent)
        assert get_page(client, "/family/").soup.select_one(".app-link-request") is None
        client.post(f"/family/requests/{invitation.id}/accept")
        assert count_links(parent) == 1

    client = signed_in(app, parent)
    invitation.revoked_at = datetime.now(UTC)
    invitation.expires_at = datetime.now(UTC) + timedelta(days=1)
    db.session.commit()
    assert get_page(client, "/family/").soup.select_one(".app-link-request") is None
    client.post(f"/family/requests/{invitation.id}/accept")
    assert NOT_OPEN in get_page(client, "/family/").text
    assert count_links(parent) == 1
