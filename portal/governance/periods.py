"""The periods a governance report covers: a month, a quarter, a financial year (April to March)
or a calendar year. Plain Python: no Flask, no database.

A period is written the way people write it in a URL or on the command line:
"2026-10" (a month), "2026-Q3" (July to September 2026), "2026-27" (the financial year
1 April 2026 to 31 March 2027) and "2026" (the calendar year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


@dataclass(frozen=True)
class Period:
    kind: str  # "month", "quarter", "financial-year" or "year"
    start: date  # the first day
    end: date  # the last day (inclusive)
    key: str  # as written: "2026-10", "2026-Q3", "2026-27", "2026"
    label: str  # for people: "October 2026", "July to September 2026", ...

    @property
    def after_end(self) -> date:
        """The day after the last day: a half-open range [start, after_end) for SQL."""
        return self.end + timedelta(days=1)

    @property
    def calendar_year(self) -> int:
        """The calendar year the national figures are compared for: the year the period ends in."""
        return self.end.year

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def month(year: int, month_number: int) -> Period:
    start = date(year, month_number, 1)
    return Period("month", start, _month_end(year, month_number), f"{year}-{month_number:02d}",
                  f"{_MONTHS[month_number - 1]} {year}")


def quarter(year: int, number: int) -> Period:
    first = 3 * (number - 1) + 1
    label = f"{_MONTHS[first - 1]} to {_MONTHS[first + 1]} {year}"
    return Period("quarter", date(year, first, 1), _month_end(year, first + 2), f"{year}-Q{number}", label)


def financial_year(year: int) -> Period:
    return Period("financial-year", date(year, 4, 1), date(year + 1, 3, 31), f"{year}-{(year + 1) % 100:02d}",
                  f"April {year} to March {year + 1}")


def calendar_year(year: int) -> Period:
    return Period("year", date(year, 1, 1), date(year, 12, 31), str(year), f"January to December {year}")


def parse(text: str) -> Period | None:
    """The period written as `text`, or None when it is not one. "2026-27" is a financial year
    (its second part is the next year's last two digits); "2026-10" is a month."""
    text = (text or "").strip().upper()
    if not text.isascii() or len(text) > 7:
        return None
    if found := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        return quarter(int(found[1]), int(found[2]))
    if found := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, tail = int(found[1]), int(found[2])
        if year < 1990:
            return None
        if tail == (year + 1) % 100 and not 1 <= tail <= 12:
            return financial_year(year)
        if 1 <= tail <= 12:
            return month(year, tail)
        return None
    if found := re.fullmatch(r"(\d{4})", text):
        year = int(found[1])
        return calendar_year(year) if year >= 1990 else None
    return None


def last_full_month(today: date) -> Period:
    first = today.replace(day=1) - timedelta(days=1)
    return month(first.year, first.month)


def months_ending(last: Period, count: int = 12) -> list[Period]:
    """The `count` months up to and including the month `last` ends in, oldest first."""
    year, number = last.end.year, last.end.month
    found = []
    for _ in range(count):
        found.append(month(year, number))
        year, number = (year, number - 1) if number > 1 else (year - 1, 12)
    return found[::-1]


def choices(today: date) -> list[Period]:
    """The periods a reader can choose: the last 24 months, the last 8 quarters, the last 3
    financial years and the last 3 calendar years, each newest first, this one included."""
    months = months_ending(month(today.year, today.month), 24)[::-1]
    this_quarter = (today.month - 1) // 3 + 1
    quarters, year, number = [], today.year, this_quarter
    for _ in range(8):
        quarters.append(quarter(year, number))
        year, number = (year, number - 1) if number > 1 else (year - 1, 4)
    first_year = today.year if today.month >= 4 else today.year - 1
    financial = [financial_year(first_year - back) for back in range(3)]
    years = [calendar_year(today.year - back) for back in range(3)]
    return [*months, *quarters, *financial, *years]


def choice_label(period: Period) -> str:
    return {
        "month": period.label,
        "quarter": f"Quarter: {period.label}",
        "financial-year": f"Financial year: {period.label}",
        "year": f"Calendar year {period.key}",
    }[period.kind]
