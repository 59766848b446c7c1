"""Target vs actual (目标与实绩) for any cell, level and period (B1).

For a group-by (e.g. salesperson × month) the report takes the partition of the plan's target
tree that fixes those coordinates — the cells that fix them whose parent does not (``dims`` /
``parent_dims``), plus the leaves that never fix them — so the targets add up to the plan
total exactly, whatever the depth of the decomposition. Targets are always taken per month
(a cell coarser than a month is split over its months by the plan's pace basis), so pace
follows a seasonal decomposition. Actuals come from the ledger rollups (``analytics.actuals``).
Definitions of variance, attainment, pace and projection: ``plans.rules``.

Percentages (``METRICS[metric].additive`` is False: market share, brand awareness) are levels:
the cells and figures folding into a row give their mean (half-up), not their sum; a year's or
quarter's cell carries its level into each of its months instead of being split over them; the
total row is the mean of every cell and figure of the report; pace and projection follow
``rules.track_level``.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from operator import itemgetter
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salescope.analytics import manual
from salescope.analytics.actuals import (
    actual_totals,
    as_date,
    former_member_totals,
    has_actuals,
    month_as_text,
    plain_rows,
)
from salescope.core.errors import ValidationFailed
from salescope.core.periods import company_calendar, month_end, months_between
from salescope.org.choices import UnitKind
from salescope.org.models import OrgUnit, User
from salescope.org.visibility import names_of, own_records, visible
from salescope.plans import rules
from salescope.plans.choices import METRICS, PaceBasis
from salescope.plans.models import Dim, Plan, Target, from_hundredths

DIMENSIONS = {
    "salesperson": Dim.PERSON,
    "unit": Dim.UNIT,
    "region": Dim.REGION,
    "category": Dim.CATEGORY,
    "brand": Dim.BRAND,
    "product": Dim.PRODUCT,
    "customer": Dim.CUSTOMER,
    "month": Dim.MONTH,
    "quarter": Dim.QUARTER,
}
DIMENSION_LABELS = {
    "salesperson": gettext_lazy("Salesperson"),
    "unit": gettext_lazy("Unit"),
    "region": gettext_lazy("Region"),
    "category": gettext_lazy("Product category"),
    "brand": gettext_lazy("Brand"),
    "product": gettext_lazy("SKU"),
    "customer": gettext_lazy("Key customer"),
    "month": gettext_lazy("Month"),
    "quarter": gettext_lazy("Quarter"),
}
_COLUMNS = {
    "salesperson": "person_id",
    "unit": "unit_id",
    "region": "unit_id",
    "category": "category_id",
    "brand": "brand_id",
    "product": "product_id",
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


class _Org:
    """The people and org units a report needs, as ids, names and paths (no model objects).

    The whole unit tree is read only when a report places people in regions or units, names
    units, or meets a unit no person loaded so far belongs to; one person's report reads that
    person with their unit's path and nothing more."""

    def __init__(self, units: dict[int, _Unit] | None = None) -> None:
        self._units = units
        self.person_unit: dict[int, int | None] = {}
        self.names: dict[int, str] = {}  # person id → display name
        self._paths: dict[int, str | None] = {}  # unit id → path, of the loaded people's units
        # person id → (from, until, unit id): the units they were in (org.Membership)
        self._spans: dict[int, list[tuple[dt.date, dt.date | None, int]]] = {}

    @classmethod
    def load(cls, person_ids: Iterable[int], units: dict[int, _Unit] | None = None) -> _Org:
        org = cls(units)
        org.add(person_ids)
        return org

    @property
    def units(self) -> dict[int, _Unit]:
        if self._units is None:
            self._units = _units()
        return self._units

    def add(self, person_ids: Iterable[int]) -> None:
        """Load the people not loaded yet: ids, units (with their paths) and display names."""
        missing = set(person_ids) - set(self.person_unit)
        missing.discard(None)  # type: ignore[arg-type]
        if not missing:
            return
        # visibility: the unit and name of people behind rows the viewer may read
        people = (
            User.objects.unrestricted()
            .filter(pk__in=missing)
            .values_list(
                "id", "unit_id", "unit__path", "full_name", "first_name", "last_name", "username"
            )
        )
        for pk, unit_id, path, full_name, first, last, username in people:
            self.person_unit[pk] = unit_id
            if unit_id is not None:
                self._paths[unit_id] = path
            # ``User.display_name``: the full name, else first + last, else the username.
            self.names[pk] = full_name or f"{first} {last}".strip() or username

    def add_history(self, person_ids: Iterable[int], start: dt.date, end: dt.date) -> None:
        """Load the units the people were in between ``start`` and ``end`` (one query)."""
        from salescope.org.models import Membership

        spans = (
            Membership.objects.filter(person_id__in=set(person_ids), started_on__lte=end)
            .exclude(ended_on__lte=start)
            .values_list("person_id", "unit_id", "unit__path", "started_on", "ended_on")
        )
        for pk, unit_id, path, started, ended in spans:
            self._spans.setdefault(pk, []).append((started, ended, unit_id))
            self._paths[unit_id] = path

    def unit_in(self, person_id: int | None, month: dt.date) -> int | None:
        """The unit the person was in on the month's first day (their membership history,
        when loaded), else their unit now."""
        for started, ended, unit_id in self._spans.get(person_id or 0, ()):
            if started <= month and (ended is None or month < ended):
                return unit_id
        return self.person_unit.get(person_id)  # type: ignore[arg-type]

    def path_of(self, unit_id: int | None) -> str | None:
        """A unit's materialised path (None for no or an unknown unit)."""
        if self._units is None and unit_id in self._paths:
            return self._paths[unit_id]
        unit = self.units.get(unit_id or 0)
        return unit.path if unit else None

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


