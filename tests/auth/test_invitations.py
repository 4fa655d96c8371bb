"""Invitations: caseworkers invite family members to a child, managers and admins invite staff."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, FamilyLink, Invitation, Relationship, Role, User
from tests.helpers import check_page, get_page, post_page, sign_in, sign_in_fast

NEW_PASSWORD = "marmalade lighthouse trombone"
EXPIRED = "This link has expired or has already been used"
START = datetime(2025, 9, 1, 8, 30, tzinfo=UTC)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def staff_client(app, user: User):
    client = app.test_client()
    sign_in_fast(client, user)
    return client


def invite_family(client, child, email="parent@example.org", name="Pat Parent", relationship="carer"):
    return client.post(
        f"/casework/children/{child.id}/invite",
        data={"name": name, "email": email, "relationship": relationship},
    )


def invite_staff(client, email="new.starter@example.org", name="Nia Starter", role="caseworker", team=""):
    return client.post("/admin/staff/invite", data={"name": name, "email": email, "role": role, "team": team})


def accept(client, link: str, name="Pat Parent", password=NEW_PASSWORD):
    return client.post(link, data={"name": name, "password": password, "confirm": password})


def email_parts(message) -> list[str]:
    return [message["Subject"], message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()]


def family_setup(app, make):
    caseworker = make.user(Role.CASEWORKER)
    child = make.child(team=caseworker.team, first_name="Amara")
    return staff_client(app, caseworker), caseworker, child


# Family members --------------------------------------------------------------------------------


def test_caseworker_invites_a_family_member(app, make, mail):
    client, caseworker, child = family_setup(app, make)
    page = get_page(client, f"/casework/children/{child.id}/invite")
    assert page.h1 == "Invite a family member to see Amara’s information"

    response = invite_family(client, child, email="Pat.Parent@Example.org")

    assert response.status_code == 302
    assert response.location == f"/casework/children/{child.id}"
    assert "Invitation sent to pat.parent@example.org" in get_page(client, response.location).text
    messages = mail.messages()
    assert len(messages) == 1
    assert messages[0]["To"] == "pat.parent@example.org"
    assert messages[0]["Subject"] == "You have been invited to the SEND Family Portal"
    assert mail.link(messages[0]).startswith("/invitation/")
    invitation = db.session.scalars(select(Invitation)).one()
    assert (invitation.email, invitation.role, invitation.child_id) == ("pat.parent@example.org", Role.FAMILY, child.id)
    assert invitation.relationship_to_child is Relationship.CARER
    assert invitation.invited_by_id == caseworker.id


def test_invitation_email_has_no_surname_or_date_of_birth(app, make, mail):
    client, _, child = family_setup(app, make)
    invite_family(client, child)

    for part in email_parts(mail.messages()[0]):
        assert child.last_name not in part
        for date_text in ("2015-01-01", "1 January 2015", "01/01/2015", "2015"):
            assert date_text not in part
    assert "Amara" in email_parts(mail.messages()[0])[1]


@pytest.mark.parametrize(("relationship", "words"), [
    ("parent", "You will be able to see where Amara’s education, health and care (EHC) needs assessment or plan"),
    ("young_person", "You will be able to see where your education, health and care (EHC) needs assessment or plan"),
])
def test_the_invitation_email_fits_the_reader(app, make, mail, relationship, words):
    client, _, child = family_setup(app, make)
    invite_family(client, child, relationship=relationship)
    text, html = email_parts(mail.messages()[0])[1:]
    assert words in " ".join(text.split())
    assert words in " ".join(html.split())


def test_accepting_creates_a_linked_family_account(app, make, mail):
    client, _, child = family_setup(app, make)
    invite_family(client, child, relationship="parent")
    link = mail.link(mail.messages()[0])

    invitee = app.test_client()
    page = get_page(invitee, link)
    assert page.h1 == "Create your account"
    assert "parent@example.org" in page.text
    assert page.soup.find("input", {"name": "name"})["value"] == "Pat Parent"

    response = accept(invitee, link, name="Patricia Parent")

    assert response.status_code == 302
    assert response.location == "/family/"
    user = db.session.scalars(select(User).where(User.email == "parent@example.org")).one()
    assert (user.role, user.name, user.team_id, user.totp_secret) == (Role.FAMILY, "Patricia Parent", None, None)
    links = [(link.child_id, link.relationship_to_child) for link in user.child_links]
    assert links == [(child.id, Relationship.PARENT)]
    dashboard = get_page(invitee, "/family/")
    assert child.full_name in dashboard.text
    assert "Your account has been created" in dashboard.text
    assert get_page(invitee, f"/family/children/{child.id}").h1 == child.full_name
    # The new password works for later sign-ins.
    assert app.test_client().post("/sign-in", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302


def test_invitation_works_once(app, make, mail):
    client, _, child = family_setup(app, make)
    invite_family(client, child)
    link = mail.link(mail.messages()[0])
    assert accept(app.test_client(), link).status_code == 302

    page = get_page(app.test_client(), link, status=404)
    assert page.h1 == EXPIRED
    page = check_page(accept(app.test_client(), link, name="Someone Else", password="another fine passphrase"), 404)
    assert page.h1 == EXPIRED
    assert count(User) == 2


def test_invitation_expires_after_seven_days(app, make, mail):
    with time_machine.travel(START, tick=False) as clock:
        client, _, child = family_setup(app, make)
        invite_family(client, child)
        link = mail.link(mail.messages()[0])
        clock.shift(timedelta(days=6, hours=23, minutes=59))
        assert get_page(app.test_client(), link).h1 == "Create your account"
        clock.shift(timedelta(minutes=1, seconds=1))
        assert get_page(app.test_client(), link, status=404).h1 == EXPIRED
        assert accept(app.test_client(), link).status_code == 404
    assert count(User) == 1


def test_made_up_invitation_link_is_refused(client):
    assert get_page(client, "/invitation/made-up-token", status=404).h1 == EXPIRED


def test_only_a_hash_of_the_token_is_stored(app, make, mail):
    client, _, child = family_setup(app, make)
    invite_family(client, child)
    token = mail.link(mail.messages()[0]).rsplit("/", 1)[1]

    invitation = db.session.scalars(select(Invitation)).one()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = " ".join(str(getattr(invitation, column.key)) for column in Invitation.__table__.columns)
    assert token not in stored
    events = " ".join(f"{e.action} {e.target}" for e in db.session.scalars(select(AuditEvent)))
    assert token not in events


def test_inviting_someone_with_a_family_account_links_nothing_until_they_accept(app, make, mail):
    client, _, child = family_setup(app, make)
    existing = make.user(Role.FAMILY, email="already@example.org")
    sibling = make.child(family=[existing], first_name="Bo")

    response = invite_family(client, child, email="Already@example.org", relationship="young_person")

    assert response.status_code == 302
    assert "already@example.org already has an account. We have asked them to accept Amara’s information" in (
        get_page(client, response.location).text
    )
    invitation = db.session.scalars(select(Invitation)).one()
    assert (invitation.child_id, invitation.relationship_to_child) == (child.id, Relationship.YOUNG_PERSON)
    links = db.session.execute(select(FamilyLink.child_id).where(FamilyLink.user_id == existing.id)).scalars().all()
    assert links == [sibling.id]
    messages = mail.messages()
    assert len(messages) == 1
    assert messages[0]["To"] == "already@example.org"
    assert messages[0]["Subject"] == "A SEND team has asked to link a child to your account"
    assert mail.link(messages[0]) == "/sign-in"
    for part in email_parts(messages[0]):
        assert child.last_name not in part
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "invitation-sent" in actions and "family-member-linked" not in actions

    family = app.test_client()
    sign_in(family, existing)
    dashboard = get_page(family, "/family/")
    assert sibling.full_name in dashboard.text
    assert child.full_name not in dashboard.text
    assert get_page(family, f"/family/children/{child.id}", status=404).h1 == "Page not found"


def test_inviting_someone_already_linked_is_refused(app, make, mail):
    client, _, child = family_setup(app, make)
    existing = make.user(Role.FAMILY, email="linked@example.org")
    make.child(team=child.team)
    db.session.add(FamilyLink(user=existing, child=child, relationship_to_child=Relationship.PARENT))
    db.session.commit()

    page = check_page(invite_family(client, child, email="linked@example.org"), 400)

    assert page.error_messages() == ["This person can already see Amara’s information"]
    assert mail.messages() == []
    assert count(FamilyLink) == 1


def test_inviting_a_staff_email_is_refused(app, make, mail):
    client, caseworker, child = family_setup(app, make)
    manager = make.user(Role.MANAGER, email="boss@example.org")

    for email in (manager.email, "BOSS@example.org", caseworker.email):
        page = check_page(invite_family(client, child, email=email), 400)
        assert page.error_messages() == ["This email address belongs to a staff account. Use a different email address"]
        assert "This email address belongs to a staff account" in page.soup.select_one("#email-error").get_text()

    assert mail.messages() == []
    assert count(Invitation) == 0
    assert count(FamilyLink) == 0


def test_caseworker_cannot_invite_to_another_teams_child(app, make, mail):
    client, _, _ = family_setup(app, make)
    elsewhere = make.child()

    assert get_page(client, f"/casework/children/{elsewhere.id}/invite", status=404).h1 == "Page not found"
    assert invite_family(client, elsewhere).status_code == 404
    assert mail.messages() == []
    assert count(Invitation) == 0


def test_family_members_cannot_invite(app, make, mail):
    parent = make.user(Role.FAMILY)
    child = make.child(family=[parent])
    client = app.test_client()
    sign_in(client, parent)
    assert invite_family(client, child).status_code == 403
    assert count(Invitation) == 0


def test_family_invitation_is_audited(app, make, mail):
    client, caseworker, child = family_setup(app, make)
    client.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    invite_family(client, child)
    invitation = db.session.scalars(select(Invitation)).one()
    invitee = app.test_client()
    invitee.environ_base["REMOTE_ADDR"] = "203.0.113.99"
    accept(invitee, mail.link(mail.messages()[0]))
    user = db.session.scalars(select(User).where(User.email == "parent@example.org")).one()

    events = [
        (e.action, e.actor_id, e.target, e.ip_address)
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]
    assert ("invitation-sent", caseworker.id, f"invitation:{invitation.id}", "198.51.100.23") in events
    assert ("invitation-accepted", user.id, f"invitation:{invitation.id}", "203.0.113.99") in events
    assert ("sign-in", user.id, f"user:{user.id}", "203.0.113.99") in events
    assert all(NEW_PASSWORD not in str(event) for event in events)


def test_accepting_while_signed_in_as_someone_else_signs_them_out(app, make, mail):
    client, _, child = family_setup(app, make)
    invite_family(client, child)
    link = mail.link(mail.messages()[0])
    other = make.user(Role.FAMILY)
    shared = app.test_client()
    sign_in(shared, other)

    assert get_page(shared, link).h1 == "Create your account"
    assert accept(shared, link).status_code == 302
    account = get_page(shared, "/account")
    assert "parent@example.org" in account.text
    assert other.email not in account.text


# Staff ------------------------------------------------------------------------------------------


def test_manager_invites_a_caseworker_who_then_sets_up_two_factor(app, make, mail):
    manager = make.user(Role.MANAGER)
    client = staff_client(app, manager)
    page = get_page(client, "/admin/staff/invite")
    assert page.h1 == "Invite a member of staff"

    response = invite_staff(client, role="caseworker", team=str(manager.team_id))

    assert response.status_code == 302
    assert "Invitation sent to new.starter@example.org" in get_page(client, response.location).text
    invitation = db.session.scalars(select(Invitation)).one()
    assert (invitation.role, invitation.team_id, invitation.child_id) == (Role.CASEWORKER, manager.team_id, None)
    message = mail.to("new.starter@example.org")[0]
    assert "caseworker account" in mail.text(message)

    newcomer = app.test_client()
    link = mail.link(message)
    assert get_page(newcomer, link).h1 == "Create your account"
    response = accept(newcomer, link, name="Nia Starter")
    assert response.status_code == 302
    assert response.location == "/sign-in/set-up-two-factor"
    page = get_page(newcomer, response.location)
    assert page.h1 == "Set up two-factor sign-in"
    user = db.session.scalars(select(User).where(User.email == "new.starter@example.org")).one()
    assert (user.role, user.team_id, user.totp_secret) == (Role.CASEWORKER, manager.team_id, None)
    # Not signed in until two-factor sign-in is set up.
    response = newcomer.get("/casework/children")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")


def test_admin_invites_a_coproduction_user(app, make, mail):
    admin = make.user(Role.ADMIN)
    client = staff_client(app, admin)

    response = invite_staff(client, email="copro@example.org", name="Cory Pro", role="coproduction", team="")

    assert response.status_code == 302
    invitation = db.session.scalars(select(Invitation)).one()
    assert (invitation.role, invitation.team_id, invitation.invited_by_id) == (Role.COPRODUCTION, None, admin.id)
    message = mail.to("copro@example.org")[0]
    assert "co-production team account" in mail.text(message)
    newcomer = app.test_client()
    response = accept(newcomer, mail.link(message), name="Cory Pro")
    assert response.location == "/sign-in/set-up-two-factor"
    user = db.session.scalars(select(User).where(User.email == "copro@example.org")).one()
    assert (user.role, user.team_id) == (Role.COPRODUCTION, None)


def test_manager_cannot_invite_an_admin(app, make, mail):
    manager = make.user(Role.MANAGER)
    client = staff_client(app, manager)

    page = get_page(client, "/admin/staff/invite")
    offered = {radio["value"] for radio in page.soup.select("input[name=role]")}
    assert offered == {"caseworker", "manager"}
    assert {option["value"] for option in page.soup.select("select[name=team] option")} == {str(manager.team_id)}

    for role in ("admin", "coproduction"):
        page = check_page(invite_staff(client, role=role, team=str(manager.team_id)), 400)
        assert page.error_messages() == ["Not a valid choice."]

    assert count(Invitation) == 0
    assert mail.messages() == []


def test_manager_cannot_invite_to_another_team(app, make, mail):
    manager = make.user(Role.MANAGER)
    other_team = make.team()
    client = staff_client(app, manager)
    page = check_page(invite_staff(client, role="caseworker", team=str(other_team.id)), 400)
    assert page.error_messages() == ["Not a valid choice."]
    assert count(Invitation) == 0


def test_caseworkers_cannot_invite_staff(app, make, mail):
    caseworker = make.user(Role.CASEWORKER)
    client = staff_client(app, caseworker)
    assert client.get("/admin/staff/invite").status_code == 403
    assert invite_staff(client, role="admin").status_code == 403
    assert count(Invitation) == 0


def test_inviting_staff_with_an_existing_account_is_refused(app, make, mail):
    admin = make.user(Role.ADMIN)
    make.user(Role.FAMILY, email="taken@example.org")
    client = staff_client(app, admin)
    page = check_page(invite_staff(client, email="Taken@example.org", role="coproduction"), 400)
    assert page.error_messages() == ["An account already exists for this email address"]
    assert count(Invitation) == 0


def test_staff_invitation_is_audited(app, make, mail):
    admin = make.user(Role.ADMIN)
    team = make.team()
    client = staff_client(app, admin)
    invite_staff(client, role="manager", team=str(team.id))
    invitation = db.session.scalars(select(Invitation)).one()
    accept(app.test_client(), mail.link(mail.messages()[0]), name="Nia Starter")
    user = db.session.scalars(select(User).where(User.email == "new.starter@example.org")).one()

    events = [(e.action, e.actor_id, e.target) for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert events == [
        ("invitation-sent", admin.id, f"invitation:{invitation.id}"),
        ("invitation-accepted", user.id, f"invitation:{invitation.id}"),
        ("password-set", user.id, f"user:{user.id}"),
    ]


def test_weak_password_on_acceptance_is_refused(app, make, mail):
    client, _, child = family_setup(app, make)
    invite_family(client, child)
    link = mail.link(mail.messages()[0])

    page = post_page(
        app.test_client(),
        link,
        {"name": "Pat Parent", "password": "password1234", "confirm": "password1234"},
        status=400,
    )
    assert page.error_messages() == ["Password is too easy to guess. Use 3 or more random words, or a longer password"]
    assert count(User) == 1
    assert db.session.scalars(select(Invitation)).one().used_at is None
