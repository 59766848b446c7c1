"""The forecasting routes in the leak and permission matrices (tests/visibility)."""

import datetime as dt

from salescope.forecasting.models import ForecastRun, ForecastSeries
from tests.visibility.registry import Target, register


@register("/api/v1/forecasting/series/{pk}")
def series(personas, owner):
    run = ForecastRun.objects.create(history_to=dt.date(2026, 6, 1), horizon=3, status="done")
    entry = ForecastSeries.objects.create(
        run=run, level="category", region=owner.unit, model="Theta", history_months=24
    )
    return Target(params={"pk": entry.pk}, obj=entry)