class _Unit(NamedTuple):
    """What the report needs of an org unit (a tuple: no model object per unit)."""

    pk: int
    name: str
    kind: str
    parent_id: int | None
    path: str


def _units() -> dict[int, _Unit]:
    rows = (
        OrgUnit.objects.unrestricted()
        .values_list("id", "name", "kind", "parent_id", "path")
        .order_by()
    )
    return {row[0]: _Unit(*row) for row in rows}


@dataclass(slots=True)
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
    def is_level(self) -> bool:
        """A percentage (market share…): the figures are levels, shown with a % sign."""
        info = METRICS.get(self.metric)
        return info is not None and not info.additive

    @property
    def dim_labels(self) -> dict[str, str]:
        return {d: str(DIMENSION_LABELS[d]) for d in self.group_by}

    def dicts(self) -> list[dict[str, Any]]:
        return [row.as_dict() for row in self.rows]


Calendar = tuple[frozenset[dt.date], frozenset[dt.date]]  # public holidays, 调休 workdays
NO_CALENDAR: Calendar = (frozenset(), frozenset())


def _work_calendar(plan: Plan, basis: str) -> Calendar:
    """The holidays and make-up working days of the plan's period (core/calendar.py), read
    once per report and only when pace counts working days."""
    if basis != PaceBasis.WORKING_DAYS:
        return NO_CALENDAR
    from salescope.core.calendar import holidays_and_workdays

    return holidays_and_workdays(plan.period_start, plan.period_end)


def _month_weights(
    plan: Plan, months: list[dt.date], basis: str, season: dict, work_days: Calendar
) -> list[Any]:
    if basis == PaceBasis.SEASONALITY and any(season.get(m) for m in months):
        return [season.get(m, 0) for m in months]
    if basis == PaceBasis.WORKING_DAYS:
        holidays, workdays = work_days
        return [
            sum(
                1
                for d in range(month_end(m).day)
                if rules.is_working_day(m + dt.timedelta(days=d), holidays, workdays)
            )
            for m in months
        ]
    return [month_end(m).day for m in months]


_SHARES: dict[tuple, Fraction | int] = {}


def _month_share(
    month: dt.date, as_of: dt.date, basis: str, work_days: Calendar = NO_CALENDAR
) -> Fraction | int:
    """Elapsed share of one month at ``as_of`` (memoised: pure function of its arguments,
    the calendar's days included, so an edited calendar is a new key).
    A month wholly elapsed or not begun is the int 1 or 0: rows compare shares with 1 and 0
    thousands of times, and an int compares far faster than a Fraction."""
    key = (month, as_of, basis, work_days)
    if key not in _SHARES:
        if len(_SHARES) > 10_000:
            _SHARES.clear()
        share = _month_share_uncached(month, as_of, basis, work_days)
        _SHARES[key] = 1 if share == 1 else 0 if share == 0 else share
    return _SHARES[key]


