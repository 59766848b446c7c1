"""Permission and state checks shared by the plan and target services."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from salescope.core.errors import Conflict, PermissionDenied
from salescope.org.models import OrgUnit
from salescope.org.visibility import can, managed_subtree
from salescope.plans.models import Plan, Target


class PlanErrorCode(StrEnum):
    PLAN_FROZEN = "plan_frozen"
    WRONG_STATUS = "plan_wrong_status"
    INFEASIBLE_LOCKS = "target_infeasible_locks"
    NOTHING_TO_DECOMPOSE = "target_nothing_to_decompose"
    NO_HISTORY = "target_no_history"
    NO_FORECAST = "target_no_forecast"
    ALREADY_ACKNOWLEDGED = "acknowledgement_already_given"
    ACKNOWLEDGEMENT_SUPERSEDED = "acknowledgement_superseded"


def manages_unit(actor: Any, unit_id: int | None) -> bool:
    """Whether ``actor`` manages ``unit_id`` or a unit above it (now)."""
    if unit_id is None:
        return False
    return OrgUnit.objects.unrestricted().filter(pk=unit_id, pk__in=managed_subtree(actor)).exists()


def ensure_can_change_plan(actor: Any, plan: Plan) -> None:
    from salescope.org.visibility import visible

    if not visible(Plan.objects.filter(pk=plan.pk), viewer=actor, action="change").exists():
        raise PermissionDenied()


def lock_plan(plan: Plan) -> Plan:
    """Serialise target writes of one plan (row lock on PostgreSQL; SQLite writes queue)."""
    return Plan.objects.unrestricted().select_for_update().get(pk=plan.pk)


def ensure_editable(plan: Plan) -> None:
    if plan.is_frozen:
        raise Conflict(
            _("The plan is approved and frozen; start a new version to change it."),
            code=PlanErrorCode.PLAN_FROZEN,
        )


def ensure_can_plan_under(actor: Any, cell: Target) -> None:
    """Setting the children of ``cell`` (decomposing, editing, locking) is for the company-wide
    planners and the managers of the cell's unit — never for the person the cell is about."""
    if can(actor, Target, "change"):
        return
    if cell.person_id != actor.pk and manages_unit(actor, cell.unit_id):
        return
    raise PermissionDenied(_("Only the manager of this unit or a sales director may do this."))


def ensure_can_draft(actor: Any, cell: Target) -> None:
    """Bottom-up drafts and comments: the person of the cell, its unit's managers, planners."""
    if can(actor, Target, "change") or cell.person_id == actor.pk:
        return
    if manages_unit(actor, cell.unit_id):
        return
    raise PermissionDenied()
