"""Periods and the fiscal calendar: months (first day) roll up to quarters and years.

Facts store the first day of their month. A fiscal year may start in any month; it is named
after the calendar year in which it *starts* (FY2026 starting April runs 2026-04 … 2027-03).
Pure functions, no ORM.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + (month.month - 1) + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from ``first``'s month to ``last``'s month, both included."""
    start, end = month_start(first), month_start(last)
    months = []
    while start <= end:
        months.append(start)
        start = add_months(start, 1)
    return months


def month_end(month: dt.date) -> dt.date:
    return add_months(month_start(month), 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class FiscalCalendar:
    start_month: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.start_month <= 12:
            raise ValueError("start_month must be between 1 and 12")

    def year_of(self, day: dt.date) -> int:
        return day.year if day.month >= self.start_month else day.year - 1

    def year_start(self, fiscal_year: int) -> dt.date:
        return dt.date(fiscal_year, self.start_month, 1)

    def months_of_year(self, fiscal_year: int) -> list[dt.date]:
        first = self.year_start(fiscal_year)
        return [add_months(first, i) for i in range(12)]

    def quarter_of(self, day: dt.date) -> int:
        """Fiscal quarter 1–4 of ``day``."""
        offset = (day.month - self.start_month) % 12
        return offset // 3 + 1

    def months_of_quarter(self, fiscal_year: int, quarter: int) -> list[dt.date]:
        if not 1 <= quarter <= 4:
            raise ValueError("quarter must be between 1 and 4")
        first = add_months(self.year_start(fiscal_year), (quarter - 1) * 3)
        return [add_months(first, i) for i in range(3)]

    def label(self, day: dt.date) -> str:
        """``2026Q3`` style label of the fiscal quarter containing ``day``."""
        return f"{self.year_of(day)}Q{self.quarter_of(day)}"


def company_calendar() -> FiscalCalendar:
    return FiscalCalendar(start_month=settings.SALESCOPE_FISCAL_YEAR_START_MONTH)
