"""Actuals for targets, read from the ledger's rollups (never by scanning sales lines).

The single adapter between plans/tracking and ``salescope.ledger.queries``: it turns the
ledger's Decimal totals into integer hundredths (fen for money) keyed by the requested
dimensions, so target maths stays exact. Metrics the ledger does not hold (new customers,
expense, market share) have no automatic actual here and count as zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from salescope.plans.choices import Metric

MEASURE = {
    Metric.SALES_AMOUNT: "amount",
    Metric.QUANTITY: "quantity",
    Metric.GROSS_PROFIT: "gross_profit",
}
SALES_DIMENSIONS = ("month", "salesperson", "region", "category")
COLLECTION_DIMENSIONS = ("month", "salesperson")


def hundredths(value: Decimal | int | None) -> int:
    if value is None:
        return 0
    return int((Decimal(value) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def has_actuals(metric: str) -> bool:
    return metric in MEASURE or metric == Metric.COLLECTIONS


def supported_dimensions(metric: str) -> tuple[str, ...]:
    if metric in MEASURE:
        return SALES_DIMENSIONS
    if metric == Metric.COLLECTIONS:
        return COLLECTION_DIMENSIONS
    return ()


def actual_totals(
    *,
    viewer: Any,
    metric: str,
    date_from: dt.date,
    date_to: dt.date,
    group_by: Sequence[str],
    filters: dict[str, Any] | None = None,
) -> dict[tuple, int]:
    """``{(dimension values…): hundredths}`` of ``metric`` between two months, as ``viewer``
    may see them. Dimensions the metric's source lacks are returned as ``None``."""
    from salescope.ledger import queries as ledger

    known = supported_dimensions(metric)
    if not known:
        return {}
    asked = [d for d in group_by if d in known]
    if metric == Metric.COLLECTIONS:
        rows = ledger.collection_totals(
            viewer=viewer, date_from=date_from, date_to=date_to, group_by=asked
        )
        measure = "amount"
    else:
        rows = ledger.rollup_totals(
            viewer=viewer, date_from=date_from, date_to=date_to, group_by=asked, filters=filters
        )
        measure = MEASURE[metric]
    totals: dict[tuple, int] = {}
    for row in rows:
        key = tuple(row.get(d) if d in known else None for d in group_by)
        totals[key] = totals.get(key, 0) + hundredths(row[measure])
    return totals
