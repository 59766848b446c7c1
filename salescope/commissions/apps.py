from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommissionsConfig(AppConfig):
    name = "salescope.commissions"
    label = "commissions"
    verbose_name = _("Commissions")

    def ready(self) -> None:
        from salescope.commissions import audit_words

        audit_words.register()
