from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "salescope.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from salescope.notifications import audit_words

        audit_words.register()
        from salescope.core.worksurface import Section, register_section
        from salescope.notifications import queries

        register_section(
            Section(
                key="inbox",
                template="notifications/_home_inbox.html",
                context=queries.home_section,
                order=90,
                wide=False,
            )
        )
