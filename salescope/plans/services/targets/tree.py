"""A chained decomposition built in memory, level by level, and split in one go by
``rules.split_tree`` so every level sums exactly to its parent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from salescope.core.errors import ValidationFailed
from salescope.org.models import User
from salescope.plans import rules
from salescope.plans.choices import METRICS, Axis, Method
from salescope.plans.models import Plan, Target
from salescope.plans.services.common import PlanErrorCode
from salescope.plans.services.targets.context import Spec, Step, _Context
from salescope.plans.services.targets.locks import _lock_key, _locks_below
from salescope.plans.services.targets.parts import _new_cells, _specs
from salescope.plans.services.targets.weights import _weights


@dataclass
class _Group:
    """The parts of one cell made by one step: the specs and where they sit in the tree."""

    cell: Target
    axis: str
    specs: list[Spec]
    first: int  # the node index of the first part
    cells: list[Target] | None = None  # None: the parts are leaves, written as rows


@dataclass
class _Tree:
    parents: list[int]
    weights: list[Any]
    locked: dict[int, int]
    groups: list[list[_Group]]  # per step
    methods: list[set[str]]  # per step: the methods the parts followed
    values: list[int] = field(default_factory=list)


def _build_tree(
    ctx: _Context, target: Target, steps: Sequence[Step], *, each_child: bool
) -> tuple[_Tree, list[Target]]:
    """The whole chain in memory: nodes in level order, node 0 ``target``. With ``each_child``
    the target's existing parts are kept as they are (locked at their values) and the steps
    apply to each of them. Returns the tree and the cells whose old parts are replaced."""
    additive = METRICS[target.metric].additive
    target._node = 0  # type: ignore[attr-defined]
    parents: list[int] = [-1]
    weights: list[Any] = [1]
    locked: dict[int, int] = {}
    level = [target]
    if each_child:
        level = list(Target.objects.unrestricted().filter(parent=target).order_by("position", "id"))
        if not level:
            raise ValidationFailed(
                fields={"scope": [_("This target has no parts yet: decompose it first.")]},
                code=PlanErrorCode.NOTHING_TO_DECOMPOSE,
            )
        for kid in level:  # their old parts go: they are leaves until the chain splits them
            kid.children_axis, kid.method, kid.is_leaf = "", "", True
            kid._node = len(parents)  # type: ignore[attr-defined]
            parents.append(0)
            weights.append(kid.value)
            locked[kid._node] = kid.value  # type: ignore[attr-defined]
    replaced_under = list(level)
    old_locks = _locks_below(replaced_under)
    tree = _Tree(parents, weights, locked, [], [])
    for depth, step in enumerate(steps):
        last = depth == len(steps) - 1
        groups: list[_Group] = []
        methods: set[str] = set()
        next_level: list[Target] = []
        for cell in level:
            specs = _specs(ctx, cell, step)
            if not specs:
                continue
            if additive:
                part_weights, method = _weights(ctx, cell, step, specs)
            else:
                part_weights, method = [1] * len(specs), Method.EQUAL
            methods.add(method)
            cell.children_axis, cell.method, cell.is_leaf = step.axis, method, False
            group = _Group(cell, step.axis, specs, len(parents))
            parents.extend([cell._node] * len(specs))  # type: ignore[attr-defined]
            weights.extend(part_weights)
            if not last:
                group.cells = _new_cells(ctx, cell, step, specs)
                for i, part in enumerate(group.cells):
                    part._node = group.first + i  # type: ignore[attr-defined]
                    part._parent = cell  # type: ignore[attr-defined]
                next_level.extend(group.cells)
            groups.append(group)
        if not groups:
            if depth == 0:
                raise ValidationFailed(
                    fields={"axis": [_("There is nothing to decompose this target into.")]},
                    code=PlanErrorCode.NOTHING_TO_DECOMPOSE,
                )
            break
        tree.groups.append(groups)
        tree.methods.append(methods)
        level = next_level
        if old_locks:
            for group in groups:
                for i, s in enumerate(group.specs):
                    key = _lock_key(
                        s.unit_id,
                        s.person_id,
                        s.category_id,
                        s.brand_id,
                        s.product_id,
                        s.customer_id,
                        s.start,
                        s.end,
                        group.axis == Axis.CUSTOMER and s.customer_id is None,
                    )
                    if key in old_locks:
                        locked[group.first + i] = old_locks[key]
    try:
        tree.values = rules.split_tree(
            target.value,
            parents,
            weights,
            locked=locked,
            quantum=METRICS[target.metric].quantum,
            additive=additive,
        )
    except rules.InfeasibleAllocation:
        raise ValidationFailed(
            _("The locked cells under “%(cell)s” add up to more than it, or nothing is free.")
            % {"cell": target.label},
            fields={"value": [_("Unlock a cell or change the values.")]},
            code=PlanErrorCode.INFEASIBLE_LOCKS,
        ) from None
    return tree, replaced_under


def _prepare(target: Target, steps: Sequence[Step]) -> list[Step]:
    if not steps:
        raise ValidationFailed(fields={"axis": [_("Choose how to decompose.")]})
    if not METRICS[target.metric].additive:
        # 18% market share is not 4.5% in each of four regions: each part starts at 18%.
        return [Step(s.axis, Method.EQUAL, None, s.members) for s in steps]
    return list(steps)


def _context(plan: Plan, actor: User, steps: Sequence[Step]) -> _Context:
    ctx = _Context(plan=plan, actor=actor)
    ctx.by_sku = any(s.axis in (Axis.BRAND, Axis.SKU) for s in steps)
    return ctx
