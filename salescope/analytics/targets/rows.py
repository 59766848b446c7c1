"""Folding (columns…, month) cells into the rows of the asked dimensions, and tracking each
row's variance, attainment, pace and projection."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from operator import itemgetter
from typing import Any

from salescope.analytics.targets.basis import NO_CALENDAR, Calendar, _month_share
from salescope.analytics.targets.dimensions import _COLUMNS
from salescope.analytics.targets.labels import _Labels
from salescope.analytics.targets.org import _Org
from salescope.analytics.targets.report import VarianceRow
from salescope.core.periods import company_calendar, month_end
from salescope.plans import rules
from salescope.plans.models import Plan


def _rows(
    plan: Plan,
    group_by: list[str],
    columns: list[str],
    targets: dict[tuple, int],
    actuals: dict[tuple, int],
    org: _Org,
    as_of: dt.date,
    basis: str,
    work_days: Calendar = NO_CALENDAR,
) -> list[VarianceRow]:
    """Fold the (columns…, month) cells into rows of the asked dimensions."""
    region_mode = "region" in group_by and "unit" not in group_by
    get_actual = actuals.get
    shares: dict[dt.date, Fraction | int] = {}
    tracked: list[tuple[tuple, rules.Tracking]] = []
    positions = (
        [len(columns) if d == "month" else columns.index(_COLUMNS[d]) for d in group_by]
        if "quarter" not in group_by and not region_mode
        else None
    )
    if positions is not None and sorted(positions) == list(range(len(columns) + 1)):
        # Each row is one cell (e.g. salesperson × month): no folding, one month per row.
        row_key_of = itemgetter(*positions) if len(positions) > 1 else None
        for key, target in targets.items():
            month = key[-1]
            share = shares.get(month)
            if share is None:
                share = shares[month] = _month_share(month, as_of, basis, work_days)
            actual = get_actual(key, 0)
            if target > 0:  # as _track_months for one month, without its loop
                if share == 1:
                    tracking = rules.track_whole(target, actual)
                else:
                    tracking = rules.track_due(target, actual, target * share if share else 0)
            else:
                tracking = _track_months({month: [target, actual]}, as_of, basis, shares, work_days)
            tracked.append((row_key_of(key) if row_key_of else (key[positions[0]],), tracking))
    else:
        if not positions:
            row_key_of_cell = _row_key_picker(group_by, columns, org)
        elif len(positions) == 1:
            only = positions[0]

            def row_key_of_cell(key: tuple) -> tuple:
                return (key[only],)
        else:
            row_key_of_cell = itemgetter(*positions)
        buckets: dict[tuple, dict[dt.date, list[int]]] = {}
        for key, target in targets.items():
            row_key = row_key_of_cell(key)
            months = buckets.get(row_key)
            if months is None:
                months = buckets[row_key] = {}
            month = key[-1]
            cell = months.get(month)
            if cell is None:
                months[month] = [target, get_actual(key, 0)]
            else:
                cell[0] += target
                cell[1] += get_actual(key, 0)
        tracked = [
            (row_key, _track_months(months, as_of, basis, shares, work_days))
            for row_key, months in buckets.items()
        ]
    return _labelled(group_by, tracked, org)


def _row_key_picker(group_by: list[str], columns: list[str], org: _Org) -> Any:
    """The function giving a (columns…, month) cell's row key: its value of each asked
    dimension (the quarter of its month, the region above its unit…)."""
    calendar = company_calendar()
    region_mode = "region" in group_by and "unit" not in group_by
    regions: dict[Any, Any] = {}
    quarters: dict[dt.date, str] = {}

    def pick(dim: str) -> Any:
        if dim == "month":
            return lambda key: key[-1]
        if dim == "quarter":
            return lambda key: (
                quarters.get(key[-1]) or quarters.setdefault(key[-1], calendar.label(key[-1]))
            )
        index = columns.index(_COLUMNS[dim])
        if dim == "region" and region_mode:

            def region(key: tuple) -> Any:
                unit = key[index]
                if unit not in regions:
                    regions[unit] = org.region_of(unit) or unit
                return regions[unit]

            return region
        return lambda key: key[index]

    pickers = [pick(dim) for dim in group_by]

    def row_key_of_cell(key: tuple) -> tuple:
        return tuple(p(key) for p in pickers)

    return row_key_of_cell


def _labelled(
    group_by: list[str], tracked: list[tuple[tuple, rules.Tracking]], org: _Org
) -> list[VarianceRow]:
    """Rows with their dimensions' names, in the order the reader expects."""
    label = _Labels(org).label
    names = [{v: label(d, v) for v in {k[i] for k, _t in tracked}} for i, d in enumerate(group_by)]
    # Rows sort by what the reader sees (names, months), not by ids that differ between databases.
    distinct = [_in_order(by_value) for by_value in names]
    tracked.sort(key=_row_order(distinct))
    if len(group_by) == 2:  # noqa: PLR2004 - the common person × month report, thousands of rows
        (first, second), (first_names, second_names) = group_by, names
        return [
            VarianceRow(
                {first: a, second: b},
                {first: first_names[a], second: second_names[b]},
                t.target,
                t.actual,
                t,
            )
            for (a, b), t in tracked
        ]
    return [
        VarianceRow(
            dict(zip(group_by, row_key, strict=True)),
            {d: n[v] for d, n, v in zip(group_by, names, row_key, strict=True)},
            t.target,
            t.actual,
            t,
        )
        for row_key, t in tracked
    ]


