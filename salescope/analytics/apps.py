from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "salescope.analytics"
    label = "analytics"
    verbose_name = _("Tracking and analysis")

    def ready(self) -> None:
        from salescope.analytics.actuals import actual_totals
        from salescope.plans.history import install_actuals_reader

        install_actuals_reader(actual_totals)

        from salescope.analytics.tasks import evaluate_after_import
        from salescope.core.importing.signals import import_finished

        import_finished.connect(evaluate_after_import, dispatch_uid="analytics.alerts.import")

        from salescope.analytics.alert_checks import forecast_stock_risks, register_stock_risks

        register_stock_risks(forecast_stock_risks)
