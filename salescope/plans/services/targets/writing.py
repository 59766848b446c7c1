"""Writing a decomposition built in memory: the old parts go, the upper levels are saved as
model rows (their ids are parents), the last level as plain rows in one set-based insert (COPY
on PostgreSQL): 300k model instances would cost more than the write."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import F

from salescope.plans.choices import Axis
from salescope.plans.models import Dim, Target
from salescope.plans.services.targets.context import Spec, _Context
from salescope.plans.services.targets.tree import _Tree

_LEAF_COLUMNS = (
    "plan_id",
    "metric",
    "parent_id",
    "axis",
    "depth",
    "position",
    "unit_id",
    "person_id",
    "category_id",
    "customer_id",
    "period_start",
    "period_end",
    "grain",
    "value",
    "locked",
    "method",
    "children_axis",
    "is_leaf",
    "dims",
    "parent_dims",
    "version",
    "brand_id",
    "product_id",
)


def _leaf_rows(
    ctx: _Context,
    cell: Target,
    axis: str,
    specs: list[Spec],
    values: Sequence[int],
    locked: Sequence[bool] | None,
) -> list[tuple]:
    """The last level as plain rows: 300k model instances would cost more than the insert."""
    customer_axis = axis == Axis.CUSTOMER or bool(cell.dims & Dim.CUSTOMER)
    day = ctx.db_date
    locks = locked or [False] * len(specs)
    parent_id, depth, dims = cell.pk, cell.depth + 1, cell.dims
    plan_id, metric, dims_of = cell.plan_id, cell.metric, ctx.dims_of
    return [
        (
            plan_id,
            metric,
            parent_id,
            axis,
            depth,
            i,
            s.unit_id,
            s.person_id,
            s.category_id,
            s.customer_id,
            day(s.start),
            day(s.end),
            s.grain,
            v,
            lock,
            "",
            "",
            True,
            dims_of(
                s.unit_id,
                s.person_id,
                s.category_id,
                s.customer_id,
                s.grain,
                customer_axis,
                s.brand_id,
                s.product_id,
            ),
            dims,
            1,
            s.brand_id,
            s.product_id,
        )
        for i, (s, v, lock) in enumerate(zip(specs, values, locks, strict=True))
    ]


def _insert_rows(rows: list[tuple]) -> None:
    """The leaf level in one set-based write: ``COPY`` on PostgreSQL, ``executemany`` on
    SQLite (DESIGN.md: bulk paths are set-based)."""
    from django.db import connection

    table = connection.ops.quote_name(Target._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _LEAF_COLUMNS)
    marks = ", ".join(["%s"] * len(_LEAF_COLUMNS))
    if connection.vendor == "postgresql":  # COPY: one stream instead of a statement per row
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - fixed names
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 20_000):
            cursor.executemany(sql, rows[start : start + 20_000])


def _replace_parts(target: Target, replaced_under: list[Target], *, each_child: bool) -> int:
    """Delete the old parts of the cells the chain splits anew and mark those cells as split
    (with ``each_child`` the kept parts each get a new version); returns the rows deleted."""
    replaced, _deleted = (
        Target.objects.unrestricted().filter(parent__in=[c.pk for c in replaced_under]).delete()
    )
    if each_child:  # the kept parts now have parts of their own, or none
        for kid in replaced_under:
            Target.objects.unrestricted().filter(pk=kid.pk).update(
                children_axis=kid.children_axis,
                method=kid.method,
                is_leaf=kid.is_leaf,
                version=F("version") + 1,
            )
    else:
        Target.objects.unrestricted().filter(pk=target.pk).update(
            children_axis=target.children_axis, method=target.method, is_leaf=False
        )
    return replaced


def _write_tree(ctx: _Context, tree: _Tree) -> int:
    """Save the tree's new cells level by level with their split values and locks; returns
    the number of cells created."""
    values, locked = tree.values, tree.locked
    created = 0
    for depth, groups in enumerate(tree.groups):
        if depth < len(tree.groups) - 1 and groups[0].cells is not None:
            cells = [c for g in groups for c in (g.cells or [])]
            for cell in cells:
                node = cell._node  # type: ignore[attr-defined]
                cell.parent_id = cell._parent.pk  # type: ignore[attr-defined]
                cell.value = values[node]
                cell.locked = node in locked
            Target.objects.bulk_create(cells, batch_size=1000)
            created += len(cells)
            continue
        rows: list[tuple] = []
        for group in groups:
            count = len(group.specs)
            part_locks = [group.first + i in locked for i in range(count)] if locked else None
            if group.cells is not None:  # a chain cut short: these parts are leaves
                for i, cell in enumerate(group.cells):
                    cell.parent_id = cell._parent.pk  # type: ignore[attr-defined]
                    cell.value = values[group.first + i]
                    cell.locked = bool(part_locks and part_locks[i])
                Target.objects.bulk_create(group.cells, batch_size=1000)
                created += count
                continue
            rows.extend(
                _leaf_rows(
                    ctx,
                    group.cell,
                    group.axis,
                    group.specs,
                    values[group.first : group.first + count],
                    part_locks,
                )
            )
        _insert_rows(rows)
        created += len(rows)
    return created
