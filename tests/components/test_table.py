"""The table renderer gives GOV.UK Frontend's published HTML for every one of its examples."""

import pytest

from portal.components.table import table
from tests.components.fixtures import assert_same_html, fixtures


@pytest.mark.parametrize("fixture", fixtures("table"), ids=lambda fixture: fixture["name"])
def test_matches_the_published_example(fixture):
    assert_same_html(table(fixture["options"]), fixture["html"])


def test_text_is_escaped_and_html_is_not():
    rows = [[{"html": "<em>x</em>"}, {"text": "a & b"}]]
    html = str(table({"caption": "<i>", "head": [{"text": "<b>"}], "rows": rows}))
    assert '<caption class="govuk-table__caption">&lt;i&gt;</caption>' in html
    assert '<th scope="col" class="govuk-table__header">&lt;b&gt;</th>' in html
    assert '<td class="govuk-table__cell"><em>x</em></td>' in html
    assert '<td class="govuk-table__cell">a &amp; b</td>' in html


def test_an_empty_row_is_rendered_and_a_missing_one_is_not():
    # As in Nunjucks: an empty list is true in JavaScript, None and False are not.
    html = str(table({"rows": [[], None, False, [None]]}))
    assert html.count('<tr class="govuk-table__row">') == 2
    assert '<td class="govuk-table__cell"></td>' in html


def test_values_are_written_as_nunjucks_writes_them():
    html = str(table({"rows": [[{"text": True, "colspan": 2.0}, {"text": 0}]]}))
    assert '<td class="govuk-table__cell" colspan="2">true</td>' in html
    assert '<td class="govuk-table__cell">0</td>' in html


def test_a_difference_in_markup_is_caught():
    with pytest.raises(AssertionError):
        assert_same_html(table({"rows": [[{"text": "Jan", "format": "numeric"}]]}), fixtures("table")[3]["html"])
