"""Forecasting's reads: the newest run's forecasts as the viewer may see them, next quarter's
forecast against the plan, the current quarter with the weighted pipeline, and demand vs
stock (H4) with the products at risk of stock-out or overstock.

Sales figures follow the ledger's rule (a region's series to that region's people and the
managers above, company-wide roles, finance, marketing). Stock and products are catalogue data
every signed-in person may view, so the demand-vs-stock list is the same for everyone who may
open it; the demand behind it is company-wide (read as the system) and shown only as units per
week next to the stock it drains.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, overload

import numpy as np
from django.conf import settings
from django.db import connections
from django.db.models import Case, IntegerField, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from salescope.catalog.choices import SupplyStatus
from salescope.catalog.models import Category, IncomingSupply, Product, StockLevel, Warehouse
from salescope.core.money import from_fen
from salescope.core.periods import add_months, company_calendar, month_start
from salescope.forecasting import rules
from salescope.forecasting.choices import DemandSource, RunStatus, SeriesLevel
from salescope.forecasting.models import ForecastRun, ForecastSeries, ForecastValue
from salescope.ledger.models import OrderLine, from_milli
from salescope.org.models import OrgUnit, User
from salescope.org.visibility import visible

OPEN_ORDER_STATUSES = ("confirmed", "credit_hold")  # as ledger.queries.committed_quantity
DEFAULT_WEEKS = 13


def overstock_weeks() -> float:
    """Weeks of cover above which stock counts as overstock (``FORECASTING_OVERSTOCK_WEEKS``)."""
    return float(getattr(settings, "FORECASTING_OVERSTOCK_WEEKS", 26))


# --- runs and series -------------------------------------------------------------------------


def latest_run(*, viewer: User) -> ForecastRun | None:
    return visible(ForecastRun.objects.filter(status=RunStatus.DONE), viewer=viewer).first()


def list_runs(*, viewer: User) -> QuerySet[ForecastRun]:
    return visible(ForecastRun.objects.all(), viewer=viewer)


def _system_latest_run() -> ForecastRun | None:
    return (
        ForecastRun.objects.unrestricted().filter(status=RunStatus.DONE).first()
    )  # visibility: runs are open to all


def series_rows(
    *,
    viewer: User,
    level: str = SeriesLevel.CATEGORY,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    run: ForecastRun | None = None,
) -> list[dict[str, Any]]:
    """Each visible series of the newest run with its forecast summed over the months between
    ``date_from`` and ``date_to`` (default: the whole horizon), its model and accuracy."""
    run = run or latest_run(viewer=viewer)
    if run is None:
        return []
    qs = visible(ForecastSeries.objects.filter(run=run, level=level), viewer=viewer)
    values = ForecastValue.objects.unrestricted().filter(  # visibility: of the visible series
        series__in=qs.values("pk")
    )
    if date_from:
        values = values.filter(month__gte=month_start(date_from))
    if date_to:
        values = values.filter(month__lte=date_to)
    sums = {
        row["series_id"]: row
        for row in values.values("series_id").annotate(a=Sum("amount_fen"), q=Sum("quantity_milli"))
    }
    rows = []
    for series in qs.select_related("product", "category", "region").order_by("pk"):
        total = sums.get(series.pk, {})
        rows.append(
            {
                "series": series,
                "id": series.pk,
                "name": str(series.product or series.category or ""),
                "product": series.product_id,
                "category": series.category_id,
                "region": series.region_id,
                "region_name": series.region.name if series.region else "",
                "model": series.model,
                "wape": series.wape,
                "mape": series.mape,
                "bias": series.bias,
                "baseline_wape": series.baseline_wape,
                "beats_baseline": (
                    series.wape is not None
                    and series.baseline_wape is not None
                    and series.wape < series.baseline_wape
                ),
                "amount": from_fen(total.get("a") or 0),
                "quantity": from_milli(total.get("q") or 0),
            }
        )
    return rows


def series_values(*, viewer: User, pk: Any) -> tuple[ForecastSeries, list[ForecastValue]]:
    """One visible series and its monthly values (404 when not visible)."""
    from salescope.org.visibility import get_visible

    series = get_visible(
        ForecastSeries.objects.select_related("product", "category", "region", "run"),
        viewer=viewer,
        pk=pk,
    )
    return series, list(series.values.order_by("month"))


# --- the reader plans decomposes by ("按预测") --------------------------------------------------

_METRIC_COLUMN = {"sales_amount": ("amount_fen", 1), "quantity": ("quantity_milli", 10)}


def forecast_totals(
    *,
    metric: str,
    date_from: dt.date,
    date_to: dt.date,
    group_by: Sequence[str],
    filters: dict[str, Any] | None = None,
) -> dict[tuple, int]:
    """``{(dimension values…): hundredths}`` of the newest run's forecast (see
    ``plans.forecasts``). Dimensions: ``month``, ``region``, ``category``, ``product``;
    filters by id lists of the same names. Grouping or filtering by product reads the product
    series, anything else the category series (both cover every region). Read as the system:
    decomposing a plan splits the whole of it."""
    if metric not in _METRIC_COLUMN:
        return {}
    run = _system_latest_run()
    if run is None:
        return {}
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    unknown = (set(group_by) | set(filters)) - {"month", "region", "category", "product"}
    if unknown:
        return {}
    level = SeriesLevel.PRODUCT if "product" in group_by or "product" in filters else None
    level = level or SeriesLevel.CATEGORY
    column, per_hundredth = _METRIC_COLUMN[metric]
    qs = ForecastValue.objects.unrestricted().filter(  # visibility: the plan's own reader
        series__run=run,
        series__level=level,
        month__gte=month_start(date_from),
        month__lte=date_to,
    )
    for name, values in filters.items():
        ids = values if isinstance(values, list | tuple | set) else [values]
        qs = qs.filter(**{f"series__{name}_id__in" if name != "month" else "month__in": ids})
    columns = {"month": "month", "region": "series__region_id"}
    columns |= {"category": "series__category_id", "product": "series__product_id"}
    if "category" in group_by and level == SeriesLevel.PRODUCT:
        columns["category"] = "series__product__category_id"
    keys = [columns[d] for d in group_by]
    out: dict[tuple, int] = {}
    for row in qs.values(*keys).annotate(v=Sum(column)).order_by():
        key = tuple(row[k] for k in keys)
        out[key] = out.get(key, 0) + round((row["v"] or 0) / per_hundredth)
    return out


# --- next quarter against the plan, this quarter with the pipeline ---------------------------


def _quarter(day: dt.date, offset: int = 0) -> tuple[str, list[dt.date]]:
    calendar = company_calendar()
    months = calendar.months_of_quarter(calendar.year_of(day), calendar.quarter_of(day))
    first = add_months(months[0], 3 * offset)
    months = [add_months(first, i) for i in range(3)]
    return calendar.label(first), months


def _plan_by_category(
    viewer: User, months: list[dt.date]
) -> tuple[dict[int | None, int], str | None]:
    """The sales-amount plan for ``months`` in fen, whole company (``None``) and per category,
    and that plan's status. The plan is the newest approved one covering the months; before one
    is approved (next year's first quarter, in December) the newest plan under negotiation
    stands in. A category's figure is the plan's first split by product category on each path,
    directly under the company or under the regions; each cell is spread evenly over the months
    of its period."""
    from salescope.plans.choices import Axis, Metric, PlanStatus
    from salescope.plans.models import Target

    cells = visible(
        Target.objects.filter(
            metric=Metric.SALES_AMOUNT,
            period_start__lte=months[-1],
            period_end__gte=months[0],
            axis__in=[Axis.ROOT, Axis.PRODUCT],
        ),
        viewer=viewer,
    )
    chosen = (
        cells.order_by(
            Case(When(plan__status=PlanStatus.APPROVED, then=Value(0)), default=Value(1)),
            "-plan_id",
        )
        .values_list("plan_id", "plan__status")
        .first()
    )
    if chosen is None:
        return {}, None
    plan_id, status = chosen
    out: dict[int | None, int] = defaultdict(int)
    for cell in cells.filter(plan_id=plan_id).values(
        "axis", "category_id", "period_start", "period_end", "value", "parent__axis"
    ):
        if cell["axis"] == Axis.PRODUCT and cell["parent__axis"] == Axis.PRODUCT:
            continue  # a sub-category: its parent category holds it already
        span = _months_between(cell["period_start"], cell["period_end"])
        inside = sum(1 for m in span if months[0] <= m <= months[-1])
        if not span or not inside:
            continue
        share = round(cell["value"] * inside / len(span))
        key = None if cell["axis"] == Axis.ROOT else cell["category_id"]
        out[key] += share
    return dict(out), status


def _planned_category(forecast: set[int], planned: set[int]) -> dict[int, tuple[int, str]]:
    """Each forecast category planned at a level above it (a plan split by 饮料 while the
    forecasts are per 果汁, 茶饮料…) → that planned category and its name, so forecast and plan
    meet at the plan's level."""
    if not planned:
        return {}
    paths = dict(
        Category.objects.unrestricted()  # visibility: catalogue data, open to all
        .filter(pk__in=forecast | planned)
        .values_list("pk", "path")
    )
    names = dict(
        Category.objects.unrestricted()  # visibility: catalogue data, open to all
        .filter(pk__in=planned)
        .values_list("pk", "name")
    )
    out = {}
    for category in forecast - planned:
        path = paths.get(category, "")
        ancestors = [p for p in planned if paths.get(p) and path.startswith(paths[p])]
        if ancestors:
            nearest = max(ancestors, key=lambda p: len(paths[p]))
            out[category] = (nearest, names[nearest])
    return out


def _plan_status_label(status: str | None) -> str | None:
    from salescope.plans.choices import PlanStatus

    return str(PlanStatus(status).label) if status else None


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def outlook(*, viewer: User, as_of: dt.date | None = None) -> dict[str, Any]:
    """Next quarter's forecast against the plan per category (with each series' accuracy),
    and the current quarter combined: actual sales so far + the statistical forecast for the
    months left, beside the pipeline's expected figure (won + weighted open deals). The pipeline
    tracks only the deals entered as opportunities, the history all sales, so the combined
    figure is the statistical one, raised to the pipeline's when the deals alone promise more."""
    from salescope.ledger.queries import rollup_totals
    from salescope.pipeline.queries import quarter_forecast

    day = as_of or timezone.localdate()
    run = latest_run(viewer=viewer)
    next_label, next_months = _quarter(day, 1)
    rows = series_rows(
        viewer=viewer, level=SeriesLevel.CATEGORY, date_from=next_months[0], date_to=next_months[-1]
    )
    plan, plan_status = _plan_by_category(viewer, next_months)
    planned_as = _planned_category(
        {r["category"] for r in rows if r["category"]}, {k for k in plan if k is not None}
    )
    by_category: dict[int | None, dict[str, Any]] = {}
    for row in rows:
        key, name = planned_as.get(row["category"], (row["category"], row["name"]))
        entry = by_category.setdefault(
            key, {"name": name, "category": key, "forecast": Decimal(0), "series": []}
        )
        entry["forecast"] += row["amount"]
        entry["series"].append(row)
    categories = []
    for key, entry in sorted(by_category.items(), key=lambda kv: -kv[1]["forecast"]):
        planned = plan.get(key)
        entry["plan"] = from_fen(planned) if planned is not None else None
        entry["gap"] = entry["forecast"] - entry["plan"] if planned is not None else None
        entry["wape"] = _weighted_wape(entry["series"])
        categories.append(entry)
    forecast_total = sum((e["forecast"] for e in categories), Decimal(0))
    planned_total = plan.get(None)
    this_label, this_months = _quarter(day, 0)
    current = month_start(day)
    done = [m for m in this_months if m < current]
    actual = Decimal(0)
    if done:
        totals = rollup_totals(viewer=viewer, date_from=done[0], date_to=done[-1], group_by=[])
        actual = totals[0]["amount"] if totals else Decimal(0)
    left = series_rows(
        viewer=viewer, level=SeriesLevel.CATEGORY, date_from=current, date_to=this_months[-1]
    )
    statistical = actual + sum((r["amount"] for r in left), Decimal(0))
    pipeline = quarter_forecast(viewer, as_of=day)
    expected = from_fen(pipeline["expected_fen"])
    has_deals = bool(pipeline["open_count"] or pipeline["won_count"])
    return {
        "run": run,
        "next": {
            "label": next_label,
            "months": next_months,
            "categories": categories,
            "forecast": forecast_total,
            "plan": from_fen(planned_total) if planned_total is not None else None,
            "gap": forecast_total - from_fen(planned_total) if planned_total is not None else None,
            "plan_status": plan_status,
            "plan_status_label": _plan_status_label(plan_status),
            "wape": _weighted_wape(rows),
        },
        "current": {
            "label": this_label,
            "actual": actual,
            "statistical": statistical,
            "pipeline": expected,
            "has_deals": has_deals,
            "combined": max(statistical, expected),
        },
    }


def _weighted_wape(rows: list[dict[str, Any]]) -> float | None:
    """Series' WAPEs weighted by their forecast amount (the group's error share)."""
    scored = [(r["wape"], float(r["amount"])) for r in rows if r["wape"] is not None]
    weight = sum(w for _w, w in scored)
    return sum(w * a for w, a in scored) / weight if weight else None


# --- demand vs stock (H4) --------------------------------------------------------------------


@dataclass(frozen=True)
class StockRisk:
    """A product at risk in a warehouse: ``kind`` is ``stock_out`` (``date``: the first week
    the projected stock is short; ``gap``: units short at the worst week) or ``overstock``
    (``gap``: units above ``overstock_weeks`` of cover; ``date`` is None). ``weeks_of_cover``
    is the available stock now ÷ average weekly demand (None without demand)."""

    product: Product
    warehouse: Warehouse
    kind: str
    date: dt.date | None
    gap: int
    weeks_of_cover: float | None
    available: int
    projection: tuple[int, ...]
    weekly_demand: tuple[int, ...]


@dataclass
class _Demand:
    """Demand entries as arrays: ``product``, ``region`` (org unit id, −1 for none), ``month``
    (index into the months asked) and ``units``; one entry per source row."""

    product: np.ndarray
    region: np.ndarray
    month: np.ndarray
    units: np.ndarray

    @classmethod
    def of(cls, rows: list[tuple[int, int | None, int, float]]) -> _Demand:
        if not rows:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty, empty, np.zeros(0))
        product, region, month, units = zip(*rows, strict=True)
        return cls(
            np.array(product, dtype=np.int64),
            np.array([-1 if r is None else r for r in region], dtype=np.int64),
            np.array(month, dtype=np.int64),
            np.array(units, dtype=float),
        )


