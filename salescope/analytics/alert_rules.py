"""The pure rules of the early warnings (B2): when a figure is a warning. No ORM: the
evaluator (``services.evaluate_alerts``) reads the facts set-based and asks these functions,
and the tests ask them directly (hypothesis properties, golden cases on generated data).

Amounts are integer fen; days are whole days; every threshold comes from :class:`Thresholds`
(defaults here, overridden by the Django setting ``SALESCOPE_ALERT_THRESHOLDS``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

SEASON_WINDOW = 3  # months of recent level the seasonal expectation is scaled from
RATIO_LIMIT = Decimal(3)  # this year's level against last year's, clamped to [1/3, 3]


@dataclass(frozen=True)
class Thresholds:
    """Each warning's threshold, with the default a sales organisation starts from."""

    # Sudden drop: a month below its own seasonal expectation by this share ...
    drop_share: Decimal = Decimal("0.30")
    # ... when the expectation is at least this much (smaller ones are noise), fen.
    drop_min_expected_fen: int = 10_000_00
    # No visits: days without a visit beyond the tier's coverage interval × this factor.
    visit_grace: Decimal = Decimal("1.5")
    # Overdue receivable: an open balance at least this many days past due ...
    overdue_days: int = 1
    # ... of at least this much, fen.
    overdue_min_fen: int = 1_00
    # Credit limit breached: exposure above the limit by more than this share of it.
    credit_tolerance: Decimal = Decimal("0")
    # Customer lost: no purchase for this many times the customer's usual interval ...
    lost_multiple: Decimal = Decimal("3")
    # ... and at least this many days, with at least this many purchase days to learn from.
    lost_min_days: int = 30
    lost_min_purchases: int = 3
    # How far back purchases are read for the usual interval (months; the sudden drop reads
    # 16 months in any case: this one and last year's four).
    history_months: int = 16
    # Cross-territory sale: lines dated in the last this many days are warned of.
    cross_days: int = 90
    # Stock-out risk: a projected stock-out within this many weeks.
    stock_weeks: int = 8

    @classmethod
    def from_overrides(cls, overrides: dict[str, Any] | None) -> Thresholds:
        """Defaults with ``overrides`` laid over them (unknown names refused loudly)."""
        if not overrides:
            return cls()
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown alert thresholds: {sorted(unknown)}")
        base = cls()
        typed: dict[str, Any] = {
            name: Decimal(str(value)) if isinstance(getattr(base, name), Decimal) else int(value)
            for name, value in overrides.items()
        }
        return replace(base, **typed)


def add_months(month: dt.date, count: int) -> dt.date:
    """The first day of the month ``count`` months after ``month``'s (negative: before)."""
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def last_complete_month(as_of: dt.date) -> dt.date:
    """The latest month that has ended by ``as_of`` (the day after its last day or later)."""
    return add_months(as_of.replace(day=1), -1)


# --- sudden drop ----------------------------------------------------------------------------


def seasonal_expectation(*, recent_fen: int, year_ago_fen: int, year_ago_base_fen: int) -> int:
    """What a month is expected to bring, from its own history (fen).

    ``recent_fen``: the sum of the three months before it; ``year_ago_fen``: the same month a
    year earlier; ``year_ago_base_fen``: the sum of the three months before that one.
    Last year's move from those three months to this month, applied to this year's level:
    ``year_ago × clamp(recent / year_ago_base)`` (the ratio held within [1/3, 3], so one odd
    quarter does not make a wild expectation). Without a base last year the same month a year
    ago is the expectation (seasonal-naive); without any of last year, the recent average.
    """
    if year_ago_base_fen > 0:
        ratio = Decimal(recent_fen) / Decimal(year_ago_base_fen)
        ratio = min(max(ratio, 1 / RATIO_LIMIT), RATIO_LIMIT)
        return int((Decimal(year_ago_fen) * ratio).to_integral_value(ROUND_HALF_UP))
    if year_ago_fen > 0:
        return year_ago_fen
    return int((Decimal(recent_fen) / SEASON_WINDOW).to_integral_value(ROUND_HALF_UP))


@dataclass(frozen=True)
class Drop:
    actual_fen: int
    expected_fen: int

    @property
    def shortfall(self) -> Decimal:
        """The share of the expectation missed (0.42 = 42 % below)."""
        return (1 - Decimal(self.actual_fen) / Decimal(self.expected_fen)).quantize(
            Decimal("0.0001")
        )


