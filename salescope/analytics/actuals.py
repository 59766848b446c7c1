"""Actuals for targets, read from the ledger's rollups (never by scanning sales lines).

The single adapter between plans/tracking and the ledger: integer hundredths (fen for money)
keyed by the requested dimensions, so target maths stays exact. Metrics the ledger does not
hold (new customers, new outlets, expense, market share, brand awareness) come from the
figures entered by hand and the automatic new-customer counts (``analytics/manual.py``).

Sales metrics are summed straight from the ledger's rollups (``SalesRollup`` /
``RegionRollup``), one grouped query of the one measure asked for, as integers: the same
rows, filters and visibility as ``ledger.queries.rollup_totals`` (whose rows carry five
``Decimal`` measures each — five times the work for a 6,000-row target report, measured in
``bench/bench_plans.py``). Collections go through ``ledger.queries.collection_totals``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from salescope.analytics import manual
from salescope.core.periods import month_end, month_start
from salescope.plans.choices import Metric

MEASURE: dict[str, str] = {
    Metric.SALES_AMOUNT: "amount",
    Metric.QUANTITY: "quantity",
    Metric.GROSS_PROFIT: "gross_profit",
}
# The rollup column behind each measure, and its minor units per hundredth of the metric's
# unit: fen are hundredths of a yuan (1); thousandths of a unit make 10 per hundredth.
_ROLLUP_COLUMN: dict[str, tuple[str, int]] = {
    Metric.SALES_AMOUNT: ("amount_fen", 1),
    Metric.QUANTITY: ("quantity_milli", 10),
    Metric.GROSS_PROFIT: ("gross_profit_fen", 1),
}
_ROLLUP_KEYS = {
    "month": "month",
    "salesperson": "salesperson_id",
    "region": "region_id",
    "category": "category_id",
    "kind": "kind",
}
SALES_DIMENSIONS = ("month", "salesperson", "region", "category")
# Read from the sales lines (the rollups have no product grain): SKU- and brand-level targets.
LINE_DIMENSIONS = ("brand", "product")
COLLECTION_DIMENSIONS = ("month", "salesperson")


def hundredths(value: Decimal | int | None) -> int:
    if value is None:
        return 0
    return int((Decimal(value) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def has_actuals(metric: str) -> bool:
    return metric in MEASURE or metric == Metric.COLLECTIONS or manual.has_manual_actuals(metric)


def supported_dimensions(metric: str) -> tuple[str, ...]:
    if metric in MEASURE:
        return SALES_DIMENSIONS
    if metric == Metric.COLLECTIONS:
        return COLLECTION_DIMENSIONS
    return manual.supported_dimensions(metric)


def actual_totals(
    *,
    viewer: Any,
    metric: str,
    date_from: dt.date,
    date_to: dt.date,
    group_by: Sequence[str],
    filters: dict[str, Any] | None = None,
    until: dt.date | None = None,
) -> dict[tuple, int]:
    """``{(dimension values…): hundredths}`` of ``metric`` between two months, as ``viewer``
    may see them. Dimensions the metric's source lacks are returned as ``None``.

    ``until`` counts only what happened on or before that day (tracking "as of" a past date):
    sales and collections of its month up to that day (read from the lines), nothing of the
    months after it. Figures entered by hand are per month: its month's figure counts."""
    from salescope.ledger import queries as ledger

    if metric in MEASURE and any(d in LINE_DIMENSIONS for d in group_by):
        return _sales_by_product(
            viewer=viewer,
            metric=metric,
            date_from=date_from,
            last_day=min(until, month_end(date_to)) if until else month_end(date_to),
            group_by=group_by,
            filters=filters,
        )
    if until is not None and until < month_end(date_to):
        if until < month_start(date_from):
            return {}
        if metric in MEASURE and until != month_end(until):
            return _sales_until(
                viewer=viewer,
                metric=metric,
                date_from=date_from,
                until=until,
                group_by=group_by,
                filters=filters,
            )
        date_to = until
    if manual.has_manual_actuals(metric):
        return manual.manual_actuals(
            viewer=viewer,
            metric=metric,
            date_from=date_from,
            date_to=date_to,
            group_by=group_by,
            filters=filters,
        )
    known = supported_dimensions(metric)
    if not known:
        return {}
    asked = [d for d in group_by if d in known]
    if metric != Metric.COLLECTIONS:
        sums = rollup_sums(
            viewer=viewer,
            metric=metric,
            date_from=date_from,
            date_to=date_to,
            group_by=asked,
            filters=filters,
        )
        if list(asked) == list(group_by):
            return sums
        positions = [asked.index(d) if d in asked else None for d in group_by]
        totals: dict[tuple, int] = {}
        for row, value in sums.items():
            key = tuple(None if i is None else row[i] for i in positions)
            totals[key] = totals.get(key, 0) + value
        return totals
    rows = ledger.collection_totals(
        viewer=viewer, date_from=date_from, date_to=date_to, group_by=asked, until=until
    )
    totals = {}
    for record in rows:
        key = tuple(record.get(d) if d in known else None for d in group_by)
        totals[key] = totals.get(key, 0) + hundredths(record["amount"])
    return totals


