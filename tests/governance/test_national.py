"""The national picture is the Department for Education's published figures, read exactly."""

from decimal import Decimal

from portal.governance.national import national_picture, published_years

DEVON = "878"


def test_englands_2024_rate_excluding_exceptions_is_46_point_4_percent():
    picture = national_picture(2024, "000")
    assert picture.england.area == "England"
    assert picture.england.within_20_weeks_ex_pc == Decimal("46.4")
    assert picture.england.within_20_weeks_pc == Decimal("45.9")
    assert picture.england.plans_issued == 90392
    assert picture.england.decided_within_6_weeks_pc == Decimal("84.8")
    assert picture.england.review_decisions_within_4_weeks_pc == Decimal("44.4")
    assert not picture.is_latest_available


def test_a_local_authority_comes_with_its_region():
    picture = national_picture(2021, DEVON)
    assert picture.local_authority.area == "Devon"
    assert picture.local_authority.within_20_weeks_ex_pc == Decimal("38.8")
    assert picture.region.area == "South West"
    assert picture.england.within_20_weeks_ex_pc == Decimal("59.9")


def test_a_year_without_published_figures_shows_the_latest_year_that_has_them():
    picture = national_picture(2026, DEVON)
    assert (picture.year, picture.asked_for, picture.is_latest_available) == (2024, 2026, True)
    assert published_years() == [2019, 2020, 2021, 2022, 2023, 2024]


def test_suppressed_figures_are_none_not_zero():
    picture = national_picture(2019, "000")
    assert picture.england.over_20_weeks_under_a_year_pc is None
    assert picture.england.decided_within_6_weeks_pc is None
    assert picture.england.review_decisions_within_4_weeks_pc is None


def test_an_unknown_local_authority_gives_england_only():
    picture = national_picture(2024, "000")
    assert picture.local_authority is None and picture.region is None
