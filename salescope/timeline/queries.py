"""Reads of the timeline, narrowed by the one rule."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from salescope.timeline.models import Event

PAGE_SIZE = 20

# Subjects whose events are read only by those who may see the subject itself: an app above
# registers its model here (``register_private_subject(Visit)`` in its ``ready``), so that a
# role the event's owner rule lets in (finance reads every event) does not learn of a record
# it may not open. Keyed by ``subject_type`` ("activities.visit").
PRIVATE_SUBJECTS: dict[str, type[models.Model]] = {}


def register_private_subject(model: type[models.Model]) -> None:
    PRIVATE_SUBJECTS[model._meta.label_lower] = model


def _narrow_to_visible_subjects(events: QuerySet[Event], viewer: Any) -> QuerySet[Event]:
    for subject_type, model in PRIVATE_SUBJECTS.items():
        visible = (
            model.objects.visible_to(viewer, "view")  # type: ignore[attr-defined]
            .annotate(key=Cast("pk", CharField()))
            .values("key")
        )
        events = events.exclude(Q(subject_type=subject_type) & ~Q(subject_id__in=visible))
    return events


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
    events = _narrow_to_visible_subjects(events, viewer)
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