def _int_rows(qs: QuerySet, width: int) -> np.ndarray:
    """A ``values_list`` of integer columns as an ``(n, width)`` array, fetched through the
    cursor: no per-row tuple conversion by the ORM (at 700k forecast values that is most of
    the time). The queryset's SQL is the ORM's own, filters and all."""
    sql, params = qs.query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    flat = itertools.chain.from_iterable(rows)  # fromiter over one stream: no tuple unpacking
    return np.fromiter(flat, dtype=np.int64, count=len(rows) * width).reshape(-1, width)


def _forecast_demand(months: list[dt.date]) -> _Demand:
    """The newest run's product series, in units: one query for the series, one for their
    values in the months asked (the month's index worked out in SQL, so nothing but integers
    comes back: at 5,000 products × 20 regions × 7 months that is 700k values)."""
    run = _system_latest_run()
    if run is None or not months:
        return _Demand.of([])
    series = _int_rows(
        ForecastSeries.objects.unrestricted()  # visibility: demand is planned company-wide
        .filter(run=run, level=SeriesLevel.PRODUCT, product__isnull=False)
        .order_by("pk")
        .values_list("pk", "product_id", Coalesce("region_id", Value(-1))),
        3,
    )
    if not len(series):
        return _Demand.of([])
    ids, products, regions = series[:, 0], series[:, 1], series[:, 2]
    month_index = Case(
        *(When(month=m, then=Value(i)) for i, m in enumerate(months)),
        output_field=IntegerField(),
    )
    values = _int_rows(
        ForecastValue.objects.unrestricted()  # visibility: of the series above
        .filter(
            series__run=run,
            series__level=SeriesLevel.PRODUCT,
            series__product__isnull=False,
            month__in=months,
        )
        .order_by()
        .values_list("series_id", month_index, "quantity_milli"),
        3,
    )
    at = np.searchsorted(ids, values[:, 0])
    return _Demand(products[at], regions[at], values[:, 1], values[:, 2].astype(float) / 1000)


