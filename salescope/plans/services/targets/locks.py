"""Cells typed and locked below a target survive a new decomposition: they are found by their
coordinates and keep their value where the new chain makes the same cell."""

from __future__ import annotations

import datetime as dt
from typing import Any

from salescope.plans.choices import Axis
from salescope.plans.models import Target

LockKey = tuple


def _lock_key(
    unit_id: Any,
    person_id: Any,
    category_id: Any,
    brand_id: Any,
    product_id: Any,
    customer_id: Any,
    start: dt.date,
    end: dt.date,
    rest: bool,
) -> LockKey:
    return (unit_id, person_id, category_id, brand_id, product_id, customer_id, start, end, rest)


def _cell_lock_key(cell: Target) -> LockKey:
    return _lock_key(
        cell.unit_id,
        cell.person_id,
        cell.category_id,
        cell.brand_id,
        cell.product_id,
        cell.customer_id,
        cell.period_start,
        cell.period_end,
        cell.axis == Axis.CUSTOMER and cell.customer_id is None,
    )


def _locks_below(cells: list[Target]) -> dict[LockKey, int]:
    """The locked cells (typed overrides) somewhere below ``cells``, by their coordinates: a
    new decomposition keeps them. Locked cells are few; each is walked up to see whose it is."""
    if not cells:
        return {}
    first = cells[0]
    candidates = list(
        Target.objects.unrestricted().filter(
            plan_id=first.plan_id,
            metric=first.metric,
            locked=True,
            depth__gt=min(c.depth for c in cells),
        )
    )
    if not candidates:
        return {}
    roots = {c.pk for c in cells}
    parent_of: dict[int, int | None] = {c.pk: c.parent_id for c in candidates}
    wanted = {p for p in parent_of.values() if p is not None and p not in parent_of}
    while wanted:
        rows = dict(
            Target.objects.unrestricted().filter(pk__in=wanted).values_list("pk", "parent_id")
        )
        parent_of.update(rows)
        wanted = {p for p in rows.values() if p is not None and p not in parent_of}

    def under(pk: int) -> bool:
        node = parent_of.get(pk)
        while node is not None:
            if node in roots:
                return True
            node = parent_of.get(node)
        return False

    return {_cell_lock_key(c): c.value for c in candidates if under(c.pk)}
