"""Expense reads, always as a viewer (``org.visibility``): records, claims, receipts, the
approvals inbox, approved spending, budget vs spend, expense-to-sales and cost per visit."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from salescope.core.money import from_fen
from salescope.core.ownership import SALES_WIDE
from salescope.core.periods import month_start, months_between
from salescope.core.roles import Role, viewer_roles
from salescope.expenses import rules
from salescope.expenses.budgets import budget_cells
from salescope.expenses.choices import SPENT, ClaimStatus
from salescope.expenses.models import Claim, Expense, ExpenseCategory, Receipt, SpendRollup
from salescope.org.models import OrgUnit, User
from salescope.org.visibility import VIEW, get_visible, names_of, visible

# --- records, claims, receipts ---------------------------------------------------------------


def list_expenses(
    *, viewer: Any, person: int | None = None, unclaimed: bool = False, claim: Any = None
) -> QuerySet[Expense]:
    rows = visible(Expense.objects.all(), viewer=viewer)
    if person:
        rows = rows.filter(person_id=person)
    if unclaimed:
        rows = rows.filter(claim__isnull=True)
    if claim is not None:
        rows = rows.filter(claim=claim)
    return rows.select_related("category", "customer", "person", "claim")


def spent_records(*, viewer: Any, person: int, month: dt.date) -> QuerySet[Expense]:
    """The records behind ``approved_spend`` for one person and month: those of claims finance
    approved (approved or paid), by the month they were spent in."""
    return list_expenses(viewer=viewer, person=person).filter(
        month=month_start(month), claim__status__in=SPENT
    )


def my_unclaimed(*, viewer: Any) -> QuerySet[Expense]:
    return list_expenses(viewer=viewer, person=getattr(viewer, "pk", None) or -1, unclaimed=True)


def get_expense(*, viewer: Any, pk: Any, action: str = VIEW) -> Expense:
    return get_visible(Expense.objects.all(), viewer=viewer, pk=pk, action=action)


def list_claims(*, viewer: Any, mine: bool = False, status: str = "") -> QuerySet[Claim]:
    rows = visible(Claim.objects.all(), viewer=viewer)
    if mine:
        rows = rows.filter(claimant_id=getattr(viewer, "pk", None) or -1)
    if status in ClaimStatus.values:
        rows = rows.filter(status=status)
    return rows.select_related("claimant", "unit")


def get_claim(*, viewer: Any, pk: Any, action: str = VIEW) -> Claim:
    return get_visible(Claim.objects.all(), viewer=viewer, pk=pk, action=action)


def approvals_inbox(*, viewer: Any) -> QuerySet[Claim]:
    """Claims waiting for the viewer: submitted ones of the people they manage (managers and
    the company-wide roles), and those the managers approved (finance)."""
    roles = viewer_roles(viewer)
    waiting = []
    if roles & {str(Role.MANAGER), *(str(r) for r in SALES_WIDE)}:
        waiting.append(ClaimStatus.SUBMITTED)
    if roles & {str(Role.FINANCE), str(Role.ADMINISTRATOR)}:
        waiting.append(ClaimStatus.MANAGER_APPROVED)
    rows = visible(Claim.objects.all(), viewer=viewer).filter(status__in=waiting)
    rows = rows.exclude(claimant_id=getattr(viewer, "pk", None) or -1)
    return rows.select_related("claimant", "unit").order_by("submitted_at", "id")


def receipts_of(*, viewer: Any, expense: Expense) -> list[Receipt]:
    return list(visible(Receipt.objects.filter(expense=expense), viewer=viewer))


def get_receipt(*, viewer: Any, pk: Any) -> Receipt:
    """A receipt, to whoever may see its record (others get the missing page)."""
    return get_visible(Receipt.objects.all(), viewer=viewer, pk=pk)


def categories(*, viewer: Any, active_only: bool = True) -> QuerySet[ExpenseCategory]:
    rows = visible(ExpenseCategory.objects.all(), viewer=viewer)
    return rows.filter(active=True) if active_only else rows


def get_category(*, viewer: Any, pk: Any, action: str = VIEW) -> ExpenseCategory:
    return get_visible(ExpenseCategory.objects.all(), viewer=viewer, pk=pk, action=action)


def category_ref(*, viewer: Any, pk: Any) -> ExpenseCategory | None:
    return get_category(viewer=viewer, pk=pk) if pk else None


def customer_ref(*, viewer: Any, pk: Any) -> Any:
    from salescope.customers.models import Customer

    return Customer.objects.get_visible(viewer, pk) if pk else None


def visit_ref(*, viewer: Any, pk: Any) -> Any:
    from salescope.activities.models import Visit

    return Visit.objects.get_visible(viewer, pk) if pk else None


def opportunity_ref(*, viewer: Any, pk: Any) -> Any:
    from salescope.pipeline.models import Opportunity

    return Opportunity.objects.get_visible(viewer, pk) if pk else None


def visit_choices(*, viewer: Any, days: int = 90) -> QuerySet:
    """The viewer's own visits of the last ``days`` days, to link an expense to."""
    from salescope.activities.models import Visit

    since = timezone.localdate() - dt.timedelta(days=days)
    return (
        visible(Visit.objects.all(), viewer=viewer)
        .filter(owner_id=getattr(viewer, "pk", None) or -1, planned_date__gte=since)
        .select_related("customer")
        .order_by("-planned_date", "-id")
    )