def _target_demand(months: list[dt.date]) -> _Demand:
    """The approved plans' targets per SKU, in units: the leaf cells that name a product (the
    children of a cell always sum to it, so the leaves partition what is planned for each
    product), each spread evenly over the months of its period; for each month the newest
    approved plan with such cells counts (a revised plan replaces the one before, it does not
    add to it). The org unit of a cell is the sales region it is planned for.

    Quantity targets are in hundredths of a unit. Most plans are decomposed in money (销售额):
    a sales-amount cell is amount ÷ the product's list price units, unless its plan also plans
    that product in quantity (then the quantity counts, once); a product without a list price
    gives no units. Read per (plan, period): a plan has few distinct periods."""
    from salescope.plans.choices import Metric, PlanStatus
    from salescope.plans.models import Target

    if not months:
        return _Demand.of([])
    last_day = add_months(months[-1], 1) - dt.timedelta(days=1)
    cells = Target.objects.unrestricted().filter(  # visibility: demand is planned company-wide
        metric__in=[Metric.QUANTITY, Metric.SALES_AMOUNT],
        plan__status=PlanStatus.APPROVED,
        product__isnull=False,
        is_leaf=True,
        period_start__lte=last_day,
        period_end__gte=months[0],
    )
    periods = list(cells.values_list("plan_id", "period_start", "period_end").distinct().order_by())
    in_quantity = set(
        cells.filter(metric=Metric.QUANTITY).values_list("plan_id", "product_id").distinct()
    )
    index = {m: i for i, m in enumerate(months)}
    newest: dict[dt.date, int] = {}
    for plan, first, last in periods:
        for month in _months_between(first, last):
            if month in index:
                newest[month] = max(newest.get(month, plan), plan)
    rows: list[tuple[int, int | None, int, float]] = []
    for plan, first, last in periods:
        span = _months_between(first, last)
        counted = [index[m] for m in span if newest.get(m) == plan]
        if not counted:
            continue
        for product, unit, metric, value, price in cells.filter(
            plan_id=plan, period_start=first, period_end=last
        ).values_list("product_id", "unit_id", "metric", "value", "product__list_price_fen"):
            if metric == Metric.QUANTITY:
                units = value / 100 / len(span)
            elif (plan, product) in in_quantity or not price:
                continue
            else:
                units = value / price / len(span)
            rows.extend((product, unit, i, units) for i in counted)
    return _Demand.of(rows)


