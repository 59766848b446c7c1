"""Every write to plans and targets: keyword-only, ``actor`` first, one transaction, audited."""

from salescope.plans.services.common import PlanErrorCode
from salescope.plans.services.importing import ImportResult, import_targets
from salescope.plans.services.plans import (
    acknowledge,
    create_plan,
    plan_period,
    transition_plan,
    update_plan,
)
from salescope.plans.services.rights import CellRights, PlanRights, cell_rights, plan_rights
from salescope.plans.services.steps import create_step, update_step
from salescope.plans.services.targets import (
    CellEdit,
    Step,
    comment_on_target,
    decompose_target,
    edit_cells,
    parse_value,
    preview_decomposition,
    set_bottom_up,
    set_plan_target,
)

__all__ = [
    "CellEdit",
    "CellRights",
    "PlanRights",
    "cell_rights",
    "plan_rights",
    "ImportResult",
    "PlanErrorCode",
    "Step",
    "acknowledge",
    "comment_on_target",
    "create_plan",
    "create_step",
    "decompose_target",
    "edit_cells",
    "import_targets",
    "parse_value",
    "plan_period",
    "preview_decomposition",
    "set_bottom_up",
    "set_plan_target",
    "transition_plan",
    "update_plan",
    "update_step",
]
