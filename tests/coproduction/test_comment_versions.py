"""The comments keep each page of results rendered per version of the feedback
(portal/data_versions.py, portal/render_cache.py): every change the page shows is a new version,
made by the database's triggers however the change is made, so a kept page is never out of date;
a page seen before reads no feedback."""

from __future__ import annotations

from sqlalchemy import delete, update

from portal import data_versions
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.feedback.models import Feedback, FeedbackTheme, Theme
from portal.models import Role, User
from tests.coproduction.support import feedback, shown, theme
from tests.helpers import get_page


def _version() -> int:
    db.session.rollback()  # a new transaction: what is committed now
    return data_versions.current(data_versions.FEEDBACK)


def _changes(change) -> bool:
    before = _version()
    change()
    db.session.commit()
    return _version() > before


def test_every_change_the_comments_show_is_a_new_version(make) -> None:
    giver = make.user(Role.FAMILY, name="Pat Parent")
    waiting = theme("Waiting")
    row = feedback(2, Stage.ASSESSING, could_be_better="Slow.", user=giver, contact_ok=True)
    assert _changes(lambda: feedback(4, worked_well="Kind."))
    assert _changes(lambda: db.session.add(FeedbackTheme(feedback_id=row.id, theme_id=waiting.id)))
    assert _changes(lambda: db.session.execute(update(Theme).where(Theme.id == waiting.id).values(name="Waits")))
    assert _changes(lambda: db.session.execute(delete(FeedbackTheme).where(FeedbackTheme.feedback_id == row.id)))
    assert _changes(lambda: db.session.execute(update(User).where(User.id == giver.id).values(name="Pat Other")))
    assert _changes(lambda: db.session.execute(update(User).where(User.id == giver.id).values(email="pat@example.org")))
    assert _changes(lambda: db.session.execute(update(Feedback).where(Feedback.id == row.id).values(rating=3)))
    assert _changes(lambda: db.session.execute(delete(Feedback).where(Feedback.id == row.id)))
    assert _changes(lambda: db.session.execute(delete(Theme).where(Theme.id == waiting.id)))
    # Signing in (or failing to) changes an account, but nothing the comments show.
    assert not _changes(lambda: db.session.execute(
        update(User).where(User.id == giver.id).values(failed_sign_ins=User.failed_sign_ins + 1)))
    # A change that is rolled back is no change.
    before = _version()
    feedback(5, worked_well="Gone again.")  # commits
    db.session.execute(update(Feedback).values(rating=1))
    db.session.rollback()
    assert _version() == before + 1


def _shown(page) -> list[str]:
    return shown(page)


def test_a_kept_page_shows_each_change_at_once(team_member, make) -> None:
    giver = make.user(Role.FAMILY, name="Pat Parent")
    row = feedback(2, Stage.ASSESSING, could_be_better="Nobody rang back.", user=giver, contact_ok=True)
    page = get_page(team_member, "/coproduction/comments")
    assert "1 response" in page.text and "Themes: none yet" in _shown(page)[0] and "Pat Parent" in _shown(page)[0]

    feedback(5, worked_well="Kind and quick.")
    page = get_page(team_member, "/coproduction/comments")
    assert "2 responses" in page.text and "Kind and quick." in _shown(page)[0]

    calls = theme("Phone calls")
    assert team_member.post(f"/coproduction/comments/{row.id}", data={"themes": [str(calls.id)]}).status_code == 302
    assert "Themes: Phone calls" in _shown(get_page(team_member, "/coproduction/comments"))[1]
    # The theme filter offers a new theme at once too.
    assert get_page(team_member, "/coproduction/comments").soup.select_one(f"#theme option[value='{calls.id}']")

    db.session.execute(update(Theme).where(Theme.id == calls.id).values(name="Calls not returned"))
    db.session.execute(update(User).where(User.id == giver.id).values(name="Pat Renamed"))
    db.session.commit()
    shown = _shown(get_page(team_member, "/coproduction/comments"))[1]
    assert "Themes: Calls not returned" in shown and "Pat Renamed" in shown and "Pat Parent" not in shown


def test_a_page_seen_before_reads_no_feedback(team_member, count_queries) -> None:
    for number in range(3):
        feedback(3, worked_well=f"Comment {number}.")
    for query in ("", "?q=comment&stage=assessing", "?comment=any"):
        first = get_page(team_member, f"/coproduction/comments{query}")
        with count_queries() as queries:
            again = get_page(team_member, f"/coproduction/comments{query}")
        assert _shown(again) == _shown(first)
        assert not [statement for statement in queries.statements if "feedback" in statement.split("FROM", 1)[-1]
                    and "data_version" not in statement], queries.statements
    get_page(team_member, "/coproduction/comments?page=2", status=404)
    get_page(team_member, "/coproduction/comments?page=2", status=404)  # a page past the end is never kept