# Where demand for stock comes from: the newest forecast run's product series, or the approved
# plans' quantity targets per SKU (``DemandSource``).
_DEMAND_READERS = {
    DemandSource.FORECAST: _forecast_demand,
    DemandSource.TARGETS: _target_demand,
}


@dataclass
class _Projection:
    """Every product × warehouse row of the projection at once (the rules' matrix form):
    ``rows`` (product id, warehouse id) and per row the arrays below; ``risk`` as
    ``rules.assess_matrix`` returns it."""

    weeks: list[dt.date]
    rows: list[tuple[int, int]]
    product_ids: np.ndarray
    warehouse_ids: np.ndarray
    on_hand: np.ndarray
    reserved: np.ndarray
    committed: np.ndarray
    available: np.ndarray
    incoming: np.ndarray
    demand: np.ndarray
    projection: np.ndarray
    risk: dict[str, np.ndarray]


def _week_shares(months: list[dt.date], starts: list[dt.date]) -> np.ndarray:
    """``(months, weeks)``: the share of each month's demand that falls in each week (its
    days in the week ÷ its days), so weekly demand = monthly demand @ shares
    (``rules.weekly_demand`` for many rows)."""
    index = {m: i for i, m in enumerate(months)}
    share = np.zeros((len(months), len(starts)))
    for j, week in enumerate(starts):
        for offset in range(7):
            month = (week + dt.timedelta(days=offset)).replace(day=1)
            if month in index:
                share[index[month], j] += 1 / rules._days_in_month(month)
    return share


