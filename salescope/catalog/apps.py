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
    from salescope.core.tasks import ImportKindEntry, register_import_kind

    for kind, label, permission, run, page in (
        ("stock", _("Import stock"), perms.STOCK_CHANGE, import_stock, "catalog:stock-import"),
        (
            "supply",
            _("Import incoming supply"),
            perms.SUPPLY_CHANGE,
            import_supply,
            "catalog:supply-import",
        ),
    ):
        register_import_kind(
            ImportKindEntry(
                kind=kind,
                label=label,
                permission=permission.code,
                run=run,
                page=page,
                tabs="catalog/_job_tabs.html",
            )
        )
