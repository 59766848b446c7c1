"""The sales explorer (H2): any dimension on rows and columns, filters, totals, drill-down.

A pivot is asked by a :class:`PivotSpec`: dimensions for the rows and for the columns, a
measure, a day range and filters. It is answered in two steps:

1. the database sums the measures by the *stored* columns the dimensions need (``month`` for
   month / quarter / year, ``salesperson_id`` for salesperson / team / branch — or the unit
   each person is in now, from the unit rollup, for team / branch — ``category_id`` for a
   category at any level…), reading the smallest table that holds them — one of the
   rollups (``ledger.rollups``) when the dates are whole months, else the lines — narrowed by
   the one visibility rule (``org.visibility.visible``);
2. polars folds those sums to the dimensions asked: a month to its fiscal quarter or year
   (``core.periods.company_calendar``), a salesperson to the team or branch above them in the
   org tree (where they are now), a category to its ancestor at ``category_level`` (1 = the top
   of the tree; a category above that level stays itself).

The region is the one the line recorded (as every other report and target reads it). Totals
are taken over every cell, also those past ``limit``: a pivot shows at most ``limit`` row keys
(the largest first) and says how many there were.

A cell's lines (drill-down) are :func:`cell_lines`: the same filters plus the cell's keys.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import connection
from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    F,
    Model,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast

from salescope.catalog.models import Brand, Category, Product
from salescope.core.db import for_one_query, read_session
from salescope.core.errors import ValidationFailed
from salescope.core.money import from_fen
from salescope.core.periods import company_calendar, month_end, month_start, months_between
from salescope.core.request_memo import remembered
from salescope.customers.models import Customer
from salescope.ledger.choices import LineKind
from salescope.ledger.models import (
    BrandRollup,
    CustomerRollup,
    PairRollup,
    PersonRollup,
    ProductRollup,
    RegionRollup,
    SalesLine,
    SalesRollup,
    UnitRollup,
    from_milli,
)
from salescope.org.models import OrgUnit, User
from salescope.org.visibility import can, names_of, visible

DIMENSIONS = (
    "month",
    "quarter",
    "year",
    "region",
    "branch",
    "team",
    "salesperson",
    "brand",
    "category",
    "product",
    "customer",
    "channel",
    "kind",
)
TIME = ("month", "quarter", "year")
MEASURES = ("amount", "quantity", "gross_profit", "lines")
FILTERS = (
    "kind",
    "region",
    "branch",
    "team",
    "salesperson",
    "brand",
    "category",
    "product",
    "customer",
    "channel",
)
MAX_DIMENSIONS = 4  # rows and columns together
DEFAULT_LIMIT = 200

# The stored column each dimension is summed by before it is folded.
BASE = {
    "month": "month",
    "quarter": "month",
    "year": "month",
    "region": "region_id",
    "branch": "salesperson_id",
    "team": "salesperson_id",
    "salesperson": "salesperson_id",
    "brand": "brand_id",
    "category": "category_id",
    "product": "product_id",
    "customer": "customer_id",
    "channel": "channel",
    "kind": "kind",
}
_FILTER_COLUMN = {**BASE, "category": "category_id"}
_FEN = ("amount_fen", "quantity_milli", "cost_fen", "gross_profit_fen")

# The tables a pivot may read, smallest first, with the columns each holds (the lines hold
# every column and answer any day range).
_COMMON = {"month", "kind"}
SOURCES: tuple[tuple[type[Model], frozenset[str]], ...] = (
    (PersonRollup, frozenset({*_COMMON, "salesperson_id", "region_id"})),
    (RegionRollup, frozenset({*_COMMON, "region_id", "category_id"})),
    # Brands without products: a year of brand × quarter at 10M lines reads 2.3k rows here,
    # 219k from the product rollup (PostgreSQL, the director: 64–92 → 6–9 ms).
    (BrandRollup, frozenset({*_COMMON, "region_id", "category_id", "brand_id"})),
    # Teams and branches without the people: each person's unit now in their place
    # (``_base``), read while the mapping it was derived under is today's
    # (``unit_rollup_current``). A year of team × category × month at 10M lines reads 276k
    # rows of the salesperson rollup, or 5.2k of these (PostgreSQL, the director: 208–223 →
    # 36–47 ms; through the API 241–316 → 46–52 ms).
    (UnitRollup, frozenset({*_COMMON, "unit_id", "region_id", "category_id"})),
    (SalesRollup, frozenset({*_COMMON, "salesperson_id", "region_id", "category_id"})),
    (
        CustomerRollup,
        frozenset({*_COMMON, "salesperson_id", "region_id", "customer_id", "channel"}),
    ),
    (
        ProductRollup,
        frozenset({*_COMMON, "region_id", "category_id", "brand_id", "product_id"}),
    ),
)


# Rollups without the salesperson, owned by the region: read by company-wide readers (for whom
# the rule narrows nothing), as ``queries.rollup_queryset`` reads the region rollup, and by a
# manager whose regions hold exactly the lines they see (``regions_hold_their_lines``).
REGION_OWNED = (RegionRollup, BrandRollup, ProductRollup)


@dataclass(frozen=True)
class PivotSpec:
    rows: tuple[str, ...]
    columns: tuple[str, ...] = ()
    measure: str = "amount"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    filters: dict[str, Any] = field(default_factory=dict)
    category_level: int | None = None
    limit: int = DEFAULT_LIMIT

    @classmethod
    def build(
        cls,
        *,
        rows: Sequence[str],
        columns: Sequence[str] = (),
        measure: str = "amount",
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        filters: dict[str, Any] | None = None,
        category_level: int | None = None,
        limit: int = DEFAULT_LIMIT,
    ) -> "PivotSpec":
        """A checked spec: known, unrepeated dimensions (at most four), a known measure,
        known filters (ids as lists), a category level from 1."""
        errors: dict[str, list[str]] = {}
        rows, columns = tuple(rows), tuple(columns)
        dims = rows + columns
        unknown = [d for d in dims if d not in DIMENSIONS]
        if unknown:
            errors["rows"] = [f"unknown dimension: {', '.join(unknown)}"]
        elif len(set(dims)) != len(dims):
            errors["rows"] = ["a dimension is on the rows and the columns, or twice"]
        elif len(dims) > MAX_DIMENSIONS:
            errors["rows"] = [f"at most {MAX_DIMENSIONS} dimensions"]
        if measure not in MEASURES:
            errors["measure"] = [f"one of {', '.join(MEASURES)}"]
        if category_level is not None and not 1 <= category_level <= 20:
            errors["category_level"] = ["from 1 (the top of the tree)"]
        if date_from and date_to and date_from > date_to:
            errors["date_to"] = ["before the start"]
        clean = _clean_filters(filters or {}, errors)
        if errors:
            raise ValidationFailed(fields=errors)
        return cls(
            rows=rows,
            columns=columns,
            measure=measure,
            date_from=date_from,
            date_to=date_to,
            filters=clean,
            category_level=category_level,
            limit=max(1, min(int(limit), 5000)),
        )

    def as_dict(self) -> dict[str, Any]:
        """The spec as JSON (a saved view)."""
        return {
            "rows": list(self.rows),
            "columns": list(self.columns),
            "measure": self.measure,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "filters": self.filters,
            "category_level": self.category_level,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PivotSpec":
        def day(value: Any) -> dt.date | None:
            return dt.date.fromisoformat(value) if value else None

        try:
            return cls.build(
                rows=data.get("rows") or [],
                columns=data.get("columns") or [],
                measure=data.get("measure") or "amount",
                date_from=day(data.get("date_from")),
                date_to=day(data.get("date_to")),
                filters=data.get("filters") or {},
                category_level=data.get("category_level"),
            )
        except (TypeError, ValueError, AttributeError):
            raise ValidationFailed(fields={"spec": ["not a sales view"]}) from None


def _clean_filters(filters: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in filters.items():
        if value in (None, "", []):
            continue
        if name not in FILTERS:
            errors.setdefault("filters", []).append(f"unknown filter: {name}")
            continue
        if name == "kind":
            if value not in ("sell_in", "sell_through", "all"):
                errors["kind"] = ["sell_in, sell_through or all"]
            clean["kind"] = value
            continue
        values = list(value) if isinstance(value, list | tuple | set) else [value]
        if name == "channel":
            clean[name] = [str(v) for v in values]
            continue
        try:
            clean[name] = [int(v) for v in values]
        except (TypeError, ValueError):
            errors[name] = ["ids"]
    clean.setdefault("kind", LineKind.SELL_IN.value)
    return clean


# --- Reading -----------------------------------------------------------------------------


def _whole_months(spec: PivotSpec) -> bool:
    return (spec.date_from is None or spec.date_from.day == 1) and (
        spec.date_to is None or spec.date_to == month_end(spec.date_to)
    )


def _needed_columns(spec: PivotSpec, model: type[Model] | None = None) -> set[str]:
    """The stored columns ``spec`` reads (from ``model``: see ``_base``)."""
    needed = {_base(d, model) for d in (*spec.rows, *spec.columns)} | _COMMON
    needed |= {_base(f, model) for f in spec.filters if f != "kind"}
    return needed


_UNITS = ("team", "branch")


def _base(dim: str, model: type[Model] | None) -> str:
    """The stored column ``dim`` (a dimension or a filter) is read from in ``model``'s rows:
    ``BASE``'s, but a team's or a branch's is the unit rollup's unit (each person's unit now,
    folded to the team or branch above it as a person is)."""
    if model is UnitRollup and dim in _UNITS:
        return "unit_id"
    return _FILTER_COLUMN[dim]


def source_for(spec: PivotSpec, viewer: User) -> type[Model]:
    """The smallest table holding every column ``spec`` reads (the visibility rule's column
    among them: the salesperson, or the region for the readers of the region-owned rollups)."""
    if not _whole_months(spec):
        return SalesLine
    needed = _needed_columns(spec)
    for model, columns in SOURCES:
        if model is UnitRollup:
            if _needed_columns(spec, UnitRollup) <= columns and _units_answer(viewer, spec):
                return model
            continue
        if not needed <= columns:
            continue
        if (
            model in REGION_OWNED
            and not can(viewer, model, "view")
            and not regions_hold_their_lines(viewer, spec)
        ):
            continue
        return model
    return SalesLine


def regions_hold_their_lines(viewer: User, spec: PivotSpec) -> bool:
    """Whether the rows of the region-owned rollups ``viewer`` may see (those of the units
    they manage and below, ``org.visibility``'s unit rule) sum exactly the lines they may see
    (theirs and their people's, its person rule) in ``spec``'s months and kind: every line of
    those people recorded one of those regions, and every line recorded there is one of
    theirs; and no line or rollup row is shared with them. A regional manager's reach is
    whole regions; a team lead's is not (their people's lines record the region above them).

    Told from the salesperson × region × month rollup (~12k rows a year at 10M lines), read
    as the system: it decides where the viewer's figures are read from, never what they are."""
    from salescope.org.visibility import managed_subtree, owners_in_reach, reaches_shares

    people = owners_in_reach(SalesLine, viewer=viewer)
    if people is None or any(
        reaches_shares(model, viewer=viewer) for model in (SalesLine, *REGION_OWNED)
    ):
        return False
    units = list(managed_subtree(viewer).values_list("pk", flat=True))
    if not units:
        return False
    in_regions, theirs = Q(region_id__in=units), Q(salesperson_id__in=people)
    # visibility: where the viewer's lines were recorded, for the choice of a table only
    qs = _months(PersonRollup.objects.unrestricted(), spec, PersonRollup)
    kind = spec.filters.get("kind") or LineKind.SELL_IN
    if kind != "all":
        qs = qs.filter(kind=kind)
    return not qs.filter((in_regions & ~theirs) | (~in_regions & theirs)).exists()


def _units_answer(viewer: User, spec: PivotSpec) -> bool:
    """Whether the unit rollup's rows ``viewer`` may see sum exactly the lines they may see,
    by each person's unit now: it was derived under today's mapping of people to units
    (``unit_rollup_current``), no team or branch filter asks for lines of no salesperson
    (those and a person's without a unit are one null unit there), and the viewer reads
    company-wide, or manages units holding exactly the people whose lines they see
    (``units_hold_their_people``)."""
    if any(None in spec.filters.get(name, ()) for name in _UNITS):
        return False
    if not can(viewer, UnitRollup, "view") and not units_hold_their_people(viewer):
        return False
    return unit_rollup_current()


def unit_rollup_current() -> bool:
    """Whether the unit rollup was derived under the mapping of people to units of now
    (``rollups.unit_rollup_current``), asked once per read-only request (a pivot's answer asks
    for its source two or three times). Else a team is read from the salesperson rollup,
    folded by today's units."""
    from salescope.ledger import rollups

    return remembered("ledger.unit_rollup_current", rollups.unit_rollup_current)


def units_hold_their_people(viewer: User) -> bool:
    """Whether the unit rollup's rows ``viewer`` may see (those of the units they manage and
    below: its owner is the unit, ``org.visibility``'s unit rule) are exactly those of the
    lines they may see (theirs and those of the people in those units now, its person rule),
    once derived under today's units: the viewer is in one of those units, and no line or
    rollup row is shared with them."""
    from salescope.org.visibility import managed_subtree, reaches_shares

    if viewer.unit_id is None or not managed_subtree(viewer).filter(pk=viewer.unit_id).exists():
        return False  # (a salesperson: one query)
    return not any(
        reaches_shares(model, viewer=viewer) for model in (SalesLine, SalesRollup, UnitRollup)
    )


def reads_lines(spec: PivotSpec, viewer: User) -> bool:
    """Whether ``spec``'s pivot is answered from the lines (a heavy request)."""
    return source_for(spec, viewer) is SalesLine


def _narrow(qs: QuerySet, filters: dict[str, Any]) -> QuerySet:
    """``filters`` applied to a rollup's or the lines' rows. A ``None`` among ids matches the
    rows without one; ``category`` includes its subtree, ``category_exact`` does not; ``team``
    and ``branch`` are the people placed in that unit's subtree now."""
    kind = filters.get("kind") or LineKind.SELL_IN
    if kind != "all":
        qs = qs.filter(kind=kind)
    for name in ("region", "salesperson", "brand", "product", "customer", "channel"):
        if name in filters:
            qs = _in(qs, _FILTER_COLUMN[name], filters[name])
    if "category" in filters:
        from salescope.ledger.queries import category_subtree_ids

        ids = filters["category"]
        subtree = category_subtree_ids([i for i in ids if i is not None])
        qs = _in(qs, "category_id", subtree + ([None] if None in ids else []))
    if "category_exact" in filters:
        qs = _in(qs, "category_id", filters["category_exact"])
    # The unit rollup's rows: by their unit, each person's unit now.
    placed = "unit__path" if qs.model is UnitRollup else "salesperson__unit__path"
    for name in _UNITS:
        if name in filters:
            condition = Q(pk__in=[])
            for path in _unit_paths([i for i in filters[name] if i is not None]):
                condition |= Q(**{f"{placed}__startswith": path})
            if None in filters[name]:
                condition |= Q(salesperson_id__isnull=True)
            qs = qs.filter(condition)
    return qs


def _unit_paths(ids: list[int]) -> list[str]:
    # The org chart is everyone's to read (OrgUnit's ownership: everyone may view).
    return [path for _pk, path in names_of(OrgUnit, ids, "path")]


def _in(qs: QuerySet, column: str, values: list[Any]) -> QuerySet:
    present = [v for v in values if v is not None]
    condition = Q(**{f"{column}__in": present})
    if len(present) != len(values):
        condition |= Q(**{f"{column}__isnull": True})
    return qs.filter(condition)


# A longer range stays a range: its months named would make a long statement for little gain.
MONTHS_NAMED = 120


def _months(qs: QuerySet, spec: PivotSpec, model: type[Model], listed: bool = False) -> QuerySet:
    """``qs`` narrowed to ``spec``'s range. ``listed``: a monthly rollup's months each named,
    for a read of a few keys (the shown rows' cells): with a range PostgreSQL scanned the whole
    rollup for 200 customers (162 ms a year at 10M lines), with the months named it finds each
    (month, customer) in the rollup's index (7 ms)."""
    if listed and model not in (SalesLine, PairRollup) and spec.date_from and spec.date_to:
        months = months_between(spec.date_from, spec.date_to)
        if len(months) <= MONTHS_NAMED:
            return qs.filter(month__in=months)
    if model is PairRollup:  # asked for whole years only (``_pair_parts``)
        if spec.date_from:
            qs = qs.filter(year__gte=month_start(spec.date_from))
        if spec.date_to:
            qs = qs.filter(year__lte=month_start(spec.date_to))
        return qs
    if spec.date_from:
        qs = qs.filter(month__gte=month_start(spec.date_from))
        if model is SalesLine:
            qs = qs.filter(date__gte=spec.date_from)
    if spec.date_to:
        qs = qs.filter(month__lte=month_start(spec.date_to))
        if model is SalesLine:
            qs = qs.filter(date__lte=spec.date_to)
    return qs


def base_sums(*, viewer: User, spec: PivotSpec) -> tuple[pl.DataFrame, type[Model]]:
    """The measures summed by the stored columns ``spec`` needs, as a frame (one row per
    group; ``month`` as ISO text), from the smallest table that holds them; and that table.
    A team, a branch or a category at a level is summed to as such by the database (a column
    named after it, ``_folds_in_database``)."""
    model = source_for(spec, viewer)
    columns = sorted({_base(d, model) for d in (*spec.rows, *spec.columns)})
    folds = _folds_in_database(viewer, spec, model)
    frame = _grouped(
        viewer=viewer,
        spec=spec,
        model=model,
        columns=columns,
        folds={_base(d, model): mapping for d, mapping in folds.items()},
    )
    return frame.rename({_base(d, model): d for d in folds}), model


# Dimensions folded from a stored column by a mapping of the org chart or the category tree.
_FOLDED_BY_MAPPING = ("team", "branch", "category")


def _folds_in_database(
    viewer: User, spec: PivotSpec, model: type[Model]
) -> dict[str, dict[Any, Any]]:
    """The mapping of each team, branch or category at a level among ``spec``'s dimensions
    whose stored column no other dimension reads: every person to the unit above them, every
    category to its ancestor (as ``fold`` maps the keys it is given). Summed by the database
    through them, a year of team × category × month at 10M lines is ~29k groups fetched
    instead of 276k folded here (PostgreSQL: 1,449 → 576 ms of CPU). Not on SQLite, whose
    join of the mapping cost more than the fetch it spared (2M lines: 241 → 382 ms). From the
    unit rollup (``model``), a team or branch maps every unit instead of every person."""
    dims = [*spec.rows, *spec.columns]
    folds: dict[str, dict[Any, Any]] = {}
    if connection.vendor == "sqlite":
        return folds
    for dim in dims:
        if dim not in _FOLDED_BY_MAPPING or (dim == "category" and not spec.category_level):
            continue
        if sum(_base(d, model) == _base(dim, model) for d in dims) > 1:
            continue
        # The org chart and the category tree are everyone's to read (ids mapped, no names).
        if dim == "category":
            ids = list(Category.objects.unrestricted().values_list("pk", flat=True))
            folds[dim] = _category_at_level(ids, spec.category_level or 1)
        elif model is UnitRollup:
            # The org chart is everyone's to read (OrgUnit: everyone may view).
            units = list(OrgUnit.objects.visible_to(viewer).values_list("pk", flat=True))
            folds[dim] = _of_kind_above(viewer, units, dim)
        else:
            # visibility: people's ids only, mapped to the units above them; no row leaves here
            people = (
                User.objects.unrestricted().filter(unit__isnull=False).values_list("pk", flat=True)
            )
            folds[dim] = _units_above(viewer, list(people), dim)
    return folds


def _grouped_sql(
    *,
    viewer: User,
    spec: PivotSpec,
    model: type[Model],
    columns: list[str],
    only: dict[str, list[Any]] | None = None,
    measure: str | None = None,
    folds: dict[str, dict[Any, Any]] | None = None,
) -> tuple[str, Any]:
    """The SQL summing ``model``'s rows in ``spec``'s range and filters, as ``viewer`` sees
    them, by ``columns`` (selected as ``k_<column>``, then ``s_<measure>``…); ``only``
    narrows stored columns further to some values; ``measure`` (a stored column, as
    ``_MEASURE_COLUMN``) sums that one alone; ``folds`` maps some columns' values to the keys
    summed by instead (a value it does not name: to null)."""
    qs = _months(model.objects.all(), spec, model, listed=bool(only))  # type: ignore[attr-defined]
    qs = _narrow(visible(qs, viewer=viewer), spec.filters)
    for column, values in (only or {}).items():
        qs = _in(qs, column, values)
    measures = _measures(model)
    if measure is not None:
        measures = {f"s_{measure}": measures[f"s_{measure}"]}
    # The month as text: read so, SQLite's rows skip Django's date converter (12k groups:
    # 0.35 s → 0.1 s of fetching). PostgreSQL groups by the date and makes text of each
    # group's month only: the text made of every row, and grouped by, cost a year of team ×
    # category × month at 10M lines (276k rollup rows) ~200 of its query's ~440 ms.
    by_date = connection.vendor == "postgresql"
    keys = {c: Cast(c, CharField()) if c == "month" and not by_date else F(c) for c in columns}
    if folds:
        return _folded_sql(qs, model, keys, list(measures), folds)
    sql, params = (
        qs.values(**{f"k_{c}": e for c, e in keys.items()})
        .annotate(**measures)
        .order_by()
        .values_list(*(f"k_{c}" for c in columns), *measures)
    ).query.sql_with_params()
    if by_date and "month" in columns:
        selected = [f"k_{c}" for c in columns] + list(measures)
        texts = ", ".join(_month_text(n) if n == "k_month" else n for n in selected)
        sql = f"SELECT {texts} FROM ({sql}) m"  # noqa: S608 - our own column names
    return sql, params


def _month_text(column: str) -> str:
    """A grouped month (a date, or already its text on SQLite) as ISO text, named ``k_month``."""
    return f"CAST({column} AS VARCHAR) AS k_month"


def _folded_sql(
    qs: QuerySet,
    model: type[Model],
    keys: dict[str, Any],
    measures: list[str],
    folds: dict[str, dict[Any, Any]],
) -> tuple[str, Any]:
    """``qs``'s rows summed by ``keys``, those of ``folds`` mapped first: each mapping a
    ``VALUES`` list joined by the stored value, one pass of the database's grouping."""
    stored: dict[str, Any] = {f"v_{m[2:]}": F(m[2:]) for m in measures}
    if model is SalesLine:
        stored["v_lines"] = Value(1)
    inner, params = (
        qs.values(**{f"k_{c}": e for c, e in keys.items()}, **stored).order_by().query
    ).sql_with_params()
    selected, joins = [], []
    for number, column in enumerate(keys):
        pairs = [(int(k), int(v)) for k, v in folds.get(column, {}).items() if v is not None]
        if column not in folds:
            selected.append(f"g.k_{column}")
        elif not pairs:
            selected.append("CAST(NULL AS BIGINT)")
        else:
            values = ", ".join(f"({k}, {v})" for k, v in pairs)
            joins.append(
                f"LEFT JOIN (VALUES {values}) f{number} ON f{number}.column1 = g.k_{column}"
            )
            selected.append(f"f{number}.column2")
    sums = [f"CAST(SUM(g.v_{m[2:]}) AS BIGINT)" for m in measures]
    group = f" GROUP BY {', '.join(selected)}" if selected else ""
    labels = [
        _month_text(e) if c == "month" else f"{e} AS k_{c}"
        for e, c in zip(selected, keys, strict=True)
    ]
    sql = (
        f"SELECT {', '.join([*labels, *sums])} FROM ({inner}) g "  # noqa: S608
        f"{' '.join(joins)}{group}"
    )
    return sql, params


def _measures(model: type[Model]) -> dict[str, Any]:
    measures: dict[str, Any] = {f"s_{m}": Cast(Sum(m), BigIntegerField()) for m in _FEN}
    counted = Count("id") if model is SalesLine else Sum("lines")
    measures["s_lines"] = Cast(counted, BigIntegerField())
    return measures


def _frame(rows: list[tuple], columns: list[str]) -> pl.DataFrame:
    schema = {c: pl.String if c in ("month", "kind", "channel") else pl.Int64 for c in columns}
    schema.update(dict.fromkeys(("amount_fen", *_FEN[1:], "lines"), pl.Int64))
    return pl.DataFrame(rows, schema=schema, orient="row")


def _grouped(
    *,
    viewer: User,
    spec: PivotSpec,
    model: type[Model],
    columns: list[str],
    only: dict[str, list[Any]] | None = None,
    folds: dict[str, dict[Any, Any]] | None = None,
) -> pl.DataFrame:
    """The sums of ``_grouped_sql`` as a frame (one row of totals when ``columns`` is empty)."""
    if not columns:
        qs = _months(model.objects.all(), spec, model)  # type: ignore[attr-defined]
        qs = _narrow(visible(qs, viewer=viewer), spec.filters)
        measures = _measures(model)
        total = qs.aggregate(**measures)
        return _frame([tuple(total[m] for m in measures)], []).fill_null(0)
    sql, params = _grouped_sql(
        viewer=viewer, spec=spec, model=model, columns=columns, only=only, folds=folds
    )
    # Folded, the groups are far fewer than the rows (500 people → their teams), which the
    # planner cannot know from a mapping it is given: it expects a group per row and sorts
    # them all rather than hashing. A year of team × category × month at 10M lines (276k
    # rollup rows, 5k groups): sorted 3.7 s, hashed 2.0 s (EXPLAIN ANALYZE, load 10); the
    # director's pivot 1.19 → 0.68 s of CPU.
    hashed = {"enable_sort": "off"} if folds else {}
    with for_one_query(**hashed), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _frame(cursor.fetchall(), columns)


# --- Folding the stored columns to the dimensions asked -----------------------------------


def _time_keys(months: list[str], dim: str) -> dict[str, str]:
    calendar = company_calendar()
    keys = {}
    for text in months:
        day = dt.date.fromisoformat(text[:10])
        if dim == "month":
            keys[text] = day.strftime("%Y-%m")
        elif dim == "quarter":
            keys[text] = calendar.label(day)
        else:
            keys[text] = str(calendar.year_of(day))
    return keys


def _units_above(viewer: User, people: list[int], kind: str) -> dict[int, int | None]:
    """Each person's unit of ``kind`` (team or branch) now: their unit or its ancestor."""
    unit_of = dict(names_of(User, people, "unit_id"))
    above = _of_kind_above(viewer, list(set(unit_of.values()) - {None}), kind)
    return {person: above.get(unit_of.get(person)) for person in people}  # type: ignore[arg-type]


def _of_kind_above(viewer: User, units: list[int], kind: str) -> dict[int, int | None]:
    """Each unit's unit of ``kind`` (team or branch): itself or its nearest ancestor."""
    path_of = dict(names_of(OrgUnit, units, "path"))
    prefixes = {
        path[:end]
        for path in path_of.values()
        for end in range(1, len(path) + 1)
        if path[end - 1] == "."
    }
    # The org chart is everyone's to read (OrgUnit: everyone may view).
    of_kind = dict(
        OrgUnit.objects.visible_to(viewer)
        .filter(path__in=prefixes, kind=kind)
        .values_list("path", "pk")
    )
    found: dict[int, int | None] = {}
    for unit in units:
        path = path_of.get(unit, "")
        found[unit] = next(
            (of_kind[path[:end]] for end in range(len(path), 0, -1) if path[:end] in of_kind),
            None,
        )
    return found


def _category_at_level(ids: list[int], level: int) -> dict[int, int]:
    """Each category's ancestor ``level`` steps from the top (itself when it is higher up)."""
    # The category tree is everyone's to read (catalog.models.CATALOG_OWNERSHIP).
    paths = dict(names_of(Category, ids, "path"))
    mapped = {}
    for pk in ids:
        parts = [p for p in (paths.get(pk) or "").split("/") if p]
        mapped[pk] = int(parts[level - 1]) if len(parts) >= level else pk
    return mapped


def fold(frame: pl.DataFrame, spec: PivotSpec, viewer: User) -> pl.DataFrame:
    """``frame`` (sums by stored columns) summed by the dimensions of ``spec``: one column per
    dimension, holding its key (``YYYY-MM``, ``2026Q1``, ``2026``; an id; a text), then the
    measures."""
    dims = [*spec.rows, *spec.columns]
    exprs = []
    for dim in dims:
        if dim in _FOLDED_BY_MAPPING and dim in frame.columns:  # summed so by the database
            exprs.append(pl.col(dim))
            continue
        column = "unit_id" if dim in _UNITS and "unit_id" in frame.columns else BASE[dim]
        values = frame[column]
        if dim in ("month", "quarter", "year"):
            mapping: dict[Any, Any] = _time_keys(values.unique().to_list(), dim)
        elif dim in _UNITS:
            ids = [v for v in values.unique().to_list() if v is not None]
            above = _of_kind_above if column == "unit_id" else _units_above  # (unit rollup)
            mapping = above(viewer, ids, dim)
        elif dim == "category" and spec.category_level:
            ids = [v for v in values.unique().to_list() if v is not None]
            mapping = _category_at_level(ids, spec.category_level)
        else:
            exprs.append(pl.col(column).alias(dim))
            continue
        dtype = pl.String if dim in ("month", "quarter", "year") else pl.Int64
        exprs.append(
            pl.col(column).replace_strict(mapping, default=None, return_dtype=dtype).alias(dim)
        )
    measures = [*_FEN, "lines"]
    if not dims:
        return frame.select(pl.col(measures).sum())
    return frame.select(*exprs, *measures).group_by(dims).agg(pl.col(measures).sum())


# --- The pivot ------------------------------------------------------------------------------


def _value(fen: dict[str, int], measure: str) -> Decimal | int:
    if measure == "amount":
        return from_fen(fen["amount_fen"])
    if measure == "gross_profit":
        return from_fen(fen["gross_profit_fen"])
    if measure == "quantity":
        return from_milli(fen["quantity_milli"])
    return int(fen["lines"])


_LABELS: dict[str, tuple[type[Model], str, str]] = {
    "salesperson": (User, "username", "full_name"),
    "region": (OrgUnit, "code", "name"),
    "branch": (OrgUnit, "code", "name"),
    "team": (OrgUnit, "code", "name"),
    "category": (Category, "code", "name"),
    "brand": (Brand, "code", "name"),
    "product": (Product, "sku", "name"),
    "customer": (Customer, "code", "name"),
}


def _labeller(keys: dict[str, list[Any]], dims: Sequence[str]) -> dict[str, dict[Any, str]]:
    """Names for the ids of ``keys`` (per dimension; ids taken from visible rows)."""
    from salescope.ledger.choices import LineKind as Kinds

    labels: dict[str, dict[Any, str]] = {}
    for dim in dims:
        if dim in _LABELS:
            model, code_field, name_field = _LABELS[dim]
            ids = {v for v in keys[dim] if v is not None}
            labels[dim] = {
                pk: str(name or code or pk)
                for pk, code, name in names_of(model, ids, code_field, name_field)
            }
        elif dim == "kind":
            labels[dim] = {k.value: str(k.label) for k in Kinds}
    return labels


_MEASURE_COLUMN = {
    "amount": "amount_fen",
    "gross_profit": "gross_profit_fen",
    "quantity": "quantity_milli",
    "lines": "lines",
}


def _keys(frame: pl.DataFrame, dims: list[str], limit: int, index: str) -> pl.DataFrame:
    """The keys of ``dims`` with their sum ``_v``: by time when the first is a time, else the
    largest first (then by key); the first ``limit`` numbered in ``index``."""
    if not dims:
        return pl.DataFrame(
            {"_v": [frame["_v"].sum()], index: [0]}, schema_overrides={index: pl.UInt32}
        )
    sums = frame.group_by(dims).agg(pl.col("_v").sum())
    if dims[0] in TIME:
        sums = sums.sort(dims, nulls_last=True)
    else:
        sums = sums.sort(["_v", *dims], descending=[True] + [False] * len(dims), nulls_last=True)
    return sums.with_row_index(index)


def _join(frame: pl.DataFrame, keys: pl.DataFrame, dims: list[str]) -> pl.DataFrame:
    if not dims:
        return frame.join(keys.select(pl.exclude("_v")), how="cross")
    return frame.join(keys.select(pl.exclude("_v")), on=dims, how="inner", nulls_equal=True)


def pivot(*, viewer: User, spec: PivotSpec) -> dict[str, Any]:
    """The pivot of ``spec`` for ``viewer``: row and column keys with labels, the cells, the
    row and column totals and the grand total (over every key, also those past the limit)."""
    value = _measure(spec)
    return _checked_pivot(viewer, spec, lambda sums: [value(v) for v in sums.to_list()])


def pivot_for_json(*, viewer: User, spec: PivotSpec) -> dict[str, Any]:
    """``for_json(pivot(...))``: its values made text (amounts, quantities) by the column rather
    than made ``Decimal`` one by one and then copied as text (the API's answers: up to 1,000
    rows' cells; 6,000 cells ~20 ms of Python)."""
    if spec.measure in ("amount", "gross_profit"):
        return _checked_pivot(
            viewer, spec, lambda sums: sums.to_frame().select(_yuan(sums.name))[sums.name].to_list()
        )
    value = _measure(spec)
    return _checked_pivot(viewer, spec, lambda sums: [_as_text(value(v)) for v in sums.to_list()])


def _as_text(value: Decimal | int) -> str | int:
    """A value of the answer as the API gives it: amounts (``Decimal``) as exact text."""
    return str(value) if isinstance(value, Decimal) else value


def _yuan(column: str) -> pl.Expr:
    """Sums of fen as ``str(from_fen(sum))``: "-1889187.03", "0.00" (none: "0.00")."""
    fen = pl.col(column).fill_null(0)
    return pl.concat_str(
        pl.when(fen < 0).then(pl.lit("-")).otherwise(pl.lit("")),
        (fen.abs() // 100).cast(pl.String),
        pl.lit("."),
        (fen.abs() % 100).cast(pl.String).str.zfill(2),
    ).alias(column)


def _measure(spec: PivotSpec) -> Callable[[Any], Decimal | int]:
    """The answer's value of a stored sum of ``spec``'s measure (``None``: no rows)."""
    column = _MEASURE_COLUMN[spec.measure]

    def measure(value: Any) -> Decimal | int:
        return _value({column: value or 0}, spec.measure)

    return measure


# The answer's values of a column of stored sums (``pl.Series``, in order).
Values = Callable[[pl.Series], list[Any]]


def _checked_pivot(viewer: User, spec: PivotSpec, answered: Values) -> dict[str, Any]:
    from salescope.ledger.queries import may_see_margin

    if spec.measure == "gross_profit" and not may_see_margin(viewer):
        raise ValidationFailed(fields={"measure": ["gross profit is not shown to you"]})
    with read_session():  # a pivot's queries, in one transaction
        return _pivot(viewer, spec, answered)


def _pivot(viewer: User, spec: PivotSpec, answered: Values) -> dict[str, Any]:
    rows, columns = list(spec.rows), list(spec.columns)
    dims = rows + columns
    if ranked_in_database(spec) and (
        "customer" in rows or source_for(spec, viewer) is not SalesLine
    ):
        source, placed, shown_rows, row_count, shown_columns, column_count, total = _ranked(
            viewer, spec
        )
    else:
        base, source = base_sums(viewer=viewer, spec=spec)
        values = _values(fold(base, spec, viewer), spec, dims)
        all_rows = _keys(values, rows, spec.limit, "_r")
        all_columns = _keys(values, columns, spec.limit, "_c")
        shown_rows = all_rows.head(spec.limit)
        shown_columns = all_columns.head(spec.limit)
        row_count, column_count = all_rows.height, all_columns.height
        summed = values.group_by(dims).agg(pl.col("_v").sum()) if dims else values
        placed = _join(_join(summed, shown_rows, rows), shown_columns, columns)
        total = values["_v"].sum() if values.height else 0
    labels = _labeller(_label_frame(shown_rows, shown_columns, rows, columns), dims)

    def described(keys: pl.DataFrame, names: list[str]) -> list[dict[str, Any]]:
        if not names:
            return [{"key": [], "label": []}]
        return [
            {
                "key": list(key),
                "label": [
                    "—" if v is None else labels.get(d, {}).get(v, str(v))
                    for d, v in zip(names, key, strict=True)
                ],
            }
            for key in keys.select(names).rows()
        ]

    # Ordered by row and column (a cell's place is unique) by polars, not by comparing lists.
    placed = placed.select("_r", "_c", "_v").sort("_r", "_c")
    cells = [
        [r, c, v]
        for r, c, v in zip(
            placed["_r"].to_list(), placed["_c"].to_list(), answered(placed["_v"]), strict=True
        )
    ]
    return {
        "spec": spec.as_dict(),
        "source": source._meta.model_name,
        "rows": described(shown_rows, rows),
        "columns": described(shown_columns, columns),
        "row_count": row_count,
        "column_count": column_count,
        "cells": cells,
        "row_totals": answered(shown_rows["_v"]),
        "column_totals": answered(shown_columns["_v"]),
        "total": answered(pl.Series("_v", [total], dtype=pl.Int64))[0],
    }


def _values(folded: pl.DataFrame, spec: PivotSpec, dims: list[str]) -> pl.DataFrame:
    """The dimensions' keys and the measure asked, as ``_v``."""
    return folded.select(*dims, pl.col(_MEASURE_COLUMN[spec.measure]).alias("_v"))


# Row dimensions whose key is their stored column as it is (nothing to fold), and those of
# them with too many keys to fetch every row: a pivot whose rows are such picks its largest
# rows in the database (``_ranked``).
_AS_STORED = {"region", "salesperson", "brand", "product", "customer", "channel", "kind"}
_MANY_KEYS = {"product", "customer"}


def ranked_in_database(spec: PivotSpec) -> bool:
    """Whether ``spec``'s rows are products or customers (with other dimensions stored as
    they are shown): then the database ranks the rows, and only the shown rows' cells are
    fetched. From a rollup; from the lines only when the rows hold the customer, whose index
    finds the shown rows' lines (product × customer: at 10M lines a year holds ~5M pairs,
    which the one query of every cell fetched and sorted in polars). Products alone from the
    lines are not: their cells would read the lines a second time."""
    stored = _AS_STORED | ({"category"} if not spec.category_level else set())
    return bool(set(spec.rows) & _MANY_KEYS) and set(spec.rows) <= stored


def _ranked(viewer: User, spec: PivotSpec) -> tuple:
    """A pivot whose rows are keys as stored, many of them (customers, products): instead of
    fetching a sum per row key and column (customer × month over a year at 10M lines: 1.2M
    groups), the database sums the rows and returns the largest ``limit`` of them with their
    count; the columns are summed over every row; the cells are fetched for the shown rows
    only. The same figures, orders and totals as the general path.

    Three queries, each on the smallest table that answers it: the ranking on the table of
    the rows (the lines for product × customer), the columns and the grand total on the table
    of the columns (a rollup when the dates are whole months), the shown rows' cells through
    the index of their customers or products.

    Returns (source, placed cells, shown rows, row count, shown columns, column count, total)."""
    model = source_for(spec, viewer)
    rows, columns = list(spec.rows), list(spec.columns)
    row_columns = [BASE[d] for d in rows]
    measure = _MEASURE_COLUMN[spec.measure]
    # 1. The rows' sums, ranked: the measure's sum, largest first, then the keys (nulls last;
    # texts byte-wise, as polars sorts them). Only the measure asked is summed.
    sql, params = _ranking_sql(viewer, spec, model, row_columns, measure)
    text = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    order = ", ".join(
        [f"s_{measure} DESC"]
        + [f"k_{c}{text if c in ('kind', 'channel') else ''} ASC NULLS LAST" for c in row_columns]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT *, COUNT(*) OVER () FROM ({sql}) g ORDER BY {order} "  # noqa: S608
            f"LIMIT {int(spec.limit)}",
            params,
        )
        fetched = cursor.fetchall()
    row_count = fetched[0][-1] if fetched else 0
    top = pl.DataFrame(
        [row[:-1] for row in fetched],
        schema={
            **{c: pl.String if c in ("kind", "channel") else pl.Int64 for c in row_columns},
            "_v": pl.Int64,
        },
        orient="row",
    )
    shown_rows = _keys(
        top.select(*(pl.col(c).alias(d) for c, d in zip(row_columns, rows, strict=True)), "_v"),
        rows,
        spec.limit,
        "_r",
    )
    # 2. The columns, summed over every row (and the grand total), from the smallest table
    # holding the columns and filters: a rollup also when the rows need the lines.
    column_spec = replace(spec, rows=())
    column_model = source_for(column_spec, viewer)
    column_base = _grouped(
        viewer=viewer,
        spec=spec,
        model=column_model,
        columns=sorted({_base(d, column_model) for d in columns}),
    )
    column_values = _values(fold(column_base, column_spec, viewer), spec, columns)
    all_columns = _keys(column_values, columns, spec.limit, "_c")
    shown_columns = all_columns.head(spec.limit)
    total = column_values["_v"].sum() if column_values.height else 0
    # 3. The shown rows' cells.
    only = {c: shown_rows[d].unique().to_list() for c, d in zip(row_columns, rows, strict=True)}
    if shown_rows.height:
        cell_base = _grouped(
            viewer=viewer,
            spec=spec,
            model=model,
            columns=sorted({BASE[d] for d in (*rows, *columns)}),
            only=only,
        )
    else:
        cell_base = _frame([], sorted({BASE[d] for d in (*rows, *columns)}))
    dims = rows + columns
    values = _values(fold(cell_base, spec, viewer), spec, dims)
    summed = values.group_by(dims).agg(pl.col("_v").sum())
    placed = _join(_join(summed, shown_rows, rows), shown_columns, columns)
    return (
        model,
        placed,
        shown_rows,
        row_count,
        shown_columns,
        all_columns.height,
        total,
    )


def _ranking_sql(
    viewer: User, spec: PivotSpec, model: type[Model], row_columns: list[str], measure: str
) -> tuple[str, list[Any]]:
    """The SQL summing ``measure`` by the rows' columns (``k_<column>``, ``s_<measure>``), from
    ``model``; when that is the lines, from the pair rollup for the whole calendar years in
    ``spec``'s range and from the lines for the months around them (``_pair_parts``).

    The pair rollup is owned by the salesperson as the lines are: the same rows and
    visibility; it serves rankings whose rows and filters it holds. A year of product ×
    customer pairs at 10M lines: 5M lines grouped, or 700k rollup rows."""
    parts = None
    if model is SalesLine and _needed_columns(replace(spec, columns=())) <= PAIR_COLUMNS:
        parts = _pair_parts(spec)
    queries = []
    for part_model, part_spec in parts or [(model, spec)]:
        sql, params = _grouped_sql(
            viewer=viewer, spec=part_spec, model=part_model, columns=row_columns, measure=measure
        )
        if part_model is SalesLine and _scan_lines_whole(part_spec, viewer):
            table = SalesLine._meta.db_table
            sql = sql.replace(f'FROM "{table}"', f'FROM "{table}" NOT INDEXED', 1)
        queries.append((sql, list(params)))
    if len(queries) == 1:
        return queries[0]
    keys = ", ".join(f"k_{c}" for c in row_columns)
    union = " UNION ALL ".join(
        f"SELECT * FROM ({sql}) p{i}"  # noqa: S608
        for i, (sql, _p) in enumerate(queries)
    )
    return (
        f"SELECT {keys}, CAST(SUM(s_{measure}) AS BIGINT) AS s_{measure} "  # noqa: S608
        f"FROM ({union}) u GROUP BY {keys}",
        [param for _sql, params in queries for param in params],
    )


PAIR_COLUMNS = frozenset({*_COMMON, "salesperson_id", "product_id", "customer_id"})


def _pair_parts(spec: PivotSpec) -> list[tuple[type[Model], PivotSpec]] | None:
    """``spec``'s range cut into the whole calendar years it holds (read from the pair
    rollup) and the months before and after them (read from the lines); ``None`` when it
    holds no whole year, or is not whole months."""
    if not _whole_months(spec):
        return None
    first = month_start(spec.date_from) if spec.date_from else None
    last = month_start(spec.date_to) if spec.date_to else None
    start = None if first is None else first.year + (first.month != 1)
    end = None if last is None else last.year - (last.month != 12)
    if start is not None and end is not None and start > end:
        return None
    parts: list[tuple[type[Model], PivotSpec]] = [
        (
            PairRollup,
            replace(
                spec,
                date_from=dt.date(start, 1, 1) if start else None,
                date_to=dt.date(end, 12, 31) if end else None,
            ),
        )
    ]
    if start is not None and first is not None and first.month != 1:
        parts.append((SalesLine, replace(spec, date_to=dt.date(start - 1, 12, 31))))
    if end is not None and last is not None and last.month != 12:
        parts.append((SalesLine, replace(spec, date_from=dt.date(end + 1, 1, 1))))
    return parts


# Filters whose own index on the lines finds their lines faster than reading them all.
_INDEXED_FILTERS = {"customer", "salesperson", "team", "branch"}


def _scan_lines_whole(spec: PivotSpec, viewer: User) -> bool:
    """SQLite: whether the lines are best read whole, in the table's order, rather than through
    the (date, id) index it picks for a day range — a lookup per line, in no order. For a
    company-wide reader over three months or more, with no filter of an indexed column: the
    ranking of a year's product × customer pairs at 10M lines took 40.7 s through the index,
    11.2 s reading the table (12.1 → 4.2 s CPU)."""
    if connection.vendor != "sqlite" or set(spec.filters) & _INDEXED_FILTERS:
        return False
    if spec.date_from and spec.date_to and (spec.date_to - spec.date_from).days < 90:
        return False
    return can(viewer, RegionRollup, "view")  # company-wide (the region rollup's readers)


def _label_frame(
    shown_rows: pl.DataFrame, shown_columns: pl.DataFrame, rows: list[str], columns: list[str]
) -> dict[str, list[Any]]:
    """The keys to name, per dimension."""
    keys = {d: shown_rows[d].to_list() for d in rows}
    keys.update({d: shown_columns[d].to_list() for d in columns})
    return keys


def grid(result: dict[str, Any]) -> list[list[Any]]:
    """The pivot as a full grid of values (``None`` for an empty cell), rows × columns."""
    values: list[list[Any]] = [[None] * len(result["columns"]) for _ in result["rows"]]
    for r, c, value in result["cells"]:
        values[r][c] = value
    return values


# --- Drill-down ---------------------------------------------------------------------------


def cell_filters(spec: PivotSpec, cell: dict[str, Any]) -> tuple[dict[str, Any], Any, Any]:
    """The line filters and day range of one cell: ``cell`` maps each dimension of the spec
    to a key of it (as the pivot gave it; ``None`` for "none")."""
    filters = {k: list(v) if isinstance(v, list) else v for k, v in spec.filters.items()}
    date_from, date_to = spec.date_from, spec.date_to
    calendar = company_calendar()
    for dim, key in cell.items():
        if dim not in (*spec.rows, *spec.columns):
            raise ValidationFailed(fields={"cell": [f"{dim} is not in this view"]})
        if dim in ("month", "quarter", "year"):
            first, last = _time_range(str(key), dim, calendar)
            date_from = max(first, date_from) if date_from else first
            date_to = min(last, date_to) if date_to else last
            continue
        if dim == "kind":
            filters["kind"] = key
            continue
        try:
            value = None if key in (None, "") else (str(key) if dim == "channel" else int(key))
        except (TypeError, ValueError):
            raise ValidationFailed(fields={"cell": [f"{key} is not a {dim}"]}) from None
        name = dim
        if dim == "category" and not spec.category_level:
            name = "category_exact"  # the category the line recorded, not its subtree
        # A cell lies inside the view's own filter of the same name: both hold.
        filters[name] = [value]
    return filters, date_from, date_to


def _time_range(key: str, dim: str, calendar: Any) -> tuple[dt.date, dt.date]:
    try:
        if dim == "month":
            first = dt.date.fromisoformat(f"{key}-01")
            return first, month_end(first)
        if dim == "quarter":
            year, quarter = key.split("Q")
            months = calendar.months_of_quarter(int(year), int(quarter))
        else:
            months = calendar.months_of_year(int(key))
    except ValueError:
        raise ValidationFailed(fields={"cell": [f"{key} is not a {dim}"]}) from None
    return months[0], month_end(months[-1])


def cell_lines(*, viewer: User, spec: PivotSpec, cell: dict[str, Any]) -> QuerySet:
    """The sales lines behind one cell of ``spec``'s pivot (or a row's or column's total, when
    ``cell`` names only their dimensions), newest first."""
    filters, date_from, date_to = cell_filters(spec, cell)
    qs = SalesLine.objects.all()
    if date_from:
        qs = qs.filter(date__gte=date_from, month__gte=month_start(date_from))
    if date_to:
        qs = qs.filter(date__lte=date_to, month__lte=month_start(date_to))
    qs = _narrow(visible(qs, viewer=viewer), filters)
    return qs.select_related(
        "customer", "product", "category", "brand", "salesperson", "region"
    ).order_by("-date", "-id")


# --- Saved views -------------------------------------------------------------------------


def list_views(*, viewer: User) -> QuerySet:
    """The viewer's own saved views, by name."""
    from salescope.ledger.models import SavedView

    return visible(SavedView.objects.filter(owner=viewer), viewer=viewer).order_by("name")


def get_view(*, viewer: User, pk: Any) -> Any:
    from salescope.ledger.models import SavedView
    from salescope.org.visibility import get_visible

    return get_visible(SavedView.objects.all(), viewer=viewer, pk=pk)


# --- One parser for the page, the API and the command line ---------------------------------


def _split(text: Any) -> list[str]:
    if text is None:
        return []
    if isinstance(text, list | tuple):
        return [str(t).strip() for part in text for t in str(part).split(",") if str(t).strip()]
    return [t.strip() for t in str(text).split(",") if t.strip()]


def spec_from_params(params: Any, *, limit: int = DEFAULT_LIMIT) -> PivotSpec:
    """A spec from text parameters (a query string, the API's, the command's options):
    ``rows`` and ``columns`` as comma-separated dimensions, ``measure``, ``from``/``date_from``
    and ``to``/``date_to`` (ISO days), ``kind``, ``category_level``, and each filter of
    ``FILTERS`` as comma-separated ids (texts for ``channel``)."""

    def get(*names: str) -> Any:
        for name in names:
            value = params.get(name)
            if value not in (None, ""):
                return value
        return None

    errors: dict[str, list[str]] = {}

    def day(*names: str) -> dt.date | None:
        value = get(*names)
        if value is None or isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            errors[names[0]] = ["a day, YYYY-MM-DD"]
            return None

    level = get("category_level")
    if level is not None and not str(level).isdigit():
        errors["category_level"] = ["a number from 1"]
        level = None
    filters: dict[str, Any] = {name: _split(get(name)) for name in FILTERS if name != "kind"}
    filters["kind"] = get("kind") or "sell_in"
    date_from, date_to = day("date_from", "from"), day("date_to", "to")
    if errors:
        raise ValidationFailed(fields=errors)
    return PivotSpec.build(
        rows=_split(get("rows")),
        columns=_split(get("columns")),
        measure=get("measure") or "amount",
        date_from=date_from,
        date_to=date_to,
        filters=filters,
        category_level=int(level) if level is not None else None,
        limit=int(get("limit") or limit) if str(get("limit") or limit).isdigit() else limit,
    )


def parse_cell(text: str | None) -> dict[str, Any]:
    """A cell as JSON (``{"month": "2026-03", "region": 5}``), as the page and the API give it."""
    import json

    if not text:
        return {}
    try:
        cell = json.loads(text)
    except ValueError:
        cell = None
    if not isinstance(cell, dict):
        raise ValidationFailed(fields={"cell": ['a JSON object such as {"month": "2026-03"}']})
    return cell


def for_json(result: dict[str, Any]) -> dict[str, Any]:
    """The pivot with its amounts as text (exact, as the API gives money)."""
    out = dict(result)
    out["cells"] = [[r, c, _as_text(v)] for r, c, v in result["cells"]]
    out["row_totals"] = [_as_text(v) for v in result["row_totals"]]
    out["column_totals"] = [_as_text(v) for v in result["column_totals"]]
    out["total"] = _as_text(result["total"])
    return out


def spec_to_params(spec: PivotSpec) -> dict[str, str]:
    """The spec as the text parameters ``spec_from_params`` reads (a saved view's address)."""
    params = {"rows": ",".join(spec.rows), "columns": ",".join(spec.columns)}
    params["measure"] = spec.measure
    if spec.date_from:
        params["from"] = spec.date_from.isoformat()
    if spec.date_to:
        params["to"] = spec.date_to.isoformat()
    if spec.category_level:
        params["category_level"] = str(spec.category_level)
    for name, value in spec.filters.items():
        params[name] = value if isinstance(value, str) else ",".join(str(v) for v in value)
    return params
