from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "salescope.ledger"
    label = "ledger"
    verbose_name = _("Sales ledger")

    def ready(self) -> None:
        from salescope.catalog.queries import register_commitments, register_customer_terms
        from salescope.core.tasks import register_import_jobs
        from salescope.customers.panels import CustomerPanel, register_panel
        from salescope.ledger import jobs
        from salescope.ledger.availability import customer_terms
        from salescope.ledger.queries import committed_quantity, customer_panel
        from salescope.ledger.services import register_book_parts
        from salescope.org.services import on_people_units_changed

        register_panel(
            CustomerPanel("ledger", "ledger/_customer_panel.html", customer_panel, order=20)
        )
        register_book_parts()
        register_import_jobs(jobs.Runner())  # the other apps' import pages queue jobs here
        register_commitments(committed_quantity)
        register_customer_terms(customer_terms)
        on_people_units_changed(_queue_unit_rollup)


def _queue_unit_rollup() -> None:
    """The unit rollup derived again once a move commits (``ledger.tasks``)."""
    from salescope.core.tasks import enqueue_once
    from salescope.ledger.tasks import derive_unit_rollup

    enqueue_once(derive_unit_rollup)
