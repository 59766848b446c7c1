"""Writes to the timeline. Other apps call :func:`record_event` inside their own transaction
(their service's audit entry covers the change; the event is its trace on the customer)."""

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.core.errors import ValidationFailed
from salescope.timeline.choices import EventKind
from salescope.timeline.models import Event


def subject_key(subject: models.Model | None) -> tuple[str, str]:
    """``("pipeline.opportunity", "42")`` for an opportunity; empty for no subject."""
    if subject is None:
        return "", ""
    return subject._meta.label_lower, str(subject.pk)


@transaction.atomic
def record_event(
    *,
    actor: Any,
    customer: Any = None,
    kind: str,
    summary: str,
    subject: models.Model | None = None,
    at: dt.datetime | None = None,
    owner: Any = None,
) -> Event:
    """Add one event to ``customer``'s timeline (and ``subject``'s, when given).

    ``owner`` decides who may read the event (the one rule); it defaults to the subject's
    ``owner``, else the customer's, else the actor.
    """
    summary = (summary or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in EventKind.values:
        errors["kind"] = [_("Unknown kind of event.")]
    if not summary:
        errors["summary"] = [_("Say what happened.")]
    if customer is None and subject is None:
        errors["customer"] = [_("An event is about a customer or a record.")]
    if errors:
        raise ValidationFailed(fields=errors)
    if owner is None:
        owner = getattr(subject, "owner", None) or getattr(customer, "owner", None)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    subject_type, subject_id = subject_key(subject)
    return Event.objects.create(
        customer=customer,
        subject_type=subject_type,
        subject_id=subject_id,
        kind=kind,
        summary=summary[:500],
        at=at or timezone.now(),
        actor=actor if is_user else None,
        owner=owner or (actor if is_user else None),
    )
