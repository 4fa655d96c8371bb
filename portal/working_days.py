"""Working days in England: Monday to Friday, except England and Wales bank holidays. Plain
Python, no Flask. The bank holidays come from govuk-bank-holidays' copy shipped with the package
(no network call), which covers the years GOV.UK has published."""

from __future__ import annotations

from datetime import date
from functools import cache

from govuk_bank_holidays.bank_holidays import BankHolidays


@cache
def _bank_holidays() -> frozenset[date]:
    holidays = BankHolidays(use_cached_holidays=True).get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
    return frozenset(holiday["date"] for holiday in holidays)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays()
