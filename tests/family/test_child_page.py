"""The family's page about one child (/family/children/<id>): details and links to every case."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient

from portal.ehcp.stages import Stage
from tests.family.helpers import REQUEST, Family, words
from tests.helpers import Factory, get_page, sign_in_fast


def test_the_child_page_links_to_every_case_newest_first(
    client: FlaskClient, make: Factory, family: Family
) -> None:
    older = make.case(child=family.child, stage=Stage.NOT_ASSESSING, request_received_on=date(2023, 3, 6))
    newer = make.case(child=family.child, stage=Stage.ASSESSING, request_received_on=REQUEST)
    sign_in_fast(client, family.parent)
    page = get_page(client, f"/family/children/{family.child.id}")
    items = page.soup.select("main ul.govuk-list > li")
    assert [words(item) for item in items] == [
        f"{newer.reference}: request received 6 January 2025 Assessing",
        f"{older.reference}: request received 6 March 2023 Not assessing",
    ]
    assert [item.a["href"] for item in items] == [f"/family/cases/{newer.id}", f"/family/cases/{older.id}"]


def test_a_child_with_no_case(client: FlaskClient, family: Family) -> None:
    sign_in_fast(client, family.parent)
    page = get_page(client, f"/family/children/{family.child.id}")
    assert "There is no request for an education, health and care (EHC) needs assessment for Ourchild" in page.text
