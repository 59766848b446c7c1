from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "salescope.performance"
    label = "performance"
    verbose_name = _("Evaluation & incentives")

    def ready(self) -> None:
        from salescope.performance import audit_words

        audit_words.register()
