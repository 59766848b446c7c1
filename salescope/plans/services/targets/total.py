"""The plan total: the root cell of a metric, whose change re-spreads the decomposition below
it."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from salescope.core import audit
from salescope.core.errors import ValidationFailed
from salescope.org.models import User
from salescope.org.permissions import require
from salescope.plans import permissions as perms
from salescope.plans.choices import Axis, Grain, Metric
from salescope.plans.models import Plan, Target
from salescope.plans.services.common import ensure_can_plan_under, ensure_editable, lock_plan
from salescope.plans.services.targets.context import _Context
from salescope.plans.services.targets.respread import _apply_values, _respread_below
from salescope.plans.services.targets.values import check_range


@transaction.atomic
def set_plan_target(*, actor: User, plan: Plan, metric: str, value: int) -> Target:
    """Create or change the plan's total for ``metric`` (the root cell); an existing
    decomposition of an amount is re-spread below it, keeping locked cells (a level's parts
    keep their own levels)."""
    require(actor, perms.TARGET_PLAN.code)
    plan = lock_plan(plan)
    ensure_editable(plan)
    if metric not in Metric.values:
        raise ValidationFailed(fields={"metric": [_("Unknown metric.")]})
    check_range(metric, {"value": value})
    root = Target.objects.unrestricted().filter(plan=plan, metric=metric, parent=None).first()
    if root is None:
        root = Target(
            plan=plan,
            metric=metric,
            axis=Axis.ROOT,
            unit=plan.scope_unit,
            period_start=plan.period_start,
            period_end=plan.period_end,
            grain=Grain.QUARTER if plan.quarter else Grain.YEAR,
        )
        ensure_can_plan_under(actor, root)
        root.value = value
        root.dims = _Context(plan=plan, actor=actor).dims_of(
            root.unit_id, None, None, None, root.grain, False
        )
        root.save()
        audit.record(
            actor=actor,
            action="plans.target.created",
            obj=root,
            changes={"metric": [None, metric], "value": [None, value]},
        )
        return root
    ensure_can_plan_under(actor, root)
    before = root.value
    changed = _apply_values({root.pk: value}, [root])
    changed += _respread_below([root])
    audit.record(
        actor=actor,
        action="plans.target.updated",
        obj=root,
        changes={"value": [before, value], "cells_respread": changed},
    )
    root.refresh_from_db()
    return root
