from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "salescope.activities"
    label = "activities"
    verbose_name = _("Field activity")

    def ready(self) -> None:
        from salescope.activities import audit_words

        audit_words.register()
        from salescope.activities import queries
        from salescope.core.worksurface import Section, register_section
        from salescope.customers.panels import CustomerPanel, register_panel

        register_panel(
            CustomerPanel("visits", "activities/_customer_panel.html", queries.customer_panel, 30)
        )

        from salescope.activities.models import Visit
        from salescope.timeline.queries import register_private_subject

        register_private_subject(Visit)  # a visit's events only for those who see the visit

        register_section(
            Section("my-day", "activities/_home_my_day.html", queries.my_day, order=10)
        )
        register_section(
            Section("team-day", "activities/_home_team_day.html", queries.team_day, order=20)
        )
