"""New warnings delivered through the one inbox (``notifications.services.notify_many``, the bulk
form of ``notify``): each person a warning is routed to (its owner and their manager) gets one
message per evaluation, listing what was raised for them, in their own language, with a link to
the warnings page; all the messages of an evaluation are written at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from salescope.analytics import alerts
from salescope.analytics.choices import AlertKind
from salescope.notifications.services import Message, notify_many
from salescope.org.models import User

LISTED = 10  # causes written into one message; the page lists every one
KIND = "analytics.alerts.raised"


class Routed(alerts.Worded, Protocol):
    """A warning raised (``models.Alert`` or ``services.NewAlert``): its words and its people."""

    @property
    def owner(self) -> User: ...

    @property
    def manager(self) -> User | None: ...


def deliver(raised: Iterable[Routed]) -> int:
    """One inbox message per recipient of the ``raised`` warnings, all sent at once
    (``notify_many``); how many were sent."""
    by_person: dict[int, list[Routed]] = defaultdict(list)
    people: dict[int, User] = {}
    for alert in raised:
        for person in (alert.owner, alert.manager):
            if person is not None and person.is_active:
                by_person[person.pk].append(alert)
                people[person.pk] = person
    link = reverse("analytics:inbox")
    messages = []
    for pk in sorted(by_person):
        person, items = people[pk], by_person[pk]
        with translation.override(person.language or settings.LANGUAGE_CODE):
            title = ngettext(
                "%(count)d new early warning", "%(count)d new early warnings", len(items)
            ) % {"count": len(items)}
            lines = [f"{AlertKind(a.kind).label}: {alerts.cause(a)}" for a in items[:LISTED]]
            if len(items) > LISTED:
                lines.append(_("… and %(more)d more.") % {"more": len(items) - LISTED})
        messages.append(
            Message(recipients=[person], kind=KIND, title=title, body="\n".join(lines), link=link)
        )
    notify_many(messages)
    return len(by_person)
