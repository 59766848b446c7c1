"""Decomposing a target (目标分解): preview what a chain of steps would make, or make it and
replace the old parts, in one audited write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from salescope.core import audit
from salescope.org.models import User
from salescope.org.permissions import require
from salescope.plans import permissions as perms
from salescope.plans.models import Target
from salescope.plans.services.common import ensure_can_plan_under, ensure_editable, lock_plan
from salescope.plans.services.targets.context import Step
from salescope.plans.services.targets.parts import _new_cells
from salescope.plans.services.targets.tree import _build_tree, _context, _prepare
from salescope.plans.services.targets.values import _check_version
from salescope.plans.services.targets.weights import _check_history
from salescope.plans.services.targets.writing import _replace_parts, _write_tree


@dataclass(frozen=True)
class PreviewPart:
    label: str
    value: int
    locked: bool


@dataclass(frozen=True)
class PreviewLevel:
    axis: str
    methods: list[str]
    cells: int
    total: int
    smallest: int
    largest: int


@dataclass(frozen=True)
class DecompositionPreview:
    """What a chained decomposition would make, before anything is written."""

    target: Target
    levels: list[PreviewLevel]
    parts: list[PreviewPart]  # the first step's parts (at most 60)
    cells: int
    leaves_total: int
    locks_kept: int


def preview_decomposition(
    *, actor: User, target: Target, steps: Sequence[Step], each_child: bool = False
) -> DecompositionPreview:
    """The result of :func:`decompose_target` with the same arguments, computed and not
    written: per step, how many cells, their total and range; the first step's parts."""
    require(actor, perms.TARGET_PLAN.code)
    ensure_can_plan_under(actor, target)
    steps = _prepare(target, steps)
    ctx = _context(target.plan, actor, steps)
    _check_history(ctx, target, steps)
    tree, _replaced = _build_tree(ctx, target, steps, each_child=each_child)
    values = tree.values
    levels = []
    leaves_total = 0
    for depth, groups in enumerate(tree.groups):
        nodes = [g.first + i for g in groups for i in range(len(g.specs))]
        level_values = [values[n] for n in nodes]
        if depth == len(tree.groups) - 1:
            leaves_total = sum(level_values)
        levels.append(
            PreviewLevel(
                axis=groups[0].axis,
                methods=sorted(tree.methods[depth]),
                cells=len(nodes),
                total=sum(level_values),
                smallest=min(level_values),
                largest=max(level_values),
            )
        )
    first = tree.groups[0]
    parts: list[PreviewPart] = []
    for group in first:
        cells = group.cells or _new_cells(ctx, group.cell, Step(group.axis), group.specs)
        for i, cell in enumerate(cells):
            if len(parts) >= 60:  # noqa: PLR2004 - enough to check a split by eye
                break
            node = group.first + i
            parts.append(PreviewPart(cell.label, values[node], node in tree.locked))
    return DecompositionPreview(
        target=target,
        levels=levels,
        parts=parts,
        cells=sum(level.cells for level in levels),
        leaves_total=leaves_total,
        locks_kept=len([n for n in tree.locked if not (each_child and tree.parents[n] == 0)]),
    )


@transaction.atomic
def decompose_target(
    *,
    actor: User,
    target: Target,
    steps: Sequence[Step],
    expected_version: int | None = None,
    each_child: bool = False,
) -> int:
    """Split ``target`` along a chain of ``steps`` in one action (e.g. org, org, org, org,
    month, product; or org, brand, product, SKU, quarter, month), each step with its own
    method: each step splits every cell made by the step before. Returns the number of cells
    created. Children sum exactly to their parent at every level (``rules.split_tree``).

    Existing parts of ``target`` are replaced, except that the cells typed and locked below it
    keep their value wherever the new chain makes a cell with the same coordinates (the cells
    above reserve what they hold). With ``each_child`` the target's existing parts stay as they
    are and the chain is applied to every one of them ("the same for every part").

    A level (a percentage such as market share) is not split: every part starts at its
    parent's level and the method is recorded as equal (weights and history do not apply)."""
    require(actor, perms.TARGET_PLAN.code)
    plan = lock_plan(target.plan)
    ensure_editable(plan)
    target = Target.objects.unrestricted().select_for_update().get(pk=target.pk)
    _check_version(target, expected_version)
    ensure_can_plan_under(actor, target)
    steps = _prepare(target, steps)
    ctx = _context(plan, actor, steps)
    _check_history(ctx, target, steps)
    tree, replaced_under = _build_tree(ctx, target, steps, each_child=each_child)
    replaced = _replace_parts(target, replaced_under, each_child=each_child)
    created = _write_tree(ctx, tree)
    Target.objects.unrestricted().filter(pk=target.pk).update(version=F("version") + 1)
    audit.record(
        actor=actor,
        action="plans.target.decomposed",
        obj=target,
        changes={
            "steps": [[s.axis, s.method] for s in steps],
            "each_child": each_child,
            "cells_created": created,
            "cells_replaced": replaced,
            "locks_kept": len(tree.locked) - (len(replaced_under) if each_child else 0),
        },
    )
    return created
