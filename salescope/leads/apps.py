from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "salescope.leads"
    label = "leads"
    verbose_name = _("Leads & campaigns")

    def ready(self) -> None:
        from salescope.core.tasks import ImportKindEntry, register_import_kind
        from salescope.leads import permissions as perms
        from salescope.leads.importing import import_leads

        register_import_kind(
            ImportKindEntry(
                kind="leads",
                label=_("Import leads"),
                permissions=(perms.LEAD_IMPORT.code,),
                run=import_leads,
                page="leads:import",
                tabs="leads/_tabs.html",
            )
        )
