"""Actuals the ledger does not hold (实绩录入): market share, expense spending, new customers,
new outlets, brand awareness — entered by hand, plus new customers counted automatically.

Reads
    :func:`manual_actuals` has the signature and the result shape of
    ``analytics.actuals.actual_totals``: ``{(dimension values…): hundredths}`` for the asked
    ``group_by`` out of ``month``, ``salesperson``, ``unit``, ``region``, ``category``, as the
    viewer may see them (``org.visibility`` on :class:`ManualActual`). Dimensions it cannot
    tell come back as ``None``.

    * A figure's ``unit`` is its own unit, or its person's current unit; ``region`` is the
      region (``UnitKind.REGION``) above that unit.
    * Additive metrics (counts, money) sum; the percentages (market share, brand awareness)
      do not add up over people, so a group gets the mean of its figures, rounded half up.
    * ``new_customers``: the customers each owner created in the month, counted from the
      customers app (:func:`new_customer_counts`); a figure entered by hand for the same cell
      (person × month, no unit, no category) replaces the count.
    * ``expense_budget``: the approved expense records (``expenses``: claims finance approved
      or paid) per person and month, by the month spent; a figure entered by hand for the
      same person × month (no unit, no category) replaces the records' sum (a correction),
      and figures entered for a unit add to its people's records (spending nobody claims, such
      as a 进场费 paid centrally). Records carry no product category: a category filter
      counts only figures entered by hand.

Writes
    ``enter_manual_actual``, ``update_manual_actual``, ``delete_manual_actual`` live in
    :mod:`salescope.analytics.services`; :func:`parse_value` (a typed figure checked for its
    metric) stays here, shared by the form and the services.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.analytics.models import ManualActual
from salescope.core import audit
from salescope.core.errors import ValidationFailed
from salescope.core.periods import month_end, month_start
from salescope.org import visibility
from salescope.org.choices import UnitKind
from salescope.org.models import OrgUnit, User
from salescope.plans import rules
from salescope.plans.choices import METRICS, Metric, Unit

MANUAL_METRICS: tuple[str, ...] = tuple(m for m, info in METRICS.items() if info.source == "manual")
DIMENSIONS = ("month", "salesperson", "unit", "region", "category")
FIELDS = ["metric", "month", "person", "unit", "category", "value", "note"]
FILTERS = {"salesperson", "unit", "region", "category"}
IGNORED_FILTERS = {"kind"}  # the ledger's sell-in / sell-through: no meaning for these figures

# (person_id, unit_id, category_id, month) → hundredths: the grain figures are entered at.
Cell = tuple[int | None, int | None, int | None, dt.date]


def has_manual_actuals(metric: str) -> bool:
    return metric in MANUAL_METRICS


def supported_dimensions(metric: str) -> tuple[str, ...]:
    return DIMENSIONS if metric in MANUAL_METRICS else ()


# --- reads --------------------------------------------------------------------------------


def list_manual_actuals(
    *,
    viewer: Any,
    metric: str | None = None,
    month: dt.date | None = None,
    person: int | None = None,
    unit: int | None = None,
) -> QuerySet[ManualActual]:
    """The figures the viewer may see, newest month first."""
    rows = visibility.visible(ManualActual.objects.all(), viewer=viewer)
    if metric:
        rows = rows.filter(metric=metric)
    if month:
        rows = rows.filter(month=month_start(month))
    if person:
        rows = rows.filter(person_id=person)
    if unit:
        rows = rows.filter(unit_id=unit)
    return rows.select_related("person", "unit", "category", "entered_by").order_by(
        "-month", "metric", "unit__path", "person__full_name", "category__path", "id"
    )


def get_manual_actual(*, viewer: Any, pk: Any, action: str = visibility.VIEW) -> ManualActual:
    return visibility.get_visible(ManualActual.objects.all(), viewer=viewer, pk=pk, action=action)


def enterable_people(*, viewer: Any) -> QuerySet[User]:
    """People the viewer may enter figures for: everyone for the company-wide roles, else
    themselves and the people of the units they manage."""
    # visibility: narrowed below unless the viewer may enter figures for everyone
    people = User.objects.unrestricted().filter(is_active=True).order_by("full_name", "username")
    if visibility.can(viewer, ManualActual, visibility.CHANGE):
        return people
    return visibility.visible(people, viewer=viewer, action=visibility.CHANGE)


def enterable_units(*, viewer: Any) -> QuerySet[OrgUnit]:
    """Units the viewer may enter figures for: all, or the subtree of the units they manage."""
    units = OrgUnit.objects.unrestricted().order_by("path")
    if visibility.can(viewer, ManualActual, visibility.CHANGE):
        return units
    if not getattr(viewer, "is_authenticated", False):
        return units.none()
    return units.filter(pk__in=visibility.managed_subtree(viewer))


def manual_actuals(
    *,
    viewer: Any,
    metric: str,
    date_from: dt.date,
    date_to: dt.date,
    group_by: Sequence[str],
    filters: dict[str, Any] | None = None,
) -> dict[tuple, int]:
    """``{(dimension values…): hundredths}`` of a manual ``metric`` between two months."""
    if metric not in MANUAL_METRICS:
        return {}
    filters = _check_filters(filters)
    cells: dict[Cell, list[int]] = defaultdict(list)
    if metric == Metric.NEW_CUSTOMERS:
        counted = new_customer_counts(
            viewer=viewer,
            date_from=date_from,
            date_to=date_to,
            group_by=("salesperson", "month"),
            filters={"salesperson": filters["salesperson"]} if "salesperson" in filters else None,
        )
        for (person_id, month), value in counted.items():
            cells[(person_id, None, None, month)] = [value]
    if metric == Metric.EXPENSE_BUDGET and "category" not in filters:
        from salescope.expenses.queries import approved_spend

        spent = approved_spend(
            viewer=viewer, date_from=date_from, date_to=date_to, person=filters.get("salesperson")
        )
        for (person_id, month), value in spent.items():
            cells[(person_id, None, None, month)] = [value]
    entered = _entered(viewer, metric, date_from, date_to, filters)
    for cell, value in entered.items():
        cells[cell] = [value]  # entered by hand replaces a count (or records) for the same cell
    return _group(cells, group_by, additive=METRICS[metric].additive, filters=filters)


def new_customer_counts(
    *,
    viewer: Any,
    date_from: dt.date,
    date_to: dt.date,
    group_by: Sequence[str] = ("salesperson", "month"),
    filters: dict[str, Any] | None = None,
) -> dict[tuple, int]:
    """Customers created per owner and month (local time), in hundredths (one = 100), among
    the customers the viewer may see; soft-deleted and merged-away duplicates do not count."""
    from salescope.customers.models import Customer

    filters = _check_filters(filters)
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(month_start(date_from), dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(month_end(month_start(date_to)), dt.time.max, tzinfo=zone)
    rows = visibility.visible(Customer.live.all(), viewer=viewer).filter(
        created_at__gte=start, created_at__lte=end, merged_into__isnull=True
    )
    if filters.get("salesperson"):
        rows = rows.filter(owner_id=filters["salesperson"])
    cells: dict[Cell, list[int]] = defaultdict(lambda: [0])
    for owner_id, created_at in rows.values_list("owner_id", "created_at").order_by():
        month = timezone.localtime(created_at, zone).date().replace(day=1)
        cells[(owner_id, None, None, month)][0] += 100
    return _group(cells, group_by, additive=True, filters=filters)


def _check_filters(filters: dict[str, Any] | None) -> dict[str, Any]:
    filters = {
        k: v for k, v in (filters or {}).items() if v is not None and k not in IGNORED_FILTERS
    }
    unknown = set(filters) - FILTERS
    if unknown:
        raise ValidationFailed(
            fields={"filters": [f"unknown filter: {', '.join(sorted(unknown))}"]}
        )
    return filters


def _entered(
    viewer: Any, metric: str, date_from: dt.date, date_to: dt.date, filters: dict[str, Any]
) -> dict[Cell, int]:
    rows = visibility.visible(ManualActual.objects.all(), viewer=viewer).filter(
        metric=metric, month__gte=month_start(date_from), month__lte=month_start(date_to)
    )
    if filters.get("salesperson"):
        rows = rows.filter(person_id=filters["salesperson"])
    if filters.get("category"):
        from salescope.catalog.models import Category

        top = (
            Category.objects.unrestricted()
            .filter(pk=filters["category"])
            .values_list("path", flat=True)
        )
        path = top.first()
        rows = rows.filter(category__path__startswith=path) if path else rows.none()
    values = rows.values_list("person_id", "unit_id", "category_id", "month", "value").order_by()
    return {(p, u, c, m): v for p, u, c, m, v in values}


class _Org:
    """Units and people's units, loaded once per call (the org tree is small)."""

    def __init__(self, person_ids: Iterable[int]) -> None:
        self.units = {u.pk: u for u in OrgUnit.objects.unrestricted().only("pk", "path", "kind")}
        self.by_path = {u.path: u for u in self.units.values()}
        people = (
            # visibility: only the units of people whose figures the viewer already sees
            User.objects.unrestricted().filter(pk__in=set(person_ids)).values_list("pk", "unit_id")
        )
        self.person_unit = dict(people)

    def unit_of(self, person_id: int | None, unit_id: int | None) -> int | None:
        return unit_id if unit_id is not None else self.person_unit.get(person_id or 0)

    def region_of(self, unit_id: int | None) -> int | None:
        unit = self.units.get(unit_id or 0)
        if unit is None:
            return None
        for end in range(len(unit.path), 0, -1):
            above = self.by_path.get(unit.path[:end])
            if above is not None and above.kind == UnitKind.REGION:
                return above.pk
        return None

    def within(self, unit_id: int | None, top_id: Any) -> bool:
        unit, top = self.units.get(unit_id or 0), self.units.get(int(top_id))
        return unit is not None and top is not None and unit.path.startswith(top.path)