def _sales_by_product(
    *,
    viewer: Any,
    metric: str,
    date_from: dt.date,
    last_day: dt.date,
    group_by: Sequence[str],
    filters: dict[str, Any] | None,
) -> dict[tuple, int]:
    """A sales metric by brand or SKU (and any other dimension of the lines), from the lines
    the viewer may see up to ``last_day``."""
    from salescope.ledger import queries as ledger

    if last_day < month_start(date_from):
        return {}
    asked = [d for d in group_by if d in SALES_DIMENSIONS or d in LINE_DIMENSIONS]
    rows = ledger.sales_summary(
        viewer=viewer,
        group_by=asked,
        date_from=month_start(date_from),
        date_to=last_day,
        filters=dict(filters or {}),
    )
    totals: dict[tuple, int] = {}
    for row in rows:
        key = tuple(row.get(d) if d in asked else None for d in group_by)
        totals[key] = totals.get(key, 0) + hundredths(row[MEASURE[metric]])
    return totals


def _sales_until(
    *,
    viewer: Any,
    metric: str,
    date_from: dt.date,
    until: dt.date,
    group_by: Sequence[str],
    filters: dict[str, Any] | None,
) -> dict[tuple, int]:
    """A sales metric from ``date_from``'s month to ``until`` inside its month: the whole
    months before from the rollups, the days of ``until``'s month from the lines."""
    from salescope.ledger import queries as ledger

    first_day = month_start(until)
    totals: dict[tuple, int] = {}
    if first_day > month_start(date_from):
        totals = actual_totals(
            viewer=viewer,
            metric=metric,
            date_from=date_from,
            date_to=first_day - dt.timedelta(days=1),
            group_by=group_by,
            filters=filters,
        )
    asked = [d for d in group_by if d in SALES_DIMENSIONS]
    rows = ledger.sales_summary(
        viewer=viewer,
        group_by=asked,
        date_from=first_day,
        date_to=until,
        filters=dict(filters or {}),
    )
    for row in rows:
        key = tuple(row.get(d) if d in asked else None for d in group_by)
        totals[key] = totals.get(key, 0) + hundredths(row[MEASURE[metric]])
    return totals


def _div_half_up(numerator: int, denominator: int) -> int:
    whole, rest = divmod(abs(numerator), denominator)
    if 2 * rest >= denominator:
        whole += 1
    return -whole if numerator < 0 else whole


def rollup_sums(
    *,
    viewer: Any,
    metric: str,
    date_from: dt.date,
    date_to: dt.date,
    group_by: Sequence[str],
    filters: dict[str, Any] | None = None,
) -> dict[tuple, int]:
    """``{(group_by values…): hundredths}`` of a sales metric from the rollups.

    Same rows as ``ledger.queries.rollup_totals`` (the same ``rollup_queryset``: months,
    filters, visibility, the smallest rollup that answers) and the same rounding (each grouped
    row's total to hundredths, half up), but one measure, summed as an integer.
    """
    from django.db.models import Sum

    from salescope.ledger.queries import rollup_queryset

    column, per_hundredth = _ROLLUP_COLUMN[metric]
    unknown = [d for d in group_by if d not in _ROLLUP_KEYS]
    if unknown or len(set(group_by)) != len(group_by):
        raise ValueError(f"unknown or repeated dimension: {group_by}")
    qs = rollup_queryset(
        viewer=viewer,
        date_from=date_from,
        date_to=date_to,
        group_by=group_by,
        filters=dict(filters or {}),
    )
    columns = [_ROLLUP_KEYS[d] for d in group_by]
    if not columns:
        total = int(qs.aggregate(total=Sum(column))["total"] or 0)
        return {(): _div_half_up(total, per_hundredth)}
    selected = [("month_text" if c == "month" else c) for c in columns]
    if "month" in columns:
        qs = qs.annotate(month_text=month_as_text("month"))
    rows = plain_rows(qs.values_list(*selected).annotate(total=Sum(column)).order_by())
    if "month" in columns:
        at = columns.index("month")
        rows = [(*row[:at], as_date(row[at]), *row[at + 1 :]) for row in rows]
    # PostgreSQL sums a bigint as numeric (a Decimal here): int() keeps it exact.
    if per_hundredth == 1:
        return {row[:-1]: int(row[-1] or 0) for row in rows}
    return {row[:-1]: _div_half_up(int(row[-1] or 0), per_hundredth) for row in rows}


