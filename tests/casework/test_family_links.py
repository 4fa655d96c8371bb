"""Caseworkers manage who can see a child: invitations waiting for an answer (resend, withdraw),
one open invitation per person and child, and removing a family member's access with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, FamilyLink, Invitation, Role
from tests.casework.helpers import Teams
from tests.helpers import Factory, check_page, get_page, sign_in_fast

EXPIRED = "This link has expired or has already been used"


def signed_in(app: Flask, user) -> FlaskClient:
    client = app.test_client()
    sign_in_fast(client, user)
    return client


def invite(client: FlaskClient, child_id: int, email: str = "new.parent@example.org"):
    return client.post(
        f"/casework/children/{child_id}/invite",
        data={"name": "Nat Newparent", "email": email, "relationship": "parent"},
    )


def only_invitation() -> Invitation:
    return db.session.scalars(select(Invitation)).one()


def actions() -> list[str]:
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_the_child_page_lists_open_invitations(app: Flask, teams: Teams) -> None:
    client = signed_in(app, teams.caseworker)
    invite(client, teams.child.id)

    page = get_page(client, f"/casework/children/{teams.child.id}")

    table = page.soup.find("caption", string=lambda text: text and text.startswith("Invitations")).parent
    cells = [" ".join(td.get_text().split()) for td in table.select("tbody td")]
    expires = only_invitation().expires_at
    assert cells[:3] == ["Nat Newparent", "new.parent@example.org", "Parent"]
    assert cells[4] == f"Waiting. Expires on {expires:%-d %B %Y}"
    assert [b.get_text(strip=True) for b in table.select("button")] == ["Resend", "Withdraw"]


def test_a_second_invitation_for_the_same_person_and_child_is_refused(app: Flask, teams: Teams, mail) -> None:
    client = signed_in(app, teams.caseworker)
    invite(client, teams.child.id)

    page = check_page(invite(client, teams.child.id, email="New.Parent@example.org"), 400)

    assert page.title.startswith("Error: ")
    assert page.error_messages() == [
        "You have already invited this person to see Ourchild’s information. "
        "Resend or withdraw that invitation on Ourchild’s page"
    ]
    assert page.soup.select_one("#email-error") is not None
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1
    assert len(mail.messages()) == 1


def test_after_withdrawing_expiry_or_a_decline_they_can_be_invited_again(app: Flask, teams: Teams) -> None:
    client = signed_in(app, teams.caseworker)
    invite(client, teams.child.id)
    first = only_invitation()

    for close in ("revoked_at", "declined_at", "expires_at"):
        setattr(first, close, datetime.now(UTC) - timedelta(seconds=1))
        db.session.commit()
        assert invite(client, teams.child.id).status_code == 302, close
        first = db.session.scalars(select(Invitation).order_by(Invitation.id.desc())).first()
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 4


def test_resend_makes_the_old_link_invalid_and_the_new_one_valid(app: Flask, teams: Teams, mail) -> None:
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = signed_in(app, teams.caseworker)
        invite(client, teams.child.id)
        old_link = mail.link(mail.messages()[0])
        mail.clear()
        clock.shift(timedelta(days=3))
        client = signed_in(app, teams.caseworker)
        invitation = only_invitation()

        response = client.post(f"/casework/children/{teams.child.id}/invitations/{invitation.id}/resend")

        assert response.status_code == 302
        assert response.location == f"/casework/children/{teams.child.id}"
        assert "Invitation sent again to new.parent@example.org" in get_page(client, response.location).text
        new_link = mail.link(mail.to("new.parent@example.org")[0])
        assert new_link != old_link
        assert get_page(app.test_client(), old_link, status=404).h1 == EXPIRED
        assert get_page(app.test_client(), new_link).h1 == "Create your account"
        db.session.refresh(invitation)
        assert invitation.expires_at == start + timedelta(days=10)
        assert invitation.last_sent_at == start + timedelta(days=3)
        assert "invitation-resent" in actions()


def test_resending_to_an_existing_account_asks_them_again(app: Flask, teams: Teams, make: Factory, mail) -> None:
    make.user(Role.FAMILY, email="holder@example.org")
    client = signed_in(app, teams.caseworker)
    invite(client, teams.child.id, email="holder@example.org")
    mail.clear()

    client.post(f"/casework/children/{teams.child.id}/invitations/{only_invitation().id}/resend")

    message = mail.to("holder@example.org")[0]
    assert message["Subject"] == "A SEND team has asked to link a child to your account"
    assert teams.child.last_name not in mail.text(message)


def test_withdraw_stops_the_link_working(app: Flask, teams: Teams, mail) -> None:
    client = signed_in(app, teams.caseworker)
    invite(client, teams.child.id)
    link = mail.link(mail.messages()[0])
    invitation = only_invitation()

    response = client.post(f"/casework/children/{teams.child.id}/invitations/{invitation.id}/withdraw")

    assert response.status_code == 302
    page = get_page(client, response.location)
    assert "Invitation to new.parent@example.org withdrawn" in page.text
    assert "There are no invitations waiting for an answer" in page.text
    assert get_page(app.test_client(), link, status=404).h1 == EXPIRED
    db.session.refresh(invitation)
    assert invitation.revoked_at is not None
    assert "invitation-revoked" in actions()
    # Withdrawn once only; resending it is refused.
    client.post(f"/casework/children/{teams.child.id}/invitations/{invitation.id}/resend")
    assert "cannot be sent again" in get_page(client, f"/casework/children/{teams.child.id}").text
    assert actions().count("invitation-revoked") == 1 and "invitation-resent" not in actions()


def remove_url(teams: Teams, link: FamilyLink) -> str:
    return f"/casework/children/{teams.child.id}/family-members/{link.id}/remove"


def parent_link(teams: Teams) -> FamilyLink:
    return db.session.scalars(select(FamilyLink).where(FamilyLink.user_id == teams.parent.id)).one()


def test_remove_access_needs_a_reason(app: Flask, teams: Teams) -> None:
    client = signed_in(app, teams.caseworker)
    link = parent_link(teams)
    child_page = get_page(client, f"/casework/children/{teams.child.id}")
    assert child_page.soup.find("a", href=remove_url(teams, link)) is not None

    page = get_page(client, remove_url(teams, link))
    assert page.h1 == "Remove Pat Parent’s access to Ourchild’s information"

    for reason, error in (
        ("", "Enter why you are removing their access"),
        ("   ", "Enter why you are removing their access"),
        ("x" * 501, "Reason must be 500 characters or fewer"),
    ):
        page = check_page(client.post(remove_url(teams, link), data={"reason": reason}), 400)
        assert page.title.startswith("Error: Remove Pat Parent’s access")
        assert page.error_messages() == [error]
    assert db.session.get(FamilyLink, link.id) is not None


def test_removing_access_ends_it_at_once_and_is_audited(app: Flask, teams: Teams) -> None:
    parent = signed_in(app, teams.parent)
    assert get_page(parent, f"/family/children/{teams.child.id}").h1 == teams.child.full_name
    assert get_page(parent, f"/family/cases/{teams.case.id}").response.status_code == 200
    client = signed_in(app, teams.caseworker)
    link = parent_link(teams)
    link_id, url = link.id, remove_url(teams, link)
    reason = "Pat phoned: they are not Ourchild’s parent."

    response = client.post(url, data={"reason": reason})

    assert response.status_code == 302
    assert "Pat Parent can no longer see Ourchild’s information" in get_page(client, response.location).text
    assert db.session.scalar(select(func.count()).select_from(FamilyLink).where(FamilyLink.id == link_id)) == 0
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "family-link-removed")).one()
    assert (event.actor_id, event.target, event.detail) == (
        teams.caseworker.id, f"child:{teams.child.id} user:{teams.parent.id}", reason
    )
    # The same signed-in session: the very next request is a 404.
    assert get_page(parent, f"/family/children/{teams.child.id}", status=404).h1 == "Page not found"
    assert get_page(parent, f"/family/cases/{teams.case.id}", status=404).h1 == "Page not found"
    assert teams.child.full_name not in get_page(parent, "/family/").text
    # The other carer still sees the child.
    carer = signed_in(app, teams.carer)
    assert get_page(carer, f"/family/children/{teams.child.id}").h1 == teams.child.full_name


def test_another_teams_child_invitation_and_link_are_not_found(app: Flask, teams: Teams, make: Factory) -> None:
    south_staff = signed_in(app, teams.south_caseworker)
    south_child_id = teams.south_case.child_id
    invite(south_staff, south_child_id, email="south.parent@example.org")
    south_invitation = only_invitation()
    south_parent = make.user(Role.FAMILY)
    db.session.add(FamilyLink(user=south_parent, child_id=south_child_id, relationship_to_child="parent"))
    db.session.commit()
    south_link = db.session.scalars(select(FamilyLink).where(FamilyLink.user_id == south_parent.id)).one()
    north_link = parent_link(teams)
    client = signed_in(app, teams.caseworker)

    posts = [
        (f"/casework/children/{south_child_id}/invitations/{south_invitation.id}/resend", {}),
        (f"/casework/children/{south_child_id}/invitations/{south_invitation.id}/withdraw", {}),
        # A real child of theirs with another team's invitation or link in the URL.
        (f"/casework/children/{teams.child.id}/invitations/{south_invitation.id}/withdraw", {}),
        (f"/casework/children/{south_child_id}/family-members/{south_link.id}/remove", {"reason": "Mistake"}),
        (f"/casework/children/{teams.child.id}/family-members/{south_link.id}/remove", {"reason": "Mistake"}),
        (f"/casework/children/{south_child_id}/family-members/{north_link.id}/remove", {"reason": "Mistake"}),
    ]
    for url, data in posts:
        assert check_page(client.post(url, data=data), 404).h1 == "Page not found", url
    assert check_page(client.get(posts[3][0]), 404).h1 == "Page not found"
    db.session.refresh(south_invitation)
    assert south_invitation.revoked_at is None and south_invitation.last_sent_at is not None
    assert db.session.scalar(select(func.count()).select_from(FamilyLink)) == 3
    assert "family-link-removed" not in actions() and "invitation-revoked" not in actions()
