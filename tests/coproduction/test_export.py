"""The CSV export of the current filter: UTF-8 with a BOM, the columns in order, formula
injection neutralised, identifiers only where the family agreed to be contacted, audited."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from portal.coproduction import export
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.models import AuditEvent, Role
from tests.coproduction.support import feedback, months_ago, theme
from tests.helpers import sign_in_fast


@pytest.fixture
def team_member(client, make):
    sign_in_fast(client, make.user(Role.COPRODUCTION, name="Cora Coproduction"))
    return client


def _rows(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_every_dangerous_first_character_is_neutralised(first: str) -> None:
    assert export.neutralise(f"{first}HYPERLINK(\"http://x\")") == f"'{first}HYPERLINK(\"http://x\")"


@pytest.mark.parametrize("value", ["Fine", "", None, 4, "a=b", " =1"])
def test_other_cells_are_left_alone(value) -> None:
    assert export.neutralise(value) == ("" if value is None else str(value))


def test_the_csv_of_the_current_filter(team_member) -> None:
    school = theme("School")
    feedback(1, Stage.ASSESSING, months_ago(1), could_be_better='=cmd|" /C calc"!A0', worked_well="+1 for the SENCo",
             themes=(school,))
    feedback(5, Stage.FINAL_PLAN, worked_well="@everyone was kind")
    feedback(2, Stage.FINAL_PLAN, worked_well="-2 out of 10\r\nand a tab\there")
    response = team_member.get("/coproduction/comments.csv?stage=assessing")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="feedback-')
    rows = _rows(response)
    assert rows[0] == list(export.HEADER)
    assert rows[1:] == [[f"{months_ago(1):%B %Y}", "Assessing", "Given at any time", "1", "'+1 for the SENCo",
                         "'=cmd|\" /C calc\"!A0", "School", "", ""]]
    everything = _rows(team_member.get("/coproduction/comments.csv?comment=any"))
    assert {row[4] for row in everything[1:]} == {"'+1 for the SENCo", "'@everyone was kind",
                                                  "'-2 out of 10\r\nand a tab\there"}
    events = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "feedback-exported").order_by(AuditEvent.id)
    ).all()
    assert events == ["stage=assessing", "comment=any"]


def test_unicode_survives_the_export(team_member) -> None:
    feedback(4, worked_well="Zoë’s café — ☺ 😀")
    rows = _rows(team_member.get("/coproduction/comments.csv"))
    assert rows[1][4] == "Zoë’s café — ☺ 😀"


def test_many_rows_are_streamed_in_chunks() -> None:
    chunks = list(export.lines([("a", i) for i in range(export.ROWS_A_CHUNK * 2 + 1)]))
    assert len(chunks) == 3 and chunks[0].startswith("\ufeffMonth,")
