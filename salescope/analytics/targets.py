"""Target vs actual (目标与实绩) for any cell, level and period (B1).

For a group-by (e.g. salesperson × month) the report takes the partition of the plan's target
tree that fixes those coordinates — the cells that fix them whose parent does not (``dims`` /
``parent_dims``), plus the leaves that never fix them — so the targets add up to the plan
total exactly, whatever the depth of the decomposition. Targets are always taken per month
(a cell coarser than a month is split over its months by the plan's pace basis), so pace
follows a seasonal decomposition. Actuals come from the ledger rollups (``analytics.actuals``).
Definitions of variance, attainment, pace and projection: ``plans.rules``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salescope.analytics.actuals import actual_totals, has_actuals
from salescope.core.errors import ValidationFailed
from salescope.core.periods import company_calendar, month_end, months_between
from salescope.org.choices import UnitKind
from salescope.org.models import OrgUnit, User
from salescope.org.visibility import visible
from salescope.plans import rules
from salescope.plans.choices import PaceBasis
from salescope.plans.models import Dim, Plan, Target, from_hundredths

DIMENSIONS = {
    "salesperson": Dim.PERSON,
    "unit": Dim.UNIT,
    "region": Dim.REGION,
    "category": Dim.CATEGORY,
    "customer": Dim.CUSTOMER,
    "month": Dim.MONTH,
    "quarter": Dim.QUARTER,
}
DIMENSION_LABELS = {
    "salesperson": gettext_lazy("Salesperson"),
    "unit": gettext_lazy("Unit"),
    "region": gettext_lazy("Region"),
    "category": gettext_lazy("Product category"),
    "customer": gettext_lazy("Key customer"),
    "month": gettext_lazy("Month"),
    "quarter": gettext_lazy("Quarter"),
}
_COLUMNS = {
    "salesperson": "person_id",
    "unit": "unit_id",
    "region": "unit_id",
    "category": "category_id",
    "customer": "customer_id",
}


def parse_group_by(raw: str | Sequence[str]) -> list[str]:
    dims = [d.strip() for d in raw.split(",")] if isinstance(raw, str) else list(raw)
    dims = [d for d in dims if d]
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown or len(set(dims)) != len(dims):
        raise ValidationFailed(
            fields={
                "group_by": [
                    _("Unknown or repeated dimension: %(dims)s. Use: %(known)s.")
                    % {"dims": ", ".join(unknown) or "…", "known": ", ".join(DIMENSIONS)}
                ]
            }
        )
    return dims


def _masks_with(mask: int, present: bool) -> list[int]:
    return [m for m in range(Dim.ALL + 1) if ((m & mask) == mask) == present]


@dataclass
class _Org:
    units: dict[int, OrgUnit]
    person_unit: dict[int, int | None]
    names: dict[int, User]

    @classmethod
    def load(cls, person_ids: Iterable[int]) -> _Org:
        units = {u.pk: u for u in OrgUnit.objects.all()}
        people = User.objects.filter(pk__in=set(person_ids)).only(
            "id", "username", "full_name", "first_name", "last_name", "unit_id"
        )
        names = {p.pk: p for p in people}
        return cls(units=units, person_unit={p.pk: p.unit_id for p in people}, names=names)

    def region_of(self, unit_id: int | None) -> int | None:
        unit = self.units.get(unit_id or 0)
        while unit is not None:
            if unit.kind == UnitKind.REGION:
                return unit.pk
            unit = self.units.get(unit.parent_id or 0)
        return None

    def nearest(self, unit_id: int | None, candidates: set[int]) -> int | None:
        unit = self.units.get(unit_id or 0)
        while unit is not None:
            if unit.pk in candidates:
                return unit.pk
            unit = self.units.get(unit.parent_id or 0)
        return None


@dataclass
class VarianceRow:
    keys: dict[str, Any]  # dimension → id / month
    labels: dict[str, str]  # dimension → name
    target: int
    actual: int
    tracking: rules.Tracking

    def as_dict(self) -> dict[str, Any]:
        t = self.tracking
        return {
            **self.labels,
            "target": str(from_hundredths(self.target)),
            "actual": str(from_hundredths(self.actual)),
            "variance": str(from_hundredths(t.variance)),
            "attainment": None if t.attainment is None else str(t.attainment),
            "pace": str(from_hundredths(t.pace)),
            "pace_gap": str(from_hundredths(t.pace_gap)),
            "projection": None if t.projection is None else str(from_hundredths(t.projection)),
        }


@dataclass
class VarianceReport:
    plan: Plan
    metric: str
    group_by: list[str]
    as_of: dt.date
    basis: str
    rows: list[VarianceRow]
    total: VarianceRow | None
    has_actuals: bool

    @property
    def basis_label(self) -> str:
        return str(PaceBasis(self.basis).label) if self.basis in PaceBasis.values else self.basis

    @property
    def dim_labels(self) -> dict[str, str]:
        return {d: str(DIMENSION_LABELS[d]) for d in self.group_by}

    def dicts(self) -> list[dict[str, Any]]:
        return [row.as_dict() for row in self.rows]


def _month_weights(plan: Plan, months: list[dt.date], basis: str, season: dict) -> list[Any]:
    if basis == PaceBasis.SEASONALITY and any(season.get(m) for m in months):
        return [season.get(m, 0) for m in months]
    if basis == PaceBasis.WORKING_DAYS:
        return [
            sum(
                1
                for d in range(month_end(m).day)
                if rules.is_working_day(m + dt.timedelta(days=d), frozenset(), frozenset())
            )
            for m in months
        ]
    return [month_end(m).day for m in months]


_SHARES: dict[tuple, Fraction] = {}


def _month_share(month: dt.date, as_of: dt.date, basis: str) -> Fraction:
    """Elapsed share of one month at ``as_of`` (memoised: pure function of its arguments)."""
    key = (month, as_of, basis)
    if key not in _SHARES:
        if len(_SHARES) > 10_000:
            _SHARES.clear()
        _SHARES[key] = _month_share_uncached(month, as_of, basis)
    return _SHARES[key]


def _month_share_uncached(month: dt.date, as_of: dt.date, basis: str) -> Fraction:
    within = rules.PaceBasis.WORKING_DAYS if basis == PaceBasis.WORKING_DAYS else "calendar"
    return rules.elapsed_share(
        rules.Period(month, month_end(month)), as_of, rules.PaceBasis(within)
    )


def _season(viewer: Any, plan: Plan, metric: str) -> dict[dt.date, int]:
    """Last year's actual per month (shifted to this year): the seasonality profile."""
    from salescope.core.periods import add_months

    totals = actual_totals(
        viewer=viewer,
        metric=metric,
        date_from=add_months(plan.period_start, -12),
        date_to=add_months(plan.period_end.replace(day=1), -12),
        group_by=("month",),
    )
    return {add_months(k[0], 12): v for k, v in totals.items() if k[0] is not None}


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

    ``filters`` narrows the cells: ``{"person": id, "unit": id (subtree), "month": date}``.
    """
    group_by = parse_group_by(group_by)
    as_of = as_of or timezone.localdate()
    basis = basis or plan.pace_basis
    mask = Dim.MONTH
    for dim in group_by:
        mask |= DIMENSIONS[dim]
    cells = visible(Target.objects.filter(plan=plan, metric=metric), viewer=viewer)
    cells = _narrow(cells, filters or {})
    columns = sorted({_COLUMNS[d] for d in group_by if d in _COLUMNS})
    fixed = (
        cells.filter(dims__in=_masks_with(mask, True), parent_dims__in=_masks_with(mask, False))
        .values(*columns, "period_start")
        .annotate(total=Sum("value"))
        .order_by()
    )
    loose = (
        cells.filter(is_leaf=True, dims__in=_masks_with(mask, False))
        .values(*columns, "period_start", "period_end", "value")
        .order_by()
    )
    season = _season(viewer, plan, metric) if basis == PaceBasis.SEASONALITY else {}
    targets: dict[tuple, int] = defaultdict(int)
    for row in fixed:
        targets[(*(row[c] for c in columns), row["period_start"])] += row["total"]
    for row in loose:
        months = months_between(row["period_start"], row["period_end"])
        parts = rules.allocate(row["value"], _month_weights(plan, months, basis, season))
        for month, part in zip(months, parts, strict=True):
            targets[(*(row[c] for c in columns), month)] += part
    org = _Org.load([k[columns.index("person_id")] for k in targets if "person_id" in columns])
    actuals = _actuals(viewer, plan, metric, group_by, columns, targets, org, filters or {})
    for key in actuals:
        targets.setdefault(key, 0)
    rows = _rows(plan, group_by, columns, targets, actuals, org, as_of, basis)
    total = _combine(rows) if rows else None
    return VarianceReport(
        plan=plan,
        metric=metric,
        group_by=group_by,
        as_of=as_of,
        basis=basis,
        rows=rows,
        total=total,
        has_actuals=has_actuals(metric),
    )


def _narrow(cells: Any, filters: dict[str, Any]) -> Any:
    if filters.get("person"):
        cells = cells.filter(person_id=filters["person"])
    if filters.get("unit"):
        unit = OrgUnit.objects.filter(pk=filters["unit"]).first()
        cells = cells.filter(unit__path__startswith=unit.path) if unit else cells.none()
    if filters.get("month"):
        cells = cells.filter(period_start__lte=filters["month"], period_end__gte=filters["month"])
    return cells


def _actuals(
    viewer: Any,
    plan: Plan,
    metric: str,
    group_by: list[str],
    columns: list[str],
    targets: dict[tuple, int],
    org: _Org,
    filters: dict[str, Any],
) -> dict[tuple, int]:
    """Actuals keyed like the targets: (columns…, month)."""
    if not has_actuals(metric):
        return {}
    raw = actual_totals(
        viewer=viewer,
        metric=metric,
        date_from=plan.period_start,
        date_to=plan.period_end,
        group_by=("salesperson", "month", "category")
        if "category" in group_by
        else ("salesperson", "month"),
        filters={"salesperson": filters["person"]} if filters.get("person") else None,
    )
    if "category" not in group_by:
        raw = {(p, m, None): amount for (p, m), amount in raw.items()}
    people = {pid for (pid, _m, _c) in raw if pid is not None}
    missing = people - set(org.person_unit)
    if missing:
        extra = _Org.load(missing)
        org.person_unit.update(extra.person_unit)
        org.names.update(extra.names)
    scope = plan.scope_unit.path
    unit_candidates = (
        {k[columns.index("unit_id")] for k in targets} if "unit_id" in columns else set()
    )
    cat_paths = _category_paths(targets, columns)
    if cat_paths:
        from salescope.catalog.models import Category

        raw_ids = {c for (_p, _m, c) in raw if c is not None}
        leaf_paths = dict(Category.objects.filter(pk__in=raw_ids).values_list("pk", "path"))
    else:
        leaf_paths = {}
    out: dict[tuple, int] = defaultdict(int)
    for (person_id, month, category_id), amount in raw.items():
        unit_id = org.person_unit.get(person_id)
        unit = org.units.get(unit_id or 0)
        if unit is None or not unit.path.startswith(scope):
            continue
        if filters.get("unit"):
            base = org.units.get(filters["unit"])
            if base is None or not unit.path.startswith(base.path):
                continue
        if filters.get("month") and month != filters["month"]:
            continue
        key = []
        for column in columns:
            key.append(
                _actual_coordinate(
                    column,
                    group_by,
                    person_id,
                    unit_id,
                    leaf_paths.get(category_id or 0),
                    org,
                    unit_candidates,
                    cat_paths,
                )
            )
        out[(*key, month)] += amount
    return out


def _category_paths(targets: dict[tuple, int], columns: list[str]) -> dict[int, str]:
    if "category_id" not in columns:
        return {}
    from salescope.catalog.models import Category

    index = columns.index("category_id")
    ids = {k[index] for k in targets if k[index] is not None}
    return dict(Category.objects.filter(pk__in=ids).values_list("pk", "path"))


def _actual_coordinate(
    column: str,
    group_by: list[str],
    person_id: int | None,
    unit_id: int | None,
    category_path: str | None,
    org: _Org,
    unit_candidates: set[int],
    cat_paths: dict[int, str],
) -> Any:
    if column == "person_id":
        return person_id
    if column == "unit_id":
        if "unit" in group_by:
            return org.nearest(unit_id, unit_candidates)
        return org.region_of(unit_id)
    if column == "category_id":
        if not category_path:
            return None
        best = None
        for pk, cat_path in cat_paths.items():
            longer = best is None or len(cat_path) > len(cat_paths[best])
            if category_path.startswith(cat_path) and longer:
                best = pk
        return best
    return None  # customers: the rollups have no customer grain


def _rows(
    plan: Plan,
    group_by: list[str],
    columns: list[str],
    targets: dict[tuple, int],
    actuals: dict[tuple, int],
    org: _Org,
    as_of: dt.date,
    basis: str,
) -> list[VarianceRow]:
    """Fold the (columns…, month) cells into rows of the asked dimensions."""
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
    buckets: dict[tuple, dict[dt.date, list[int]]] = {}
    for key, target in targets.items():
        row_key = tuple(p(key) for p in pickers)
        months = buckets.get(row_key)
        if months is None:
            months = buckets[row_key] = {}
        cell = months.get(key[-1])
        if cell is None:
            months[key[-1]] = [target, actuals.get(key, 0)]
        else:
            cell[0] += target
            cell[1] += actuals.get(key, 0)
    labels = _Labels(org)
    shares: dict[dt.date, Fraction] = {}
    rows = []
    for row_key, months in sorted(buckets.items(), key=lambda item: _sort_key(item[0])):
        tracking = _track_months(months, as_of, basis, shares)
        keys = dict(zip(group_by, row_key, strict=True))
        rows.append(
            VarianceRow(
                keys=keys,
                labels={d: labels.label(d, v) for d, v in keys.items()},
                target=tracking.target,
                actual=tracking.actual,
                tracking=tracking,
            )
        )
    return rows


def _sort_key(key: tuple) -> tuple:
    return tuple((v is None, str(v)) for v in key)


def _track_months(
    months: dict[dt.date, list[int]], as_of: dt.date, basis: str, shares: dict
) -> rules.Tracking:
    """Track one row from its months: pace = Σ target_m × elapsed share_m, rounded once.

    Whole months elapsed (share 1) and months not begun (share 0) stay in integers; only the
    current month is a fraction, so a report of thousands of rows stays fast and exact.
    """
    target = actual = whole = 0
    partial = Fraction(0)
    for month, (month_target, month_actual) in months.items():
        target += month_target
        actual += month_actual
        share = shares.get(month)
        if share is None:
            share = shares[month] = _month_share(month, as_of, basis)
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


class _Labels:
    def __init__(self, org: _Org) -> None:
        self.org = org
        self._categories: dict[int, str] | None = None
        self._customers: dict[int, str] = {}

    def label(self, dim: str, value: Any) -> str:
        if dim == "month":
            return f"{value.year:04d}-{value.month:02d}"
        if dim == "quarter":
            return str(value)
        if value is None:
            return {
                "salesperson": _("(not assigned to a person)"),
                "customer": _("(other customers)"),
            }.get(dim, _("(none)"))
        if dim == "salesperson":
            person = self.org.names.get(value)
            return person.display_name if person else str(value)
        if dim in ("unit", "region"):
            unit = self.org.units.get(value)
            return unit.name if unit else str(value)
        if dim == "category":
            if self._categories is None:
                from salescope.catalog.models import Category

                self._categories = dict(Category.objects.values_list("pk", "name"))
            return self._categories.get(value, str(value))
        if dim == "customer":
            if value not in self._customers:
                from salescope.customers.models import Customer

                self._customers.update(
                    dict(Customer.objects.filter(pk=value).values_list("pk", "name"))
                )
            return self._customers.get(value, str(value))
        return str(value)


def attainment_percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"
