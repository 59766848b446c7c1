"""Percentages (market share, brand awareness) are levels, not sums: their cells and figures
fold into a row by their mean, and a cell coarser than a month carries its level into each
month."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from django.db.models import Count, Sum

from salescope.analytics.actuals import as_date, month_as_text, plain_rows
from salescope.analytics.targets.actual_cells import _actuals, _add
from salescope.analytics.targets.basis import _month_share
from salescope.analytics.targets.cells import _union
from salescope.analytics.targets.org import _Org
from salescope.analytics.targets.report import VarianceReport, VarianceRow
from salescope.analytics.targets.rows import _labelled, _row_key_picker
from salescope.core.periods import month_end, months_between
from salescope.plans import rules

# A level's (columns…, month) cell: [target sum, target cells, actual sum, actual figures].
LevelCell = list[int]


def _level_variance(
    report: VarianceReport,
    viewer: Any,
    filters: dict[str, Any],
    cells: Any,
    columns: list[str],
    fixed_pairs: list[tuple[int, int]],
    loose_pairs: list[tuple[int, int]],
) -> VarianceReport:
    """:func:`target_variance` of a percentage: the same partition of cells, folded by the
    mean; a cell coarser than a month carries its level into each of its months. Fills the
    rows and total of ``report``."""
    plan, metric, group_by, as_of = report.plan, report.metric, report.group_by, report.as_of
    targets: dict[tuple, list[int]] = {}  # (columns…, month) → [sum, cells]
    fixed = _union(
        [
            cells.filter(dims=d, parent_dims=p)
            .annotate(period_text=month_as_text("period_start"))
            .values_list("period_text", *columns)
            .annotate(total=Sum("value"), cells=Count("id"))
            .order_by()
            for d, p in fixed_pairs
        ]
    )
    for month, *coords, total, count in plain_rows(fixed) if fixed_pairs else ():
        key = (*coords, as_date(month))
        targets[key] = _add(targets.get(key), [int(total), int(count)])
    loose = _union(
        [
            cells.filter(dims=d, parent_dims=p, is_leaf=True)
            .values_list(*columns, "period_start", "period_end", "value")
            .order_by()
            for d, p in loose_pairs
        ]
    )
    for *coords, start, end, value in plain_rows(loose) if loose_pairs else ():
        for month in months_between(start, end):
            key = (*coords, month)
            targets[key] = _add(targets.get(key), [int(value), 1])
    org = _Org.load(
        {k[columns.index("person_id")] for k in targets} if "person_id" in columns else ()
    )
    actuals = _actuals(
        viewer, plan, metric, group_by, columns, targets, org, filters, as_of, additive=False
    )
    cells_by_key: dict[tuple, LevelCell] = {key: [*value, 0, 0] for key, value in targets.items()}
    for key, (total, count) in actuals.items():
        cell = cells_by_key.setdefault(key, [0, 0, 0, 0])
        cell[2] += total
        cell[3] += count
    row_key_of_cell = _row_key_picker(group_by, columns, org)
    buckets: dict[tuple, dict[dt.date, LevelCell]] = {}
    everything: dict[dt.date, LevelCell] = {}
    for key, cell in cells_by_key.items():
        month = key[-1]
        for months in (buckets.setdefault(row_key_of_cell(key), {}), everything):
            into = months.setdefault(month, [0, 0, 0, 0])
            for i in range(4):
                into[i] += cell[i]
    tracked = [(row_key, _track_levels(months, as_of)) for row_key, months in buckets.items()]
    report.rows = _labelled(group_by, tracked, org)
    if report.rows:
        t = _track_levels(everything, as_of)
        report.total = VarianceRow(keys={}, labels={}, target=t.target, actual=t.actual, tracking=t)
    return report


def _track_levels(months: dict[dt.date, LevelCell], as_of: dt.date) -> rules.Tracking:
    """Track one row of a level from its months: the target and the actual are the means of
    the row's cells and figures; the latest level is the mean of the figures of the latest
    month begun by ``as_of`` that has any (``rules.track_level``)."""
    target_sum = target_cells = actual_sum = figures = 0
    latest: tuple[dt.date, int] | None = None
    elapsed: Fraction | int = 0
    days = 0
    for month, (t_sum, t_cells, a_sum, a_count) in months.items():
        target_sum += t_sum
        target_cells += t_cells
        actual_sum += a_sum
        figures += a_count
        share = _month_share(month, as_of, "calendar")
        length = month_end(month).day
        days += length
        elapsed += share * length
        if share and a_count and (latest is None or month > latest[0]):
            latest = (month, rules.mean_half_up(a_sum, a_count))
    return rules.track_level(
        rules.mean_half_up(target_sum, target_cells),
        rules.mean_half_up(actual_sum, figures),
        latest[1] if latest else None,
        Fraction(elapsed) / days if days else Fraction(0),
    )
