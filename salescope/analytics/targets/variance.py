"""The report's entry point: partition the target tree by the asked dimensions, read the
monthly targets and actuals, fold them into rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from salescope.analytics.actuals import has_actuals
from salescope.analytics.targets.actual_cells import _actuals
from salescope.analytics.targets.basis import _work_calendar
from salescope.analytics.targets.cells import _monthly_targets, _partition, _visible_cells
from salescope.analytics.targets.dimensions import _COLUMNS, parse_group_by
from salescope.analytics.targets.levels import _level_variance
from salescope.analytics.targets.org import _Org
from salescope.analytics.targets.report import VarianceReport
from salescope.analytics.targets.rows import _combine, _rows
from salescope.core.memory import cycle_collector_paused
from salescope.plans.models import Plan


def target_variance(
    *,
    viewer: Any,
    plan: Plan,
    metric: str,
    group_by: Sequence[str],
    as_of: dt.date | None = None,
    basis: str | None = None,
    filters: dict[str, Any] | None = None,
) -> VarianceReport:
    """Rows of target, actual, variance, attainment, pace and projection by ``group_by``.

    ``filters`` narrows the cells: ``{"person": id, "unit": id (subtree), "month": date,
    "months": (first, last)}`` — ``months`` keeps the rows of those months only (a quarter
    drilled down to its months).

    Cost (``bench/bench_plans.py``): one query finds the few (dims, parent_dims) levels the
    plan has, one grouped query reads the partition's targets, one the leaves coarser than the
    group-by, and one grouped query over the ledger's month × salesperson × category rollup
    reads the actuals — plain tuples throughout, no model object per cell — and one the
    people with their units' paths (the whole unit tree only when rows need regions, units or
    unit names). A person's own cells skip building the visibility rule's OR (``own_records``:
    the same rows); one person's year is four queries (tests/analytics/test_own_targets.py).
    """
    group_by = parse_group_by(group_by)
    as_of = as_of or timezone.localdate()
    basis = basis or plan.pace_basis
    work_days = _work_calendar(plan, basis)
    filters = filters or {}
    cells = _visible_cells(viewer, plan, metric, filters)
    columns = sorted({_COLUMNS[d] for d in group_by if d in _COLUMNS})
    fixed_pairs, loose_pairs = _partition(plan, metric, group_by)
    report = VarianceReport(
        plan=plan,
        metric=metric,
        group_by=group_by,
        as_of=as_of,
        basis=basis,
        rows=[],
        total=None,
        has_actuals=has_actuals(metric),
    )
    if report.is_level:
        return _level_variance(report, viewer, filters, cells, columns, fixed_pairs, loose_pairs)
    targets = _monthly_targets(
        viewer, plan, metric, basis, work_days, cells, columns, fixed_pairs, loose_pairs
    )
    org = _Org.load(
        {k[columns.index("person_id")] for k in targets} if "person_id" in columns else ()
    )
    actuals: dict[tuple, int] = _actuals(
        viewer, plan, metric, group_by, columns, targets, org, filters, as_of
    )
    span = filters.get("months")
    if span:  # the months of a drilled-down quarter or month: the rows of those months only
        targets = {k: v for k, v in targets.items() if span[0] <= k[-1] <= span[1]}
        actuals = {k: v for k, v in actuals.items() if span[0] <= k[-1] <= span[1]}
    for key in actuals:
        targets.setdefault(key, 0)
    # thousands of acyclic rows: the collector's passes over the heap were a third of a
    # 6,000-row report's time
    with cycle_collector_paused():
        rows = _rows(plan, group_by, columns, targets, actuals, org, as_of, basis, work_days)
    total = _combine(rows) if rows else None
    report.rows, report.total = rows, total
    return report
