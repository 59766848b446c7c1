from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "salescope.feedback"
    label = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        from salescope.feedback import audit_words

        audit_words.register()
