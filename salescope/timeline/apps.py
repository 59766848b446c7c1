from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimelineConfig(AppConfig):
    name = "salescope.timeline"
    label = "timeline"
    verbose_name = _("Timeline")

    def ready(self) -> None:
        from salescope.customers.panels import CustomerPanel, register_panel
        from salescope.timeline import panels

        register_panel(
            CustomerPanel(
                key="timeline",
                template="timeline/_panel.html",
                context=panels.customer_panel,
                order=50,
            )
        )