def _in_order(by_value: dict[Any, str]) -> list[Any]:
    """One dimension's values sorted by their names (no value last, then by text)."""
    return sorted(by_value, key=lambda v: (v is None, by_value[v], str(v)))


def _row_order(distinct: list[list[Any]]) -> Any:
    """Sort key for (row key, tracking) pairs from each dimension's values in order: ranks
    computed once per distinct value, not a text per row."""
    ranks = [{v: n for n, v in enumerate(values)} for values in distinct]
    if len(ranks) == 1:
        first = ranks[0]
        return lambda item: first[item[0][0]]
    if len(ranks) == 2:  # noqa: PLR2004 - the common person × month report
        first, second = ranks
        return lambda item: (first[item[0][0]], second[item[0][1]])
    return lambda item: tuple(r[v] for r, v in zip(ranks, item[0], strict=True))


def _track_months(
    months: dict[dt.date, list[int]],
    as_of: dt.date,
    basis: str,
    shares: dict,
    work_days: Calendar = NO_CALENDAR,
) -> rules.Tracking:
    """Track one row from its months: pace = Σ target_m × elapsed share_m, rounded once.

    Whole months elapsed (share 1) and months not begun (share 0) stay in integers; only the
    current month is a fraction, so a report of thousands of rows stays fast and exact.
    """
    target = actual = whole = 0
    partial: Fraction | int = 0
    for month, (month_target, month_actual) in months.items():
        target += month_target
        actual += month_actual
        share = shares.get(month)
        if share is None:
            share = shares[month] = _month_share(month, as_of, basis, work_days)
        if share == 1:
            whole += month_target
        elif share:
            partial += month_target * share
    if target > 0:
        return rules.track_due(target, actual, whole + partial if partial else whole)
    days = sum(month_end(m).day for m in months)
    elapsed = sum(_month_share(m, as_of, "calendar") * month_end(m).day for m in months)
    return rules.track(target, actual, Fraction(elapsed) / days if days else Fraction(0))


def _combine(rows: list[VarianceRow]) -> VarianceRow:
    target = sum(r.target for r in rows)
    actual = sum(r.actual for r in rows)
    pace = sum(r.tracking.pace for r in rows)
    share = Fraction(pace, target) if target else Fraction(0)
    t = rules.track(target, actual, share)
    t = rules.Tracking(
        target=target,
        actual=actual,
        pace=pace,
        projection=t.projection,
        variance=t.variance,
        pace_gap=actual - pace,
        attainment=t.attainment,
        share=share,
    )
    return VarianceRow(keys={}, labels={}, target=target, actual=actual, tracking=t)
