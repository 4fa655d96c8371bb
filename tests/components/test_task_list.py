"""The task list renderer gives GOV.UK Frontend's published HTML for every one of its examples,
and keeps Nunjucks' semantics where Python's would differ."""

import pytest

from portal.components.task_list import task_list
from tests.components.fixtures import assert_same_html, fixtures

TASK = {"title": {"text": "Task"}, "href": "/task", "status": {"text": "Done"}}


@pytest.mark.parametrize("fixture", fixtures("task-list"), ids=lambda fixture: fixture["name"])
def test_matches_the_published_example(fixture):
    assert_same_html(task_list(fixture["options"]), fixture["html"])


def test_every_published_example_is_checked():
    assert len(fixtures("task-list")) == 11


def test_text_is_escaped_and_html_is_not():
    html = str(
        task_list(
            {
                "classes": "a&b",
                "idPrefix": 'x"y',
                "items": [
                    {
                        "title": {"text": "<b>title</b>"},
                        "href": "/x?a=1&b=2",
                        "hint": {"html": " <i>hint</i> "},
                        "status": {"text": "Tom & Jerry"},
                    },
                    {"title": {"html": "<b>unlinked</b>", "classes": "c<d"}, "status": {"tag": {"text": "<u>"}}},
                ],
            }
        )
    )
    assert "&lt;b&gt;title&lt;/b&gt;" in html and "<b>unlinked</b>" in html
    assert ">\n<i>hint</i>\n<" in html  # html is trimmed, as the template trims it
    assert 'href="/x?a=1&amp;b=2"' in html and "Tom &amp; Jerry" in html
    assert 'class="govuk-task-list a&amp;b"' in html and '<div class="c&lt;d">' in html
    assert '<strong class="govuk-tag">&lt;u&gt;</strong>' in html
    assert 'id="x&#34;y-1-hint"' in html


def test_ids_count_every_item_and_describe_the_link():
    html = str(task_list({"idPrefix": "tasks", "items": [None, TASK, False, TASK | {"hint": {"text": "Hint"}}]}))
    assert html.count("<li ") == 2
    assert 'aria-describedby="tasks-2-status"' in html and 'id="tasks-2-status"' in html
    assert 'aria-describedby="tasks-4-hint tasks-4-status"' in html
    assert 'id="tasks-4-hint"' in html and 'id="tasks-4-status"' in html
    assert 'id="task-list-1-status"' in str(task_list({"idPrefix": "", "items": [TASK]}))


def test_only_items_with_a_link_are_marked_with_link():
    html = str(task_list({"items": [TASK, TASK | {"href": ""}, {"title": {"text": "No link"}}]}))
    assert html.count("govuk-task-list__item--with-link") == 1 and html.count("<a ") == 1
    assert "aria-describedby" in html and html.count("<div>") == 2


def test_an_empty_hint_or_tag_is_still_drawn_as_in_nunjucks():
    html = str(task_list({"items": [{"hint": {}, "status": {"tag": {}}}]}))
    assert 'id="task-list-1-hint"' in html and '<strong class="govuk-tag"></strong>' in html
