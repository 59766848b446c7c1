"""Saved tracking views (跟踪视图): a person keeps the plan, metric, grouping and pace basis of
a target-vs-actual view under a name, to open it again in one click (B1). Writes in one
transaction, audited; reads through the one visibility rule, a person's own list only."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from salescope.analytics.models import SavedView
from salescope.analytics.permissions import SAVED_VIEW
from salescope.analytics.targets import parse_group_by
from salescope.core import audit
from salescope.core.errors import StaleVersion, ValidationFailed
from salescope.org import permissions
from salescope.plans.choices import Metric, PaceBasis
from salescope.plans.models import Plan

FIELDS = ["name", "plan", "metric", "group_by", "basis"]


def saved_views(*, viewer: Any) -> Any:
    """The viewer's own saved views, by name."""
    return SavedView.objects.visible_to(viewer).filter(owner=viewer).order_by("name", "id")


def get_saved_view(*, viewer: Any, pk: int, action: str = "view") -> SavedView:
    """One of the viewer's own views; anyone else's is missing (404), even a manager's report's."""
    view = SavedView.objects.get_visible(viewer, pk, action)
    if view.owner_id != viewer.pk:
        from salescope.core.errors import NotFound

        raise NotFound()
    return view


def _clean(viewer: Any, name: str, plan_id: int | None, metric: str, group_by: str, basis: str):  # noqa: ANN202
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the view a name.")]
    if metric not in Metric.values:
        errors["metric"] = [_("Unknown metric.")]
    if basis and basis not in PaceBasis.values:
        errors["basis"] = [_("Unknown pace basis.")]
    try:
        group_by = ",".join(parse_group_by(group_by or "region"))
    except ValidationFailed as error:
        errors.update(error.fields)
    plan = None
    if plan_id is not None:
        plan = Plan.objects.visible_to(viewer).filter(pk=plan_id).first()
        if plan is None:
            errors["plan"] = [_("No such plan.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return name[:80], plan, metric, group_by, basis or ""


@transaction.atomic
def save_view(
    *,
    actor: Any,
    name: str,
    metric: str,
    group_by: str,
    plan_id: int | None = None,
    basis: str = "",
) -> SavedView:
    """Keep the view under ``name``; a view of the same name is replaced (its settings change)."""
    permissions.require(actor, SAVED_VIEW.code)
    name, plan, metric, group_by, basis = _clean(actor, name, plan_id, metric, group_by, basis)
    existing = (
        # visibility: a write to the actor's own view (owner checked), as services do
        SavedView.objects.unrestricted().select_for_update().filter(owner=actor, name=name).first()
    )
    if existing is not None:
        before = audit.snapshot(existing, FIELDS)
        existing.plan, existing.metric, existing.group_by, existing.basis = (
            plan,
            metric,
            group_by,
            basis,
        )
        changes = audit.diff(before, audit.snapshot(existing, FIELDS))
        if changes:
            existing.version += 1
            existing.save()
            audit.record(
                actor=actor, action="analytics.savedview.updated", obj=existing, changes=changes
            )
        return existing
    try:
        with transaction.atomic():
            view = SavedView.objects.create(
                owner=actor, name=name, plan=plan, metric=metric, group_by=group_by, basis=basis
            )
    except IntegrityError:  # the same name saved at the same moment
        raise ValidationFailed(
            fields={"name": [_("You already have a view of this name.")]}
        ) from None
    audit.record(
        actor=actor,
        action="analytics.savedview.created",
        obj=view,
        changes=audit.diff({}, audit.snapshot(view, FIELDS)),
    )
    return view


@transaction.atomic
def delete_view(*, actor: Any, view: SavedView, expected_version: int) -> None:
    permissions.require(actor, SAVED_VIEW.code)
    if view.owner_id != actor.pk:
        from salescope.core.errors import NotFound

        raise NotFound()
    before = audit.snapshot(view, FIELDS)
    pk, label = view.pk, str(view)
    deleted, _rows = (
        # visibility: a write to the actor's own view (owner checked), as services do
        SavedView.objects.unrestricted().filter(pk=pk, version=expected_version).delete()
    )
    if deleted != 1:
        # visibility: a write to the actor's own view (owner checked), as services do
        current = SavedView.objects.unrestricted().filter(pk=pk).values_list("version", flat=True)
        raise StaleVersion(extra={"current_version": current.first()})
    audit.record(
        actor=actor,
        action="analytics.savedview.deleted",
        object_type=SavedView._meta.label_lower,
        object_id=pk,
        object_repr=label,
        changes=audit.diff(before, {}),
    )
