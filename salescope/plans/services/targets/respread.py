"""Re-spreading after a value changes: the free children absorb the difference, locked
children keep theirs, level by level down the tree."""

from __future__ import annotations

from django.utils.translation import gettext as _

from salescope.core.errors import ValidationFailed
from salescope.plans import rules
from salescope.plans.choices import METRICS
from salescope.plans.models import Target
from salescope.plans.services.common import PlanErrorCode


def _apply_values(new_values: dict[int, int], cells: list[Target]) -> int:
    changed = [c for c in cells if c.pk in new_values and c.value != new_values[c.pk]]
    for c in changed:
        c.value = new_values[c.pk]
        c.version += 1
    Target.objects.bulk_update(changed, ["value", "version"], batch_size=2000)
    return len(changed)


def _respread_below(cells: list[Target]) -> int:
    """Re-split every cell's children after the cell's value changed, keeping locked children
    and the free children's proportions; level by level, one query per level. A percentage's
    parts are left alone: a changed level does not change the levels below it."""
    changed_total = 0
    level = [c for c in cells if not c.is_leaf and METRICS[c.metric].additive]
    while level:
        by_parent: dict[int, list[Target]] = {}
        children = (
            Target.objects.unrestricted()
            .filter(parent_id__in=[c.pk for c in level])
            .order_by("parent_id", "position", "id")
        )
        for child in children:
            by_parent.setdefault(child.parent_id, []).append(child)
        updates: dict[int, int] = {}
        moved: list[Target] = []
        for parent in level:
            kids = by_parent.get(parent.pk, [])
            if not kids:
                continue
            values = _split(parent, kids)
            for kid, value in zip(kids, values, strict=True):
                if kid.value != value:
                    updates[kid.pk] = value
                    moved.append(kid)
        changed_total += _apply_values(updates, moved)
        level = [c for c in moved if not c.is_leaf]
    return changed_total


def _split(parent: Target, kids: list[Target]) -> list[int]:
    locked = {i: k.value for i, k in enumerate(kids) if k.locked}
    try:
        return rules.redistribute(
            parent.value,
            [k.value for k in kids],
            locked=locked,
            quantum=METRICS[parent.metric].quantum,
        )
    except rules.InfeasibleAllocation:
        raise ValidationFailed(
            _("The locked cells under “%(cell)s” add up to more than it, or nothing is free.")
            % {"cell": parent.label},
            fields={"value": [_("Unlock a cell or change the values.")]},
            code=PlanErrorCode.INFEASIBLE_LOCKS,
        ) from None
