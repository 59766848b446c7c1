"""Action steps of a plan: who, what, where, when, how — assigned, dated, done (A6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.core import audit
from salescope.core.concurrency import update_versioned
from salescope.core.errors import PermissionDenied, ValidationFailed
from salescope.org.models import User
from salescope.org.permissions import require
from salescope.plans import permissions as perms
from salescope.plans.choices import StepStatus
from salescope.plans.models import ActionStep, Plan
from salescope.plans.services.common import ensure_can_change_plan

STEP_FIELDS = ["what", "assignee", "where", "due_date", "how", "status"]


def _validate(what: str, due_date: dt.date | None) -> None:
    errors = {}
    if not what.strip():
        errors["what"] = [_("Say what is to be done.")]
    if due_date is None:
        errors["due_date"] = [_("Give a due date.")]
    if errors:
        raise ValidationFailed(fields=errors)


@transaction.atomic
def create_step(
    *,
    actor: User,
    plan: Plan,
    what: str,
    assignee: User,
    due_date: dt.date,
    where: str = "",
    how: str = "",
) -> ActionStep:
    require(actor, perms.STEP_CREATE.code)
    ensure_can_change_plan(actor, plan)
    _validate(what, due_date)
    step = ActionStep.objects.create(
        plan=plan,
        what=what.strip()[:300],
        assignee=assignee,
        where=where.strip()[:200],
        due_date=due_date,
        how=how.strip(),
    )
    audit.record(
        actor=actor,
        action="plans.action_step.created",
        obj=step,
        changes=audit.diff({}, audit.snapshot(step, STEP_FIELDS)),
    )
    return step


@transaction.atomic
def update_step(
    *, actor: User, step: ActionStep, expected_version: int, changes: dict[str, Any]
) -> ActionStep:
    """Change a step; the assignee may only mark it done or open again."""
    require(actor, perms.STEP_CHANGE.code)
    unknown = set(changes) - set(STEP_FIELDS)
    if unknown:
        raise ValidationFailed(fields={n: [_("Unknown field.")] for n in sorted(unknown)})
    is_planner = _is_planner(actor, step.plan)
    if not is_planner and (step.assignee_id != actor.pk or set(changes) - {"status"}):
        raise PermissionDenied(_("Only the plan's owner or a manager may change this step."))
    values = dict(changes)
    if "status" in values:
        if values["status"] not in StepStatus.values:
            raise ValidationFailed(fields={"status": [_("Unknown status.")]})
        values["done_at"] = timezone.now() if values["status"] == StepStatus.DONE else None
    if "what" in values or "due_date" in values:
        _validate(values.get("what", step.what), values.get("due_date", step.due_date))
    before = audit.snapshot(step, STEP_FIELDS)
    update_versioned(step, expected_version=expected_version, changes=values)
    audit.record(
        actor=actor,
        action="plans.action_step.updated",
        obj=step,
        changes=audit.diff(before, audit.snapshot(step, STEP_FIELDS)),
    )
    return step


def _is_planner(actor: User, plan: Plan) -> bool:
    try:
        ensure_can_change_plan(actor, plan)
    except PermissionDenied:
        return False
    return True
