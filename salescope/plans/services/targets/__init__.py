"""Writes to targets: set a plan total, decompose along an axis, edit cells with locks and
redistribution, bottom-up drafts, negotiation comments (A2, A3, A4, A8).

Every write to an amount, count or quantity keeps the invariant that a cell's children sum
exactly to it (``rules.allocate``). A percentage (``METRICS[metric].additive`` False: market
share, brand awareness) is a level: its parts start at its level (``rules.level_parts``) and
then each keeps the level typed for it; nothing is re-split or re-spread. Every write records
one audit entry. Target writes of a plan are serialised by locking the plan row, and an edited
cell must still be at the version the client loaded (R7).

Modules: ``total`` (the plan total), ``decompose`` (目标分解: preview and write a chain of
steps) built from ``context``, ``parts``, ``weights``, ``locks``, ``tree`` and ``writing``;
``editing`` (cells, bottom-up drafts, comments) with ``respread``; ``values`` (typed input).
"""

from salescope.plans.services.targets.context import Spec, Step
from salescope.plans.services.targets.decompose import (
    DecompositionPreview,
    PreviewLevel,
    PreviewPart,
    decompose_target,
    preview_decomposition,
)
from salescope.plans.services.targets.editing import (
    CellEdit,
    comment_on_target,
    edit_cells,
    set_bottom_up,
)
from salescope.plans.services.targets.total import set_plan_target
from salescope.plans.services.targets.values import CELL_FIELDS, check_range, parse_value
from salescope.plans.services.targets.weights import HISTORY_METHODS

__all__ = [
    "CELL_FIELDS",
    "HISTORY_METHODS",
    "CellEdit",
    "DecompositionPreview",
    "PreviewLevel",
    "PreviewPart",
    "Spec",
    "Step",
    "check_range",
    "comment_on_target",
    "decompose_target",
    "edit_cells",
    "parse_value",
    "preview_decomposition",
    "set_bottom_up",
    "set_plan_target",
]
