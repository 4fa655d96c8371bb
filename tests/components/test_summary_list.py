"""The summary list renderer gives GOV.UK Frontend's published HTML for every one of its examples,
and keeps Nunjucks' semantics where Python's would differ."""

import pytest

from portal.components import attributes
from portal.components.summary_list import summary_list
from tests.components.fixtures import assert_same_html, canonical, fixtures

ROW = {"key": {"text": "Name"}, "value": {"text": "Sam"}}
CHANGE = {"actions": {"items": [{"href": "/name", "text": "Change", "visuallyHiddenText": "name"}]}}


@pytest.mark.parametrize("fixture", fixtures("summary-list"), ids=lambda fixture: fixture["name"])
def test_matches_the_published_example(fixture):
    assert_same_html(summary_list(fixture["options"]), fixture["html"])


def test_every_published_example_is_checked():
    assert len(fixtures("summary-list")) == 30


def test_text_is_escaped_and_html_is_not():
    html = str(
        summary_list(
            {
                "classes": "a&b",
                "rows": [
                    {
                        "key": {"text": "<b>key</b>"},
                        "value": {"html": "<b>value</b>"},
                        "actions": {"items": [{"href": "/x?a=1&b=2", "text": "<i>", "visuallyHiddenText": "<u>"}]},
                    }
                ],
                "card": {"title": {"text": "Tom & Jerry"}},
            }
        )
    )
    assert "&lt;b&gt;key&lt;/b&gt;" in html
    assert "<b>value</b>" in html
    assert 'href="/x?a=1&amp;b=2"' in html
    assert "&lt;i&gt;" in html and " &lt;u&gt; (Tom &amp; Jerry)</span>" in html
    assert 'class="govuk-summary-list a&amp;b"' in html


def test_falsy_rows_are_left_out():
    html = summary_list({"rows": [None, ROW, False, "", 0]})
    assert str(html).count("govuk-summary-list__row") == 1


def test_an_empty_row_is_still_a_row_as_in_nunjucks():
    assert str(summary_list({"rows": [{}]})).count('class="govuk-summary-list__row"') == 1


def test_rows_without_actions_get_the_empty_cell_only_when_another_row_has_actions():
    assert "--no-actions" not in summary_list({"rows": [ROW, ROW]})
    html = str(summary_list({"rows": [ROW | CHANGE, ROW, ROW | {"actions": {}}]}))
    assert html.count("govuk-summary-list__row--no-actions") == 2
    # `not []` is false in Nunjucks: an empty items list is not "no actions", though nothing is drawn.
    html = str(summary_list({"rows": [ROW | CHANGE, ROW | {"actions": {"items": []}}]}))
    assert "--no-actions" not in html and html.count("govuk-summary-list__actions") == 1


def test_an_empty_card_is_still_a_card():
    assert_same_html(
        summary_list({"card": {}, "rows": []}),
        '<div class="govuk-summary-card"><div class="govuk-summary-card__title-wrapper"></div>'
        '<div class="govuk-summary-card__content"><dl class="govuk-summary-list"></dl></div></div>',
    )
    assert "govuk-summary-card" not in summary_list({"rows": [ROW]})


def test_the_card_title_names_every_action_and_sets_the_heading_level():
    html = str(summary_list({"card": {"title": {"text": "Child", "headingLevel": 3}}, "rows": [ROW | CHANGE]}))
    assert '<h3 class="govuk-summary-card__title">' in html and "</h3>" in html
    assert '<span class="govuk-visually-hidden"> name (Child)</span>' in html


def test_values_are_written_as_nunjucks_writes_them():
    html = summary_list({"rows": [{"key": {"text": "Count"}, "value": {"text": 0}}, {"key": {"text": True}}]})
    assert ("text", "0") in canonical(html) and ("text", "true") in canonical(html)


def test_the_visually_hidden_text_keeps_its_leading_space():
    assert '>Change<span class="govuk-visually-hidden"> name</span></a>' in summary_list({"rows": [ROW | CHANGE]})


def test_an_optional_zero_attribute_is_kept_as_in_nunjucks():
    assert attributes({"data-count": {"value": 0, "optional": True}, "hidden": {"value": False, "optional": True}}) == (
        ' data-count="0"'
    )
