"""What the viewer may do with a plan or a target cell, so pages show only the actions that
will work: the same checks the services make (the role's permission, then the record)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from salescope.core.errors import PermissionDenied
from salescope.org.models import User
from salescope.org.permissions import allows
from salescope.org.visibility import can
from salescope.plans import permissions as perms
from salescope.plans.models import Plan, Target
from salescope.plans.services.common import (
    ensure_can_change_plan,
    ensure_can_draft,
    ensure_can_plan_under,
)


def _passes(check: Any, *args: Any) -> bool:
    try:
        check(*args)
    except PermissionDenied:
        return False
    return True


@dataclass(frozen=True)
class PlanRights:
    change: bool  # edit the document, submit, start a new version, mark any step done
    approve: bool  # start the review, approve, return to draft
    set_totals: bool  # set a metric's total (the root cells)
    import_targets: bool  # import cells they may plan (checked per cell on import)
    add_steps: bool


def plan_rights(*, viewer: User, plan: Plan) -> PlanRights:
    """Which of the plan page's actions the viewer holds the right to (the same checks as the
    services: the role's permission, then the record)."""
    writer = allows(viewer, perms.PLAN_CHANGE.code)
    change = writer and _passes(ensure_can_change_plan, viewer, plan)
    may_plan = allows(viewer, perms.TARGET_PLAN.code)
    root = Target(plan=plan, unit=plan.scope_unit)  # where a new total would go
    return PlanRights(
        change=change,
        approve=writer and can(viewer, Plan, "approve"),
        set_totals=may_plan and _passes(ensure_can_plan_under, viewer, root),
        import_targets=may_plan,
        add_steps=change and allows(viewer, perms.STEP_CREATE.code),
    )


@dataclass(frozen=True)
class CellRights:
    plan: bool  # decompose it, edit and lock its parts
    draft: bool  # give its bottom-up draft


def cell_rights(*, viewer: User, cell: Target) -> CellRights:
    return CellRights(
        plan=allows(viewer, perms.TARGET_PLAN.code)
        and _passes(ensure_can_plan_under, viewer, cell),
        draft=allows(viewer, perms.TARGET_DRAFT.code) and _passes(ensure_can_draft, viewer, cell),
    )
