"""Themes: create, rename and merge (every tagged feedback and action moves to the theme kept, in
one transaction), each audited; bad names are an error on the page, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.feedback.models import Action, ActionTheme, FeedbackTheme, Theme
from portal.models import AuditEvent, Role
from tests.coproduction.support import feedback, theme
from tests.helpers import get_page, post_page, sign_in_fast


@pytest.fixture
def team_member(client, make):
    sign_in_fast(client, make.user(Role.COPRODUCTION, name="Cora Coproduction"))
    return client


def _audit(action: str) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == action)))


def test_create_and_rename_a_theme(team_member) -> None:
    response = team_member.post("/coproduction/themes", data={"name": "  Communication  "})
    assert response.status_code == 302
    made = db.session.scalars(select(Theme)).one()
    assert made.name == "Communication"
    page = get_page(team_member, "/coproduction/themes")
    assert "Theme Communication created." in page.text
    page = post_page(team_member, "/coproduction/themes", {"name": "communication"}, status=400)
    assert page.error_messages() == ["There is already a theme called communication"]
    response = team_member.post(f"/coproduction/themes/{made.id}", data={"name": "Keeping in touch"})
    assert response.status_code == 302
    db.session.refresh(made)
    assert made.name == "Keeping in touch"
    assert _audit("theme-created") == ["Communication"]
    assert _audit("theme-renamed") == ["Communication to Keeping in touch"]


@pytest.mark.parametrize(("name", "message"), [
    ("", "Enter a name for the theme"),
    ("x" * 61, "Theme name must be 60 characters or fewer"),
    ("Bad\u202ename", "Theme name must only include letters, numbers and punctuation"),
])
def test_bad_theme_names(team_member, name: str, message: str) -> None:
    page = post_page(team_member, "/coproduction/themes", {"name": name}, status=400)
    assert page.error_messages() == [message]
    assert db.session.scalars(select(Theme)).all() == []


def test_html_in_a_theme_name_is_shown_as_text(team_member) -> None:
    theme("<b>Bold</b>")
    body = team_member.get("/coproduction/themes").get_data(as_text=True)
    assert "<b>Bold</b>" not in body and "&lt;b&gt;Bold&lt;/b&gt;" in body


def test_merging_moves_every_feedback_and_action_and_deletes_the_other(team_member, make) -> None:
    kept, gone, other = theme("Communication"), theme("Keeping in touch"), theme("Transport")
    both = feedback(2, could_be_better="No one called.", themes=(kept, gone))
    only_gone = feedback(1, could_be_better="Never heard back.", themes=(gone, other))
    untouched = feedback(4, worked_well="Fine.", themes=(other,))
    action = Action(you_said="Families said no one called.", we_did="We call back.")
    db.session.add(action)
    db.session.flush()
    db.session.add(ActionTheme(action_id=action.id, theme_id=gone.id))
    db.session.commit()
    gone_id = gone.id

    page = get_page(team_member, f"/coproduction/themes/{gone_id}/merge")
    assert page.h1 == "Merge the theme Keeping in touch"
    page = post_page(team_member, f"/coproduction/themes/{gone_id}/merge", {}, status=400)
    assert page.error_messages() == ["Select the theme to merge it into"]
    post_page(team_member, f"/coproduction/themes/{gone_id}/merge", {"into": str(gone_id)}, status=400)
    response = team_member.post(f"/coproduction/themes/{gone_id}/merge", data={"into": str(kept.id)})
    assert response.status_code == 302

    assert db.session.get(Theme, gone_id) is None
    tags = set(db.session.execute(select(FeedbackTheme.feedback_id, FeedbackTheme.theme_id)).all())
    assert tags == {(both.id, kept.id), (only_gone.id, kept.id), (only_gone.id, other.id), (untouched.id, other.id)}
    assert set(db.session.execute(select(ActionTheme.action_id, ActionTheme.theme_id)).all()) == {
        (action.id, kept.id)}
    assert _audit("themes-merged") == ["Keeping in touch into Communication"]
    page = get_page(team_member, "/coproduction/themes")
    assert "Keeping in touch merged into Communication." in page.text
    get_page(team_member, f"/coproduction/themes/{gone_id}", status=404)


def test_merge_with_no_other_theme(team_member) -> None:
    lonely = theme("Lonely")
    page = get_page(team_member, f"/coproduction/themes/{lonely.id}/merge")
    assert "There is no other theme to merge it into." in page.text


def test_the_themes_page_counts_feedback(team_member, count_queries) -> None:
    school = theme("School")
    for _ in range(3):
        feedback(3, worked_well="Good.", themes=(school,))
    with count_queries() as queries:
        page = get_page(team_member, "/coproduction/themes")
    assert queries.count <= 10
    row = next(tr for tr in page.soup.select("tbody tr") if "School" in tr.get_text())
    assert "3" in row.select("td")[0].get_text()
