"""Actuals keyed like the target cells: the ledger's rollups placed in the unit, category,
brand or SKU of the target they count against, as they stood on the report's date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from salescope.analytics import manual
from salescope.analytics.actuals import actual_totals, former_member_totals, has_actuals
from salescope.analytics.targets.org import _Org
from salescope.core.periods import months_between
from salescope.plans.models import Plan

_UNKNOWN = object()


def _actuals(
    viewer: Any,
    plan: Plan,
    metric: str,
    group_by: list[str],
    columns: list[str],
    targets: Mapping[tuple, object],
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
    raw: dict[tuple, Any] = actual_totals(
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
        if not isinstance(coords, tuple):  # None: outside the scope
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
        if ended is None:  # excluded above (still there); the column allows it
            continue
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


def _category_paths(targets: Mapping[tuple, object], columns: list[str]) -> dict[int, str]:
    if "category_id" not in columns:
        return {}
    from salescope.catalog.models import Category

    index = columns.index("category_id")
    ids = {k[index] for k in targets if k[index] is not None}
    return dict(Category.objects.unrestricted().filter(pk__in=ids).values_list("pk", "path"))


def _product_coordinates(
    targets: Mapping[tuple, object], columns: list[str], by_product: bool
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
