"""Reads of the inbox. A person reads only their own notifications (``own_records``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from salescope.core.errors import NotFound
from salescope.notifications.models import InboxSetting, Notification, Webhook
from salescope.org.visibility import is_active_viewer, own_records, record_denied

HOME_LIMIT = 5


def list_notifications(*, viewer: Any, unread_only: bool = False) -> QuerySet[Notification]:
    inbox = own_records(Notification.objects.all(), viewer=viewer)
    if unread_only:
        inbox = inbox.filter(read_at__isnull=True)
    return inbox.order_by("-created_at", "-pk")


def unread_count(*, viewer: Any) -> int:
    if not is_active_viewer(viewer):
        return 0
    return list_notifications(viewer=viewer, unread_only=True).count()


def get_notification(*, viewer: Any, pk: Any) -> Notification:
    """The viewer's own notification ``pk``; anyone else's is missing (R1), and logged."""
    try:
        found = own_records(Notification.objects.all(), viewer=viewer).filter(pk=pk).first()
    except (TypeError, ValueError):
        raise NotFound() from None
    if found is not None:
        return found
    # visibility: whether a hidden one exists, only to log the attempt (R1); nothing is shown
    if Notification.objects.unrestricted().filter(pk=pk).exists():
        record_denied(viewer=viewer, model=Notification, pk=pk, action="view")
    raise NotFound()


def email_opted_in(*, viewer: Any) -> bool:
    setting = own_records(InboxSetting.objects.all(), viewer=viewer).first()
    return bool(setting and setting.email)


def home_section(viewer: Any) -> dict[str, Any] | None:
    """The work surface's inbox block: the latest unread notifications and their count."""
    unread = list_notifications(viewer=viewer, unread_only=True)
    latest = list(unread[:HOME_LIMIT])
    return {"latest": latest, "count": unread.count() if len(latest) == HOME_LIMIT else len(latest)}


def list_webhooks(*, viewer: Any) -> QuerySet[Webhook]:
    """The group robots the viewer may see (administrators: all; anyone else: none)."""
    return Webhook.objects.visible_to(viewer, "view").select_related("unit").order_by("pk")


def get_webhook(*, viewer: Any, pk: Any, action: str = "view") -> Webhook:
    from salescope.org.visibility import get_visible

    return get_visible(Webhook.objects.all(), viewer=viewer, pk=pk, action=action)


def get_unit(*, viewer: Any, pk: Any) -> Any:
    """The org unit ``pk`` a robot is configured for, as the viewer may see it."""
    from salescope.org.models import OrgUnit
    from salescope.org.visibility import get_visible

    return get_visible(OrgUnit.objects.all(), viewer=viewer, pk=pk)


def units_for_robots(*, viewer: Any) -> Any:
    from salescope.org.models import OrgUnit

    return OrgUnit.objects.visible_to(viewer, "view").order_by("pk")
