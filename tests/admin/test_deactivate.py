"""Administrators deactivate and reactivate accounts: a deactivated account's sessions end at once
and it cannot sign in; nobody deactivates themselves."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from portal.ehcp.models import Case
from portal.extensions import db
from portal.models import AuditEvent, Role, User
from tests.helpers import PASSWORD, Factory, check_page, get_page, sign_in, sign_in_fast

WRONG = "Enter a correct email address and password"


def admin_client(app: Flask, make: Factory) -> tuple[FlaskClient, User]:
    admin = make.user(Role.ADMIN, name="Addy Admin")
    client = app.test_client()
    sign_in_fast(client, admin)
    return client, admin


def test_the_accounts_list_shows_status_and_links(app: Flask, make: Factory) -> None:
    client, admin = admin_client(app, make)
    parent = make.user(Role.FAMILY, name="Pat Parent")
    gone = make.user(Role.FAMILY, name="Gone Parent", active=False)

    page = get_page(client, "/admin/accounts")

    rows = {
        " ".join(row.td.get_text().split()): row for row in page.soup.select("tbody tr")
    }
    assert "Active. Deactivate Pat Parent" in " ".join(rows["Pat Parent"].get_text().split())
    assert rows["Pat Parent"].find("a", href=f"/admin/accounts/{parent.id}/deactivate")
    assert rows["Gone Parent"].find("a", href=f"/admin/accounts/{gone.id}/reactivate")
    assert "Deactivated" in rows["Gone Parent"].get_text()
    assert not rows["Addy Admin"].find("a", href=f"/admin/accounts/{admin.id}/deactivate")


def test_deactivating_ends_a_live_session_at_once_and_blocks_sign_in(app: Flask, make: Factory) -> None:
    client, admin = admin_client(app, make)
    parent = make.user(Role.FAMILY, name="Pat Parent")
    child = make.child(family=[parent])
    family = app.test_client()
    sign_in(family, parent)
    assert get_page(family, f"/family/children/{child.id}").h1 == child.full_name

    page = get_page(client, f"/admin/accounts/{parent.id}/deactivate")
    assert page.h1 == "Deactivate Pat Parent’s account"
    response = client.post(f"/admin/accounts/{parent.id}/deactivate")

    assert response.status_code == 302 and response.location == "/admin/accounts"
    assert "Pat Parent’s account has been deactivated" in get_page(client, response.location).text
    db.session.refresh(parent)
    assert parent.active is False and parent.deactivated_at is not None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account-deactivated")).one()
    assert (event.actor_id, event.target) == (admin.id, f"user:{parent.id}")
    # The live session ends on its very next request.
    response = family.get(f"/family/children/{child.id}")
    assert response.status_code == 302 and response.location.startswith("/sign-in")
    # And the right password no longer signs in.
    refused = app.test_client().post("/sign-in", data={"email": parent.email, "password": PASSWORD})
    assert check_page(refused, refused.status_code).error_messages() == [WRONG]


def test_deactivating_a_caseworker_unassigns_their_open_cases_for_a_manager_to_reassign(
    app: Flask, make: Factory
) -> None:
    client, admin = admin_client(app, make)
    caseworker = make.user(Role.CASEWORKER, name="Casey Worker")
    other = make.user(Role.CASEWORKER, team=caseworker.team, name="Other Worker")
    child = make.child(team=caseworker.team)
    open_cases = [make.case(child=child, caseworker=caseworker) for _ in range(2)]
    closed = make.case(child=make.child(team=caseworker.team), caseworker=caseworker)
    db.session.execute(update(Case).where(Case.id == closed.id).values(closed=True))
    kept = make.case(child=make.child(team=caseworker.team), caseworker=other)
    db.session.commit()
    versions = {case.id: case.version for case in open_cases}

    page = get_page(client, f"/admin/accounts/{caseworker.id}/deactivate")
    assert "Casey Worker has 2 open cases. They will become unassigned" in page.text
    response = client.post(f"/admin/accounts/{caseworker.id}/deactivate")
    assert response.status_code == 302
    accounts = get_page(client, "/admin/accounts")
    assert "Their 2 open cases are now unassigned, for a manager to reassign." in accounts.text

    db.session.expire_all()
    for case in open_cases:
        fresh = db.session.get(Case, case.id)
        assert fresh.caseworker_id is None and fresh.version == versions[case.id] + 1
    assert db.session.get(Case, closed.id).caseworker_id == caseworker.id  # history keeps who had it
    assert db.session.get(Case, kept.id).caseworker_id == other.id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account-deactivated")).one()
    assert (event.actor_id, event.detail) == (admin.id, "2 open cases unassigned")


def test_reactivating_lets_them_sign_in_again(app: Flask, make: Factory) -> None:
    client, _ = admin_client(app, make)
    parent = make.user(Role.FAMILY, name="Pat Parent")
    client.post(f"/admin/accounts/{parent.id}/deactivate")

    assert get_page(client, f"/admin/accounts/{parent.id}/reactivate").h1 == "Reactivate Pat Parent’s account"
    response = client.post(f"/admin/accounts/{parent.id}/reactivate")

    assert response.status_code == 302
    db.session.refresh(parent)
    assert parent.active is True and parent.deactivated_at is None
    assert "account-reactivated" in db.session.scalars(select(AuditEvent.action)).all()
    response = app.test_client().post("/sign-in", data={"email": parent.email, "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/family/"


def test_staff_sessions_end_too(app: Flask, make: Factory) -> None:
    client, _ = admin_client(app, make)
    caseworker = make.user(Role.CASEWORKER)
    staff = app.test_client()
    sign_in_fast(staff, caseworker)
    assert staff.get("/casework/").status_code == 200

    client.post(f"/admin/accounts/{caseworker.id}/deactivate")

    response = staff.get("/casework/")
    assert response.status_code == 302 and response.location.startswith("/sign-in")


def test_nobody_deactivates_themselves(app: Flask, make: Factory) -> None:
    client, admin = admin_client(app, make)
    assert get_page(client, f"/admin/accounts/{admin.id}/deactivate", status=404).h1 == "Page not found"
    assert check_page(client.post(f"/admin/accounts/{admin.id}/deactivate"), 404).h1 == "Page not found"
    db.session.refresh(admin)
    assert admin.active is True
    assert get_page(client, "/admin/accounts").h1 == "Accounts"


def test_unknown_accounts_are_not_found_and_others_cannot_deactivate(app: Flask, make: Factory) -> None:
    client, admin = admin_client(app, make)
    assert get_page(client, f"/admin/accounts/{admin.id + 1000}/deactivate", status=404).h1 == "Page not found"
    manager = make.user(Role.MANAGER)
    managing = app.test_client()
    sign_in_fast(managing, manager)
    assert managing.post(f"/admin/accounts/{admin.id}/deactivate").status_code == 403
    db.session.refresh(admin)
    assert admin.active is True
