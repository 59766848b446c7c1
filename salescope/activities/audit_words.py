"""How field activity's audit actions read in the history tables (``core.audit_labels``)."""

from django.utils.translation import gettext_lazy as _

from salescope.core.audit_labels import register_labels


def register() -> None:
    register_labels(
        events={
            "activities.visit.planned_by_rules": _("Visits planned from the coverage rules"),
            "activities.feed.renewed": _("Calendar address renewed"),
        },
        verbs={
            "planned": _("planned"),
            "cancelled": _("cancelled"),
            "checked_in": _("checked in"),
            "checked_out": _("checked out"),
            "answered": _("answered"),
            "saved": _("saved"),
            "removed": _("removed"),
            "drafted": _("drafted"),
            "written": _("written"),
            "reviewed": _("commented and rated"),
        },
        models={
            "activities.photo": "activities.visitphoto",
            "activities.location": "activities.customerlocation",
            "activities.checklist": "activities.checklistanswer",
            "activities.coverage": "activities.coveragerule",
            "activities.report": "activities.workreport",
            "activities.feed": "activities.calendarfeed",
        },
    )
