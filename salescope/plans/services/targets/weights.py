"""How a step weighs its parts: equal, typed weights, last year's actuals or seasonality, or
the forecast; refused where there is no history to split by."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from salescope.core.errors import ValidationFailed
from salescope.core.periods import add_months
from salescope.plans.choices import METRICS, Axis, Method
from salescope.plans.forecasts import forecast_totals, has_forecasts
from salescope.plans.history import actual_totals
from salescope.plans.models import Target
from salescope.plans.services.common import PlanErrorCode
from salescope.plans.services.targets.context import Spec, Step, _Context


@dataclass(frozen=True)
class _Past:
    """One row of last year's actuals, shifted a year forward onto the plan's calendar."""

    person_id: int | None
    unit_path: str
    month: dt.date
    category_path: str
    amount: int
    brand_id: int | None = None
    product_id: int | None = None


def _history(ctx: _Context, metric: str, source: str = Method.LAST_YEAR) -> dict[str, Any]:
    """Last year's actuals (or, for ``Method.FORECAST``, the forecast of the plan's own
    period) by (salesperson, month, category) — and by SKU when the chain has a brand or SKU
    step — loaded once per call."""
    by_sku = ctx.by_sku
    key = f"{metric}|{source}|{by_sku}"
    if key not in ctx.history:
        ctx.load_org()
        ctx.load_categories()
        person_paths = {
            p.pk: ctx.units[uid].path
            for uid, people in ctx.people_by_unit.items()
            if uid in ctx.units
            for p in people
        }
        dims: tuple[str, ...] = ("salesperson", "month", "category")
        if by_sku:
            dims += ("product",)
        first, last = ctx.plan.period_start, ctx.plan.period_end.replace(day=1)
        if source == Method.FORECAST:
            shift = 0
            totals = forecast_totals(metric=metric, date_from=first, date_to=last, group_by=dims)
        else:
            shift = 12
            totals = actual_totals(
                viewer=ctx.actor,
                metric=metric,
                date_from=add_months(first, -12),
                date_to=add_months(last, -12),
                group_by=dims,
            )
        brand_of: dict[int, int | None] = {}
        if by_sku:
            ctx.load_products()
            brand_of = {p.pk: p.brand_id for p in ctx.products}
        rows = [
            _Past(
                key[0],
                person_paths.get(key[0], ""),
                add_months(key[1], shift),
                ctx.category_paths.get(key[2], ""),
                amount,
                brand_of.get(key[3]) if by_sku else None,
                key[3] if by_sku else None,
            )
            for key, amount in totals.items()
            if amount > 0 and key[1] is not None
        ]
        by_person: dict[int | None, list[_Past]] = {}
        for row in rows:
            by_person.setdefault(row.person_id, []).append(row)
        ctx.history[key] = {"rows": rows, "by_person": by_person}
    return ctx.history[key]


def _spec_finder(specs: list[Spec], axis: str) -> Any:
    """A function from a past row to the index of the child it belongs to (or None)."""
    cache: dict[Any, int | None] = {}
    if axis == Axis.ORG and any(s.person_id for s in specs):
        by_person = {s.person_id: i for i, s in enumerate(specs)}
        return lambda row: by_person.get(row.person_id)
    if axis == Axis.ORG:
        paths = [(s.unit_path, i) for i, s in enumerate(specs)]

        def unit(row: _Past) -> int | None:
            if row.unit_path not in cache:
                cache[row.unit_path] = next(
                    (i for p, i in paths if row.unit_path.startswith(p)), None
                )
            return cache[row.unit_path]

        return unit
    if axis == Axis.PRODUCT:
        categories = [(s.category_path, i) for i, s in enumerate(specs)]

        def category(row: _Past) -> int | None:
            if row.category_path not in cache:
                cache[row.category_path] = next(
                    (i for p, i in categories if row.category_path.startswith(p)), None
                )
            return cache[row.category_path]

        return category
    if axis in (Axis.MONTH, Axis.QUARTER):
        by_month = {m: i for i, s in enumerate(specs) for m in s.months}
        return lambda row: by_month.get(row.month)
    if axis == Axis.BRAND:
        by_brand = {s.brand_id: i for i, s in enumerate(specs)}
        return lambda row: by_brand.get(row.brand_id)
    if axis == Axis.SKU:
        by_product = {s.product_id: i for i, s in enumerate(specs)}
        return lambda row: by_product.get(row.product_id)
    return lambda row: None  # key customers: the rollups have no customer grain


def _past_rows(ctx: _Context, cell: Target, source: str = Method.LAST_YEAR) -> list[_Past]:
    """Last year's actuals (shifted onto this year), or the forecast, within ``cell``'s org,
    product and period."""
    history = _history(ctx, cell.metric, source)
    if cell.person_id:
        rows = history["by_person"].get(cell.person_id, [])
    else:
        unit = ctx.units.get(cell.unit_id or 0)
        prefix = unit.path if unit else ""
        rows = [r for r in history["rows"] if r.unit_path.startswith(prefix)]
    parent_cat = ctx.category_paths.get(cell.category_id or 0, "")
    brand, product = cell.brand_id, cell.product_id
    return [
        row
        for row in rows
        if cell.period_start <= row.month <= cell.period_end
        and (not parent_cat or row.category_path.startswith(parent_cat))
        and (not brand or row.brand_id == brand)
        and (not product or row.product_id == product)
    ]


def _history_weights(
    ctx: _Context, cell: Target, specs: list[Spec], axis: str, source: str = Method.LAST_YEAR
) -> list[Fraction]:
    """Each child's share of last year's actual (or of the forecast) within the parent's
    coordinates."""
    find = _spec_finder(specs, axis)
    weights = [Fraction(0)] * len(specs)
    for row in _past_rows(ctx, cell, source):
        index = find(row)
        if index is not None:
            weights[index] += row.amount
    return weights


HISTORY_METHODS = (Method.LAST_YEAR, Method.SEASONALITY)


def _check_history(ctx: _Context, target: Target, steps: Sequence[Step]) -> None:
    """Refuse a split by last year's actuals (or by forecast) where there is none to split by:
    the parts would silently come out equal under a method that says otherwise."""
    if any(s.method == Method.FORECAST for s in steps):
        if not has_forecasts():
            reason = _(
                "No forecasts are available (the forecasting module is not installed): choose "
                "another method."
            )
        elif not _past_rows(ctx, target, Method.FORECAST):
            reason = _(
                "There is no forecast within this target for the plan's period: compute the "
                "forecast first, or choose another method."
            )
        else:
            reason = ""
        if reason:
            raise ValidationFailed(fields={"method": [reason]}, code=PlanErrorCode.NO_FORECAST)
    if not any(s.method in HISTORY_METHODS for s in steps):
        return
    if METRICS[target.metric].source not in ("ledger", "collections"):
        reason = _(
            "This metric has no history in the sales ledger: choose equal shares or weights."
        )
    elif not _past_rows(ctx, target):
        reason = _(
            "Last year has no actuals within this target, so there is nothing to take shares "
            "or seasonality from: choose equal shares or weights."
        )
    else:
        return
    raise ValidationFailed(fields={"method": [reason]}, code=PlanErrorCode.NO_HISTORY)


def _weights(ctx: _Context, cell: Target, step: Step, specs: list[Spec]) -> tuple[list, str]:
    """The parts' weights and the method they follow: a part of the plan without history of
    its own (a new salesperson, a new category) is split equally and says so."""
    if step.method == Method.CUSTOM:
        given = list(step.weights or [])
        if len(given) != len(specs) or any(Decimal(w) < 0 for w in given):
            raise ValidationFailed(
                fields={"weights": [_("Give one weight of zero or more for each part.")]}
            )
        return [Decimal(w) for w in given], step.method
    if step.method in HISTORY_METHODS:
        weights = _history_weights(ctx, cell, specs, step.axis)
        if any(weights):
            return weights, step.method
    if step.method == Method.FORECAST:
        weights = _history_weights(ctx, cell, specs, step.axis, Method.FORECAST)
        if any(weights):
            return weights, step.method
    return [1] * len(specs), Method.EQUAL
