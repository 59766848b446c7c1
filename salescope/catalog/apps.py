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
