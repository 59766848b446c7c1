"""Periods and the fiscal calendar (pure functions, no database)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescope.core.periods import (
    FiscalCalendar,
    add_months,
    company_calendar,
    month_end,
    month_start,
    months_between,
)

months = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)).map(month_start)
counts = st.integers(min_value=-1200, max_value=1200)
start_months = st.integers(min_value=1, max_value=12)
fiscal_years = st.integers(min_value=1950, max_value=2150)


@given(months, counts)
def test_add_months_round_trips(month, count):
    assert add_months(add_months(month, count), -count) == month


@given(months, counts, counts)
def test_add_months_composes(month, a, b):
    assert add_months(add_months(month, a), b) == add_months(month, a + b)


@given(months, st.integers(min_value=0, max_value=240))
def test_months_between_counts_both_ends(month, count):
    span = months_between(month, add_months(month, count))
    assert len(span) == count + 1
    assert span[0] == month
    assert span[-1] == add_months(month, count)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_month_end_is_the_last_day(day):
    end = month_end(day)
    assert end.month == day.month
    assert (end + dt.timedelta(days=1)).day == 1


def test_month_end_knows_leap_years():
    assert month_end(dt.date(2028, 2, 10)) == dt.date(2028, 2, 29)
    assert month_end(dt.date(2026, 2, 10)) == dt.date(2026, 2, 28)
    assert month_end(dt.date(2100, 2, 1)) == dt.date(2100, 2, 28)


@given(start_months, fiscal_years)
def test_fiscal_year_has_twelve_distinct_consecutive_months(start, year):
    calendar = FiscalCalendar(start_month=start)
    year_months = calendar.months_of_year(year)
    assert len(set(year_months)) == 12
    assert {m.month for m in year_months} == set(range(1, 13))
    assert year_months[0] == dt.date(year, start, 1)
    assert all(calendar.year_of(m) == year for m in year_months)
    assert [add_months(year_months[0], i) for i in range(12)] == year_months


@given(start_months, fiscal_years)
def test_quarters_partition_the_fiscal_year_consistently(start, year):
    calendar = FiscalCalendar(start_month=start)
    by_quarter = [calendar.months_of_quarter(year, q) for q in (1, 2, 3, 4)]
    assert [m for quarter in by_quarter for m in quarter] == calendar.months_of_year(year)
    for quarter, quarter_months in enumerate(by_quarter, start=1):
        assert [calendar.quarter_of(m) for m in quarter_months] == [quarter] * 3


@given(start_months, st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2150, 12, 31)))
def test_any_day_lies_in_the_quarter_and_year_it_is_labelled_with(start, day):
    calendar = FiscalCalendar(start_month=start)
    year, quarter = calendar.year_of(day), calendar.quarter_of(day)
    assert month_start(day) in calendar.months_of_quarter(year, quarter)
    assert calendar.label(day) == f"{year}Q{quarter}"


def test_april_fiscal_year_is_named_after_its_starting_year():
    calendar = FiscalCalendar(start_month=4)
    assert calendar.label(dt.date(2026, 4, 1)) == "2026Q1"
    assert calendar.label(dt.date(2027, 3, 31)) == "2026Q4"
    assert calendar.label(dt.date(2026, 12, 15)) == "2026Q3"


@pytest.mark.parametrize("bad", [0, 13, -1])
def test_start_month_outside_the_year_is_refused(bad):
    with pytest.raises(ValueError, match="start_month must be between 1 and 12"):
        FiscalCalendar(start_month=bad)


def test_quarter_outside_one_to_four_is_refused():
    with pytest.raises(ValueError, match="quarter must be between 1 and 4"):
        FiscalCalendar().months_of_quarter(2026, 5)


def test_company_calendar_follows_the_setting(settings):
    settings.SALESCOPE_FISCAL_YEAR_START_MONTH = 7
    assert company_calendar() == FiscalCalendar(start_month=7)
