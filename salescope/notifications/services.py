"""Writes of the inbox: sending a notification (the one path every app uses), marking read,
and a person's email choice. Each in one transaction, audited."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.core import audit
from salescope.core.audit import AuditRow
from salescope.core.errors import ValidationFailed
from salescope.core.permissions import require
from salescope.notifications import permissions as perms
from salescope.notifications.models import InboxSetting, Notification, Webhook, WebhookKind
from salescope.org.queries import unit_chain

logger = logging.getLogger(__name__)

KIND_MAX = 60  # Notification.kind's max_length
TITLE_MAX = 200  # Notification.title's max_length


def _clean_link(link: str) -> str:
    """A link stays inside Salescope: a path from the site root, never another address."""
    link = (link or "").strip()
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link):
        raise ValidationFailed(fields={"link": [_("A link must be a path inside Salescope.")]})
    return link


@dataclass(frozen=True)
class Message:
    """One thing to tell ``recipients``: what :func:`notify` takes, for :func:`notify_many`."""

    recipients: Sequence[Any]
    kind: str
    title: str
    body: str = ""
    link: str = ""
    subject: models.Model | None = None


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
    message = Message(list(recipients), kind, title, body, link, subject)
    return notify_many([message])[0]


def _checked(message: Message) -> Message:
    """The message as it is sent (title trimmed, link checked), or ValidationFailed."""
    title = (message.title or "").strip()
    if not title:
        raise ValidationFailed(fields={"title": [_("A notification needs a title.")]})
    if not message.kind or len(message.kind) > KIND_MAX:
        raise ValidationFailed(fields={"kind": [_("Name the kind of notification.")]})
    return replace(message, title=title, link=_clean_link(message.link))


@transaction.atomic
def notify_many(messages: Iterable[Message]) -> list[list[Notification]]:
    """:func:`notify` for many messages at once (an evaluation's warnings to 500 people): each
    message gets exactly what :func:`notify` would give it (the same rows, the same emails,
    the same robots posted, one audit entry), written set-based — one insert of all the rows,
    one read of the email choices, of the units' chains and of the robots, the audit entries in
    bulk. A message that fails its checks writes nothing of any. The rows, message by message.
    """
    checked = [_checked(m) for m in messages]
    written: list[list[Notification]] = [[] for _m in checked]
    sent: list[tuple[int, Message, dict[int, Any]]] = []
    for i, message in enumerate(checked):
        people = {p.pk: p for p in message.recipients if p is not None and p.pk and p.is_active}
        if people:
            sent.append((i, message, people))
    if not sent:
        return written
    everyone = {pk: p for _i, _m, people in sent for pk, p in people.items()}
    chooses_email = set(
        InboxSetting.objects.unrestricted()
        .filter(person_id__in=list(everyone), email=True)
        .values_list("person_id", flat=True)
    )
    robots = _Robots(everyone.values())
    rows: list[Notification] = []
    audited: list[AuditRow] = []
    for _i, message, people in sent:
        emailed = {pk for pk in people if pk in chooses_email and people[pk].email}
        rows += [
            Notification(
                recipient_id=pk,
                kind=message.kind,
                title=message.title[:TITLE_MAX],
                body=message.body,
                link=message.link,
                subject_type=_subject_type(message),
                subject_id=_subject_id(message),
                emailed=pk in emailed,
            )
            for pk in sorted(people)
        ]
        if emailed:
            addresses = sorted(people[pk].email for pk in emailed)
            transaction.on_commit(
                functools.partial(_send_email, addresses, message.title, message.body, message.link)
            )
        robots.queue(list(people.values()), message)
        audited.append(
            AuditRow(
                object_type=_subject_type(message) or "notifications.notification",
                object_id=_subject_id(message),
                object_repr=message.title[:200],
                changes={
                    "kind": message.kind,
                    "recipients": sorted(people),
                    "emailed": sorted(emailed),
                },
            )
        )
    Notification.objects.bulk_create(rows, batch_size=1000)
    at = 0
    for i, _m, people in sent:
        written[i] = rows[at : at + len(people)]
        at += len(people)
    audit.record_many(actor=None, action="notifications.notification.sent", entries=audited)
    return written


def _subject_type(message: Message) -> str:
    return message.subject._meta.label_lower if message.subject is not None else ""


def _subject_id(message: Message) -> str:
    return str(message.subject.pk) if message.subject is not None else ""


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


# --- group robots (DingTalk, WeCom) -----------------------------------------------------------

WEBHOOK_TIMEOUT = 5  # seconds; a slow robot must not hold a worker long


def _is_escalation(kind: str) -> bool:
    return kind.endswith(".escalated")


class _Robots:
    """The group robots of the recipients' units and the units above them, read once for a
    batch of messages; :meth:`queue` posts one message to each of its robots once, after the
    transaction commits (a failure is logged, never undoes the write)."""

    def __init__(self, people: Iterable[Any]) -> None:
        self.chains: dict[int, set[int]] = {}
        for person in people:
            unit = getattr(person, "unit", None) if getattr(person, "unit_id", None) else None
            if unit is not None and unit.pk not in self.chains:
                self.chains[unit.pk] = {u.pk for u in unit_chain(unit)}
        units = set().union(*self.chains.values()) if self.chains else set()
        self.hooks = (
            list(
                Webhook.objects.unrestricted().filter(unit_id__in=units, active=True).order_by("pk")
            )
            if units
            else []
        )

    def queue(self, people: list[Any], message: Message) -> None:
        units: set[int] = set()
        for person in people:
            if getattr(person, "unit_id", None):
                units |= self.chains.get(person.unit_id, set())
        escalation = _is_escalation(message.kind)
        targets = [
            (h.kind, h.url, h.secret)
            for h in self.hooks
            if h.unit_id in units and (escalation or not h.escalations_only)
        ]
        if not targets:
            return
        base = getattr(settings, "SALESCOPE_BASE_URL", "").rstrip("/")
        link = message.link
        parts = (message.title, message.body, f"{base}{link}" if link else "")
        text = "\n".join(part for part in parts if part)
        transaction.on_commit(lambda: [_post_webhook(*target, text=text) for target in targets])


def dingtalk_signed_url(url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    """DingTalk's signed mode (加签): ``timestamp`` in ms and ``sign`` = url-encoded base64 of
    HMAC-SHA256 over ``"timestamp\nsecret"`` keyed by the secret."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp}&sign={sign}"


def webhook_payload(text: str) -> dict[str, Any]:
    """The text message both robots take: ``{"msgtype": "text", "text": {"content": …}}``."""
    return {"msgtype": "text", "text": {"content": text}}


def _post_webhook(kind: str, url: str, secret: str, *, text: str) -> bool:
    if kind == WebhookKind.DINGTALK and secret:
        url = dingtalk_signed_url(url, secret)
    data = json.dumps(webhook_payload(text), ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - an http(s) address checked when saved
        url, data=data, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as answer:  # noqa: S310
            answer.read()
        return True
    except Exception:  # a robot down or refusing must not break what was committed
        logger.exception("notifications: %s webhook failed", kind)
        return False


WEBHOOK_FIELDS = ["unit_id", "kind", "url", "escalations_only", "active"]


def _clean_webhook(kind: str, url: str, secret: str) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    if kind not in WebhookKind.values:
        errors["kind"] = [_("Choose DingTalk or WeCom.")]
    url = (url or "").strip()
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 500:
        errors["url"] = [_("Enter the robot's http(s) address.")]
    secret = (secret or "").strip()
    if len(secret) > 200:
        errors["secret"] = [_("At most %(n)d characters.") % {"n": 200}]
    if errors:
        raise ValidationFailed(fields=errors)
    return kind, url, secret


def _webhook_trace(hook: Webhook) -> dict[str, Any]:
    return {**audit.snapshot(hook, WEBHOOK_FIELDS), "signed": bool(hook.secret)}


@transaction.atomic
def save_webhook(
    *,
    actor: Any,
    unit: Any,
    kind: str,
    url: str,
    secret: str = "",
    escalations_only: bool = True,
    active: bool = True,
    webhook: Webhook | None = None,
) -> Webhook:
    """Create (or, given ``webhook``, change) a unit's group robot. Administrators only; the
    secret is never written to the audit log."""
    require(actor, perms.WEBHOOK_CHANGE.code)
    if unit is None:
        raise ValidationFailed(fields={"unit": [_("Choose a unit.")]})
    kind, url, secret = _clean_webhook(kind, url, secret)
    before = _webhook_trace(webhook) if webhook is not None else {}
    hook = webhook or Webhook()
    hook.unit, hook.kind, hook.url = unit, kind, url
    if secret or webhook is None:
        hook.secret = secret
    hook.escalations_only, hook.active = escalations_only, active
    hook.save()
    after = _webhook_trace(hook)
    if webhook is not None and secret:
        after["secret_changed"] = True  # that it changed, never the value
    audit.record(
        actor=actor,
        action="notifications.webhook.changed" if webhook else "notifications.webhook.created",
        obj=hook,
        changes=audit.diff(before, after) if webhook else after,
    )
    return hook


@transaction.atomic
def delete_webhook(*, actor: Any, webhook: Webhook) -> None:
    require(actor, perms.WEBHOOK_CHANGE.code)
    audit.record(
        actor=actor,
        action="notifications.webhook.deleted",
        obj=webhook,
        changes=_webhook_trace(webhook),
    )
    webhook.delete()


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
