"""Reads of the KPI library (G1, G2), scorecards and leaderboards — always as a viewer.

KPI facts are read set-based: one grouped query per source for every person at once (rollups
for sales and profit, collections, visits, orders, the month's and last month's
customer × salesperson pairs, analytics' actuals for new customers and expense), each narrowed
by the viewer's visibility, then joined in Python by person id. A unit's figures are its
people's facts summed, and its ratios computed from those sums (``rules.kpi_values``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum

from salescope.activities.choices import VisitStatus
from salescope.activities.models import Visit
from salescope.analytics.actuals import actual_totals
from salescope.analytics.targets import target_variance
from salescope.core.calendar import holidays_and_workdays
from salescope.core.errors import ValidationFailed
from salescope.core.periods import add_months, month_end, month_start
from salescope.customers.models import Customer
from salescope.ledger.choices import LineKind, OrderStatus
from salescope.ledger.models import Collection, Order, SalesLine
from salescope.org.models import OrgUnit, User
from salescope.org.visibility import visible
from salescope.performance import rules
from salescope.plans.choices import Metric, PlanStatus
from salescope.plans.models import Plan, Target

GROUPS = ("salesperson", "unit")
ATTAINMENT_METRICS = (
    Metric.SALES_AMOUNT,
    Metric.GROSS_PROFIT,
    Metric.COLLECTIONS,
    Metric.NEW_CUSTOMERS,
    Metric.QUANTITY,
)


def parse_period(raw: str | dt.date | None) -> dt.date:
    """``2026-11`` (or any day of it) → the month's first day."""
    if isinstance(raw, dt.date):
        return month_start(raw)
    text = (raw or "").strip()
    try:
        if len(text) == 7:
            return dt.date.fromisoformat(text + "-01")
        return month_start(dt.date.fromisoformat(text))
    except ValueError:
        raise ValidationFailed(fields={"period": ["YYYY-MM"]}) from None


def people_in_scope(
    *, viewer: Any, unit: OrgUnit | None = None, person: User | None = None
) -> QuerySet[User]:
    """The people whose KPIs the viewer may read: themselves and those below them (or all, for
    company-wide roles), narrowed to a unit's subtree or one person."""
    people = User.objects.visible_to(viewer).filter(is_active=True)
    if unit is not None:
        people = people.filter(unit__path__startswith=unit.path)
    if person is not None:
        people = people.filter(pk=person.pk)
    return people


def _fen(value: Any) -> int:
    return int(value or 0)


def _window(month: dt.date) -> tuple[dt.date, dt.date]:
    return month, month_end(month)