def customer_choices(*, viewer: Any) -> QuerySet:
    from salescope.customers.models import Customer

    return Customer.objects.visible_to(viewer, VIEW).order_by("name")


# --- approved spending -----------------------------------------------------------------------


def as_text(field: str) -> Any:
    """A date column selected as ISO text: SQLite's driver otherwise parses each date value
    through Django's converter, per row (see ``rules.as_date``)."""
    from django.db.models import CharField
    from django.db.models.functions import Cast

    return Cast(field, output_field=CharField())


def plain_rows(queryset: Any) -> list[tuple]:
    """The rows of a ``values_list`` queryset straight from the cursor: the same SQL (filters,
    visibility) without the ORM's per-row converters (a third of a 6,000-row report on
    SQLite, bench/bench_expenses.py). A queryset that can match nothing gives no rows."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def approved_spend(
    *, viewer: Any, date_from: dt.date, date_to: dt.date, person: Any = None
) -> dict[tuple[int, dt.date], int]:
    """``{(person_id, month): fen}`` of the records finance approved (approved or paid
    claims), by the month they were spent in, as the viewer may see them."""
    rows = visible(SpendRollup.objects.all(), viewer=viewer).filter(
        month__gte=month_start(date_from), month__lte=month_start(date_to)
    )
    if person:
        rows = rows.filter(person_id=person)
    rows = rows.annotate(month_text=as_text("month"))
    found = plain_rows(rows.values_list("person_id", "month_text", "amount_fen").order_by())
    dates = {text: rules.as_date(text) for text in {text for _p, text, _f in found}}
    # (person, month) is the rollup's key: one row each.
    return {(person_id, dates[text]): int(fen) for person_id, text, fen in found if fen}


# --- budget vs spend -------------------------------------------------------------------------


@dataclass(slots=True)
class MonthFigures:
    month: dt.date
    budget: int | None  # fen; None: no budget for this month
    spend: int

    @property
    def over(self) -> bool:
        return self.budget is not None and self.spend > self.budget

    @property
    def budget_amount(self) -> Decimal | None:
        return None if self.budget is None else from_fen(self.budget)

    @property
    def spend_amount(self) -> Decimal:
        return from_fen(self.spend)


@dataclass
class BudgetRow:
    key: int
    label: str
    months: list[MonthFigures] = field(default_factory=list)

    @property
    def budget(self) -> int:
        return sum(m.budget or 0 for m in self.months)

    @property
    def spend(self) -> int:
        return sum(m.spend for m in self.months)

    @property
    def used(self) -> Decimal | None:
        return rules.percent(self.spend, self.budget)

    @property
    def over(self) -> bool:
        return any(m.over for m in self.months) or (self.budget > 0 and self.spend > self.budget)

    @property
    def budget_amount(self) -> Decimal:
        return from_fen(self.budget)

    @property
    def spend_amount(self) -> Decimal:
        return from_fen(self.spend)


@dataclass
class BudgetReport:
    by: str
    months: list[dt.date]
    rows: list[BudgetRow]


class _Units:
    """The org tree, loaded once (it is small): each unit's path, people's current units."""

    def __init__(self) -> None:
        self.units = {u.pk: u for u in OrgUnit.objects.unrestricted().only("pk", "path", "name")}

    def people_units(self, ids: set[int]) -> dict[int, int | None]:
        # visibility: the units of people whose figures the viewer already sees
        return dict(User.objects.unrestricted().filter(pk__in=ids).values_list("pk", "unit_id"))

    def holders_of(self, unit_id: int | None, holders: set[int]) -> list[int]:
        """The holder units at or above ``unit_id``."""
        unit = self.units.get(unit_id or 0)
        if unit is None:
            return []
        return [h for h in holders if h in self.units and unit.path.startswith(self.units[h].path)]


def budget_vs_spend(
    *, viewer: Any, date_from: dt.date, date_to: dt.date, by: str = "person"
) -> BudgetReport:
    """Budget and approved spending per person (``by="person"``) or per unit with a budget
    (``by="unit"``: its spending is its people's, wherever below it they are now), per month."""
    months = months_between(month_start(date_from), month_start(date_to))
    spend = approved_spend(viewer=viewer, date_from=date_from, date_to=date_to)
    cells = budget_cells(viewer=viewer, date_from=months[0], date_to=date_to)
    if by == "unit":
        holder_cells = [(c.unit_id, c.start, c.end, c.fen) for c in cells if c.unit_id]
        holders = {c[0] for c in holder_cells}
        tree = _Units()
        person_unit = tree.people_units({p for p, _m in spend})
        spent: dict[tuple[int, dt.date], int] = defaultdict(int)
        for (person_id, month), fen in spend.items():
            for holder in tree.holders_of(person_unit.get(person_id), holders):
                spent[(holder, month)] += fen
        labels = {pk: tree.units[pk].name for pk in holders if pk in tree.units}
    else:
        holder_cells = [(c.person_id, c.start, c.end, c.fen) for c in cells if c.person_id]
        holders = {c[0] for c in holder_cells} | {p for p, _m in spend}
        spent = defaultdict(int, spend)
        labels = dict(names_of(User, holders, "full_name"))
    budgets = rules.monthly_budgets(holder_cells, months)
    rows = [
        BudgetRow(
            key=holder,
            label=labels.get(holder, str(holder)),
            months=[
                MonthFigures(m, budgets.get((holder, m)), spent.get((holder, m), 0)) for m in months
            ],
        )
        for holder in holders
    ]
    rows.sort(key=lambda r: (r.label, r.key))
    return BudgetReport(by=by, months=months, rows=rows)


# --- ratios ----------------------------------------------------------------------------------


@dataclass
class RatioRow:
    key: int
    label: str
    spend: int  # fen, approved
    sales: int  # fen, sell-in
    visits: int  # visits done
    visit_spend: int  # fen, approved records linked to a visit

    @property
    def spend_amount(self) -> Decimal:
        return from_fen(self.spend)

    @property
    def sales_amount(self) -> Decimal:
        return from_fen(self.sales)

    @property
    def ratio(self) -> Decimal | None:
        """Spending as a percentage of sales (费用率)."""
        return rules.percent(self.spend, self.sales)

    @property
    def cost_per_visit(self) -> Decimal | None:
        value = rules.per_item(self.visit_spend, self.visits)
        return None if value is None else from_fen(value)


def _sales_by_person(viewer: Any, date_from: dt.date, date_to: dt.date) -> dict[int, int]:
    from salescope.ledger.queries import rollup_queryset

    qs = rollup_queryset(
        viewer=viewer, date_from=date_from, date_to=date_to, group_by=["salesperson"], filters={}
    )
    rows = qs.values_list("salesperson_id").annotate(total=Sum("amount_fen")).order_by()
    return {pk: int(total or 0) for pk, total in rows if pk is not None}


def _visits_by_person(viewer: Any, date_from: dt.date, date_to: dt.date) -> dict[int, int]:
    from salescope.activities.choices import VisitStatus
    from salescope.activities.models import Visit

    rows = (
        visible(Visit.objects.all(), viewer=viewer)
        .filter(status=VisitStatus.DONE, planned_date__gte=date_from, planned_date__lte=date_to)
        .values_list("owner_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


def _visit_spend(viewer: Any, date_from: dt.date, date_to: dt.date) -> dict[int, int]:
    rows = (
        visible(Expense.objects.all(), viewer=viewer)
        .filter(
            visit__isnull=False,
            claim__status__in=list(SPENT),
            month__gte=month_start(date_from),
            month__lte=month_start(date_to),
        )
        .values_list("person_id")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    return {pk: int(total or 0) for pk, total in rows}


def expense_ratios(
    *, viewer: Any, date_from: dt.date, date_to: dt.date, by: str = "person"
) -> list[RatioRow]:
    """Per person (or per unit: its current people's), approved spending against sell-in sales
    (expense-to-sales ratio), and the spending linked to visits per visit done."""
    date_from, date_to = month_start(date_from), date_to
    spend: dict[int, int] = defaultdict(int)
    for (person_id, _month), fen in approved_spend(
        viewer=viewer, date_from=date_from, date_to=date_to
    ).items():
        spend[person_id] += fen
    sales = _sales_by_person(viewer, date_from, date_to)
    visits = _visits_by_person(viewer, date_from, date_to)
    visit_spend = _visit_spend(viewer, date_from, date_to)
    people = set(spend) | set(visit_spend)
    if by == "unit":
        tree = _Units()
        everyone = people | set(sales) | set(visits)
        person_unit = tree.people_units(everyone)
        totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for person_id in everyone:
            unit = person_unit.get(person_id)
            if unit is None:
                continue
            figures = totals[unit]
            figures[0] += spend.get(person_id, 0)
            figures[1] += sales.get(person_id, 0)
            figures[2] += visits.get(person_id, 0)
            figures[3] += visit_spend.get(person_id, 0)
        rows = [
            RatioRow(u, tree.units[u].name if u in tree.units else str(u), *figures)
            for u, figures in totals.items()
            if figures[0] or figures[3]
        ]
    else:
        labels = dict(names_of(User, people, "full_name"))
        rows = [
            RatioRow(
                p,
                labels.get(p, str(p)),
                spend.get(p, 0),
                sales.get(p, 0),
                visits.get(p, 0),
                visit_spend.get(p, 0),
            )
            for p in people
        ]
    rows.sort(key=lambda r: (r.label, r.key))
    return rows
