"""Forecasting's writes: asking for a refit (queued as a task) and the refit itself, which
reads the ledger's monthly history as the system and stores one run with its series and
values in one transaction, audited."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from salescope.core import audit
from salescope.core.errors import ValidationFailed
from salescope.core.periods import add_months, month_start
from salescope.core.permissions import require
from salescope.core.tasks import enqueue
from salescope.forecasting import engine
from salescope.forecasting import permissions as perms
from salescope.forecasting.choices import RunStatus, SeriesLevel
from salescope.forecasting.models import ForecastRun, ForecastSeries, ForecastValue
from salescope.ledger.models import RegionRollup, SalesLine

HISTORY_MONTHS = 36
DEFAULT_HORIZON = 6
MAX_HORIZON = 24


def last_complete_month(today: dt.date) -> dt.date:
    return add_months(month_start(today), -1)


@transaction.atomic
def request_run(
    *, actor: Any, horizon: int = DEFAULT_HORIZON, today: dt.date | None = None
) -> ForecastRun:
    """Queue a refit of every series on the history up to last month."""
    require(actor, perms.RUN.code)
    if not 1 <= horizon <= MAX_HORIZON:
        raise ValidationFailed(fields={"horizon": [f"1–{MAX_HORIZON}"]})
    history_to = last_complete_month(today or timezone.localdate())
    run = ForecastRun.objects.create(history_to=history_to, horizon=horizon, requested_by=actor)
    audit.record(
        actor=actor,
        action="forecasting.forecastrun.queued",
        obj=run,
        changes={"history_to": [None, str(history_to)], "horizon": [None, horizon]},
    )
    from salescope.forecasting.tasks import fit_forecasts

    enqueue(fit_forecasts, run.pk)  # type: ignore[arg-type]  # django_tasks' Task is django.tasks'
    return run


def _history(history_to: dt.date) -> dict[tuple[str, int, int | None], dict[str, list[int]]]:
    """``{(level, product or category id, region id): {"amount": [...], "quantity": [...]}}``
    over the ``HISTORY_MONTHS`` months up to ``history_to`` (sell-in), oldest first. Categories
    from the region rollup; products from the lines (no rollup keeps products)."""
    first = add_months(history_to, -(HISTORY_MONTHS - 1))
    months = [add_months(first, i) for i in range(HISTORY_MONTHS)]
    index = {m: i for i, m in enumerate(months)}
    series: dict[tuple[str, int, int | None], dict[str, list[int]]] = defaultdict(
        lambda: {"amount": [0] * HISTORY_MONTHS, "quantity": [0] * HISTORY_MONTHS}
    )
    rollups = (
        RegionRollup.objects.unrestricted()  # the system fits every region's series
        .filter(kind="sell_in", month__gte=first, month__lte=history_to, category__isnull=False)
        .values("category_id", "region_id", "month")
        .annotate(a=Sum("amount_fen"), q=Sum("quantity_milli"))
        .order_by()
    )
    lines = (
        SalesLine.objects.unrestricted()
        .filter(kind="sell_in", month__gte=first, month__lte=history_to)
        .values("product_id", "region_id", "month")
        .annotate(a=Sum("amount_fen"), q=Sum("quantity_milli"))
        .order_by()
    )
    for level, rows, key in (
        (SeriesLevel.CATEGORY, rollups, "category_id"),
        (SeriesLevel.PRODUCT, lines, "product_id"),
    ):
        for row in rows:
            slot = series[(str(level), row[key], row["region_id"])]
            i = index[_as_date(row["month"])]
            slot["amount"][i] += row["a"] or 0
            slot["quantity"][i] += row["q"] or 0
    return dict(series)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def fit_run(*, run_id: int) -> ForecastRun:
    """Fit every series for ``run`` and store the results (the task's body, as the system).
    Idempotent: a run fitted again replaces its series."""
    run = ForecastRun.objects.unrestricted().get(pk=run_id)
    started = time.monotonic()
    ForecastRun.objects.unrestricted().filter(pk=run.pk).update(status=RunStatus.RUNNING)
    history = _history(run.history_to)
    keys, histories, ratios = [], [], []
    for key, figures in history.items():
        amounts = figures["amount"]
        start = next((i for i, v in enumerate(amounts) if v), None)
        if start is None:
            continue
        last_year_amount = sum(amounts[-12:])
        keys.append(key)
        histories.append(amounts[start:])
        ratios.append(
            sum(figures["quantity"][-12:]) / last_year_amount if last_year_amount else 0.0
        )
    workers = int(getattr(settings, "FORECASTING_WORKERS", 1))
    results = engine.fit_many(histories, horizon=run.horizon, workers=workers)
    fitted = [
        (key, len(h), result, ratio)
        for key, h, result, ratio in zip(keys, histories, results, ratios, strict=True)
    ]
    with transaction.atomic():
        ForecastSeries.objects.unrestricted().filter(run=run).delete()
        # one INSERT per 2,000 rows, not one per series (10,000 series); the primary keys
        # come back (RETURNING on PostgreSQL and SQLite) for the values
        created = ForecastSeries.objects.bulk_create(
            [
                ForecastSeries(
                    run=run,
                    level=level,
                    product_id=ref if level == SeriesLevel.PRODUCT else None,
                    category_id=ref if level == SeriesLevel.CATEGORY else None,
                    region_id=region,
                    model=result.model,
                    history_months=months,
                    wape=result.wape,
                    mape=result.mape,
                    bias=result.bias,
                    baseline_wape=result.baseline_wape,
                    milli_per_fen=ratio,
                )
                for (level, ref, region), months, result, ratio in fitted
            ],
            batch_size=2000,
        )
        future = [add_months(run.history_to, i + 1) for i in range(run.horizon)]
        values = [
            ForecastValue(
                series=series,
                month=month,
                amount_fen=round(value),
                quantity_milli=round(value * ratio),
            )
            for series, (_key, _months, result, ratio) in zip(created, fitted, strict=True)
            for month, value in zip(future, result.forecast, strict=True)
        ]
        ForecastValue.objects.bulk_create(values, batch_size=2000)
        run.status = RunStatus.DONE
        run.series_count = len(fitted)
        run.seconds = round(time.monotonic() - started, 3)
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "series_count", "seconds", "finished_at"])
        audit.record(
            actor=run.requested_by,
            action="forecasting.forecasts.fitted",
            obj=run,
            changes={"series_count": [None, run.series_count], "seconds": [None, run.seconds]},
        )
    return run


def fail_run(*, run_id: int, error: str) -> None:
    with transaction.atomic():
        ForecastRun.objects.unrestricted().filter(pk=run_id).update(
            status=RunStatus.FAILED, error=error[:300], finished_at=timezone.now()
        )
        audit.record(
            actor=None,
            action="forecasting.forecastrun.failed",
            object_type="forecasting.forecastrun",
            object_id=run_id,
            changes={"error": [None, error[:300]]},
        )


@transaction.atomic
def monthly_refit(*, today: dt.date | None = None) -> ForecastRun | None:
    """A new run when none has fitted last month's history yet (the daily task's body)."""
    history_to = last_complete_month(today or timezone.localdate())
    if (
        ForecastRun.objects.unrestricted()
        .filter(
            history_to=history_to, status__in=[RunStatus.DONE, RunStatus.QUEUED, RunStatus.RUNNING]
        )
        .exists()
    ):
        return None
    run = ForecastRun.objects.create(history_to=history_to, horizon=DEFAULT_HORIZON)
    audit.record(actor=None, action="forecasting.forecastrun.queued", obj=run, changes={})
    return run