def person_facts(*, viewer: Any, month: dt.date, ids: set[int]) -> dict[int, rules.Facts]:
    """Facts of the month for the people ``ids``, as ``viewer`` may see them: a handful of
    grouped queries whatever the number of people."""
    first, last = _window(month)
    values: dict[int, dict[str, int]] = defaultdict(dict)

    def put(name: str, rows: Any) -> None:
        for pid, value in rows:
            if pid in ids:
                values[pid][name] = values[pid].get(name, 0) + int(value or 0)

    sell_in = {"kind": LineKind.SELL_IN}
    for name, metric in (
        ("sales_fen", Metric.SALES_AMOUNT),
        ("gross_profit_fen", Metric.GROSS_PROFIT),
    ):
        sums = actual_totals(
            viewer=viewer,
            metric=metric,
            date_from=first,
            date_to=last,
            group_by=["salesperson"],
            filters=sell_in,
        )
        put(name, ((k[0], v) for k, v in sums.items()))
    collections = (
        visible(Collection.objects.filter(month=month), viewer=viewer)
        .values_list("owner_id")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    put("collections_fen", collections)
    for name, metric in (
        ("new_customers", Metric.NEW_CUSTOMERS),
        ("expense_fen", Metric.EXPENSE_BUDGET),
    ):
        sums = actual_totals(
            viewer=viewer, metric=metric, date_from=first, date_to=last, group_by=["salesperson"]
        )
        # New customers come in hundredths of a customer; expense in fen.
        scale = 100 if metric == Metric.NEW_CUSTOMERS else 1
        put(name, ((k[0], v // scale) for k, v in sums.items() if k[0] is not None))

    duration = ExpressionWrapper(
        F("checked_out_at") - F("checked_in_at"), output_field=DurationField()
    )
    timed = Q(checked_in_at__isnull=False, checked_out_at__isnull=False)
    visits = (
        visible(
            Visit.objects.filter(
                planned_date__gte=first, planned_date__lte=last, status=VisitStatus.DONE
            ),
            viewer=viewer,
        )
        .values("owner_id")
        .annotate(
            n=Count("id"),
            cost=Sum("cost_fen"),
            timed=Count("id", filter=timed),
            spent=Sum(duration, filter=timed),
        )
        .order_by()
    )
    for row in visits:
        pid = row["owner_id"]
        if pid in ids:
            spent = row["spent"]
            values[pid].update(
                visits=row["n"],
                visit_cost_fen=_fen(row["cost"]),
                timed_visits=row["timed"],
                visit_seconds=int(spent.total_seconds()) if spent else 0,
            )
    orders = (
        visible(Order.objects.filter(date__gte=first, date__lte=last), viewer=viewer)
        .exclude(status=OrderStatus.CANCELLED)
        .values_list("owner_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    put("orders", orders)
    now_pairs = _pairs(viewer=viewer, month=month)
    before_pairs = _pairs(viewer=viewer, month=add_months(month, -1))
    put("active_customers", _count_by_person(now_pairs))
    put("lost_customers", _count_by_person(before_pairs - now_pairs))
    return {pid: rules.Facts(**values.get(pid, {})) for pid in ids}


def _pairs(*, viewer: Any, month: dt.date, person: User | None = None) -> set[tuple[int, int]]:
    """(salesperson, customer) pairs with a sell-in line in ``month``."""
    lines = SalesLine.objects.filter(month=month, kind=LineKind.SELL_IN)
    if person is not None:
        lines = lines.filter(salesperson=person)
    rows = (
        visible(lines, viewer=viewer)
        .values_list("salesperson_id", "customer_id")
        .distinct()
        .order_by()
    )
    return set(rows)


def _count_by_person(pairs: set[tuple[int, int]]) -> list[tuple[int, int]]:
    counts: dict[int, int] = defaultdict(int)
    for person_id, _customer in pairs:
        counts[person_id] += 1
    return list(counts.items())


def working_days(month: dt.date) -> int:
    holidays, workdays = holidays_and_workdays(month, month_end(month))
    return rules.working_days(month, holidays, workdays)


@dataclass
class KpiRow:
    key: int | None
    label: str
    unit_label: str = ""
    facts: rules.Facts = field(default_factory=rules.Facts)
    values: dict[str, Decimal | None] = field(default_factory=dict)
    attainment: dict[str, Decimal | None] = field(default_factory=dict)
    people: int = 0

    @property
    def cells(self) -> list[tuple[str, Decimal | None]]:
        return [(code, self.values.get(code)) for code in rules.KPIS]

    @property
    def attainment_cells(self) -> list[tuple[str, Decimal | None]]:
        return list(self.attainment.items())


@dataclass
class KpiReport:
    month: dt.date
    group_by: str
    work_days: int
    rows: list[KpiRow]
    total: KpiRow
    metrics: list[str]

    @property
    def kpis(self) -> list[rules.KpiInfo]:
        return list(rules.KPIS.values())

    @property
    def metric_labels(self) -> list[str]:
        return [str(Metric(m).label) for m in self.metrics]


def attainment(
    *, viewer: Any, month: dt.date, ids: set[int]
) -> tuple[list[str], dict[int, dict[str, tuple[int, int]]]]:
    """``{person: {metric: (target, actual)}}`` in hundredths for the month, from the approved
    plans covering it (analytics' target vs actual, by salesperson), and the metrics found."""
    plans = list(
        Plan.objects.visible_to(viewer).filter(
            status=PlanStatus.APPROVED, period_start__lte=month, period_end__gte=month
        )
    )
    found: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    metrics: list[str] = []
    for plan in plans:
        plan_metrics = set(
            Target.objects.visible_to(viewer)
            .filter(plan=plan, person__isnull=False)
            .values_list("metric", flat=True)
            .distinct()
        )
        for metric in ATTAINMENT_METRICS:
            if metric not in plan_metrics:
                continue
            report = target_variance(
                viewer=viewer,
                plan=plan,
                metric=metric,
                group_by=["salesperson"],
                as_of=month_end(month),
                filters={"month": month},
            )
            if metric not in metrics:
                metrics.append(metric)
            for row in report.rows:
                pid = row.keys.get("salesperson")
                if pid in ids:
                    target, actual = found[pid].get(metric, (0, 0))
                    found[pid][metric] = (target + row.target, actual + row.actual)
    return metrics, found


def _percent(pair: tuple[int, int] | None) -> Decimal | None:
    if pair is None:
        return None
    target, actual = pair
    return rules.ratio(actual * 100, target)


def kpi_report(
    *,
    viewer: Any,
    month: dt.date,
    group_by: str = "salesperson",
    unit: OrgUnit | None = None,
    person: User | None = None,
) -> KpiReport:
    """Every KPI for each person (or unit) the viewer may see, for one month."""
    if group_by not in GROUPS:
        raise ValidationFailed(fields={"group_by": [", ".join(GROUPS)]})
    month = month_start(month)
    people = list(
        people_in_scope(viewer=viewer, unit=unit, person=person)
        .select_related("unit")
        .order_by("unit__path", "username")
    )
    ids = {p.pk for p in people}
    facts = person_facts(viewer=viewer, month=month, ids=ids)
    metrics, targets = attainment(viewer=viewer, month=month, ids=ids)
    days = working_days(month)
    rows: list[KpiRow] = []
    if group_by == "salesperson":
        for p in people:
            row = KpiRow(
                key=p.pk,
                label=p.get_full_name() or p.username,
                unit_label=p.unit.name if p.unit else "",
                facts=facts[p.pk],
                people=1,
            )
            row.attainment = {m: _percent(targets[p.pk].get(m)) for m in metrics}
            rows.append(row)
    else:
        units: dict[int | None, KpiRow] = {}
        sums: dict[int | None, dict[str, tuple[int, int]]] = defaultdict(dict)
        for p in people:
            row = units.setdefault(
                p.unit_id, KpiRow(key=p.unit_id, label=p.unit.name if p.unit else "—")
            )
            row.facts = row.facts + facts[p.pk]
            row.people += 1
            for m, (t, a) in targets[p.pk].items():
                t0, a0 = sums[p.unit_id].get(m, (0, 0))
                sums[p.unit_id][m] = (t0 + t, a0 + a)
        for key, row in units.items():
            row.attainment = {m: _percent(sums[key].get(m)) for m in metrics}
            rows.append(row)
    for row in rows:
        row.values = rules.kpi_values(row.facts, days)
    total = KpiRow(key=None, label="Σ", people=len(people))
    total_targets: dict[str, tuple[int, int]] = {}
    for p in people:
        total = replace(total, facts=total.facts + facts[p.pk])
        for m, (t, a) in targets[p.pk].items():
            t0, a0 = total_targets.get(m, (0, 0))
            total_targets[m] = (t0 + t, a0 + a)
    total.values = rules.kpi_values(total.facts, days)
    total.attainment = {m: _percent(total_targets.get(m)) for m in metrics}
    return KpiReport(
        month=month, group_by=group_by, work_days=days, rows=rows, total=total, metrics=metrics
    )


def report_json(report: KpiReport) -> dict[str, Any]:
    def one(row: KpiRow) -> dict[str, Any]:
        return {
            "key": row.key,
            "label": row.label,
            "unit": row.unit_label,
            "people": row.people,
            "kpis": {k: None if v is None else str(v) for k, v in row.values.items()},
            "attainment": {k: None if v is None else str(v) for k, v in row.attainment.items()},
        }

    return {
        "period": report.month.strftime("%Y-%m"),
        "group_by": report.group_by,
        "working_days": report.work_days,
        "formulas": {k.code: str(k.formula) for k in report.kpis},
        "rows": [one(r) for r in report.rows],
        "total": one(report.total),
    }


# ---- drill-down: the facts behind a person's figure -------------------------------------


DRILL_SOURCES = {
    "sales": "lines",
    "gross_profit": "lines",
    "active_customers": "lines",
    "revenue_per_visit": "visits",
    "collections": "collections",
    "visits_per_day": "visits",
    "minutes_per_visit": "visits",
    "cost_per_visit": "visits",
    "orders_per_visit": "orders",
    "lost_customers": "lost",
    "new_customers": "new",
    "expense_ratio": "lines",
}


def drill(*, viewer: Any, person: User, month: dt.date, kpi: str) -> dict[str, Any]:
    """The rows a person's figure is computed from, as the viewer may see them (at most 200
    of each, with the totals over all of them)."""
    if kpi not in rules.KPIS:
        raise ValidationFailed(fields={"kpi": [", ".join(rules.KPIS)]})
    first, last = _window(month)
    source = DRILL_SOURCES[kpi]
    out: dict[str, Any] = {"kpi": rules.KPIS[kpi], "source": source}
    if source in {"visits"} or kpi in {"revenue_per_visit", "orders_per_visit"}:
        out["visits"] = (
            visible(Visit.objects.filter(owner=person), viewer=viewer)
            .filter(planned_date__gte=first, planned_date__lte=last, status=VisitStatus.DONE)
            .select_related("customer")
            .order_by("planned_date", "pk")[:200]
        )
    if source == "orders":
        out["orders"] = (
            visible(Order.objects.filter(owner=person), viewer=viewer)
            .filter(date__gte=first, date__lte=last)
            .exclude(status=OrderStatus.CANCELLED)
            .select_related("customer")
            .order_by("date", "pk")[:200]
        )
    if source == "collections":
        out["collections"] = (
            visible(Collection.objects.filter(owner=person), viewer=viewer)
            .filter(month=month)
            .select_related("customer")
            .order_by("date", "pk")[:200]
        )
    if source == "lines":
        out["lines"] = (
            visible(SalesLine.objects.filter(salesperson=person), viewer=viewer)
            .filter(month=month, kind=LineKind.SELL_IN)
            .select_related("customer")
            .order_by("date", "pk")[:200]
        )
    if source == "lost":
        now = {c for _p, c in _pairs(viewer=viewer, month=month, person=person)}
        before = {c for _p, c in _pairs(viewer=viewer, month=add_months(month, -1), person=person)}
        out["customers"] = Customer.objects.visible_to(viewer).filter(pk__in=before - now)
    if source == "new":
        out["customers"] = visible(Customer.live.all(), viewer=viewer).filter(
            owner=person, created_at__date__gte=first, created_at__date__lte=last
        )
    return out


def unit_ref(*, viewer: Any, pk: Any) -> OrgUnit | None:
    return OrgUnit.objects.get_visible(viewer, pk) if pk else None


def person_ref(*, viewer: Any, pk: Any) -> User | None:
    return User.objects.get_visible(viewer, pk) if pk else None


def drill_json(out: dict[str, Any]) -> dict[str, Any]:
    """The drill-down's rows as plain values (API and CLI)."""
    rows: list[dict[str, Any]] = []
    for visit in out.get("visits", []):
        rows.append(
            {
                "type": "visit",
                "id": visit.pk,
                "date": visit.planned_date.isoformat(),
                "customer": str(visit.customer),
                "cost": str(visit.cost),
                "minutes": None
                if not (visit.checked_in_at and visit.checked_out_at)
                else round((visit.checked_out_at - visit.checked_in_at).total_seconds() / 60, 2),
            }
        )
    for name in ("orders", "collections", "lines"):
        for record in out.get(name, []):
            rows.append(
                {
                    "type": name[:-1],
                    "id": record.pk,
                    "date": record.date.isoformat(),
                    "customer": str(record.customer),
                    "amount": str(record.amount),
                }
            )
    for customer in out.get("customers", []):
        rows.append({"type": "customer", "id": customer.pk, "customer": str(customer)})
    kpi = out["kpi"]
    return {"kpi": kpi.code, "formula": str(kpi.formula), "rows": rows}