def _group(
    cells: dict[Cell, list[int]],
    group_by: Sequence[str],
    *,
    additive: bool,
    filters: dict[str, Any],
) -> dict[tuple, int]:
    needs_org = {"unit", "region"} & set(group_by) or {"unit", "region"} & set(filters)
    org = _Org(p for p, _u, _c, _m in cells if p is not None) if needs_org else None
    groups: dict[tuple, list[int]] = defaultdict(list)
    for (person_id, unit_id, category_id, month), values in cells.items():
        unit = org.unit_of(person_id, unit_id) if org else unit_id
        if org and not all(
            org.within(unit, filters[f]) for f in ("unit", "region") if f in filters
        ):
            continue
        coordinates = {
            "month": month,
            "salesperson": person_id,
            "unit": unit,
            "region": org.region_of(unit) if org and "region" in group_by else None,
            "category": category_id,
        }
        groups[tuple(coordinates.get(d) for d in group_by)].extend(values)
    folded = {key: rules.fold(values, additive=additive) for key, values in groups.items()}
    # A group holds at least one figure (each cell is one value), so none folds to None.
    return {key: value for key, value in folded.items() if value is not None}


# --- writes -------------------------------------------------------------------------------


def parse_value(metric: str, raw: Any) -> int:
    """A figure as typed (``"12.5"``, ``3``, ``Decimal("1234.56")``) → hundredths, validated
    for the metric: counts are whole, percentages within 0–100, nothing negative."""
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(fields={"value": [_("Enter a number.")]}) from None
    if not value.is_finite():
        raise ValidationFailed(fields={"value": [_("Enter a number.")]})
    if value < 0:
        raise ValidationFailed(fields={"value": [_("The figure cannot be negative.")]})
    if value != value.quantize(Decimal("0.01")):
        raise ValidationFailed(fields={"value": [_("Use at most two decimal places.")]})
    info = METRICS.get(metric)
    if info is not None and info.unit == Unit.COUNT and value != value.to_integral_value():
        raise ValidationFailed(fields={"value": [_("A count is a whole number.")]})
    if info is not None and info.most is not None and value * 100 > info.most:
        raise ValidationFailed(fields={"value": [_("A percentage is at most 100.")]})
    if value >= Decimal(10) ** 15:
        raise ValidationFailed(fields={"value": [_("The figure is too large.")]})
    return int(value * 100)


