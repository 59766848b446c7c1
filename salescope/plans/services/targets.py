"""Writes to targets: set a plan total, decompose along an axis, edit cells with locks and
redistribution, bottom-up drafts, negotiation comments (A2, A3, A4, A8).

Every write to an amount, count or quantity keeps the invariant that a cell's children sum
exactly to it (``rules.allocate``). A percentage (``METRICS[metric].additive`` False: market
share, brand awareness) is a level: its parts start at its level (``rules.level_parts``) and
then each keeps the level typed for it; nothing is re-split or re-spread. Every write records
one audit entry. Target writes of a plan are serialised by locking the plan row, and an edited
cell must still be at the version the client loaded (R7).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from salescope.core import audit
from salescope.core.errors import StaleVersion, ValidationFailed
from salescope.core.periods import add_months, company_calendar, month_end, months_between
from salescope.org.choices import Role, UnitKind
from salescope.org.models import OrgUnit, User
from salescope.org.permissions import require
from salescope.plans import permissions as perms
from salescope.plans import rules
from salescope.plans.choices import METRICS, Axis, Grain, Method, Metric
from salescope.plans.forecasts import forecast_totals, has_forecasts
from salescope.plans.history import actual_totals
from salescope.plans.models import Dim, Plan, Target, TargetComment
from salescope.plans.services.common import (
    PlanErrorCode,
    ensure_can_draft,
    ensure_can_plan_under,
    ensure_editable,
    lock_plan,
)

CELL_FIELDS = ["value", "bottom_up", "locked"]


def parse_value(raw: Any, field_name: str = "value") -> int:
    """A target typed by a person ("1,200,000.50") → integer hundredths."""
    if isinstance(raw, int):
        return raw * 100
    text = str(raw).strip().replace(",", "").replace("，", "").lstrip("¥￥")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(fields={field_name: [_("Enter a number.")]}) from None
    if not value.is_finite() or value < 0:
        raise ValidationFailed(fields={field_name: [_("Enter a number of zero or more.")]})
    if value != value.quantize(Decimal("0.01")):
        raise ValidationFailed(fields={field_name: [_("At most two decimal places.")]})
    return int(value * 100)


def check_range(metric: str, values: dict[str, int | None]) -> None:
    """Reject a percentage above 100 (``values``: field name → hundredths, None skipped)."""
    most = METRICS[metric].most
    if most is None:
        return
    errors = {
        name: [_("A percentage is at most 100.")]
        for name, value in values.items()
        if value is not None and value > most
    }
    if errors:
        raise ValidationFailed(fields=errors)


def _check_version(cell: Target, expected_version: int | None) -> None:
    if expected_version is not None and cell.version != expected_version:
        raise StaleVersion(extra={"current_version": cell.version, "id": cell.pk})


# --- the plan total ----------------------------------------------------------------------


@transaction.atomic
def set_plan_target(*, actor: User, plan: Plan, metric: str, value: int) -> Target:
    """Create or change the plan's total for ``metric`` (the root cell); an existing
    decomposition of an amount is re-spread below it, keeping locked cells (a level's parts
    keep their own levels)."""
    require(actor, perms.TARGET_PLAN.code)
    plan = lock_plan(plan)
    ensure_editable(plan)
    if metric not in Metric.values:
        raise ValidationFailed(fields={"metric": [_("Unknown metric.")]})
    check_range(metric, {"value": value})
    root = Target.objects.unrestricted().filter(plan=plan, metric=metric, parent=None).first()
    if root is None:
        root = Target(
            plan=plan,
            metric=metric,
            axis=Axis.ROOT,
            unit=plan.scope_unit,
            period_start=plan.period_start,
            period_end=plan.period_end,
            grain=Grain.QUARTER if plan.quarter else Grain.YEAR,
        )
        ensure_can_plan_under(actor, root)
        root.value = value
        root.dims = _Context(plan=plan, actor=actor).dims_of(
            root.unit_id, None, None, None, root.grain, False
        )
        root.save()
        audit.record(
            actor=actor,
            action="plans.target.created",
            obj=root,
            changes={"metric": [None, metric], "value": [None, value]},
        )
        return root
    ensure_can_plan_under(actor, root)
    before = root.value
    changed = _apply_values({root.pk: value}, [root])
    changed += _respread_below([root])
    audit.record(
        actor=actor,
        action="plans.target.updated",
        obj=root,
        changes={"value": [before, value], "cells_respread": changed},
    )
    root.refresh_from_db()
    return root


# --- decomposition -----------------------------------------------------------------------


@dataclass
class Spec:
    """The coordinates of a child to be created."""

    unit_id: int | None
    person_id: int | None
    category_id: int | None
    customer_id: int | None
    start: dt.date
    end: dt.date
    grain: str
    unit_path: str = ""
    category_path: str = ""
    months: list[dt.date] = field(default_factory=list)
    brand_id: int | None = None
    product_id: int | None = None


@dataclass
class Step:
    axis: str
    method: str = Method.EQUAL
    weights: Sequence[Decimal] | None = None
    members: Sequence[int] | None = None


@dataclass
class _Context:
    """What one decomposition call loads once: units, people, categories, history."""

    plan: Plan
    actor: User
    units: dict[int, OrgUnit] = field(default_factory=dict)
    child_units: dict[int, list[OrgUnit]] = field(default_factory=dict)
    people_by_unit: dict[int, list[User]] = field(default_factory=dict)
    categories: dict[int | None, list[Any]] = field(default_factory=dict)
    category_paths: dict[int, str] = field(default_factory=dict)
    category_names: dict[int, str] = field(default_factory=dict)
    products: list[Any] = field(default_factory=list)
    brands: dict[int, Any] = field(default_factory=dict)
    by_sku: bool = False  # the chain has a brand or SKU step: history by SKU too
    history: dict[str, dict[str, Any]] = field(default_factory=dict)
    _dims: dict[tuple, int] = field(default_factory=dict)
    _days: dict[dt.date, Any] = field(default_factory=dict)

    def db_date(self, day: dt.date) -> Any:
        """A date as the leaf insert binds it: SQLite stores ISO text (what Django's adapter
        would make of it, here once per distinct date instead of 600k times)."""
        value = self._days.get(day)
        if value is None:
            from django.db import connection

            value = day.isoformat() if connection.vendor == "sqlite" else day
            self._days[day] = value
        return value

    def load_org(self) -> None:
        if self.units:
            return
        for unit in (
            OrgUnit.objects.unrestricted().exclude(kind=UnitKind.DEPARTMENT).order_by("path")
        ):
            self.units[unit.pk] = unit
            self.child_units.setdefault(unit.parent_id or 0, []).append(unit)
        people = (
            User.objects.unrestricted()
            .filter(is_active=True, role=Role.SALESPERSON)
            .order_by("username")
        )
        for person in people:
            self.people_by_unit.setdefault(person.unit_id, []).append(person)

    def load_categories(self) -> None:
        if self.category_paths:
            return
        from salescope.catalog.models import Category

        for category in Category.objects.unrestricted().order_by("path", "code"):
            self.categories.setdefault(category.parent_id, []).append(category)
            self.category_paths[category.pk] = category.path
            self.category_names[category.pk] = category.name

    def load_products(self) -> None:
        """The SKUs on sale (with their brand and category path) and the brands, for the
        brand and SKU steps; read only (the catalog is the catalog's to change)."""
        if self.brands or self.products:
            return
        from salescope.catalog.models import Brand, Product

        self.load_categories()
        self.brands = {b.pk: b for b in Brand.objects.unrestricted().order_by("code")}
        self.products = list(
            Product.objects.unrestricted()
            .filter(active=True, deleted_at=None)
            .order_by("sku")
            .only("pk", "sku", "name", "brand_id", "category_id")
        )
        for product in self.products:
            product.category_path = self.category_paths.get(product.category_id or 0, "")

    def products_in(self, category_id: int | None, brand_id: int | None) -> list[Any]:
        self.load_products()
        prefix = self.category_paths.get(category_id or 0, "")
        return [
            p
            for p in self.products
            if (not category_id or p.category_path.startswith(prefix))
            and (not brand_id or p.brand_id == brand_id)
        ]

    def dims_of(
        self,
        unit_id: int | None,
        person_id: int | None,
        category_id: int | None,
        customer_id: int | None,
        grain: str,
        customer_axis: bool,
        brand_id: int | None = None,
        product_id: int | None = None,
    ) -> int:
        """Bits of ``Dim`` a cell with these coordinates fixes (memoised: a decomposition asks
        for the same few combinations 300k times)."""
        key = (unit_id, bool(person_id), bool(category_id), bool(customer_id), grain, customer_axis)
        dims = self._dims.get(key)
        if dims is None:
            dims = self._dims[key] = self._dims_of(
                unit_id, person_id, category_id, customer_id, grain, customer_axis
            )
        if brand_id:
            dims |= Dim.BRAND
        if product_id:
            dims |= Dim.PRODUCT
        return dims

    def _dims_of(
        self,
        unit_id: int | None,
        person_id: int | None,
        category_id: int | None,
        customer_id: int | None,
        grain: str,
        customer_axis: bool,
    ) -> int:
        self.load_org()
        dims = 0
        if person_id:
            dims |= Dim.PERSON | Dim.UNIT | Dim.REGION
        unit = self.units.get(unit_id or 0)
        if unit is not None and unit.kind != UnitKind.COMPANY:
            dims |= Dim.REGION
            if not self.child_units.get(unit.pk):
                dims |= Dim.UNIT
        if category_id:
            dims |= Dim.CATEGORY
        if customer_id or customer_axis:
            dims |= Dim.CUSTOMER
        if grain == Grain.MONTH:
            dims |= Dim.MONTH | Dim.QUARTER
        elif grain == Grain.QUARTER:
            dims |= Dim.QUARTER
        return dims


def _specs(ctx: _Context, cell: Target, step: Step) -> list[Spec]:
    base: dict[str, Any] = {
        "unit_id": cell.unit_id,
        "person_id": cell.person_id,
        "category_id": cell.category_id,
        "customer_id": cell.customer_id,
        "start": cell.period_start,
        "end": cell.period_end,
        "grain": cell.grain,
        "brand_id": cell.brand_id,
        "product_id": cell.product_id,
    }
    members = set(step.members) if step.members else None
    if step.axis == Axis.ORG:
        if cell.person_id:
            return []
        ctx.load_org()
        units = [u for u in ctx.child_units.get(cell.unit_id or 0, []) if u.pk in ctx.units]
        if units:
            return [
                Spec(**{**base, "unit_id": u.pk}, unit_path=u.path)
                for u in units
                if members is None or u.pk in members
            ]
        team = cell.unit_id or 0
        return [
            Spec(**{**base, "person_id": p.pk}, unit_path=ctx.units[team].path)
            for p in ctx.people_by_unit.get(team, [])
            if members is None or p.pk in members
        ]
    if step.axis == Axis.PRODUCT:
        if cell.product_id:
            return []
        ctx.load_categories()
        unit_id, person_id, customer_id = cell.unit_id, cell.person_id, cell.customer_id
        start, end, grain = cell.period_start, cell.period_end, cell.grain
        categories = ctx.categories.get(cell.category_id, [])
        if cell.brand_id:  # under a brand: the categories it sells in
            paths = {p.category_path for p in ctx.products_in(cell.category_id, cell.brand_id)}
            categories = [c for c in categories if any(p.startswith(c.path) for p in paths)]
        if cell.brand_id:
            return [
                Spec(**{**base, "category_id": c.pk}, category_path=c.path)
                for c in categories
                if members is None or c.pk in members
            ]
        return [  # positional: the leaf level of a big plan makes 300k of these
            Spec(unit_id, person_id, c.pk, customer_id, start, end, grain, "", c.path)
            for c in categories
            if members is None or c.pk in members
        ]
    if step.axis == Axis.BRAND:
        if cell.brand_id or cell.product_id:
            return []
        products = ctx.products_in(cell.category_id, None)
        selling = {p.brand_id for p in products if p.brand_id}
        return [
            Spec(**{**base, "brand_id": b})
            for b in ctx.brands
            if b in selling and (members is None or b in members)
        ]
    if step.axis == Axis.SKU:
        if cell.product_id:
            return []
        return [
            Spec(
                **{
                    **base,
                    "product_id": p.pk,
                    "brand_id": p.brand_id or cell.brand_id,
                    "category_id": cell.category_id or p.category_id,
                }
            )
            for p in ctx.products_in(cell.category_id, cell.brand_id)
            if members is None or p.pk in members
        ]
    if step.axis == Axis.CUSTOMER:
        if cell.customer_id or not members:
            return []
        from salescope.customers.models import Customer

        customers = Customer.objects.unrestricted().filter(pk__in=members).order_by("code")
        specs = [Spec(**{**base, "customer_id": c.pk}) for c in customers]
        return [*specs, Spec(**base)]  # the rest: everyone but the key customers
    if step.axis == Axis.QUARTER and cell.grain == Grain.YEAR:
        calendar = company_calendar()
        year = calendar.year_of(cell.period_start)
        return [
            Spec(
                **{**base, "start": m[0], "end": month_end(m[-1]), "grain": Grain.QUARTER}, months=m
            )
            for m in (calendar.months_of_quarter(year, q) for q in range(1, 5))
            if m[0] >= cell.period_start and m[-1] <= cell.period_end
        ]
    if step.axis == Axis.MONTH and cell.grain != Grain.MONTH:
        return [
            Spec(**{**base, "start": m, "end": month_end(m), "grain": Grain.MONTH}, months=[m])
            for m in months_between(cell.period_start, cell.period_end)
        ]
    return []


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


def _new_cells(ctx: _Context, cell: Target, step: Step, specs: list[Spec]) -> list[Target]:
    """The parts of ``cell`` that get parts of their own (values set once the whole chain is
    split; the parent's id once it is saved)."""
    customer_axis = step.axis == Axis.CUSTOMER or bool(cell.dims & Dim.CUSTOMER)
    return [
        Target(
            plan_id=cell.plan_id,
            metric=cell.metric,
            parent_id=cell.pk,
            axis=step.axis,
            depth=cell.depth + 1,
            position=i,
            unit_id=s.unit_id,
            person_id=s.person_id,
            category_id=s.category_id,
            brand_id=s.brand_id,
            product_id=s.product_id,
            customer_id=s.customer_id,
            period_start=s.start,
            period_end=s.end,
            grain=s.grain,
            dims=ctx.dims_of(
                s.unit_id,
                s.person_id,
                s.category_id,
                s.customer_id,
                s.grain,
                customer_axis,
                s.brand_id,
                s.product_id,
            ),
            parent_dims=cell.dims,
        )
        for i, s in enumerate(specs)
    ]


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


# --- chained decomposition: built in memory, split by ``rules.split_tree``, written at once --


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


@dataclass
class _Group:
    """The parts of one cell made by one step: the specs and where they sit in the tree."""

    cell: Target
    axis: str
    specs: list[Spec]
    first: int  # the node index of the first part
    cells: list[Target] | None = None  # None: the parts are leaves, written as rows


@dataclass
class _Tree:
    parents: list[int]
    weights: list[Any]
    locked: dict[int, int]
    groups: list[list[_Group]]  # per step
    methods: list[set[str]]  # per step: the methods the parts followed
    values: list[int] = field(default_factory=list)


def _build_tree(
    ctx: _Context, target: Target, steps: Sequence[Step], *, each_child: bool
) -> tuple[_Tree, list[Target]]:
    """The whole chain in memory: nodes in level order, node 0 ``target``. With ``each_child``
    the target's existing parts are kept as they are (locked at their values) and the steps
    apply to each of them. Returns the tree and the cells whose old parts are replaced."""
    additive = METRICS[target.metric].additive
    target._node = 0  # type: ignore[attr-defined]
    parents: list[int] = [-1]
    weights: list[Any] = [1]
    locked: dict[int, int] = {}
    level = [target]
    if each_child:
        level = list(Target.objects.unrestricted().filter(parent=target).order_by("position", "id"))
        if not level:
            raise ValidationFailed(
                fields={"scope": [_("This target has no parts yet: decompose it first.")]},
                code=PlanErrorCode.NOTHING_TO_DECOMPOSE,
            )
        for kid in level:  # their old parts go: they are leaves until the chain splits them
            kid.children_axis, kid.method, kid.is_leaf = "", "", True
            kid._node = len(parents)  # type: ignore[attr-defined]
            parents.append(0)
            weights.append(kid.value)
            locked[kid._node] = kid.value  # type: ignore[attr-defined]
    replaced_under = list(level)
    old_locks = _locks_below(replaced_under)
    tree = _Tree(parents, weights, locked, [], [])
    for depth, step in enumerate(steps):
        last = depth == len(steps) - 1
        groups: list[_Group] = []
        methods: set[str] = set()
        next_level: list[Target] = []
        for cell in level:
            specs = _specs(ctx, cell, step)
            if not specs:
                continue
            if additive:
                part_weights, method = _weights(ctx, cell, step, specs)
            else:
                part_weights, method = [1] * len(specs), Method.EQUAL
            methods.add(method)
            cell.children_axis, cell.method, cell.is_leaf = step.axis, method, False
            group = _Group(cell, step.axis, specs, len(parents))
            parents.extend([cell._node] * len(specs))  # type: ignore[attr-defined]
            weights.extend(part_weights)
            if not last:
                group.cells = _new_cells(ctx, cell, step, specs)
                for i, part in enumerate(group.cells):
                    part._node = group.first + i  # type: ignore[attr-defined]
                    part._parent = cell  # type: ignore[attr-defined]
                next_level.extend(group.cells)
            groups.append(group)
        if not groups:
            if depth == 0:
                raise ValidationFailed(
                    fields={"axis": [_("There is nothing to decompose this target into.")]},
                    code=PlanErrorCode.NOTHING_TO_DECOMPOSE,
                )
            break
        tree.groups.append(groups)
        tree.methods.append(methods)
        level = next_level
        if old_locks:
            for group in groups:
                for i, s in enumerate(group.specs):
                    key = _lock_key(
                        s.unit_id,
                        s.person_id,
                        s.category_id,
                        s.brand_id,
                        s.product_id,
                        s.customer_id,
                        s.start,
                        s.end,
                        group.axis == Axis.CUSTOMER and s.customer_id is None,
                    )
                    if key in old_locks:
                        locked[group.first + i] = old_locks[key]
    try:
        tree.values = rules.split_tree(
            target.value,
            parents,
            weights,
            locked=locked,
            quantum=METRICS[target.metric].quantum,
            additive=additive,
        )
    except rules.InfeasibleAllocation:
        raise ValidationFailed(
            _("The locked cells under “%(cell)s” add up to more than it, or nothing is free.")
            % {"cell": target.label},
            fields={"value": [_("Unlock a cell or change the values.")]},
            code=PlanErrorCode.INFEASIBLE_LOCKS,
        ) from None
    return tree, replaced_under


def _prepare(target: Target, steps: Sequence[Step]) -> list[Step]:
    if not steps:
        raise ValidationFailed(fields={"axis": [_("Choose how to decompose.")]})
    if not METRICS[target.metric].additive:
        # 18% market share is not 4.5% in each of four regions: each part starts at 18%.
        return [Step(s.axis, Method.EQUAL, None, s.members) for s in steps]
    return list(steps)


def _context(plan: Plan, actor: User, steps: Sequence[Step]) -> _Context:
    ctx = _Context(plan=plan, actor=actor)
    ctx.by_sku = any(s.axis in (Axis.BRAND, Axis.SKU) for s in steps)
    return ctx


@dataclass(frozen=True)
class PreviewPart:
    label: str
    value: int
    locked: bool


@dataclass(frozen=True)
class PreviewLevel:
    axis: str
    methods: list[str]
    cells: int
    total: int
    smallest: int
    largest: int


@dataclass(frozen=True)
class DecompositionPreview:
    """What a chained decomposition would make, before anything is written."""

    target: Target
    levels: list[PreviewLevel]
    parts: list[PreviewPart]  # the first step's parts (at most 60)
    cells: int
    leaves_total: int
    locks_kept: int


def preview_decomposition(
    *, actor: User, target: Target, steps: Sequence[Step], each_child: bool = False
) -> DecompositionPreview:
    """The result of :func:`decompose_target` with the same arguments, computed and not
    written: per step, how many cells, their total and range; the first step's parts."""
    require(actor, perms.TARGET_PLAN.code)
    ensure_can_plan_under(actor, target)
    steps = _prepare(target, steps)
    ctx = _context(target.plan, actor, steps)
    _check_history(ctx, target, steps)
    tree, _replaced = _build_tree(ctx, target, steps, each_child=each_child)
    values = tree.values
    levels = []
    leaves_total = 0
    for depth, groups in enumerate(tree.groups):
        nodes = [g.first + i for g in groups for i in range(len(g.specs))]
        level_values = [values[n] for n in nodes]
        if depth == len(tree.groups) - 1:
            leaves_total = sum(level_values)
        levels.append(
            PreviewLevel(
                axis=groups[0].axis,
                methods=sorted(tree.methods[depth]),
                cells=len(nodes),
                total=sum(level_values),
                smallest=min(level_values),
                largest=max(level_values),
            )
        )
    first = tree.groups[0]
    parts: list[PreviewPart] = []
    for group in first:
        cells = group.cells or _new_cells(ctx, group.cell, Step(group.axis), group.specs)
        for i, cell in enumerate(cells):
            if len(parts) >= 60:  # noqa: PLR2004 - enough to check a split by eye
                break
            node = group.first + i
            parts.append(PreviewPart(cell.label, values[node], node in tree.locked))
    return DecompositionPreview(
        target=target,
        levels=levels,
        parts=parts,
        cells=sum(level.cells for level in levels),
        leaves_total=leaves_total,
        locks_kept=len([n for n in tree.locked if not (each_child and tree.parents[n] == 0)]),
    )


@transaction.atomic
def decompose_target(
    *,
    actor: User,
    target: Target,
    steps: Sequence[Step],
    expected_version: int | None = None,
    each_child: bool = False,
) -> int:
    """Split ``target`` along a chain of ``steps`` in one action (e.g. org, org, org, org,
    month, product; or org, brand, product, SKU, quarter, month), each step with its own
    method: each step splits every cell made by the step before. Returns the number of cells
    created. Children sum exactly to their parent at every level (``rules.split_tree``).

    Existing parts of ``target`` are replaced, except that the cells typed and locked below it
    keep their value wherever the new chain makes a cell with the same coordinates (the cells
    above reserve what they hold). With ``each_child`` the target's existing parts stay as they
    are and the chain is applied to every one of them ("the same for every part").

    A level (a percentage such as market share) is not split: every part starts at its
    parent's level and the method is recorded as equal (weights and history do not apply)."""
    require(actor, perms.TARGET_PLAN.code)
    plan = lock_plan(target.plan)
    ensure_editable(plan)
    target = Target.objects.unrestricted().select_for_update().get(pk=target.pk)
    _check_version(target, expected_version)
    ensure_can_plan_under(actor, target)
    steps = _prepare(target, steps)
    ctx = _context(plan, actor, steps)
    _check_history(ctx, target, steps)
    tree, replaced_under = _build_tree(ctx, target, steps, each_child=each_child)
    values, locked = tree.values, tree.locked
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
    Target.objects.unrestricted().filter(pk=target.pk).update(version=F("version") + 1)
    audit.record(
        actor=actor,
        action="plans.target.decomposed",
        obj=target,
        changes={
            "steps": [[s.axis, s.method] for s in steps],
            "each_child": each_child,
            "cells_created": created,
            "cells_replaced": replaced,
            "locks_kept": len(locked) - (len(replaced_under) if each_child else 0),
        },
    )
    return created


# --- editing cells -----------------------------------------------------------------------


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


@dataclass
class CellEdit:
    target_id: int
    expected_version: int
    value: int | None = None  # hundredths; None = leave the value
    locked: bool | None = None
    draft_given: bool = False  # set ``bottom_up`` (None clears the draft)
    bottom_up: int | None = None


@transaction.atomic
def edit_cells(*, actor: User, parent: Target, edits: Sequence[CellEdit]) -> list[Target]:
    """Edit children of ``parent`` like a spreadsheet: typed values are kept (and locked), the
    other free children absorb the difference so the children still sum to ``parent``; every
    changed cell's own children are re-spread below it.

    The parts of a level (a percentage) are each their own level: a typed value is kept as
    typed, no other cell changes (siblings, parent, the parts below) and locks are stored as
    given, without effect."""
    require(actor, perms.TARGET_PLAN.code)
    plan = lock_plan(parent.plan)
    ensure_editable(plan)
    ensure_can_plan_under(actor, parent)
    kids = list(Target.objects.unrestricted().filter(parent=parent).order_by("position", "id"))
    by_id = {k.pk: k for k in kids}
    errors = {
        str(e.target_id): [_("Not a part of this target.")]
        for e in edits
        if e.target_id not in by_id
    }
    if errors:
        raise ValidationFailed(fields=errors)
    for edit in edits:
        _check_version(by_id[edit.target_id], edit.expected_version)
    for edit in edits:
        check_range(parent.metric, {str(edit.target_id): edit.value})
        check_range(parent.metric, {str(edit.target_id): edit.bottom_up})
    before = {k.pk: (k.value, k.locked, k.bottom_up) for k in kids}
    additive = METRICS[parent.metric].additive
    for edit in edits:
        kid = by_id[edit.target_id]
        if edit.draft_given:
            kid.bottom_up = edit.bottom_up
        if edit.locked is not None:
            kid.locked = edit.locked
        if edit.value is not None:
            kid.value = edit.value
            if additive and edit.locked is None:
                kid.locked = True
    if additive:
        parent.value = Target.objects.unrestricted().get(pk=parent.pk).value
        for kid, value in zip(kids, _split(parent, kids), strict=True):
            kid.value = value
    changed = []
    for kid in kids:
        if (kid.value, kid.locked, kid.bottom_up) != before[kid.pk]:
            kid.version += 1
            changed.append(kid)
    Target.objects.bulk_update(
        changed, ["value", "locked", "bottom_up", "version"], batch_size=2000
    )
    respread = _respread_below([k for k in changed if k.value != before[k.pk][0]])
    audit.record(
        actor=actor,
        action="plans.target.edited",
        obj=parent,
        changes={
            **{kid.label: [list(before[kid.pk]), [kid.value, kid.locked]] for kid in changed},
            "cells_respread": respread,
        },
    )
    return kids


@transaction.atomic
def set_bottom_up(
    *, actor: User, target: Target, value: int | None, expected_version: int
) -> Target:
    """A team's bottom-up draft for a cell (two-way planning, A4)."""
    require(actor, perms.TARGET_DRAFT.code)
    plan = lock_plan(target.plan)
    ensure_editable(plan)
    ensure_can_draft(actor, target)
    check_range(target.metric, {"bottom_up": value})
    before = target.bottom_up
    matched = (
        Target.objects.unrestricted()
        .filter(pk=target.pk, version=expected_version)
        .update(bottom_up=value, version=F("version") + 1)
    )
    if matched != 1:
        target.refresh_from_db()
        raise StaleVersion(extra={"current_version": target.version, "id": target.pk})
    target.refresh_from_db()
    audit.record(
        actor=actor,
        action="plans.target.bottom_up_set",
        obj=target,
        changes={"bottom_up": [before, value]},
    )
    return target


@transaction.atomic
def comment_on_target(*, actor: User, target: Target, text: str) -> TargetComment:
    require(actor, perms.TARGET_DRAFT.code)
    text = text.strip()
    if not text:
        raise ValidationFailed(fields={"text": [_("Write a comment.")]})
    ensure_can_draft(actor, target)
    comment = TargetComment.objects.create(target=target, author=actor, text=text[:4000])
    audit.record(
        actor=actor,
        action="plans.target_comment.created",
        obj=comment,
        changes={"target": [None, target.pk], "text": [None, comment.text]},
    )
    return comment
