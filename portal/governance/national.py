"""The national picture: the Department for Education's published SEN2 figures for England, a
region and a local authority, for the governance report to set beside the service's own. Plain
Python (no Flask, no database): the published CSVs in data/sen2/ (see data/sen2/SOURCE.md) are
read once and kept.

Published percentages are used exactly as published (one decimal place), never recomputed, so
that the report shows the same numbers as the Department's tables. "x" (suppressed or not
available) and "z" (not applicable) become None. A year with no published figures yet gives the
latest year that has them, and says so.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "sen2"
ENGLAND = "E92000001"


@dataclass(frozen=True)
class Published:
    """One area's figures for one calendar year, as published."""

    area: str
    plans_issued: int | None = None
    within_20_weeks_pc: Decimal | None = None  # including exceptions
    within_20_weeks_ex_pc: Decimal | None = None  # excluding exceptions: the headline figure
    over_20_weeks_under_a_year_pc: Decimal | None = None
    a_year_or_more_pc: Decimal | None = None
    requests_received: int | None = None
    decided_within_6_weeks_pc: Decimal | None = None
    review_decisions_within_4_weeks_pc: Decimal | None = None


@dataclass(frozen=True)
class NationalPicture:
    year: int  # the year the figures are for
    asked_for: int  # the year the report is about
    england: Published
    region: Published | None
    local_authority: Published | None

    @property
    def is_latest_available(self) -> bool:
        """True when the year asked for has no published figures yet, so an earlier year's are shown."""
        return self.year != self.asked_for


def _number(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


def _percent(value: str) -> Decimal | None:
    try:
        return Decimal(value.strip())
    except ArithmeticError:
        return None


def _key(row: dict[str, str]) -> tuple[int, str, str]:
    """(year, level, code): the local authority by its 3-digit code, the region and England by theirs."""
    level = row["geographic_level"]
    code = {"National": row["country_code"], "Regional": row["region_code"]}.get(level, row["old_la_code"])
    return int(row["time_period"]), level, code


@cache
def _rows(name: str) -> dict[tuple[int, str, str], dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as file:
        return {
            _key(row): row for row in csv.DictReader(file) if row["time_identifier"] == "Calendar year"
        }


def published_years() -> list[int]:
    return sorted({year for year, level, _ in _rows("timeliness_20_week.csv") if level == "National"})


def _area(year: int, level: str, code: str) -> Published | None:
    timeliness = _rows("timeliness_20_week.csv").get((year, level, code))
    if timeliness is None:
        return None
    requests = _rows("requests.csv").get((year, level, code), {})
    reviews = _rows("annual_reviews.csv").get((year, level, code), {})
    name = {"National": timeliness["country_name"], "Regional": timeliness["region_name"]}.get(
        level, timeliness["la_name"]
    )
    return Published(
        area=name,
        plans_issued=_number(timeliness["plans_issued_den"]),
        within_20_weeks_pc=_percent(timeliness["pc_plans_issued_within_20_weeks"]),
        within_20_weeks_ex_pc=_percent(timeliness["PC_plans_issued_20_weeks_ex"]),
        over_20_weeks_under_a_year_pc=_percent(timeliness["pc_plans_issued_gt20weeks_ltYear"]),
        a_year_or_more_pc=_percent(timeliness["pc_plans_issued_gt_1_year"]),
        requests_received=_number(requests.get("requests_received_in_year", "")),
        decided_within_6_weeks_pc=_percent(requests.get("request_outcome_six_weeks_pc", "")),
        review_decisions_within_4_weeks_pc=_percent(reviews.get("pc_decsion_4weeks", "")),
    )


def national_picture(year: int, la_code: str) -> NationalPicture:
    """England's, the local authority's region's and the local authority's published figures for
    `year`, or for the latest published year before it. An unknown code gives no region or
    authority, only England."""
    years = published_years()
    shown = max((y for y in years if y <= year), default=years[0])
    authority = _area(shown, "Local authority", la_code)
    region = None
    if authority is not None:
        region_code = _rows("timeliness_20_week.csv")[(shown, "Local authority", la_code)]["region_code"]
        region = _area(shown, "Regional", region_code)
    return NationalPicture(
        year=shown, asked_for=year, england=_area(shown, "National", ENGLAND), region=region,
        local_authority=authority,
    )