def month_as_text(field: str) -> Any:
    """A date column selected as ISO text: SQLite's driver otherwise parses every date value
    through Django's converter (~7 µs each, 75 ms of an 11k-row target report)."""
    from django.db.models import CharField
    from django.db.models.functions import Cast

    return Cast(field, output_field=CharField())


_DATES: dict[str, dt.date] = {}


def as_date(value: Any) -> Any:
    """``as_date("2026-03-01")`` → the date, parsed once per distinct text (a report has 12)."""
    if value.__class__ is not str:
        return value
    found = _DATES.get(value)
    if found is None:
        if len(_DATES) > 10_000:
            _DATES.clear()
        found = _DATES[value] = dt.date.fromisoformat(value[:10])
    return found


def plain_rows(queryset: Any) -> list[tuple]:
    """The rows of a ``values_list`` queryset straight from the cursor: the same SQL (filters,
    visibility), without the ORM's per-row converter calls — a quarter of the time of a
    6,000-row report on SQLite. Dates still come back as dates (the driver converts declared
    ``date`` columns); sums may be ``Decimal`` on PostgreSQL (callers take ``int()``).
    A queryset that can match nothing (``none()``, e.g. for a deactivated viewer) gives no
    rows, as iterating it would."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def former_member_totals(
    *,
    metric: str,
    months_of: dict[int, set[dt.date]],
    date_from: dt.date,
    date_to: dt.date,
    group_by: Sequence[str],
    until: dt.date | None = None,
) -> dict[tuple, int]:
    """``{(group_by values…): hundredths}`` of the people in ``months_of`` for the months
    listed for each, ``group_by`` ⊆ (salesperson, month, category): a team's former members
    in the months they were in it (``analytics.targets``). Read as the system: the caller has
    decided the viewer may see these figures (the months the person was in a team the viewer
    manages). Figures entered by hand are not read here (they belong to units, not people)."""
    from django.db.models import Sum

    from salescope.ledger.models import Collection, SalesLine, SalesRollup

    if not months_of or metric not in (*MEASURE, Metric.COLLECTIONS):
        return {}
    last = min(date_to, until) if until else date_to
    months = {"month__gte": month_start(date_from), "month__lte": month_start(last)}
    people = sorted(months_of)
    sources: list[tuple[Any, str, int, dict[str, str]]] = []
    if metric == Metric.COLLECTIONS:
        # visibility: a former member's collections, decided by the caller (see above)
        qs = Collection.objects.unrestricted().filter(owner_id__in=people, date__lte=last, **months)
        sources.append((qs, "amount_fen", 1, {"salesperson": "owner_id", "month": "month"}))
    else:
        column, per_hundredth = _ROLLUP_COLUMN[metric]
        keys = {"salesperson": "salesperson_id", "month": "month", "category": "category_id"}
        whole = last if last == month_end(last) else month_start(last) - dt.timedelta(days=1)
        # visibility: a former member's sales, decided by the caller (see above)
        rollup = SalesRollup.objects.unrestricted().filter(
            kind="sell_in", salesperson_id__in=people, **{**months, "month__lte": whole}
        )
        sources.append((rollup, column, per_hundredth, keys))
        if whole < last:  # the days of the last month, from the lines
            # visibility: as above
            lines = SalesLine.objects.unrestricted().filter(
                kind="sell_in", salesperson_id__in=people, month=month_start(last), date__lte=last
            )
            sources.append((lines, column, per_hundredth, keys))
    totals: dict[tuple, int] = {}
    for qs, column, per_hundredth, keys in sources:
        names = [keys[d] for d in group_by if d in keys]
        for row in qs.values(*names).annotate(total=Sum(column)).order_by():
            person, month = row[keys["salesperson"]], row["month"]
            if month not in months_of.get(person, ()):
                continue
            key = tuple(row[keys[d]] if d in keys else None for d in group_by)
            value = _div_half_up(int(row["total"] or 0), per_hundredth)
            totals[key] = totals.get(key, 0) + value
    return totals
