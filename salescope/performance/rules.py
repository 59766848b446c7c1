"""The KPI library's formulas and the scorecards' scoring rules: pure maths, no ORM (G1–G4).

Facts arrive as integers (fen, seconds, counts) per person or unit and month; every ratio is
computed from the sums, so a unit's revenue per visit is its sales over its visits, never an
average of its people's ratios. Ratios are ``Decimal`` rounded half up: money to the fen,
counts and minutes to two places, percentages to two places.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")


@dataclass(frozen=True)
class KpiInfo:
    code: str
    label: object  # lazy translation
    unit: str  # "money", "count", "ratio", "minutes", "percent"
    formula: object  # lazy translation: the formula as the page shows it
    kind: str  # "result" or "activity"
    higher_is_better: bool = True


KPIS: dict[str, KpiInfo] = {
    k.code: k
    for k in (
        KpiInfo(
            "sales",
            _("Sales amount"),
            "money",
            _("Σ amount of the person's sell-in sales lines dated in the month"),
            "result",
        ),
        KpiInfo(
            "collections",
            _("Collections"),
            "money",
            _("Σ collections (回款) received in the month on the person's customers"),
            "result",
        ),
        KpiInfo(
            "gross_profit",
            _("Gross profit"),
            "money",
            _("Σ (amount − cost) of the person's sell-in sales lines in the month"),
            "result",
        ),
        KpiInfo(
            "active_customers",
            _("Active customers"),
            "count",
            _("Customers with at least one sell-in line from the person in the month"),
            "result",
        ),
        KpiInfo(
            "visits_per_day",
            _("Visits per day"),
            "ratio",
            _("Completed visits ÷ working days of the month"),
            "activity",
        ),
        KpiInfo(
            "minutes_per_visit",
            _("Time per visit (minutes)"),
            "ratio",
            _("Σ (check-out − check-in) ÷ completed visits with both times"),
            "activity",
        ),
        KpiInfo(
            "revenue_per_visit",
            _("Revenue per visit"),
            "money",
            _("Sales amount ÷ completed visits"),
            "activity",
        ),
        KpiInfo(
            "cost_per_visit",
            _("Cost per visit"),
            "money",
            _("Σ cost recorded on completed visits ÷ completed visits"),
            "activity",
            higher_is_better=False,
        ),
        KpiInfo(
            "orders_per_visit",
            _("Orders per visit"),
            "ratio",
            _("Orders dated in the month (not cancelled) ÷ completed visits"),
            "activity",
        ),
        KpiInfo(
            "new_customers",
            _("New customers won"),
            "count",
            _("Customers created for the person in the month, or the figure entered by hand"),
            "activity",
        ),
        KpiInfo(
            "lost_customers",
            _("Old customers lost"),
            "count",
            _("Customers who bought from the person last month and bought nothing this month"),
            "activity",
            higher_is_better=False,
        ),
        KpiInfo(
            "expense_ratio",
            _("Expense-to-sales ratio (%)"),
            "percent",
            _("Expense actuals of the month ÷ sales amount × 100"),
            "activity",
            higher_is_better=False,
        ),
    )
}


@dataclass(frozen=True)
class Facts:
    """What a person (or a unit, summed) did in a month, in integers."""

    sales_fen: int = 0
    collections_fen: int = 0
    gross_profit_fen: int = 0
    active_customers: int = 0
    visits: int = 0
    timed_visits: int = 0
    visit_seconds: int = 0
    visit_cost_fen: int = 0
    orders: int = 0
    new_customers: int = 0
    lost_customers: int = 0
    expense_fen: int = 0

    def __add__(self, other: Facts) -> Facts:
        return Facts(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(Facts)}
        )


def ratio(
    numerator: int | Decimal, denominator: int | Decimal, quantum: Decimal = CENT
) -> Decimal | None:
    """``numerator / denominator`` rounded half up to ``quantum``; ``None`` when nothing to
    divide by (no visits: no cost per visit, rather than zero)."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(quantum, rounding=ROUND_HALF_UP)


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(CENT)


def working_days(month: dt.date, holidays: frozenset[dt.date], workdays: frozenset[dt.date]) -> int:
    """Monday–Friday of the month, minus public holidays, plus make-up working days (调休)."""
    day = month.replace(day=1)
    count = 0
    while day.month == month.month:
        if day in workdays or (day.weekday() < 5 and day not in holidays):
            count += 1
        day += dt.timedelta(days=1)
    return count


def kpi_values(facts: Facts, work_days: int) -> dict[str, Decimal | None]:
    """Every KPI of the library from one row of facts: money in yuan (to the fen)."""
    return {
        "sales": fen_to_yuan(facts.sales_fen),
        "collections": fen_to_yuan(facts.collections_fen),
        "gross_profit": fen_to_yuan(facts.gross_profit_fen),
        "active_customers": Decimal(facts.active_customers),
        "visits_per_day": ratio(facts.visits, work_days),
        "minutes_per_visit": ratio(facts.visit_seconds, facts.timed_visits * 60),
        "revenue_per_visit": ratio(facts.sales_fen, facts.visits * 100),
        "cost_per_visit": ratio(facts.visit_cost_fen, facts.visits * 100),
        "orders_per_visit": ratio(facts.orders, facts.visits),
        "new_customers": Decimal(facts.new_customers),
        "lost_customers": Decimal(facts.lost_customers),
        "expense_ratio": ratio(facts.expense_fen * 100, facts.sales_fen),
    }