def _month_share_uncached(
    month: dt.date, as_of: dt.date, basis: str, work_days: Calendar
) -> Fraction:
    within = rules.PaceBasis.WORKING_DAYS if basis == PaceBasis.WORKING_DAYS else "calendar"
    holidays, workdays = work_days
    return rules.elapsed_share(
        rules.Period(month, month_end(month)),
        as_of,
        rules.PaceBasis(within),
        holidays=holidays,
        workdays=workdays,
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
    mask = Dim.MONTH
    for dim in group_by:
        mask |= DIMENSIONS[dim]
    cells = _visible_cells(viewer, plan, metric, filters)
    columns = sorted({_COLUMNS[d] for d in group_by if d in _COLUMNS})
    levels = _levels(plan, metric)
    # The partition: cells that fix every asked coordinate while their parent does not, plus
    # the leaves that never fix them (split over months below).
    fixed_pairs = sorted(
        {(d, p) for d, p, _leaf in levels if d & mask == mask and p & mask != mask}
    )
    loose_pairs = [(d, p) for d, p, leaf in levels if leaf and d & mask != mask]
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
    with _no_cycle_collection():
        rows = _rows(plan, group_by, columns, targets, actuals, org, as_of, basis, work_days)
    total = _combine(rows) if rows else None
    report.rows, report.total = rows, total
    return report


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Building thousands of rows (acyclic tuples and dicts) would trigger the cycle
    collector over the whole process heap several times (a third of a 6,000-row report's
    time, measured); reference counting frees them all the same."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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


_UNKNOWN = object()


def _actuals(
    viewer: Any,
    plan: Plan,
    metric: str,
    group_by: list[str],
    columns: list[str],
    targets: dict[tuple, int],
    org: _Org,
    filters: dict[str, Any],
    as_of: dt.date,
    additive: bool = True,
) -> dict[tuple, Any]:
    """Actuals keyed like the targets: (columns…, month), from one grouped rollup query, as
    they stood on ``as_of`` (nothing recorded after it counts; its month's days up to it are
    read from the lines).
    For a level (``additive`` False) each value is ``[sum, count]`` of the figures that fold
    into the key, so the caller can take their mean."""
    if not has_actuals(metric):
        return {}
    by_product = (
        "brand_id" in columns or "product_id" in columns
    ) and not manual.has_manual_actuals(metric)
    with_category = "category" in group_by or by_product
    # Figures entered by hand may belong to a unit with no person (a region's expenses): read
    # them with their unit and place those by the unit instead of a person's unit.
    by_unit = manual.has_manual_actuals(metric)
    dims = (
        ("salesperson", "unit", "month", "category")
        if by_unit
        else ("salesperson", "month", "category")
    )
    if by_product:  # SKU and brand rows: the lines by product (the rollups have no product)
        dims = (*dims, "product")
    raw = actual_totals(
        viewer=viewer,
        metric=metric,
        date_from=plan.period_start,
        date_to=plan.period_end,
        group_by=dims[: len(dims) if with_category else len(dims) - 1],
        filters={"salesperson": filters["person"]} if filters.get("person") else None,
        until=as_of,
    )
    brand_of, product_candidates = _product_coordinates(targets, columns, by_product)
    if not by_unit and not by_product:
        former = _former_members(viewer, plan, {k[0] for k in raw}, filters)
        for key, value in former_member_totals(
            metric=metric,
            months_of=former,
            date_from=plan.period_start,
            date_to=plan.period_end,
            group_by=dims[: len(dims) if with_category else len(dims) - 1],
            until=as_of,
        ).items():
            raw[key] = raw.get(key, 0) + value
    if not additive:  # each figure (a mean per person, unit and month) counts once
        raw = {k: [v, 1] for k, v in raw.items()}
    if by_unit:  # (person, unit, month[, category]) → (person, month[, category]) + unit
        merged: dict[tuple, Any] = {}
        for k, v in raw.items():
            short = (k[0], *k[2:]) if k[0] is not None else (("unit", k[1]), *k[2:])
            merged[short] = merged.get(short, 0) + v if additive else _add(merged.get(short), v)
        raw = merged
    people = {k[0] for k in raw if not isinstance(k[0], tuple)}
    org.add(people)
    if not filters.get("person") or filters.get("unit") or "unit_id" in columns:
        # a person who moved counts, in each month, in the unit they were in then (docs/org.md)
        org.add_history(people, plan.period_start, plan.period_end)
    scope = _scope_path(plan, org)
    base = org.path_of(filters["unit"]) if filters.get("unit") else None
    if filters.get("unit") and base is None:
        return {}
    unit_candidates = (
        {k[columns.index("unit_id")] for k in targets} if "unit_id" in columns else set()
    )
    cat_paths = _category_paths(targets, columns)
    if "category_id" in columns and not cat_paths:
        # no target names a category: show the actuals by top-level category
        cat_paths = _top_categories()
    if cat_paths:
        from salescope.catalog.models import Category

        raw_ids = {k[2] for k in raw if k[2] is not None}
        leaf_paths = dict(
            Category.objects.unrestricted().filter(pk__in=raw_ids).values_list("pk", "path")
        )
    else:
        leaf_paths = {}
    only_month = filters.get("month")
    coordinates: dict[tuple, tuple | None] = {}  # (person, unit, category) → columns / None

    def coordinates_of(
        person_id: Any, unit_id: Any, category_id: int | None, product_id: int | None = None
    ) -> tuple | None:
        """The key's columns for a person's (category's) actual in a unit; None outside the
        scope. ``("unit", id)`` stands for a figure entered for a unit rather than a person."""
        if isinstance(person_id, tuple):
            person_id, unit_id = None, person_id[1]
        path = org.path_of(unit_id)
        if path is None or not path.startswith(scope):
            return None
        if base is not None and not path.startswith(base):
            return None
        return tuple(
            (product_id if product_id in product_candidates else None)
            if column == "product_id"
            else brand_of.get(product_id or 0)
            if column == "brand_id"
            else _actual_coordinate(
                column,
                group_by,
                person_id,
                unit_id,
                leaf_paths.get(category_id or 0),
                org,
                unit_candidates,
                cat_paths,
            )
            for column in columns
        )

    out: dict[tuple, Any] = {}
    for raw_key, amount in raw.items():
        person_id, month = raw_key[0], raw_key[1]
        if only_month and month != only_month:
            continue
        category_id = raw_key[2] if with_category else None
        product_id = raw_key[3] if by_product else None
        unit_id = None if isinstance(person_id, tuple) else org.unit_in(person_id, month)
        cache_key = (person_id, unit_id, category_id, product_id)
        coords = coordinates.get(cache_key, _UNKNOWN)
        if coords is _UNKNOWN:
            coords = coordinates_of(person_id, unit_id, category_id, product_id)
            coordinates[cache_key] = coords
        if coords is None:
            continue
        key = (*coords, month)
        out[key] = out.get(key, 0) + amount if additive else _add(out.get(key), amount)
    return out


def _former_members(
    viewer: Any, plan: Plan, seen: set[Any], filters: dict[str, Any]
) -> dict[int, set[dt.date]]:
    """People who were in a unit the viewer manages during the plan but are no longer below
    them (they moved), with the months they were there: those months' actuals belong to the
    viewer's team (docs/org.md), though the person's records now follow them elsewhere."""
    from salescope.core.roles import Role, viewer_roles
    from salescope.org.models import Membership
    from salescope.org.visibility import managed_subtree

    if Role.MANAGER not in viewer_roles(viewer) or getattr(viewer, "pk", None) is None:
        return {}
    spans = (
        Membership.objects.filter(unit__in=managed_subtree(viewer), started_on__lte=plan.period_end)
        .exclude(ended_on__lte=plan.period_start)
        .exclude(ended_on__isnull=True)  # still there: read as the viewer's own team
        .exclude(person__unit__in=managed_subtree(viewer))
        .exclude(person_id__in=[p for p in seen if isinstance(p, int)] + [viewer.pk])
        .values_list("person_id", "started_on", "ended_on")
    )
    if filters.get("person"):
        spans = spans.filter(person_id=filters["person"])
    months_of: dict[int, set[dt.date]] = {}
    for person_id, started, ended in spans:
        months_of.setdefault(person_id, set()).update(
            m for m in months_between(plan.period_start, plan.period_end) if started <= m < ended
        )
    return {p: m for p, m in months_of.items() if m}


def _add(into: list[int] | None, value: list[int]) -> list[int]:
    """Two ``[sum, count]`` pairs of a level's cells or figures as one (a new list)."""
    if into is None:
        return list(value)
    return [into[0] + value[0], into[1] + value[1]]


def _scope_path(plan: Plan, org: _Org) -> str:
    """The path of the plan's scope unit: from the plan when it was read with its scope unit
    (``plans.queries.get_plan`` does), else from the org tree."""
    if Plan._meta.get_field("scope_unit").is_cached(plan):
        return plan.scope_unit.path
    return org.path_of(plan.scope_unit_id) or plan.scope_unit.path


def _category_paths(targets: dict[tuple, int], columns: list[str]) -> dict[int, str]:
    if "category_id" not in columns:
        return {}
    from salescope.catalog.models import Category

    index = columns.index("category_id")
    ids = {k[index] for k in targets if k[index] is not None}
    return dict(Category.objects.unrestricted().filter(pk__in=ids).values_list("pk", "path"))


def _product_coordinates(
    targets: dict[tuple, int], columns: list[str], by_product: bool
) -> tuple[dict[int, Any], set[Any]]:
    """For SKU and brand rows: each product's brand, and the SKUs that have targets (the
    actuals of other SKUs count in the row without a SKU)."""
    if not by_product:
        return {}, set()
    from salescope.catalog.models import Product

    brand_of = dict(Product.objects.unrestricted().values_list("pk", "brand_id"))
    candidates: set[Any] = set()
    if "product_id" in columns:
        index = columns.index("product_id")
        candidates = {k[index] for k in targets if k[index] is not None}
    return brand_of, candidates


def _top_categories() -> dict[int, str]:
    from salescope.catalog.models import Category

    return dict(
        Category.objects.unrestricted().filter(parent__isnull=True).values_list("pk", "path")
    )


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
    work_days: Calendar = NO_CALENDAR,
) -> list[VarianceRow]:
    """Fold the (columns…, month) cells into rows of the asked dimensions."""
    region_mode = "region" in group_by and "unit" not in group_by
    get_actual = actuals.get
    shares: dict[dt.date, Fraction] = {}
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
    distinct = [
        sorted(by_value, key=lambda v, by_value=by_value: (v is None, by_value[v], str(v)))
        for by_value in names
    ]
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


