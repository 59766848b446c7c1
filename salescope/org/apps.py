from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "salescope.org"
    label = "org"
    verbose_name = _("Organization")

    def ready(self) -> None:
        # Installs the visibility rule behind every owned model's ``objects.visible_to``.
        from salescope.org import visibility  # noqa: F401