def _project(
    *,
    as_of: dt.date,
    weeks: int,
    products: Sequence[int] | None = None,
    demand: str = DemandSource.FORECAST,
) -> _Projection:
    """Projected stock of every product × warehouse with stock, as arrays (one query per
    source, then numpy): the available stock now (on hand − reserved − the product's open
    orders, held at its main warehouse: the one with most stock, the lowest id on a tie), open
    incoming supply by week, demand by week (each sales region's demand served by the
    warehouse of its nearest region, else by the product's main warehouse)."""
    starts = rules.week_starts(as_of, weeks)
    months = sorted({(w + dt.timedelta(days=d)).replace(day=1) for w in starts for d in (0, 6)})
    stock_qs = StockLevel.objects.unrestricted()  # visibility: catalogue data, open to all
    if products is not None:
        stock_qs = stock_qs.filter(product_id__in=products)
    levels = _int_rows(
        stock_qs.order_by("product_id", "warehouse_id").values_list(
            "product_id", "warehouse_id", "on_hand", "reserved"
        ),
        4,
    )
    n = len(levels)
    product_of, warehouse_of = levels[:, 0], levels[:, 1]
    rows = list(zip(product_of.tolist(), warehouse_of.tolist(), strict=True))
    index = {key: i for i, key in enumerate(rows)}
    on_hand, reserved = levels[:, 2].astype(float), levels[:, 3].astype(float)
    # the main warehouse of each product: its first row ordered by most stock, then lowest id
    order = np.lexsort((warehouse_of, -levels[:, 2], product_of))
    firsts = order[np.r_[True, product_of[order][1:] != product_of[order][:-1]]] if n else order
    main = dict(zip(product_of[firsts].tolist(), firsts.tolist(), strict=True))  # product → row
    held = dict(
        OrderLine.objects.unrestricted()  # visibility: every open order holds stock back
        .filter(order__status__in=OPEN_ORDER_STATUSES)
        .values("product_id")
        .annotate(q=Sum("quantity"))
        .values_list("product_id", "q")
    )
    committed = np.zeros(n)
    for product, row in main.items():
        committed[row] = held.get(product) or 0
    available = on_hand - reserved - committed
    incoming = np.zeros((n, weeks))
    last_day = starts[-1] + dt.timedelta(days=6)
    for p, w, day, quantity in (
        IncomingSupply.objects.unrestricted()  # visibility: catalogue data, open to all
        .filter(expected_date__lte=last_day, status=SupplyStatus.OPEN)
        .values_list("product_id", "warehouse_id", "expected_date", "quantity")
    ):
        i, j = index.get((p, w)), rules.week_index(starts, day)
        if i is not None and j is not None:
            incoming[i, j] += quantity
    monthly = np.zeros((n, len(months)))
    wanted = _DEMAND_READERS[DemandSource(demand)](months)
    if n and len(wanted.units):
        # the row serving each (product, region) pair, worked out once per pair
        width = int(wanted.region.max()) + 2  # region −1 (none) → 0
        keys, inverse = np.unique(wanted.product * width + wanted.region + 1, return_inverse=True)
        pairs = np.stack([keys // width, keys % width - 1], axis=1)
        serving = _serving_rows(pairs, product_of, warehouse_of, main)
        target = serving[inverse.reshape(-1)]
        keep = target >= 0  # products without stock anywhere: nothing to project
        np.add.at(monthly, (target[keep], wanted.month[keep]), wanted.units[keep])
    need = monthly @ _week_shares(months, starts)
    projection = rules.project_matrix(available, incoming, need)
    risk = rules.assess_matrix(available, projection, need, overstock_weeks())
    return _Projection(
        weeks=starts,
        rows=rows,
        product_ids=product_of,
        warehouse_ids=warehouse_of,
        on_hand=on_hand,
        reserved=reserved,
        committed=committed,
        available=available,
        incoming=incoming,
        demand=need,
        projection=projection,
        risk=risk,
    )


def _serving_rows(
    pairs: np.ndarray,
    product_of: np.ndarray,
    warehouse_of: np.ndarray,
    main: dict[int, int],
) -> np.ndarray:
    """For each ``[product, region]`` (region −1: none) the stock row that serves it: the
    product's warehouse whose region is the nearest ancestor-or-self of the sales region
    (``rules.assign_regions``: the deepest, the lowest warehouse id among equals), else its
    main warehouse; −1 when the product has no stock. As arrays: per sales region its
    warehouses in order of preference, tried in turn for every pair still unserved."""
    out = np.full(len(pairs), -1, dtype=np.int64)
    if not len(pairs) or not len(product_of):
        return out
    paths = dict(OrgUnit.objects.unrestricted().values_list("pk", "path"))  # visibility: paths
    warehouse_paths = {
        pk: paths.get(region) if region else None
        for pk, region in Warehouse.objects.unrestricted()  # visibility: catalogue data
        .order_by("pk")
        .values_list("pk", "region_id")
    }
    # the stock rows by (product, warehouse), as one sorted key
    width = int(warehouse_of.max()) + 1
    row_keys = product_of * width + warehouse_of  # sorted: rows are by product, then warehouse
    products, regions = pairs[:, 0], pairs[:, 1]
    unserved = np.ones(len(pairs), dtype=bool)
    for region in np.unique(regions).tolist():
        path = paths.get(region) if region >= 0 else None
        if not path:
            continue
        preferred = sorted(
            (-len(w_path), pk)
            for pk, w_path in warehouse_paths.items()
            if w_path and path.startswith(w_path) and pk < width
        )
        of_region = regions == region
        for _depth, warehouse in preferred:
            todo = np.flatnonzero(of_region & unserved)
            if not len(todo):
                break
            wanted = products[todo] * width + warehouse
            at = np.minimum(np.searchsorted(row_keys, wanted), len(row_keys) - 1)
            found = row_keys[at] == wanted
            out[todo[found]] = at[found]
            unserved[todo[found]] = False
    # the rest: the product's main warehouse (none without stock: −1)
    main_products = np.array(sorted(main), dtype=np.int64)
    main_rows = np.array([main[p] for p in main_products.tolist()], dtype=np.int64)
    rest = np.flatnonzero(unserved)
    if len(rest) and len(main_products):
        at = np.minimum(np.searchsorted(main_products, products[rest]), len(main_products) - 1)
        has = main_products[at] == products[rest]
        out[rest[has]] = main_rows[at[has]]
    return out


def _projections(
    *,
    as_of: dt.date,
    weeks: int,
    products: Sequence[int] | None = None,
    demand: str = DemandSource.FORECAST,
) -> list[dict[str, Any]]:
    """Every product × warehouse row of the projection as a dict (the demo picks one to cut)."""
    p = _project(as_of=as_of, weeks=weeks, products=products, demand=demand)
    warehouses = Warehouse.objects.unrestricted().in_bulk({w for _p, w in p.rows})
    product_objs = Product.objects.unrestricted().in_bulk({pk for pk, _w in p.rows})
    return [
        {
            "product": product_objs[product],
            "warehouse": warehouses[warehouse],
            "available": round(p.available[i]),
            "on_hand": round(p.on_hand[i]),
            "reserved": round(p.reserved[i]),
            "committed": round(p.committed[i]),
            "incoming": round(p.incoming[i].sum()),
            "demand": round(p.demand[i].sum()),
            "weekly_demand": tuple(round(v) for v in p.demand[i].tolist()),
            "projection": tuple(round(v) for v in p.projection[i].tolist()),
        }
        for i, (product, warehouse) in enumerate(p.rows)
    ]


class RankedRisks(Sequence[StockRisk]):
    """Every product × warehouse at risk, in the page's order, as arrays: its length is the row
    count, and only the rows a page slices out become :class:`StockRisk` objects (with their
    product and warehouse read then), so a page of 50 does not build 100k rows."""

    def __init__(self, p: _Projection, order: np.ndarray) -> None:
        self._p = p
        self._order = order

    def __len__(self) -> int:
        return len(self._order)

    @overload
    def __getitem__(self, item: int) -> StockRisk: ...

    @overload
    def __getitem__(self, item: slice) -> list[StockRisk]: ...

    def __getitem__(self, item: int | slice) -> StockRisk | list[StockRisk]:
        if isinstance(item, slice):
            return self._build(self._order[item])
        return self._build(self._order[[item]])[0]

    def __iter__(self) -> Iterator[StockRisk]:
        """Every row in order, built a thousand at a time (the report lists them all)."""
        for start in range(0, len(self._order), 1000):
            yield from self._build(self._order[start : start + 1000])

    def at(self, positions: np.ndarray) -> list[StockRisk]:
        """The rows at these positions of the list, built at once."""
        return self._build(self._order[positions])

    def products(self) -> np.ndarray:
        """The product id of each row, in order."""
        return self._p.product_ids[self._order]

    def kinds(self) -> np.ndarray:
        return self._p.risk["kind"][self._order]

    def _build(self, rows: np.ndarray) -> list[StockRisk]:
        p = self._p
        kind, first, gap, cover = (p.risk[k] for k in ("kind", "first_short", "gap", "cover"))
        warehouses = Warehouse.objects.unrestricted().in_bulk(  # visibility: catalogue data
            set(p.warehouse_ids[rows].tolist())
        )
        product_objs = Product.objects.unrestricted().in_bulk(  # visibility: catalogue data
            set(p.product_ids[rows].tolist())
        )
        # rounded as arrays (np.rint rounds half to even, as round does)
        projections = np.rint(p.projection[rows]).astype(np.int64).tolist()
        demands = np.rint(p.demand[rows]).astype(np.int64).tolist()
        gaps = np.rint(gap[rows]).astype(np.int64).tolist()
        available = np.rint(p.available[rows]).astype(np.int64).tolist()
        covers = np.round(cover[rows], 1).tolist()
        out = []
        for k, i in enumerate(rows.tolist()):
            stock_out = kind[i] == 1
            out.append(
                StockRisk(
                    product=product_objs[int(p.product_ids[i])],
                    warehouse=warehouses[int(p.warehouse_ids[i])],
                    kind=rules.STOCK_OUT if stock_out else rules.OVERSTOCK,
                    date=p.weeks[first[i]] if stock_out else None,
                    gap=gaps[k],
                    weeks_of_cover=None if math.isnan(covers[k]) else covers[k],
                    available=available[k],
                    projection=tuple(projections[k]),
                    weekly_demand=tuple(demands[k]),
                )
            )
        return out


def ranked_risks(
    *,
    as_of: dt.date,
    weeks: int = DEFAULT_WEEKS,
    demand: str = DemandSource.FORECAST,
    kind: str = "",
    region: int | None = None,
) -> RankedRisks:
    """Every product × warehouse at risk over the next ``weeks`` weeks, stock-outs first
    (soonest first, then the largest gap), then overstock (most weeks of cover first), SKU
    last; ``kind`` keeps one kind, ``region`` the warehouses in that org unit or below it.
    Sorted as arrays; rows become objects only when sliced (:class:`RankedRisks`)."""
    p = _project(as_of=as_of, weeks=weeks, demand=demand)
    risk_kind = p.risk["kind"]
    keep = risk_kind != 0
    if kind:
        keep &= risk_kind == (1 if kind == rules.STOCK_OUT else 2)
    if region is not None:
        keep &= np.isin(p.warehouse_ids, _warehouses_in(region))
    at_risk = np.flatnonzero(keep)
    if not len(at_risk):
        return RankedRisks(p, at_risk)
    # stock-outs by first week short, then largest gap; overstock by most weeks of cover
    # (none: first); then SKU. On the rounded figures the rows show.
    stock_out = risk_kind[at_risk] == 1
    gap = np.rint(p.risk["gap"][at_risk])
    cover = np.round(p.risk["cover"][at_risk], 1)
    cover = np.where(np.isnan(cover) | (cover == 0), 1e9, cover)
    first = np.where(stock_out, p.risk["first_short"][at_risk], 0)
    second = np.where(stock_out, -gap, -cover)
    products = p.product_ids[at_risk]
    ids = np.unique(products)
    skus = dict(
        Product.objects.unrestricted()  # visibility: catalogue data, open to all
        .filter(pk__in=ids.tolist())
        .values_list("pk", "sku")
    )
    by_sku = sorted(ids.tolist(), key=lambda pk: skus.get(pk, ""))
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.searchsorted(ids, by_sku)] = np.arange(len(ids))
    sku_rank = rank[np.searchsorted(ids, products)]
    order = np.lexsort((sku_rank, second, first, ~stock_out))
    return RankedRisks(p, at_risk[order])


def warehouse_regions() -> list[tuple[int, str]]:
    """The org units warehouses belong to (the page's region filter), by name."""
    return list(
        OrgUnit.objects.unrestricted()  # visibility: names of the warehouses' regions
        .filter(pk__in=Warehouse.objects.unrestricted().values("region_id"))
        .order_by("path")
        .values_list("pk", "name")
    )


def _warehouses_in(region: int) -> list[int]:
    """The warehouses whose region is ``region`` or below it."""
    path = (
        OrgUnit.objects.unrestricted()  # visibility: the org tree's paths
        .filter(pk=region)
        .values_list("path", flat=True)
        .first()
    )
    if path is None:
        return []
    return list(
        Warehouse.objects.unrestricted()  # visibility: catalogue data, open to all
        .filter(region__path__startswith=path)
        .values_list("pk", flat=True)
    )


def stock_risks(
    *, as_of: dt.date, weeks: int = DEFAULT_WEEKS, demand: str = DemandSource.FORECAST
) -> list[StockRisk]:
    """Every product × warehouse at risk over the next ``weeks`` weeks, stock-outs first
    (soonest first), then overstock (most weeks of cover first). Read as the system, for the
    report and the demo; demand is the newest run's product forecast (none yet → no demand:
    only overstock can show), or with ``demand="targets"`` the approved plans' quantity targets
    per SKU. The page and the API read a page of :func:`ranked_risks`."""
    return list(ranked_risks(as_of=as_of, weeks=weeks, demand=demand)[:])


def first_stock_outs(
    *, as_of: dt.date, weeks: int = DEFAULT_WEEKS, demand: str = DemandSource.FORECAST
) -> list[StockRisk]:
    """Each product projected to run out, once: its warehouse that runs out first (the first
    of its rows in the page's order), for the stock-out warning. Every product at risk is
    here, whatever page a person is looking at."""
    ranked = ranked_risks(as_of=as_of, weeks=weeks, demand=demand, kind=rules.STOCK_OUT)
    products = ranked.products()
    _ids, firsts = np.unique(products, return_index=True)
    return ranked.at(np.sort(firsts))


def demand_vs_stock(  # noqa: PLR0913 - the page's filters
    *,
    viewer: User,
    as_of: dt.date | None = None,
    weeks: int = DEFAULT_WEEKS,
    kind: str = "",
    demand: str = DemandSource.FORECAST,
    region: int | None = None,
) -> dict[str, Any]:
    """The demand-vs-stock page for a viewer who may see the catalogue: every product ×
    warehouse at risk (``kind`` narrows to stock_out / overstock, ``region`` to the warehouses
    of an org unit and below) with its weekly projection; ``demand`` is ``forecast`` (the
    newest run) or ``targets`` (the approved plans). ``risks`` is a :class:`RankedRisks`:
    slice the page wanted, ``len`` is the row count."""
    day = as_of or timezone.localdate()
    empty: Sequence[StockRisk] = []
    if not visible(Product.objects.all(), viewer=viewer).exists():
        return {"as_of": day, "weeks": [], "risks": empty, "limit": overstock_weeks()}
    risks = ranked_risks(as_of=day, weeks=weeks, demand=demand, kind=kind, region=region)
    return {
        "as_of": day,
        "weeks": rules.week_starts(day, weeks),
        "risks": risks,
        "limit": overstock_weeks(),
    }
