"""Pace basis: how much of a month has elapsed (calendar days, working days, or last year's
season), so a cell coarser than a month is split over its months the way the plan paces."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from salescope.analytics.actuals import actual_totals
from salescope.core.periods import month_end
from salescope.plans import rules
from salescope.plans.choices import PaceBasis
from salescope.plans.models import Plan

Calendar = tuple[frozenset[dt.date], frozenset[dt.date]]  # public holidays, 调休 workdays
NO_CALENDAR: Calendar = (frozenset(), frozenset())


def _work_calendar(plan: Plan, basis: str) -> Calendar:
    """The holidays and make-up working days of the plan's period (core/calendar.py), read
    once per report and only when pace counts working days."""
    if basis != PaceBasis.WORKING_DAYS:
        return NO_CALENDAR
    from salescope.core.calendar import holidays_and_workdays

    return holidays_and_workdays(plan.period_start, plan.period_end)


def _month_weights(
    plan: Plan, months: list[dt.date], basis: str, season: dict, work_days: Calendar
) -> list[Any]:
    if basis == PaceBasis.SEASONALITY and any(season.get(m) for m in months):
        return [season.get(m, 0) for m in months]
    if basis == PaceBasis.WORKING_DAYS:
        holidays, workdays = work_days
        return [
            sum(
                1
                for d in range(month_end(m).day)
                if rules.is_working_day(m + dt.timedelta(days=d), holidays, workdays)
            )
            for m in months
        ]
    return [month_end(m).day for m in months]


class MonthWeights:
    """:func:`_month_weights` for one plan and metric, reading the season or the working-day
    calendar once and only when the plan's basis needs it (for readers that split a few cells
    without building the whole report, e.g. commission statements)."""

    def __init__(self, viewer: Any, plan: Plan, metric: str) -> None:
        self.viewer, self.plan, self.metric = viewer, plan, metric
        self._season: dict[dt.date, int] | None = None
        self._calendar: Calendar | None = None

    def of(self, months: list[dt.date]) -> list[Any]:
        basis = self.plan.pace_basis
        if basis == PaceBasis.SEASONALITY and self._season is None:
            self._season = _season(self.viewer, self.plan, self.metric)
        if self._calendar is None:
            self._calendar = _work_calendar(self.plan, basis)
        return _month_weights(self.plan, months, basis, self._season or {}, self._calendar)


_SHARES: dict[tuple, Fraction | int] = {}


def _month_share(
    month: dt.date, as_of: dt.date, basis: str, work_days: Calendar = NO_CALENDAR
) -> Fraction | int:
    """Elapsed share of one month at ``as_of`` (memoised: pure function of its arguments,
    the calendar's days included, so an edited calendar is a new key).
    A month wholly elapsed or not begun is the int 1 or 0: rows compare shares with 1 and 0
    thousands of times, and an int compares far faster than a Fraction."""
    key = (month, as_of, basis, work_days)
    if key not in _SHARES:
        if len(_SHARES) > 10_000:
            _SHARES.clear()
        share = _month_share_uncached(month, as_of, basis, work_days)
        _SHARES[key] = 1 if share == 1 else 0 if share == 0 else share
    return _SHARES[key]


def _month_share_uncached(
    month: dt.date, as_of: dt.date, basis: str, work_days: Calendar
) -> Fraction:
    within = rules.PaceBasis.WORKING_DAYS if basis == PaceBasis.WORKING_DAYS else "calendar"
    holidays, workdays = work_days
    return rules.elapsed_share(
        rules.Period(month, month_end(month)),
        as_of,
        rules.PaceBasis(within),
        holidays=holidays,
        workdays=workdays,
    )


def _season(viewer: Any, plan: Plan, metric: str) -> dict[dt.date, int]:
    """Last year's actual per month (shifted to this year): the seasonality profile."""
    from salescope.core.periods import add_months

    totals = actual_totals(
        viewer=viewer,
        metric=metric,
        date_from=add_months(plan.period_start, -12),
        date_to=add_months(plan.period_end.replace(day=1), -12),
        group_by=("month",),
    )
    return {add_months(k[0], 12): v for k, v in totals.items() if k[0] is not None}
