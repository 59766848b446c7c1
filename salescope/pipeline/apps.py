from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "salescope.pipeline"
    label = "pipeline"
    verbose_name = _("Opportunities")

    def ready(self) -> None:
        from salescope.customers.panels import CustomerPanel, register_panel
        from salescope.pipeline import panels

        register_panel(
            CustomerPanel(
                key="opportunities",
                template="pipeline/_customer_panel.html",
                context=panels.customer_panel,
                order=40,
            )
        )
