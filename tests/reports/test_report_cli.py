"""`flask report monthly`, for a scheduled job: one month's report as CSV or as an HTML board paper."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask

from portal.ehcp.stages import Stage
from portal.extensions import db
from tests.helpers import Factory


def test_a_month_as_csv_and_as_html(app: Flask, make: Factory, tmp_path) -> None:
    team = make.team("North SEND team")
    for number in range(6):
        case = make.case(child=make.child(team=team), stage=Stage.FINAL_PLAN,
                         request_received_on=date(2026, 10, 10) - timedelta(days=100 + 20 * number))
        case.first_final_plan_on = case.final_plan_on = date(2026, 10, 10)
    db.session.commit()
    runner = app.test_cli_runner()
    out = tmp_path / "october.csv"
    result = runner.invoke(args=["report", "monthly", "--month", "2026-10", "--format", "csv", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote the governance report for October 2026" in result.output
    text = out.read_text(encoding="utf-8")
    # 100, 120 and 140 days are within 20 weeks; 160, 180 and 200 are not.
    assert ("October 2026,All teams,New EHC plans,\"New plans issued within 20 weeks, including exceptions\","
            "fewer than 5,6,fewer than 5") in text
    assert "October 2026,All teams,New EHC plans,Requests for an assessment received,0,," in text

    page = tmp_path / "october.html"
    result = runner.invoke(args=["report", "monthly", "--month", "2026-10", "--output", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert "<h1>Governance report: October 2026</h1>" in html
    assert "How we count this" in html and "<script" not in html


def test_a_month_not_understood_or_not_started_is_refused(app: Flask) -> None:
    runner = app.test_cli_runner()
    for month, problem in (("2026-Q3", "Enter a month as a year and month"), ("2999-01", "has not started yet")):
        result = runner.invoke(args=["report", "monthly", "--month", month])
        assert result.exit_code == 2
        assert problem in result.output
