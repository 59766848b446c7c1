"""The KPI library's formulas and the scorecards' scoring rules: pure maths, no ORM (G1–G4).

Facts arrive as integers (fen, seconds, counts) per person or unit and month; every ratio is
computed from the sums, so a unit's revenue per visit is its sales over its visits, never an
average of its people's ratios. Ratios are ``Decimal`` rounded half up: money to the fen,
counts and minutes to two places, percentages to two places.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
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


def total(rows: Iterable[Facts]) -> Facts:
    """The facts of many people summed, field by field."""
    names = [f.name for f in fields(Facts)]
    sums = dict.fromkeys(names, 0)
    for row in rows:
        for name in names:
            sums[name] += getattr(row, name)
    return Facts(**sums)


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


# ---- scoring (G4) -------------------------------------------------------------------------

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Rule:
    """How an item's value becomes a score (0 … ``cap``; 100 = on target).

    ``linear``: value ÷ target × 100 (inverted, target ÷ value × 100, when lower is better),
    never below 0; ``capped``: linear, at most ``cap``; ``threshold``: 0 below ``threshold``,
    else capped; ``bands``: the best score among the bands whose lower bound the value reaches
    (bands as ``[(lower bound, score), …]``; for lower-is-better, the bound is an upper one).
    Lower-is-better scores are always capped (a cost near zero would score without limit).
    """

    kind: str
    target: Decimal | None = None
    cap: int = 120
    threshold: Decimal | None = None
    bands: tuple[tuple[Decimal, Decimal], ...] = ()
    higher_is_better: bool = True


def _linear(value: Decimal, rule: Rule) -> Decimal:
    target = rule.target
    if target is None or target <= 0:
        return Decimal(0)
    if rule.higher_is_better:
        return max(Decimal(0), value / target * HUNDRED)
    if value <= 0:
        return Decimal(rule.cap)
    return target / value * HUNDRED


def score(value: Decimal | None, rule: Rule) -> Decimal:
    """The item's score, rounded half up to two places; no value (nothing to divide by) scores 0."""
    if value is None:
        return Decimal(0).quantize(CENT)
    value = Decimal(value)
    cap = Decimal(rule.cap)
    if rule.kind == "bands":
        reached = [
            Decimal(points)
            for bound, points in rule.bands
            if ((value >= bound) if rule.higher_is_better else (value <= bound))
        ]
        return min(max(reached, default=Decimal(0)), cap).quantize(CENT, rounding=ROUND_HALF_UP)
    raw = _linear(value, rule)
    if rule.kind == "linear" and rule.higher_is_better:
        return raw.quantize(CENT, rounding=ROUND_HALF_UP)
    if rule.kind == "threshold" and rule.threshold is not None:
        below = value < rule.threshold if rule.higher_is_better else value > rule.threshold
        if below:
            return Decimal(0).quantize(CENT)
    return min(raw, cap).quantize(CENT, rounding=ROUND_HALF_UP)


def check_weights(weights: Iterable[int]) -> bool:
    """Weights are whole percentages, each above 0, summing to 100."""
    weights = list(weights)
    return bool(weights) and all(w > 0 for w in weights) and sum(weights) == 100


def weighted_total(items: Iterable[tuple[int, Decimal]]) -> Decimal:
    """Σ weight × score ÷ 100, rounded half up to two places."""
    total = sum((Decimal(w) * s for w, s in items), Decimal(0))
    return (total / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def rating_score(points: int | None, scale_max: int) -> Decimal | None:
    """A rating on 1…scale_max as a score: points ÷ scale × 100 (no rating: no value)."""
    if points is None or scale_max <= 0:
        return None
    return (Decimal(points) / Decimal(scale_max) * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def rank(totals: dict[int, Decimal]) -> dict[int, int]:
    """Competition ranking (1, 1, 3) by total, highest first; ties share the better rank."""
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    ranks: dict[int, int] = {}
    previous: Decimal | None = None
    current = 0
    for position, (key, value) in enumerate(ordered, start=1):
        if value != previous:
            current, previous = position, value
        ranks[key] = current
    return ranks


def marks(
    ranks: dict[int, int], *, reward_top: int, improve_bottom: int
) -> tuple[set[int], set[int]]:
    """Who is marked for reward (rank within the top ``reward_top``) and who gets an
    improvement plan (the ``improve_bottom`` lowest, never someone also rewarded; nobody in a
    unit of one)."""
    if len(ranks) < 2:
        return set(), set()
    top = {k for k, r in ranks.items() if r <= reward_top}
    worst_first = sorted(ranks, key=lambda k: (-ranks[k], k))
    bottom: set[int] = set()
    for key in worst_first:
        if len(bottom) >= improve_bottom:
            break
        if key not in top:
            bottom.add(key)
    return top, bottom
