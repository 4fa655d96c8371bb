"""The pagination renderer gives GOV.UK Frontend's published HTML for every one of its examples."""

import pytest

from portal.components.pagination import pagination
from tests.components.fixtures import assert_same_html, fixtures


@pytest.mark.parametrize("fixture", fixtures("pagination"), ids=lambda fixture: fixture["name"])
def test_matches_the_published_example(fixture):
    assert_same_html(pagination(fixture["options"]), fixture["html"])


def test_text_is_escaped_and_html_is_not():
    html = str(
        pagination(
            {
                "previous": {"href": "/a?x=1&y=2", "text": "<b>back</b>", "labelText": "<i>"},
                "next": {"href": "/next", "html": "<em>on</em>"},
            }
        )
    )
    assert 'href="/a?x=1&amp;y=2"' in html
    assert "&lt;b&gt;back&lt;/b&gt;" in html
    assert '<span class="govuk-pagination__link-label">&lt;i&gt;</span>' in html
    assert "<em>on</em>" in html


def test_the_page_label_defaults_only_when_missing():
    items = [{"number": 1, "href": "/1"}, {"number": 2, "href": "/2", "visuallyHiddenText": ""}]
    html = str(pagination({"items": items}))
    assert 'aria-label="Page 1"' in html
    assert 'aria-label=""' in html


def test_block_mode_is_only_without_items():
    assert "govuk-pagination--block" in pagination({"next": {"href": "/next"}})
    # An empty list is true in JavaScript: not block mode, and an empty list of pages.
    html = str(pagination({"items": [], "next": {"href": "/next"}}))
    assert "govuk-pagination--block" not in html
    assert '<ul class="govuk-pagination__list">\n</ul>' in html


def test_a_difference_in_markup_is_caught():
    with pytest.raises(AssertionError):
        assert_same_html(pagination({"next": {"href": "/other"}}), fixtures("pagination")[9]["html"])
