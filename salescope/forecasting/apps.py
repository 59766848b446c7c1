from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastingConfig(AppConfig):
    name = "salescope.forecasting"
    label = "forecasting"
    verbose_name = _("Forecasting")

    def ready(self) -> None:
        from salescope.core.audit_labels import register_labels
        from salescope.forecasting.queries import forecast_totals
        from salescope.plans.forecasts import install_forecast_reader

        install_forecast_reader(forecast_totals)
        register_labels(
            events={"forecasting.forecasts.fitted": _("Forecasts fitted")},
            verbs={"failed": _("failed")},
        )