# --- levels (percentages) ------------------------------------------------------------------

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
    elapsed = days = 0
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
    """Names of dimension values, each looked up once per report."""

    def __init__(self, org: _Org) -> None:
        self.org = org
        self._categories: dict[int, str] | None = None
        self._customers: dict[int, str] = {}
        self._memo: dict[tuple[str, Any], str] = {}

    def label(self, dim: str, value: Any) -> str:
        key = (dim, value)
        text = self._memo.get(key)
        if text is None:
            text = self._memo[key] = self._label(dim, value)
        return text

    def _label(self, dim: str, value: Any) -> str:
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
            return self.org.names.get(value) or str(value)
        if dim in ("unit", "region"):
            unit = self.org.units.get(value)
            return unit.name if unit else str(value)
        if dim == "category":
            if self._categories is None:
                from salescope.catalog.models import Category

                self._categories = dict(Category.objects.unrestricted().values_list("pk", "name"))
            return self._categories.get(value, str(value))
        if dim in ("brand", "product"):
            from salescope.catalog.models import Brand, Product

            model, field = (Brand, "name") if dim == "brand" else (Product, "name")
            return dict(names_of(model, [value], field)).get(value, str(value))
        if dim == "customer":
            if value not in self._customers:
                from salescope.customers.models import Customer

                self._customers.update(dict(names_of(Customer, [value], "name")))
            return self._customers.get(value, str(value))
        return str(value)


def attainment_percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"
