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

    def dims_of(
        self,
        unit_id: int | None,
        person_id: int | None,
        category_id: int | None,
        customer_id: int | None,
        grain: str,
        customer_axis: bool,
    ) -> int:
        """Bits of ``Dim`` a cell with these coordinates fixes (memoised: a decomposition asks
        for the same few combinations 300k times)."""
        key = (unit_id, bool(person_id), bool(category_id), bool(customer_id), grain, customer_axis)
        dims = self._dims.get(key)
        if dims is None:
            dims = self._dims[key] = self._dims_of(
                unit_id, person_id, category_id, customer_id, grain, customer_axis
            )
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
        ctx.load_categories()
        unit_id, person_id, customer_id = cell.unit_id, cell.person_id, cell.customer_id
        start, end, grain = cell.period_start, cell.period_end, cell.grain
        return [  # positional: the leaf level of a big plan makes 300k of these
            Spec(unit_id, person_id, c.pk, customer_id, start, end, grain, "", c.path)
            for c in ctx.categories.get(cell.category_id, [])
            if members is None or c.pk in members
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


def _history(ctx: _Context, metric: str) -> dict[str, Any]:
    """Last year's actuals by (salesperson, month, category), loaded once per call."""
    if metric not in ctx.history:
        ctx.load_org()
        ctx.load_categories()
        person_paths = {
            p.pk: ctx.units[uid].path
            for uid, people in ctx.people_by_unit.items()
            if uid in ctx.units
            for p in people
        }
        start = add_months(ctx.plan.period_start, -12)
        end = add_months(ctx.plan.period_end.replace(day=1), -12)
        totals = actual_totals(
            viewer=ctx.actor,
            metric=metric,
            date_from=start,
            date_to=end,
            group_by=("salesperson", "month", "category"),
        )
        rows = [
            _Past(
                person,
                person_paths.get(person, ""),
                add_months(month, 12),
                ctx.category_paths.get(category, ""),
                amount,
            )
            for (person, month, category), amount in totals.items()
            if amount > 0 and month is not None
        ]
        by_person: dict[int | None, list[_Past]] = {}
        for row in rows:
            by_person.setdefault(row.person_id, []).append(row)
        ctx.history[metric] = {"rows": rows, "by_person": by_person}
    return ctx.history[metric]


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
    return lambda row: None  # key customers: the rollups have no customer grain


def _past_rows(ctx: _Context, cell: Target) -> list[_Past]:
    """Last year's actuals (shifted onto this year) within ``cell``'s org, product and period."""
    history = _history(ctx, cell.metric)
    if cell.person_id:
        rows = history["by_person"].get(cell.person_id, [])
    else:
        unit = ctx.units.get(cell.unit_id or 0)
        prefix = unit.path if unit else ""
        rows = [r for r in history["rows"] if r.unit_path.startswith(prefix)]
    parent_cat = ctx.category_paths.get(cell.category_id or 0, "")
    return [
        row
        for row in rows
        if cell.period_start <= row.month <= cell.period_end
        and (not parent_cat or row.category_path.startswith(parent_cat))
    ]


def _history_weights(ctx: _Context, cell: Target, specs: list[Spec], axis: str) -> list[Fraction]:
    """Each child's share of last year's actual within the parent's coordinates."""
    find = _spec_finder(specs, axis)
    weights = [Fraction(0)] * len(specs)
    for row in _past_rows(ctx, cell):
        index = find(row)
        if index is not None:
            weights[index] += row.amount
    return weights


HISTORY_METHODS = (Method.LAST_YEAR, Method.SEASONALITY)


def _check_history(ctx: _Context, target: Target, steps: Sequence[Step]) -> None:
    """Refuse a split by last year's actuals where last year has none to split by: the parts
    would silently come out equal under a method that says otherwise."""
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


def _part_values(
    ctx: _Context, cell: Target, step: Step, specs: list[Spec]
) -> tuple[list[int], str]:
    """The values ``cell``'s parts start at — its amount split by the step's method, or, for
    a level, its level copied into each part — and the method that made them."""
    info = METRICS[cell.metric]
    if not info.additive:
        return rules.level_parts(cell.value, len(specs)), Method.EQUAL
    weights, method = _weights(ctx, cell, step, specs)
    return rules.allocate(cell.value, weights, quantum=info.quantum), method


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
    return [1] * len(specs), Method.EQUAL


def _new_cells(
    ctx: _Context, cell: Target, step: Step, specs: list[Spec], values: list[int]
) -> list[Target]:
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
            customer_id=s.customer_id,
            period_start=s.start,
            period_end=s.end,
            grain=s.grain,
            value=v,
            dims=ctx.dims_of(
                s.unit_id, s.person_id, s.category_id, s.customer_id, s.grain, customer_axis
            ),
            parent_dims=cell.dims,
        )
        for i, (s, v) in enumerate(zip(specs, values, strict=True))
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
)


