"""The demo's forecasts: one run over the demo sales history, and a product at stock-out risk
(its stock in the warehouse that serves most of its demand cut to about one week's demand).
Idempotent: a second load finds last month's run and the product already short."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from salescope.catalog.models import StockLevel
from salescope.core.audit_context import AuditSource, audit_source
from salescope.forecasting import queries, services


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
    if len(queries.ranked_risks(as_of=today, kind="stock_out")):
        log("forecasting: a product is already at stock-out risk")
        return
    rows = [
        r
        for r in queries._projections(as_of=today, weeks=queries.DEFAULT_WEEKS)
        if isinstance(r, dict) and r["demand"] > 0
    ]
    if not rows:
        log("forecasting: no product has forecast demand; no stock-out risk made")
        return
    top = max(rows, key=lambda r: r["demand"])
    weekly = max(top["weekly_demand"][:2] or (1,))
    with transaction.atomic():
        StockLevel.objects.unrestricted().filter(
            product=top["product"], warehouse=top["warehouse"]
        ).update(on_hand=max(weekly, 1), reserved=0)
    log(
        f"forecasting: {top['product'].sku} at {top['warehouse'].code} cut to {weekly} "
        "(about a week of demand): at stock-out risk"
    )
