"""Separation: the co-production team never sees a child's name, a case or a message, and sees a
family member's name and email only where they agreed to be contacted; anonymous feedback shows
nothing that identifies the family. Every workspace page and the CSV are walked."""

from __future__ import annotations

import re

import pytest

from portal.conversations import services as conversations
from portal.ehcp.stages import Stage
from portal.models import Role
from tests.coproduction.support import feedback, theme
from tests.helpers import get_page, sign_in_fast

CHILD_FIRST = "Zebedee"


@pytest.fixture
def world(make):
    team = make.team("North SEND team")
    consenting = make.user(Role.FAMILY, name="Connie Consenting", email="connie.consenting@example.org")
    silent = make.user(Role.FAMILY, name="Norbert Nocontact", email="norbert.nocontact@example.org")
    anonymous = make.user(Role.FAMILY, name="Agatha Anonymous", email="agatha.anonymous@example.org")
    child = make.child(team=team, family=[consenting, silent, anonymous], first_name=CHILD_FIRST)
    case = make.case(child=child)
    conversations.start(silent, case, "Transport question",
                        conversations.Draft("Quixotic message text about the minibus", "separation-test", ()))
    school = theme("School")
    rows = [
        feedback(2, Stage.ASSESSING, could_be_better="Letters were late.", user=consenting, case_id=case.id,
                 contact_ok=True, themes=(school,)),
        feedback(1, Stage.ASSESSING, could_be_better="No one rang back.", user=silent, case_id=case.id),
        feedback(3, Stage.ASSESSING, worked_well="The visit went well."),  # anonymous
    ]
    team_member = make.user(Role.COPRODUCTION, name="Cora Coproduction")
    return {"child": child, "case": case, "rows": rows, "theme": school, "team_member": team_member}


def _secrets(world) -> list[str]:
    child, case = world["child"], world["case"]
    return [CHILD_FIRST, child.last_name, case.reference, "Quixotic message text", "Transport question",
            "Norbert", "Nocontact", "norbert.nocontact@example.org", "Agatha", "agatha.anonymous@example.org",
            f"/casework/cases/{case.id}", f"/family/children/{child.id}"]


def test_every_workspace_page_and_the_csv_keep_families_apart(client, world) -> None:
    sign_in_fast(client, world["team_member"])
    theme_id = world["theme"].id
    urls = ["/coproduction/", "/coproduction/comments", "/coproduction/comments?comment=any",
            "/coproduction/comments?stage=assessing", f"/coproduction/comments?theme={theme_id}",
            "/coproduction/themes", f"/coproduction/themes/{theme_id}", f"/coproduction/themes/{theme_id}/merge",
            *(f"/coproduction/comments/{row.id}" for row in world["rows"])]
    for url in urls:
        body = get_page(client, url).response.get_data(as_text=True)
        for secret in _secrets(world):
            assert secret not in body, (url, secret)
    csv = client.get("/coproduction/comments.csv?comment=any").get_data().decode("utf-8-sig")
    for secret in _secrets(world):
        assert secret not in csv, secret
    # The family member who agreed to be contacted: their name and email, and nothing else.
    assert "Connie Consenting" in csv and "connie.consenting@example.org" in csv
    page = get_page(client, f"/coproduction/comments/{world['rows'][0].id}")
    assert "They agreed to be contacted: Connie Consenting, connie.consenting@example.org" in page.text


def test_anonymous_feedback_shows_no_day_and_no_account(client, world) -> None:
    sign_in_fast(client, world["team_member"])
    page = get_page(client, f"/coproduction/comments/{world['rows'][2].id}")
    assert "agreed to be contacted" not in page.text
    details = page.soup.select_one("main ul.govuk-list").get_text(" ")
    assert world["rows"][2].month.strftime("%B %Y") in details

    assert not re.search(r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|"
                         r"November|December)\b", page.text)


@pytest.mark.parametrize("role", [Role.FAMILY, Role.CASEWORKER, Role.MANAGER, Role.ADMIN])
def test_only_the_coproduction_role_reaches_the_workspace(client, make, world, role: Role) -> None:
    sign_in_fast(client, make.user(role))
    for url in ("/coproduction/", "/coproduction/comments", "/coproduction/comments.csv", "/coproduction/themes",
                f"/coproduction/comments/{world['rows'][0].id}"):
        assert client.get(url).status_code == 403, url
