"""The pipeline's maths, pure (no ORM): the gate a stage sets, weights and forecast months,
when a deal is stuck, and the funnel, conversion, win rate and cycle of a set of deals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from salescope.core.money import from_fen

# Fields a stage may require, and how the gate tells that one is filled.
GATE_FIELDS = (
    "customer",
    "amount",
    "expected_close",
    "decision_maker",
    "competitor",
    "next_step",
)


def _filled(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, int | Decimal):
        return value > 0
    return True


@dataclass(frozen=True)
class Gate:
    """What stands between an opportunity and the next stage: fields still empty and checklist
    items not ticked. ``passed`` when both are empty."""

    missing_fields: tuple[str, ...] = ()
    missing_items: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.missing_fields and not self.missing_items


def check_gate(
    *,
    required_fields: Iterable[str],
    checklist: Iterable[str],
    values: Mapping[str, object],
    done: Iterable[str],
) -> Gate:
    """The exit criteria of a stage against an opportunity's ``values`` and ticked items.

    Monotone: filling a field or ticking an item never adds to what is missing."""
    ticked = {str(item).strip() for item in done}
    missing_fields = tuple(name for name in required_fields if not _filled(values.get(name)))
    missing_items = tuple(item for item in checklist if str(item).strip() not in ticked)
    return Gate(missing_fields=missing_fields, missing_items=missing_items)


def is_forward(from_order: int, to_order: int) -> bool:
    return to_order > from_order


def weighted_fen(amount_fen: int, probability: int) -> int:
    """Amount × probability, in whole fen rounded down (never above the amount)."""
    if not 0 <= probability <= 100:
        raise ValueError("probability must be within 0..100")
    return amount_fen * probability // 100


def days_in_stage(entered_at: dt.datetime, now: dt.datetime) -> int:
    return max(0, (now - entered_at).days)


def is_stuck(*, entered_at: dt.datetime, now: dt.datetime, rotting_days: int | None) -> bool:
    """Stuck (停滞) when it has sat in its stage longer than the stage allows."""
    return rotting_days is not None and days_in_stage(entered_at, now) > rotting_days


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


@dataclass(frozen=True)
class ForecastDeal:
    amount_fen: int
    probability: int
    category: str
    expected_close: dt.date | None


@dataclass
class ForecastMonth:
    month: dt.date
    amount_fen: int = 0
    weighted_fen: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    deals: int = 0

    @property
    def amount(self) -> Decimal:
        return from_fen(self.amount_fen)

    @property
    def weighted(self) -> Decimal:
        return from_fen(self.weighted_fen)

    def category(self, name: str) -> Decimal:
        return from_fen(self.by_category.get(name, 0))

    @property
    def pipeline(self) -> Decimal:
        return self.category("pipeline")

    @property
    def best_case(self) -> Decimal:
        return self.category("best_case")

    @property
    def commit(self) -> Decimal:
        return self.category("commit")

    @property
    def closed(self) -> Decimal:
        return self.category("closed")


def forecast_by_month(deals: Iterable[ForecastDeal]) -> list[ForecastMonth]:
    """Deals summed by expected close month: amount, weighted amount, amount per category.
    Deals without a close date are left out (they cannot be placed in a month)."""
    months: dict[dt.date, ForecastMonth] = {}
    for deal in deals:
        if deal.expected_close is None:
            continue
        key = month_of(deal.expected_close)
        row = months.setdefault(key, ForecastMonth(month=key))
        row.amount_fen += deal.amount_fen
        row.weighted_fen += weighted_fen(deal.amount_fen, deal.probability)
        row.by_category[deal.category] = row.by_category.get(deal.category, 0) + deal.amount_fen
        row.deals += 1
    return [months[key] for key in sorted(months)]


# --- funnel and conversion ----------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    order: int
    reached: int
    conversion: Decimal | None  # share of those that reached the previous step


def funnel(stage_orders: Sequence[int], furthest: Iterable[int]) -> list[FunnelStep]:
    """How many deals reached each open stage (a deal at stage n has passed every stage
    before it), and the step-to-step conversion. ``furthest`` is, per deal, the order of the
    furthest stage it reached. Counts never grow along the funnel."""
    counts: dict[int, int] = {}
    for reached in furthest:
        counts[reached] = counts.get(reached, 0) + 1
    return funnel_from_counts(stage_orders, counts)


def funnel_from_counts(stage_orders: Sequence[int], counts: Mapping[int, int]) -> list[FunnelStep]:
    """:func:`funnel` from the number of deals per furthest stage order (a database's
    ``GROUP BY``)."""
    orders = sorted(stage_orders)
    steps = []
    previous: int | None = None
    for order in orders:
        reached = sum(n for furthest, n in counts.items() if furthest >= order)
        conversion = (
            None if not previous else (Decimal(reached) / previous).quantize(Decimal("0.001"))
        )
        steps.append(FunnelStep(order=order, reached=reached, conversion=conversion))
        previous = reached
    return steps


def win_rate(won: int, lost: int) -> Decimal | None:
    """Won among closed deals; None when none closed."""
    closed = won + lost
    if closed == 0:
        return None
    return (Decimal(won) / closed).quantize(Decimal("0.001"))


def average_days(durations: Iterable[dt.timedelta]) -> Decimal | None:
    values = list(durations)
    if not values:
        return None
    total = sum((d.total_seconds() for d in values), 0.0)
    return (Decimal(total) / Decimal(86400 * len(values))).quantize(Decimal("0.1"))
