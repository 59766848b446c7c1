"""Pure maths of receivables and credit: ageing buckets, DSO, the credit check. No ORM."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_BUCKETS = (30, 60, 90)  # days overdue: 0–30, 31–60, 61–90, 90+


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    low: int | None  # days overdue, inclusive; None = not yet due
    high: int | None  # inclusive; None = open-ended


def buckets(bounds: tuple[int, ...] = DEFAULT_BUCKETS) -> list[Bucket]:
    """``(30, 60, 90)`` → not due, 0–30, 31–60, 61–90, 90+ days overdue.

    "0–30" holds invoices due today up to 30 days late; an invoice is overdue from the day
    after its due date, so days overdue = as_of − due_date.
    """
    if not bounds or list(bounds) != sorted(set(bounds)) or bounds[0] < 0:
        raise ValueError("bucket bounds must be increasing, non-negative whole days")
    result = [Bucket("not_due", "not due", None, -1)]
    low = 0
    for high in bounds:
        result.append(Bucket(f"d{low}_{high}", f"{low}–{high}", low, high))
        low = high + 1
    result.append(Bucket(f"d{low}_plus", f"{low - 1}+", low, None))
    return result


def bucket_of(days_overdue: int, all_buckets: list[Bucket]) -> Bucket:
    if days_overdue < 0:
        return all_buckets[0]
    for bucket in all_buckets[1:]:
        if bucket.high is None or days_overdue <= bucket.high:
            return bucket
    return all_buckets[-1]


def dso(receivable_fen: int, invoiced_fen: int, days: int) -> Decimal | None:
    """Days sales outstanding = open receivables ÷ invoiced sales over ``days`` × ``days``,
    to one decimal; ``None`` when nothing was invoiced in the period."""
    if invoiced_fen <= 0 or days <= 0:
        return None
    value = Decimal(receivable_fen) * days / Decimal(invoiced_fen)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CreditCheck:
    exposure_fen: int  # open invoices + confirmed, uninvoiced orders + this order
    limit_fen: int | None
    oldest_overdue_days: int
    over_limit: bool
    overdue_beyond_policy: bool

    @property
    def blocked(self) -> bool:
        return self.over_limit or self.overdue_beyond_policy


def credit_check(
    *,
    open_fen: int,
    order_fen: int,
    limit_fen: int | None,
    oldest_due: dt.date | None,
    as_of: dt.date,
    overdue_policy_days: int,
) -> CreditCheck:
    exposure = open_fen + order_fen
    overdue_days = (as_of - oldest_due).days if oldest_due else 0
    return CreditCheck(
        exposure_fen=exposure,
        limit_fen=limit_fen,
        oldest_overdue_days=max(0, overdue_days),
        over_limit=limit_fen is not None and exposure > limit_fen,
        overdue_beyond_policy=overdue_days > overdue_policy_days,
    )


@dataclass(frozen=True)
class HealthPolicy:
    at_risk_after_days: int = 45
    lost_after_days: int = 90
    trend_drop: Decimal = Decimal("-0.30")  # last 90 days vs the 90 before


def dealer_health(
    *,
    last_purchase: dt.date | None,
    recent_fen: int,
    previous_fen: int,
    as_of: dt.date,
    policy: HealthPolicy = HealthPolicy(),  # noqa: B008 - frozen, immutable default
) -> tuple[str, Decimal | None]:
    """(status, trend) with status ``active`` / ``at_risk`` / ``lost`` / ``never``; the trend
    is (recent − previous) ÷ previous, ``None`` without a previous period."""
    trend = None
    if previous_fen > 0:
        trend = ((Decimal(recent_fen) - previous_fen) / previous_fen).quantize(Decimal("0.001"))
    if last_purchase is None:
        return "never", trend
    idle = (as_of - last_purchase).days
    if idle > policy.lost_after_days:
        return "lost", trend
    if idle > policy.at_risk_after_days or (trend is not None and trend <= policy.trend_drop):
        return "at_risk", trend
    return "active", trend
