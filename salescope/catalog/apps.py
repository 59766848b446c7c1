from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "salescope.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from salescope.catalog import (
            audit_words,
            permissions,  # noqa: F401 - declares the catalogue's writes
        )

        audit_words.register()
        _register_imports()


def _register_imports() -> None:
    """Stock and incoming supply are imported as background jobs (``core.tasks``)."""
    from salescope.catalog import permissions as perms
    from salescope.catalog.importing import import_stock, import_supply
    from salescope.core.importing.permissions import IMPORT_RUN
    from salescope.core.tasks import ImportKindEntry, register_import_kind

    stock = (IMPORT_RUN, perms.STOCK_CHANGE)
    supply = (IMPORT_RUN, perms.SUPPLY_CREATE, perms.SUPPLY_CHANGE)
    for kind, label, needs, run, page in (
        ("stock", _("Import stock"), stock, import_stock, "catalog:stock-import"),
        ("supply", _("Import incoming supply"), supply, import_supply, "catalog:supply-import"),
    ):
        register_import_kind(
            ImportKindEntry(
                kind=kind,
                label=label,
                permissions=tuple(permission.code for permission in needs),
                run=run,
                page=page,
                tabs="catalog/_job_tabs.html",
            )
        )
