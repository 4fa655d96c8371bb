"""The comments: filters, search, pagination, tagging with themes (suggested themes are hints
only), bad input never a 500, and at most 10 statements whatever the number of responses."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.feedback.models import FeedbackTheme
from portal.models import AuditEvent
from tests.coproduction.support import feedback, many, months_ago, shown, theme
from tests.helpers import get_page


def _shown(page) -> list[str]:
    return shown(page)


@pytest.fixture
def comments():
    communication = theme("Communication")
    transport = theme("Transport")
    rows = {
        "late": feedback(1, Stage.ASSESSING, months_ago(1), could_be_better="Nobody rang back about the 100% plan_x",
                         themes=(communication,)),
        "bus": feedback(2, Stage.FINAL_PLAN, could_be_better="The BUS never came.", themes=(transport,)),
        "kind": feedback(5, None, worked_well="Kind and quick."),
        "silent": feedback(3, Stage.ASSESSING),
    }
    return rows, communication, transport


def test_comments_newest_month_first_with_a_comment_only_by_default(team_member, comments) -> None:
    page = get_page(team_member, "/coproduction/comments")
    shown = _shown(page)
    assert len(shown) == 3 and "3 responses" in page.text
    assert "Nobody rang back" in shown[-1]  # last month's comes after this month's
    assert "Very dissatisfied" in shown[-1] and "Assessing" in shown[-1] and "Communication" in shown[-1]
    assert "Given at any time" in shown[0]


@pytest.mark.parametrize(("query", "count", "words"), [
    ("stage=final_plan", 1, "BUS"),
    ("stage=none", 1, "Kind"),
    ("rating=1", 1, "Nobody"),
    ("comment=no", 1, "Neither satisfied nor dissatisfied"),
    ("comment=any&stage=assessing", 2, "3 out of 5"),
    ("q=bus", 1, "BUS"),
    ("q=KIND+AND", 1, "Kind"),
    ("q=100%25", 1, "Nobody"),
    ("q=plan_x", 1, "Nobody"),
    ("q=%25", 1, "Nobody"),
    ("q=_", 1, "Nobody"),
    ("q=planx", 0, None),
])
def test_filters_and_search(team_member, comments, query: str, count: int, words: str | None) -> None:
    shown = _shown(get_page(team_member, f"/coproduction/comments?{query}"))
    assert len(shown) == count, (query, shown)
    assert words is None or any(words in item for item in shown), (query, words, shown)


def test_filter_by_theme_and_month(team_member, comments) -> None:
    _rows, _communication, transport = comments
    shown = _shown(get_page(team_member, f"/coproduction/comments?theme={transport.id}"))
    assert len(shown) == 1 and "BUS" in shown[0]
    shown = _shown(get_page(team_member, f"/coproduction/comments?month={months_ago(1):%Y-%m}"))
    assert len(shown) == 1 and "Nobody" in shown[0]


@pytest.mark.parametrize("query", [
    "q=" + "x" * 101, "stage=made-up", "rating=6", "rating=1.5", "month=1999-01", "month=2026-13",
    "theme=999999999999999999999999", "theme=abc", "comment=maybe",
])
def test_bad_filters_are_a_400_with_an_error_summary(team_member, comments, query: str) -> None:
    page = get_page(team_member, f"/coproduction/comments?{query}", status=400)
    assert page.error_messages()
    response = team_member.get(f"/coproduction/comments.csv?{query}")
    assert response.status_code == 400


@pytest.mark.parametrize("q", ["<script>alert(1)</script>", "Ǆ̈̈̈̈ 😀 \u202e", "'; DROP TABLE feedback; --", "x" * 100])
def test_odd_searches_are_safe(team_member, comments, q: str) -> None:
    response = team_member.get("/coproduction/comments", query_string={"q": q})
    assert response.status_code in (200, 400)
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize(("page_number", "status"), [("abc", 200), ("-1", 200), ("0", 200), ("2", 404),
                                                     ("99999999999999999999", 404)])
def test_bad_page_numbers(team_member, comments, page_number: str, status: int) -> None:
    get_page(team_member, f"/coproduction/comments?page={page_number}", status=status)


def test_with_or_without_a_comment_and_no_other_filter_counts_every_response(team_member) -> None:
    many(20, month=months_ago(0))
    many(10, month=months_ago(0), with_comment=False)
    page = get_page(team_member, "/coproduction/comments?comment=any")
    assert "30 responses" in page.text and "Page 1 of 2." in page.text
    assert len(_shown(get_page(team_member, "/coproduction/comments?comment=any&page=2"))) == 5
    assert "10 responses" in get_page(team_member, "/coproduction/comments?comment=no").text


def test_back_to_comments_goes_back_to_the_same_filters_and_page(team_member) -> None:
    communication = theme("Communication")
    many(30, month=months_ago(0))
    page = get_page(team_member, "/coproduction/comments?q=number&comment=any&page=2")
    link = page.soup.select_one("main li.app-message a")["href"]
    assert link.startswith("/coproduction/comments/") and "q=number" in link and "page=2" in link
    comment = get_page(team_member, link)
    back = comment.soup.select_one(".govuk-back-link")["href"]
    assert back == "/coproduction/comments?q=number&comment=any&page=2"
    # Tagging keeps the place too.
    action = comment.soup.select_one("main form")["action"]
    response = team_member.post(action, data={"themes": [str(communication.id)]})
    tagged = get_page(team_member, response.location)
    assert tagged.soup.select_one(".govuk-back-link")["href"] == back


def test_pagination_keeps_the_filters(team_member) -> None:
    many(30, month=months_ago(0))
    page = get_page(team_member, "/coproduction/comments?q=number&comment=any")
    links = [a["href"] for a in page.soup.select(".govuk-pagination a")]
    assert links and all("q=number" in link and "comment=any" in link for link in links)
    page = get_page(team_member, "/coproduction/comments?page=2")
    assert len(_shown(page)) == 5


def test_tagging_a_comment_and_the_suggestions_are_only_hints(team_member, comments) -> None:
    _rows, _communication, transport = comments
    waiting = theme("Waiting times")
    feedback_id = feedback(2, could_be_better="We waited months and the communication was poor.").id
    page = get_page(team_member, f"/coproduction/comments/{feedback_id}")
    assert page.soup.select_one("#suggested").get_text(" ", strip=True).startswith(
        "Suggested: Communication, Waiting times")
    assert db.session.scalars(select(FeedbackTheme).where(FeedbackTheme.feedback_id == feedback_id)).all() == []
    response = team_member.post(f"/coproduction/comments/{feedback_id}",
                                data={"themes": [str(waiting.id), str(transport.id)]})
    assert response.status_code == 302
    tagged = set(db.session.scalars(select(FeedbackTheme.theme_id).where(FeedbackTheme.feedback_id == feedback_id)))
    assert tagged == {waiting.id, transport.id}
    page = get_page(team_member, f"/coproduction/comments/{feedback_id}")
    assert "Themes saved." in page.text and "Suggested: Communication." in page.text
    # Untagging: none ticked.
    assert team_member.post(f"/coproduction/comments/{feedback_id}", data={}).status_code == 302
    assert not db.session.scalars(select(FeedbackTheme).where(FeedbackTheme.feedback_id == feedback_id)).all()
    events = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "feedback-tagged").order_by(AuditEvent.id)
    ).all()
    assert events == ["Transport, Waiting times", "No themes"]


def test_tagging_with_bad_input_is_never_a_500(team_member, comments) -> None:
    rows, _communication, _transport = comments
    url = f"/coproduction/comments/{rows['bus'].id}"
    response = team_member.post(url, data={"themes": ["abc"]})
    assert response.status_code == 400
    response = team_member.post(url, data={"themes": ["99999"]})  # a theme that does not exist: left out
    assert response.status_code == 302
    get_page(team_member, "/coproduction/comments/99999", status=404)


@pytest.mark.parametrize("responses", [10, 5000])
def test_the_comments_page_takes_at_most_10_statements(team_member, count_queries, responses: int) -> None:
    communication = theme("Communication")
    many(responses, theme=communication)
    for query in ("", "?q=comment&stage=assessing", f"?theme={communication.id}&comment=any", "?page=2"):
        with count_queries() as queries:
            page = get_page(team_member, f"/coproduction/comments{query}", status=200 if responses > 25 or
                            query != "?page=2" else 404)
        assert queries.count <= 10, (query, queries.statements)
        if page.response.status_code == 200 and query == "":
            assert len(_shown(page)) == min(responses, 25)


def test_a_theme_or_search_with_very_many_matches_says_more_than(team_member, monkeypatch) -> None:
    from portal.coproduction import queries

    monkeypatch.setattr(queries, "COUNTED_AT_MOST", 30)
    many(40, month=months_ago(0))
    page = get_page(team_member, "/coproduction/comments?q=comment")
    assert "More than 30 responses" in page.text and "These are the newest 30." in page.text
    get_page(team_member, "/coproduction/comments?q=comment&page=2")
    get_page(team_member, "/coproduction/comments?q=comment&page=3", status=404)
    assert "40 responses" in get_page(team_member, "/coproduction/comments").text
