from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "salescope.ledger"
    label = "ledger"
    verbose_name = _("Sales ledger")

    def ready(self) -> None:
        from salescope.customers.panels import CustomerPanel, register_panel
        from salescope.ledger.queries import customer_panel

        register_panel(
            CustomerPanel("ledger", "ledger/_customer_panel.html", customer_panel, order=20)
        )
