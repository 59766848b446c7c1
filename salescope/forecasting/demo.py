"""The demo's forecasts and stock: one run over the demo sales history, then warehouses stocked
as a company keeps them — each product × warehouse covered for the projection's horizon and a
little more — with the exceptions a product manager acts on: one product about to run out (its
busiest warehouse down to a week and a half of demand) and one slow mover overstocked. The
catalogue's demo stock is drawn before any sales exist, so without this every row showed red (up
to 48k units oversold: a wall of stock-out warnings instead of one to act on).

Idempotent: a later load that finds exactly that picture (one product short, one overstocked)
leaves it; one that finds more products short tops the warehouses up again."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from salescope.catalog.models import StockLevel
from salescope.core.audit_context import AuditSource, audit_source
from salescope.forecasting import queries, rules, services

SEED = 18  # issue 18's demo
# Weeks of the horizon's demand a healthy row holds: above the horizon (no stock-out) and below
# the overstock limit (26 weeks by default).
COVER = (1.1, 1.6)
OVERSTOCK_WEEKS = 40


def load(log: Callable[[str], None]) -> None:
    today = timezone.localdate()
    with audit_source(AuditSource.SYSTEM):
        run = services.monthly_refit(today=today)
        if run is not None:
            run = services.fit_run(run_id=run.pk)
            log(f"forecasting: {run.series_count} series fitted in {run.seconds} s")
        elif not queries._system_latest_run():
            log("forecasting: no finished run (one is queued)")
            return
    risks = queries.stock_risks(as_of=today)
    short = {r.product.pk for r in risks if r.kind == rules.STOCK_OUT}
    heavy = {r.product.pk for r in risks if r.kind == rules.OVERSTOCK}
    if len(short) == 1 and len(heavy) == 1:
        log("forecasting: one product already at stock-out risk, one overstocked")
        return
    rows = [
        r for r in queries._projections(as_of=today, weeks=queries.DEFAULT_WEEKS) if r["demand"] > 0
    ]
    if len(rows) < 2:
        log("forecasting: too few products with forecast demand; stock left as it is")
        return
    short_row, heavy_row = _stock_up(rows)
    log(
        f"forecasting: warehouses stocked for the next {queries.DEFAULT_WEEKS} weeks; "
        f"{short_row['product'].sku} at {short_row['warehouse'].code} down to a week and a half "
        f"of demand (stock-out risk), {heavy_row['product'].sku} at "
        f"{heavy_row['warehouse'].code} {OVERSTOCK_WEEKS} weeks of cover (overstock)"
    )


def _stock_up(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set each row's stock on hand to what it holds back (reserved, open orders) plus its
    cover; returns the row cut short (the busiest) and the one overstocked (the slowest)."""
    rng = random.Random(SEED)  # noqa: S311 - seeded demo data, not security
    weeks = queries.DEFAULT_WEEKS
    short_row = max(rows, key=lambda r: (r["demand"], r["product"].sku))
    heavy_row = min(rows, key=lambda r: (r["demand"], r["product"].sku))
    with transaction.atomic():
        for row in sorted(rows, key=lambda r: (r["product"].sku, r["warehouse"].code)):
            if row is short_row:  # this week's demand and half of next week's: short next week
                this, after = (*row["weekly_demand"][:2], 0, 0)[:2]
                cover = math.ceil(this + after / 2)
            elif row is heavy_row:
                cover = math.ceil(row["demand"] / weeks * OVERSTOCK_WEEKS)
            else:
                cover = math.ceil(row["demand"] * rng.uniform(*COVER))
            StockLevel.objects.unrestricted().filter(
                product=row["product"], warehouse=row["warehouse"]
            ).update(on_hand=row["reserved"] + row["committed"] + max(cover, 1))
    return short_row, heavy_row