def _leaf_rows(
    ctx: _Context, cell: Target, step: Step, specs: list[Spec], values: list[int]
) -> list[tuple]:
    """The last level as plain rows: 300k model instances would cost more than the insert."""
    customer_axis = step.axis == Axis.CUSTOMER or bool(cell.dims & Dim.CUSTOMER)
    day = ctx.db_date
    return [
        (
            cell.plan_id,
            cell.metric,
            cell.pk,
            step.axis,
            cell.depth + 1,
            i,
            s.unit_id,
            s.person_id,
            s.category_id,
            s.customer_id,
            day(s.start),
            day(s.end),
            s.grain,
            v,
            False,
            "",
            "",
            True,
            ctx.dims_of(
                s.unit_id, s.person_id, s.category_id, s.customer_id, s.grain, customer_axis
            ),
            cell.dims,
            1,
        )
        for i, (s, v) in enumerate(zip(specs, values, strict=True))
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


@transaction.atomic
def decompose_target(
    *,
    actor: User,
    target: Target,
    steps: Sequence[Step],
    expected_version: int | None = None,
) -> int:
    """Split ``target`` along ``steps`` (e.g. org, org, month, product): each step splits every
    cell made by the step before. Existing children of ``target`` are replaced. Returns the
    number of cells created. Children sum exactly to their parent at every level.

    A level (a percentage such as market share) is not split: every part starts at its
    parent's level and the method is recorded as equal (weights and history do not apply)."""
    require(actor, perms.TARGET_PLAN.code)
    plan = lock_plan(target.plan)
    ensure_editable(plan)
    target = Target.objects.unrestricted().select_for_update().get(pk=target.pk)
    _check_version(target, expected_version)
    ensure_can_plan_under(actor, target)
    if not steps:
        raise ValidationFailed(fields={"axis": [_("Choose how to decompose.")]})
    if not METRICS[target.metric].additive:
        # 18% market share is not 4.5% in each of four regions: each part starts at 18%.
        steps = [Step(s.axis, Method.EQUAL, None, s.members) for s in steps]
    ctx = _Context(plan=plan, actor=actor)
    _check_history(ctx, target, steps)
    replaced, _deleted = Target.objects.unrestricted().filter(parent=target).delete()
    level = [target]
    created = 0
    for depth, step in enumerate(steps):
        last = depth == len(steps) - 1
        next_level: list[Target] = []
        leaf_rows: list[tuple] = []
        for cell in level:
            specs = _specs(ctx, cell, step)
            if not specs:
                continue
            values, method = _part_values(ctx, cell, step, specs)
            if last:
                leaf_rows.extend(_leaf_rows(ctx, cell, step, specs, values))
            else:
                next_level.extend(_new_cells(ctx, cell, step, specs, values))
            cell.children_axis, cell.method, cell.is_leaf = step.axis, method, False
        if not next_level and not leaf_rows:
            if depth == 0:
                raise ValidationFailed(
                    fields={"axis": [_("There is nothing to decompose this target into.")]},
                    code=PlanErrorCode.NOTHING_TO_DECOMPOSE,
                )
            break
        by_method: dict[str, list[int]] = {}
        for c in level:
            if not c.is_leaf:
                by_method.setdefault(c.method, []).append(c.pk)
        for method, parents in by_method.items():
            for start in range(0, len(parents), 5000):  # one UPDATE per batch, not per row
                Target.objects.unrestricted().filter(pk__in=parents[start : start + 5000]).update(
                    children_axis=step.axis, method=method, is_leaf=False
                )
        if last:
            _insert_rows(leaf_rows)
            created += len(leaf_rows)
        else:
            Target.objects.bulk_create(next_level, batch_size=1000)
            created += len(next_level)
            level = next_level
    Target.objects.unrestricted().filter(pk=target.pk).update(version=F("version") + 1)
    audit.record(
        actor=actor,
        action="plans.target.decomposed",
        obj=target,
        changes={
            "steps": [[s.axis, s.method] for s in steps],
            "cells_created": created,
            "cells_replaced": replaced,
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
