"""The tag renderer gives GOV.UK Frontend's published HTML for every one of its examples."""

import pytest

from portal.components.tag import tag
from tests.components.fixtures import assert_same_html, fixtures


@pytest.mark.parametrize("fixture", fixtures("tag"), ids=lambda fixture: fixture["name"])
def test_matches_the_published_example(fixture):
    assert_same_html(tag(fixture["options"]), fixture["html"])


def test_text_is_escaped_and_html_is_not():
    assert str(tag({"text": "<b>"})) == '<strong class="govuk-tag">&lt;b&gt;</strong>'
    assert str(tag({"html": "<b>x</b>"})) == '<strong class="govuk-tag"><b>x</b></strong>'


def test_a_difference_in_markup_is_caught():
    with pytest.raises(AssertionError):
        assert_same_html(
            '<strong class="govuk-tag govuk-tag--red">Late</strong>', '<strong class="govuk-tag">Late</strong>'
        )
