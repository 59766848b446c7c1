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
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    Max,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.utils import timezone

from salescope.activities.choices import VisitStatus
from salescope.activities.models import Visit
from salescope.analytics.actuals import actual_totals
from salescope.analytics.targets import target_variance
from salescope.core.calendar import holidays_and_workdays
from salescope.core.errors import ValidationFailed
from salescope.core.periods import add_months, month_end, month_start
from salescope.customers.models import Customer
from salescope.ledger.choices import LineKind, OrderStatus
from salescope.ledger.models import Collection, CustomerRollup, Order, SalesLine
from salescope.org.models import OrgUnit, User
from salescope.org.visibility import visible
from salescope.performance import rules
from salescope.performance.choices import ItemKind, ScorecardStatus
from salescope.performance.models import (
    ImprovementGoal,
    ImprovementPlan,
    Rating,
    RatingCriterion,
    Scorecard,
    ScorecardTemplate,
)
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


def last_month() -> dt.date:
    return add_months(month_start(timezone.localdate()), -1)


def next_month() -> dt.date:
    """The first month a template published today can apply to."""
    return add_months(month_start(timezone.localdate()), 1)


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


class Microseconds(Func):
    """SQLite: microseconds from the second datetime to the first, in SQL integers (exact,
    as Django's own difference). Django computes a datetime difference on SQLite with a
    Python function called per row — parsing two strings for each of a month's 33k visits."""

    arity = 2
    output_field = BigIntegerField()

    def as_sql(  # noqa: ARG002 - one form, on SQLite only
        self, compiler: Any, connection: Any, *args: Any, **extra: Any
    ) -> Any:
        (end, end_params), (start, start_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        # Django stores a datetime on SQLite as text, "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC.
        sql = (
            f"((CAST(strftime('%%s', {end}) AS INTEGER) - CAST(strftime('%%s', {start}) AS "
            f"INTEGER)) * 1000000 + CAST(substr({end}, 21, 6) AS INTEGER) - "
            f"CAST(substr({start}, 21, 6) AS INTEGER))"
        )
        return sql, (*end_params, *start_params, *end_params, *start_params)


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

    duration: Any = ExpressionWrapper(
        F("checked_out_at") - F("checked_in_at"), output_field=DurationField()
    )
    if connection.vendor == "sqlite":
        duration = Microseconds(F("checked_out_at"), F("checked_in_at"))
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
            if isinstance(spent, int):  # SQLite: microseconds
                spent = dt.timedelta(microseconds=spent)
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
    for pid, active, lost in customer_counts(viewer=viewer, month=month):
        if pid in ids:
            values[pid]["active_customers"] = int(active or 0)
            values[pid]["lost_customers"] = int(lost or 0)
    return {pid: rules.Facts(**values.get(pid, {})) for pid in ids}


def customer_counts(*, viewer: Any, month: dt.date) -> list[tuple[int, int, int]]:
    """``(salesperson, active customers, lost customers)`` of the month, in one grouped query:
    a customer is active for a salesperson with a sell-in line of the month, lost when he had
    one the month before and none this month. Read from the customer rollup (month ×
    salesperson × customer, kept equal to the lines), only the two months' rows, by its month
    index; the pairs are counted in the database, not shipped to Python."""
    before = add_months(month, -1)
    pairs = (
        visible(
            CustomerRollup.objects.filter(month__in=[before, month], kind=LineKind.SELL_IN),
            viewer=viewer,
        )
        .values("salesperson_id", "customer_id")
        .annotate(
            now=Max(Case(When(month=month, then=1), default=0)),
            was=Max(Case(When(month=before, then=1), default=0)),
        )
        .order_by()
    )
    try:
        sql, params = pairs.query.sql_with_params()
    except EmptyResultSet:  # a viewer who may see nothing
        return []
    q = connection.ops.quote_name
    statement = (
        f"SELECT p.{q('salesperson_id')}, SUM(p.{q('now')}), "  # noqa: S608 - our own SQL
        f"SUM(CASE WHEN p.{q('now')} = 0 THEN 1 ELSE 0 END) "
        f"FROM ({sql}) p WHERE p.{q('salesperson_id')} IS NOT NULL "
        f"GROUP BY p.{q('salesperson_id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


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
        .order_by("unit__path", "username")
        .values_list("pk", "username", "full_name", "unit_id", "unit__name")
    )
    ids = {p[0] for p in people}
    facts = person_facts(viewer=viewer, month=month, ids=ids)
    metrics, targets = attainment(viewer=viewer, month=month, ids=ids)
    days = working_days(month)
    rows: list[KpiRow] = []
    if group_by == "salesperson":
        for pk, username, full_name, _unit_id, unit_name in people:
            row = KpiRow(
                key=pk,
                label=full_name or username,
                unit_label=unit_name or "",
                facts=facts[pk],
                people=1,
            )
            row.attainment = {m: _percent(targets[pk].get(m)) for m in metrics}
            rows.append(row)
    else:
        units: dict[int | None, KpiRow] = {}
        sums: dict[int | None, dict[str, tuple[int, int]]] = defaultdict(dict)
        for pk, _username, _full_name, unit_id, unit_name in people:
            row = units.setdefault(unit_id, KpiRow(key=unit_id, label=unit_name or "—"))
            row.facts = row.facts + facts[pk]
            row.people += 1
            for m, (t, a) in targets[pk].items():
                t0, a0 = sums[unit_id].get(m, (0, 0))
                sums[unit_id][m] = (t0 + t, a0 + a)
        for key, row in units.items():
            row.attainment = {m: _percent(sums[key].get(m)) for m in metrics}
            rows.append(row)
    for row in rows:
        row.values = rules.kpi_values(row.facts, days)
    total = KpiRow(key=None, label="Σ", people=len(people), facts=rules.total(facts.values()))
    total_targets: dict[str, tuple[int, int]] = {}
    for pid in ids:
        for m, (t, a) in targets[pid].items():
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


# ---- scorecards, ratings, improvement plans, leaderboards (G3, G4) -----------------------


def list_scorecards(
    *, viewer: Any, month: dt.date | None = None, unit: OrgUnit | None = None
) -> QuerySet[Scorecard]:
    """The scorecards the viewer may see: their own, their people's (managers), all
    (company-wide roles)."""
    cards = Scorecard.objects.visible_to(viewer).select_related("person", "unit", "template")
    if month is not None:
        cards = cards.filter(month=month_start(month))
    if unit is not None:
        cards = cards.filter(unit__path__startswith=unit.path)
    return cards.order_by("-month", "unit__path", "rank", "pk")


def get_scorecard(*, viewer: Any, pk: Any, action: str = "view") -> Scorecard:
    return Scorecard.objects.get_visible(viewer, pk, action=action)


def scorecard_lines(card: Scorecard) -> list[dict[str, Any]]:
    """The scorecard's lines with their labels and formulas, for the page."""
    names = dict(RatingCriterion.objects.visible_to(card.person).values_list("code", "name"))
    out = []
    for line in card.lines:
        kind, code = line["kind"], line["code"]
        if kind == ItemKind.KPI and code in rules.KPIS:
            label, formula = rules.KPIS[code].label, rules.KPIS[code].formula
        elif kind == ItemKind.ATTAINMENT:
            label, formula = Metric(code).label, ""
        else:
            label, formula = names.get(code, code), ""
        out.append({**line, "label": label, "formula": formula, "kind_label": ItemKind(kind).label})
    return out


def ratings_of(*, viewer: Any, person: User, month: dt.date) -> QuerySet[Rating]:
    return (
        Rating.objects.visible_to(viewer)
        .filter(person=person, month=month_start(month))
        .select_related("criterion", "rater")
    )


def criteria(*, viewer: Any) -> QuerySet[RatingCriterion]:
    return RatingCriterion.objects.visible_to(viewer).filter(active=True)


def criterion_ref(*, viewer: Any, code: str) -> RatingCriterion:
    found = RatingCriterion.objects.visible_to(viewer).filter(code=code).first()
    if found is None:
        raise ValidationFailed(fields={"criterion": [code]})
    return found


def templates(*, viewer: Any) -> QuerySet[ScorecardTemplate]:
    return ScorecardTemplate.objects.visible_to(viewer).prefetch_related("items")


def get_template(*, viewer: Any, pk: Any, action: str = "view") -> ScorecardTemplate:
    return ScorecardTemplate.objects.get_visible(viewer, pk, action=action)


def improvement_plans(*, viewer: Any) -> QuerySet[ImprovementPlan]:
    return (
        ImprovementPlan.objects.visible_to(viewer)
        .select_related("person", "scorecard")
        .prefetch_related("goals")
    )


def get_goal(*, viewer: Any, pk: Any, action: str = "view") -> ImprovementGoal:
    return ImprovementGoal.objects.get_visible(viewer, pk, action=action)


SHOWN = (ScorecardStatus.PUBLISHED, ScorecardStatus.ACKNOWLEDGED, ScorecardStatus.APPEALED)


@dataclass
class LeaderRow:
    rank: int | None
    name: str
    total: Decimal
    rewarded: bool
    me: bool


def leaderboard(*, viewer: Any, month: dt.date, unit: OrgUnit | None = None) -> list[LeaderRow]:
    """The published scores of a unit's people for the month, best first: a salesperson sees
    his own team's (his unit), a manager any unit he may see. Only the rank, name, total and
    the reward mark are shown — not the facts behind them."""
    if unit is None:
        if viewer.unit_id is None:
            return []
        unit = OrgUnit.objects.get_visible(viewer, viewer.unit_id)
    own_team = unit.pk == viewer.unit_id
    if not own_team:
        unit = OrgUnit.objects.get_visible(viewer, unit.pk)
        if not User.objects.visible_to(viewer).filter(unit=unit).exclude(pk=viewer.pk).exists():
            return []
    # visibility: the team's published totals are shown to its members (G4 leaderboards); only
    # the rank, name and total leave this function.
    cards = Scorecard.objects.unrestricted().filter(
        month=month_start(month), unit=unit, status__in=SHOWN
    )
    return [
        LeaderRow(
            rank=c.rank,
            name=str(c.person),
            total=c.total,
            rewarded=c.rewarded,
            me=c.person_id == getattr(viewer, "pk", None),
        )
        for c in cards.select_related("person").order_by("rank", "person__username")
    ]
