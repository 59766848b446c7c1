from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "salescope.pipeline"
    label = "pipeline"
    verbose_name = _("Opportunities")

    def ready(self) -> None:
        from salescope.core.tasks import ImportKindEntry, register_import_kind
        from salescope.customers.panels import CustomerPanel, register_panel
        from salescope.pipeline import panels
        from salescope.pipeline import permissions as perms
        from salescope.pipeline.importing import import_opportunities

        register_import_kind(
            ImportKindEntry(
                kind="opportunities",
                label=_("Import opportunities"),
                permissions=(perms.OPPORTUNITY_IMPORT.code,),
                run=import_opportunities,
                page="pipeline:import",
                tabs="pipeline/_tabs.html",
                result_template="pipeline/_import_done.html",
            )
        )

        register_panel(
            CustomerPanel(
                key="opportunities",
                template="pipeline/_customer_panel.html",
                context=panels.customer_panel,
                order=40,
            )
        )