def display_value(actual: ManualActual) -> Decimal:
    """The stored hundredths as the number a person typed."""
    return actual.display


def may_change(*, viewer: Any, actual: ManualActual) -> bool:
    """Whether visibility lets the viewer change this figure (the page shows the form)."""
    return visibility.visible(
        ManualActual.objects.filter(pk=actual.pk), viewer=viewer, action=visibility.CHANGE
    ).exists()


def history(actual: ManualActual) -> QuerySet:
    """The audit entries of one figure, newest first."""
    return audit.history(actual)


def resolve_cell(
    *,
    viewer: Any,
    person_id: int | None = None,
    unit_id: int | None = None,
    category_id: int | None = None,
) -> dict[str, Any]:
    """The person, unit and category of a cell by id, each as the viewer may see it (404
    otherwise, the same as a missing id)."""
    from salescope.catalog.models import Category

    refs: dict[str, Any] = {}
    if person_id is not None:
        refs["person"] = visibility.get_visible(User.objects.all(), viewer=viewer, pk=person_id)
    if unit_id is not None:
        refs["unit"] = visibility.get_visible(OrgUnit.objects.all(), viewer=viewer, pk=unit_id)
    if category_id is not None:
        refs["category"] = visibility.get_visible(
            Category.objects.all(), viewer=viewer, pk=category_id
        )
    return refs


def manual_totals_for_api(
    *, viewer: Any, metric: str, date_from: dt.date, date_to: dt.date, group_by: Sequence[str]
) -> list[tuple[tuple, int]]:
    """:func:`manual_actuals` as sorted ``(key, hundredths)`` pairs, dimensions checked."""
    unknown = [d for d in group_by if d not in DIMENSIONS]
    if unknown or not group_by:
        raise ValidationFailed(
            fields={"group_by": [_("Group by month, salesperson, unit, region or category.")]}
        )
    if date_to < date_from:
        raise ValidationFailed(fields={"date_to": [_("The end comes before the start.")]})
    rows = manual_actuals(
        viewer=viewer, metric=metric, date_from=date_from, date_to=date_to, group_by=group_by
    )
    return sorted(rows.items(), key=lambda item: tuple((v is None, str(v)) for v in item[0]))
