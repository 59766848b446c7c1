"""Reading the plan's target cells: which decomposition levels exist, and the cells of them
the viewer may see, narrowed to the asked person, unit or months."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Sum

from salescope.analytics.actuals import as_date, month_as_text, plain_rows
from salescope.analytics.targets.basis import Calendar, _month_weights, _season
from salescope.analytics.targets.dimensions import DIMENSIONS
from salescope.core.periods import month_end, months_between
from salescope.org.models import OrgUnit
from salescope.org.visibility import own_records, visible
from salescope.plans import rules
from salescope.plans.choices import PaceBasis
from salescope.plans.models import Dim, Plan, Target


def _union(querysets: list[Any]) -> Any:
    """The rows of every queryset (UNION ALL), or nothing without a queryset."""
    if not querysets:
        return []
    if len(querysets) == 1:
        return querysets[0]
    return querysets[0].union(*querysets[1:], all=True)


def _levels(plan: Plan, metric: str) -> list[tuple[int, int, bool]]:
    """The (dims, parent_dims, is_leaf) combinations among the plan's cells of ``metric``: one
    or two per decomposition level. Read by skipping along the ``target_plan_levels`` index (a
    seek per combination), not by reading the cells: SQLite's DISTINCT skips by itself;
    PostgreSQL needs the recursive form (a loose index scan)."""
    table = connection.ops.quote_name(Target._meta.db_table)
    where = "plan_id = %s AND metric = %s"
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            sql = f"SELECT DISTINCT dims, parent_dims, is_leaf FROM {table} WHERE {where}"  # noqa: S608
            cursor.execute(sql, [plan.pk, metric])
            return sorted((int(d), int(p), bool(leaf)) for d, p, leaf in cursor.fetchall())
        # k = (dims × 1024 + parent_dims) × 2 + is_leaf: one orderable value per level.
        key = "(dims * 1024 + parent_dims) * 2 + CASE WHEN is_leaf THEN 1 ELSE 0 END"
        order = "ORDER BY dims, parent_dims, is_leaf LIMIT 1"
        first = f"SELECT {key} FROM {table} WHERE {where} {order}"  # noqa: S608
        following = (
            f"SELECT {key} FROM {table} WHERE {where} "  # noqa: S608
            "AND (dims, parent_dims, is_leaf) > "
            "(levels.k / 2048, (levels.k / 2) %% 1024, levels.k %% 2 = 1) "
            f"{order}"
        )
        sql = (
            f"WITH RECURSIVE levels(k) AS (SELECT ({first}) UNION ALL "  # noqa: S608
            f"SELECT ({following}) FROM levels WHERE levels.k IS NOT NULL) "
            "SELECT k / 2048, (k / 2) %% 1024, k %% 2 = 1 FROM levels WHERE k IS NOT NULL"
        )
        cursor.execute(sql, [plan.pk, metric, plan.pk, metric])
        return sorted((int(d), int(p), bool(leaf)) for d, p, leaf in cursor.fetchall())


def _visible_cells(viewer: Any, plan: Plan, metric: str, filters: dict[str, Any]) -> Any:
    """The plan's cells of ``metric`` the viewer may see, narrowed by ``filters``. One's own
    cells ("my targets") are read as ``own_records``: the same rows, a cheaper query to build."""
    cells = Target.objects.filter(plan=plan, metric=metric)
    if filters.get("person") and filters["person"] == getattr(viewer, "pk", None):
        return _narrow(own_records(cells, viewer=viewer), {**filters, "person": None})
    return _narrow(visible(cells, viewer=viewer), filters)


def _narrow(cells: Any, filters: dict[str, Any]) -> Any:
    if filters.get("person"):
        cells = cells.filter(person_id=filters["person"])
    if filters.get("unit"):
        unit = OrgUnit.objects.unrestricted().filter(pk=filters["unit"]).first()
        cells = cells.filter(unit__path__startswith=unit.path) if unit else cells.none()
    if filters.get("month"):
        cells = cells.filter(period_start__lte=filters["month"], period_end__gte=filters["month"])
    if filters.get("months"):
        first, last = filters["months"]
        cells = cells.filter(period_start__lte=month_end(last), period_end__gte=first)
    return cells


def _partition(
    plan: Plan, metric: str, group_by: list[str]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The (dims, parent_dims) levels whose cells add up to the plan total once each for
    ``group_by``: the cells that fix every asked coordinate while their parent does not
    (fixed), plus the leaves that never fix them (loose: split over months by the caller)."""
    mask = Dim.MONTH
    for dim in group_by:
        mask |= DIMENSIONS[dim]
    levels = _levels(plan, metric)
    fixed_pairs = sorted(
        {(d, p) for d, p, _leaf in levels if d & mask == mask and p & mask != mask}
    )
    loose_pairs = [(d, p) for d, p, leaf in levels if leaf and d & mask != mask]
    return fixed_pairs, loose_pairs


def _monthly_targets(
    viewer: Any,
    plan: Plan,
    metric: str,
    basis: str,
    work_days: Calendar,
    cells: Any,
    columns: list[str],
    fixed_pairs: list[tuple[int, int]],
    loose_pairs: list[tuple[int, int]],
) -> dict[tuple, int]:
    """The partition's targets of an amount by (columns…, month): the fixed cells summed per
    month, the loose leaves split over their months by the pace basis."""
    targets: dict[tuple, int] = {}
    # One branch per (dims, parent_dims) level, each an equality on the index: with the
    # statistics of a 300k-cell plan (one dims value holds nearly every cell) SQLite scans
    # the table for an IN list of levels (44 ms) but seeks for each level (0.3 ms).
    # The month first in the GROUP BY: grouped by person first, SQLite walks the whole table
    # through ``target_person_levels`` for its order (82 ms) instead of seeking the level (12 ms).
    fixed = _union(
        [
            cells.filter(dims=d, parent_dims=p)
            .annotate(period_text=month_as_text("period_start"))
            .values_list("period_text", *columns)
            .annotate(total=Sum("value"))
            .order_by()
            for d, p in fixed_pairs
        ]
    )
    for month, *coords, total in plain_rows(fixed) if fixed_pairs else ():
        key = (*coords, as_date(month))
        targets[key] = targets.get(key, 0) + int(total)  # numeric on PostgreSQL → int
    loose = _union(
        [
            cells.filter(dims=d, parent_dims=p, is_leaf=True)
            .values_list(*columns, "period_start", "period_end", "value")
            .order_by()
            for d, p in loose_pairs
        ]
    )
    season: dict | None = None
    for *coords, start, end, value in plain_rows(loose) if loose_pairs else ():
        if season is None:
            season = _season(viewer, plan, metric) if basis == PaceBasis.SEASONALITY else {}
        months = months_between(start, end)
        parts = rules.allocate(value, _month_weights(plan, months, basis, season, work_days))
        for month, part in zip(months, parts, strict=True):
            key = (*coords, month)
            targets[key] = targets.get(key, 0) + part
    return targets
