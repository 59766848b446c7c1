"""The maths of expenses, pure (no ORM): a budget spread over its months, the budget each
person or unit has in a month, ratios."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from salescope.core.periods import months_between

_DATES: dict[str, dt.date] = {}


def as_date(value: object) -> dt.date:
    """A date read as ISO text (``"2026-03-01"``) → the date, parsed once per distinct text: a
    report has a few dozen distinct dates in thousands of rows."""
    if isinstance(value, dt.date):
        return value
    text = str(value)
    found = _DATES.get(text)
    if found is None:
        if len(_DATES) > 10_000:
            _DATES.clear()
        found = _DATES[text] = dt.date.fromisoformat(text[:10])
    return found


@cache
def _months(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    return tuple(months_between(start, end))


def spread(fen: int, months: list[dt.date]) -> dict[dt.date, int]:
    """``fen`` over ``months`` in equal parts that sum exactly to it: the remainder fen go one
    each to the first months (a negative amount the same way, mirrored)."""
    if not months:
        return {}
    sign = -1 if fen < 0 else 1
    whole, rest = divmod(abs(fen), len(months))
    return {m: sign * (whole + (1 if i < rest else 0)) for i, m in enumerate(months)}


def monthly_budgets(
    cells: Iterable[tuple[Hashable, dt.date, dt.date, int]], months: list[dt.date]
) -> dict[tuple[Hashable, dt.date], int]:
    """``{(holder, month): fen}`` for the asked ``months`` from budget cells
    ``(holder, start, end, fen)``. A holder's month takes its share of the shortest cell that
    covers it (a month cell before the quarter or year it was decomposed from), so a budget
    decomposed by month is never counted twice."""
    asked = set(months)
    best: dict[tuple[Hashable, dt.date], tuple[int, int]] = {}  # → (span, fen)
    for holder, start, end, fen in cells:
        if start.year == end.year and start.month == end.month:  # a month cell: the finest
            first = start if start.day == 1 else start.replace(day=1)
            if first in asked:
                best[(holder, first)] = (1, fen)
            continue
        span = list(_months(start, end))
        shares = spread(fen, span)
        for month, share in shares.items():
            if month not in asked:
                continue
            key = (holder, month)
            if key not in best or len(span) < best[key][0]:
                best[key] = (len(span), share)
    return {key: fen for key, (_span, fen) in best.items()}


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` as a percentage of ``whole``, to one decimal (``None`` when there is no whole)."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def per_item(total: int, count: int) -> int | None:
    """``total`` fen per item, rounded half up to the fen (``None`` for no items)."""
    if count <= 0:
        return None
    whole, rest = divmod(total, count)
    return whole + (1 if 2 * rest >= count else 0)
