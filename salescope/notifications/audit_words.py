"""How the inbox's audit actions read in the history tables (``core.audit_labels``)."""

from django.utils.translation import gettext_lazy as _

from salescope.core.audit_labels import register_labels


def register() -> None:
    register_labels(
        events={
            "notifications.notification.sent": _("Notification sent"),
            "notifications.notification.read": _("Notification read"),
            "notifications.inbox.read_all": _("All notifications marked read"),
        },
        models={"notifications.setting": "notifications.inboxsetting"},
    )