def sudden_drop(*, actual_fen: int, expected_fen: int, limits: Thresholds) -> Drop | None:
    """A drop when the month's actual is below its expectation by more than the threshold's
    share, and the expectation is large enough to matter."""
    if expected_fen < max(limits.drop_min_expected_fen, 1):
        return None
    if Decimal(actual_fen) >= Decimal(expected_fen) * (1 - limits.drop_share):
        return None
    return Drop(actual_fen=actual_fen, expected_fen=expected_fen)


# --- no visits ------------------------------------------------------------------------------

PERIOD_DAYS = {"week": 7, "month": 30}


def coverage_interval_days(visits: int, period: str) -> Decimal | None:
    """Days between visits a tier's rule asks for (4 a month: 7.5 days); None for no rule."""
    if visits <= 0:
        return None
    return Decimal(PERIOD_DAYS.get(period, 30)) / visits


def days_unvisited(
    *,
    last_visit: dt.date | None,
    known_since: dt.date,
    as_of: dt.date,
    interval_days: Decimal,
    limits: Thresholds,
) -> int | None:
    """Days without a visit when they exceed the coverage interval × grace, else None.
    A customer never visited counts from when it became known (created, or given its tier)."""
    since = last_visit or known_since
    days = (as_of - since).days
    if Decimal(days) > interval_days * limits.visit_grace:
        return days
    return None


# --- receivables and credit -----------------------------------------------------------------


def overdue_cutoff(as_of: dt.date, limits: Thresholds) -> dt.date:
    """Invoices due on or before this day are at least ``overdue_days`` late at ``as_of``."""
    return as_of - dt.timedelta(days=max(limits.overdue_days, 1))


def receivable_overdue(
    *, balance_fen: int, oldest_due: dt.date | None, as_of: dt.date, limits: Thresholds
) -> int | None:
    """Days the oldest overdue balance is late, when the warning holds; else None."""
    if oldest_due is None or balance_fen < max(limits.overdue_min_fen, 1):
        return None
    days = (as_of - oldest_due).days
    return days if days >= max(limits.overdue_days, 1) else None


def credit_breached(*, exposure_fen: int, limit_fen: int | None, limits: Thresholds) -> bool:
    """Exposure (open invoices + confirmed uninvoiced orders) over the credit limit by more
    than the tolerance. No limit set: nothing to breach."""
    if limit_fen is None:
        return False
    return Decimal(exposure_fen) > Decimal(limit_fen) * (1 + limits.credit_tolerance)


# --- customer lost --------------------------------------------------------------------------


def usual_interval(*, first: dt.date, last: dt.date, purchase_days: int) -> Decimal | None:
    """The customer's usual days between purchases: the span over the gaps between distinct
    purchase days; None with fewer than two."""
    if purchase_days < 2 or last <= first:
        return None
    return Decimal((last - first).days) / (purchase_days - 1)


@dataclass(frozen=True)
class Lapse:
    days: int
    usual: Decimal


def customer_lost(
    *,
    first: dt.date | None,
    last: dt.date | None,
    purchase_days: int,
    as_of: dt.date,
    limits: Thresholds,
) -> Lapse | None:
    """Lost: no purchase for ``lost_multiple`` × the usual interval (and ``lost_min_days``),
    for a customer with at least ``lost_min_purchases`` purchase days to learn it from."""
    if first is None or last is None or purchase_days < max(limits.lost_min_purchases, 2):
        return None
    usual = usual_interval(first=first, last=last, purchase_days=purchase_days)
    if usual is None:
        return None
    days = (as_of - last).days
    if days < limits.lost_min_days or Decimal(days) <= usual * limits.lost_multiple:
        return None
    return Lapse(days=days, usual=usual.quantize(Decimal("0.1")))


# --- stock-out ------------------------------------------------------------------------------


def stock_out_soon(*, stock_out_date: dt.date | None, as_of: dt.date, limits: Thresholds) -> bool:
    """A projected stock-out within the horizon (``stock_weeks``) is a warning."""
    if stock_out_date is None:
        return False
    return stock_out_date <= as_of + dt.timedelta(weeks=limits.stock_weeks)
