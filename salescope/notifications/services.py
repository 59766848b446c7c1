"""Writes of the inbox: sending a notification (the one path every app uses), marking read,
and a person's email choice. Each in one transaction, audited."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.core import audit
from salescope.core.errors import ValidationFailed
from salescope.core.permissions import require
from salescope.notifications import permissions as perms
from salescope.notifications.models import InboxSetting, Notification

logger = logging.getLogger(__name__)

KIND_MAX = 60  # Notification.kind's max_length
TITLE_MAX = 200  # Notification.title's max_length


def _clean_link(link: str) -> str:
    """A link stays inside Salescope: a path from the site root, never another address."""
    link = (link or "").strip()
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link):
        raise ValidationFailed(fields={"link": [_("A link must be a path inside Salescope.")]})
    return link


@transaction.atomic
def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    subject: models.Model | None = None,
) -> list[Notification]:
    """Tell ``recipients`` something: one inbox row each (active people only, each once), and
    an email to those who chose email too (sent after the transaction commits).

    ``kind`` names what happened (``"activities.report.commented"``); ``link`` is a path in
    Salescope where the person acts; ``subject`` the record it is about. Returns the rows.
    """
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(fields={"title": [_("A notification needs a title.")]})
    if not kind or len(kind) > KIND_MAX:
        raise ValidationFailed(fields={"kind": [_("Name the kind of notification.")]})
    link = _clean_link(link)
    people = {p.pk: p for p in recipients if p is not None and p.pk and p.is_active}
    if not people:
        return []
    subject_type = subject._meta.label_lower if subject is not None else ""
    subject_id = str(subject.pk) if subject is not None else ""
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind,
                title=title[:TITLE_MAX],
                body=body,
                link=link,
                subject_type=subject_type,
                subject_id=subject_id,
            )
            for pk in sorted(people)
        ]
    )
    emailed = set(
        InboxSetting.objects.unrestricted()
        .filter(person_id__in=list(people), email=True)
        .values_list("person_id", flat=True)
    )
    emailed = {pk for pk in emailed if people[pk].email}
    if emailed:
        Notification.objects.unrestricted().filter(
            pk__in=[n.pk for n in rows if n.recipient_id in emailed]
        ).update(emailed=True)
        addresses = sorted(people[pk].email for pk in emailed)
        transaction.on_commit(lambda: _send_email(addresses, title, body, link))
    audit.record(
        actor=None,
        action="notifications.notification.sent",
        object_type=subject_type or "notifications.notification",
        object_id=subject_id,
        object_repr=title[:200],
        changes={"kind": kind, "recipients": sorted(people), "emailed": sorted(emailed)},
    )
    return rows


def _send_email(addresses: list[str], title: str, body: str, link: str) -> None:
    text = body
    if link:
        base = getattr(settings, "SALESCOPE_BASE_URL", "").rstrip("/")
        text = f"{body}\n\n{base}{link}".strip()
    try:
        for address in addresses:  # one message each: recipients do not see one another
            send_mail(title, text, None, [address])
    except Exception:  # a mail server down must not undo what was already committed
        logger.exception("notifications: email to %d people failed", len(addresses))


@transaction.atomic
def mark_read(*, actor: Any, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (already read: unchanged)."""
    require(actor, perms.INBOX_CHANGE.code)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.unrestricted().filter(pk=notification.pk).update(
            read_at=notification.read_at
        )
        audit.record(
            actor=actor,
            action="notifications.notification.read",
            obj=notification,
            changes={"read_at": [None, audit.json_value(notification.read_at)]},
        )
    return notification


@transaction.atomic
def mark_all_read(*, actor: Any) -> int:
    """Mark every unread notification of the actor read; how many were."""
    require(actor, perms.INBOX_CHANGE.code)
    count = (
        Notification.objects.unrestricted()
        .filter(recipient=actor, read_at__isnull=True)
        .update(read_at=timezone.now())
    )
    if count:
        audit.record(
            actor=actor,
            action="notifications.inbox.read_all",
            object_type="notifications.notification",
            object_repr=actor.get_username(),
            changes={"count": count},
        )
    return count


@transaction.atomic
def set_email(*, actor: Any, email: bool) -> InboxSetting:
    """The actor's choice to get notifications by email too."""
    require(actor, perms.INBOX_CHANGE.code)
    if email and not actor.email:
        raise ValidationFailed(
            fields={"email": [_("Your profile has no email address to send to.")]}
        )
    setting, _created = InboxSetting.objects.unrestricted().get_or_create(person=actor)
    if setting.email != email:
        audit.record(
            actor=actor,
            action="notifications.setting.changed",
            obj=setting,
            changes={"email": [setting.email, email]},
        )
        setting.email = email
        setting.save(update_fields=["email"])
    return setting
