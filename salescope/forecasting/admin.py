from django.contrib import admin

from salescope.core.admin import ReadOnlyAdmin
from salescope.forecasting.models import ForecastRun, ForecastSeries


@admin.register(ForecastRun)
class ForecastRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "history_to", "horizon", "status", "series_count", "seconds"]


@admin.register(ForecastSeries)
class ForecastSeriesAdmin(ReadOnlyAdmin):
    list_display = ["id", "run", "level", "product", "category", "region", "model", "wape"]
    list_filter = ["level", "model"]
