"""The audit log records refused access as well as staff actions: another team's case or child,
a role's forbidden page (403), a family member reaching for another family's record (404), staff
searches of the caseload and administrators' views of the accounts list."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Role
from tests.helpers import check_page, sign_in_fast


def events(since: int = 0) -> list[tuple]:
    return db.session.execute(
        select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.target, AuditEvent.detail)
        .where(AuditEvent.id > since)
        .order_by(AuditEvent.id)
    ).all()


def last_id() -> int:
    return db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0


@pytest.fixture
def world(make):
    north = make.team("North SEND team")
    south = make.team("South SEND team")
    caseworker = make.user(Role.CASEWORKER, team=north)
    family = make.user(Role.FAMILY)
    other_family = make.user(Role.FAMILY)
    own_child = make.child(team=north, family=[family], first_name="Ownchild")
    other_child = make.child(team=south, family=[other_family], first_name="Otherchild")
    return {
        "caseworker": caseworker,
        "family": family,
        "own_case": make.case(child=own_child),
        "other_child": other_child,
        "other_case": make.case(child=other_child),
    }


def test_a_family_reaching_another_familys_records_is_logged(client, world) -> None:
    family = world["family"]
    sign_in_fast(client, family)
    start = last_id()
    for url in (f"/family/children/{world['other_child'].id}", f"/family/cases/{world['other_case'].id}"):
        check_page(client.get(url), 404)
    assert events(start) == [
        ("record-refused", family.id, f"child:{world['other_child'].id}", None),
        ("record-refused", family.id, f"case:{world['other_case'].id}", None),
    ]


def test_staff_reaching_another_teams_case_or_child_is_logged(client, world) -> None:
    caseworker = world["caseworker"]
    sign_in_fast(client, caseworker)
    start = last_id()
    check_page(client.get(f"/casework/cases/{world['other_case'].id}"), 404)
    check_page(client.get(f"/casework/children/{world['other_child'].id}"), 404)
    assert events(start) == [
        ("record-refused", caseworker.id, f"case:{world['other_case'].id}", None),
        ("record-refused", caseworker.id, f"child:{world['other_child'].id}", None),
    ]


@pytest.mark.parametrize(
    ("role", "path"),
    [(Role.FAMILY, "/casework/"), (Role.CASEWORKER, "/admin/accounts"), (Role.COPRODUCTION, "/family/")],
)
def test_a_forbidden_page_is_logged(client, make, role, path) -> None:
    user = make.user(role)
    sign_in_fast(client, user)
    start = last_id()
    check_page(client.get(path), 403)
    assert events(start) == [("access-refused", user.id, path, None)]


def test_caseload_searches_are_logged_with_the_search(client, world) -> None:
    caseworker = world["caseworker"]
    sign_in_fast(client, caseworker)
    start = last_id()
    check_page(client.get("/casework/?q=Ownchild"))
    check_page(client.get("/casework/"))  # not a search: not logged
    assert events(start) == [("caseload-searched", caseworker.id, f"team:{caseworker.team_id}", "Ownchild")]


def test_administrators_views_of_the_accounts_list_are_logged(client, make) -> None:
    admin = make.user(Role.ADMIN)
    sign_in_fast(client, admin)
    start = last_id()
    check_page(client.get("/admin/accounts"))
    assert events(start) == [("accounts-viewed", admin.id, None, None)]
