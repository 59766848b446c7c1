"""Reads of the timeline, narrowed by the one rule."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import QuerySet

from salescope.timeline.models import Event

PAGE_SIZE = 20


def events_for(
    viewer: Any,
    *,
    customer: Any = None,
    subject: models.Model | None = None,
    kinds: list[str] | None = None,
) -> QuerySet[Event]:
    """The events the viewer may see about ``customer`` (all its records) or ``subject``,
    newest first. The caller has fetched ``customer``/``subject`` as visible to the viewer."""
    events = Event.objects.visible_to(viewer, "view").select_related("actor")
    if customer is not None:
        events = events.filter(customer=customer)
    if subject is not None:
        events = events.filter(subject_type=subject._meta.label_lower, subject_id=str(subject.pk))
    if customer is None and subject is None:
        return events.none()
    if kinds:
        events = events.filter(kind__in=kinds)
    return events.order_by("-at", "-id")


def events_page(
    viewer: Any, *, page: int = 1, customer: Any = None, subject: models.Model | None = None
) -> Page:
    """One page of :func:`events_for` (``PAGE_SIZE`` events), the last page for one too far."""
    events = events_for(viewer, customer=customer, subject=subject)
    return Paginator(events, PAGE_SIZE).get_page(page)
