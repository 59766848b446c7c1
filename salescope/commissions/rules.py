"""Commission maths (提成): pure functions on integers, no ORM.

Units: money in fen; rates, attainments and tier thresholds in basis points (hundredths of a
percent: 80 % = 8000, a rate of 3 % = 300). Integer arithmetic with half-up rounding keeps a
statement exact to the fen on both databases.

A plan's tiers are ``[(threshold_bp, rate_bp), …]`` with increasing thresholds starting at 0
and non-decreasing rates (so a higher attainment never pays less: tiers are monotone). The
tier an attainment reaches gives the rate for the whole base (e.g. below 80 % → 1 %, 80–100 %
→ 2 %, from 100 % the accelerator 3 %). Payout = base × rate, at most the cap; a base that
is not positive pays nothing. Clawback (goods returned, an invoice written off) is the one
negative amount: what was paid on the lost sales, at the rate the month's statement paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

BP = 10_000  # basis points in a whole (100 %)

Tier = tuple[int, int]  # (threshold in bp of attainment, rate in bp)


class TierError(ValueError):
    """Tiers that are not a monotone ladder from 0 %."""


def validate_tiers(tiers: Sequence[Sequence[int]]) -> list[Tier]:
    """The tiers as a sorted list of ``(threshold_bp, rate_bp)``; raises :class:`TierError`."""
    ladder = [(int(t), int(r)) for t, r in tiers]
    if not ladder:
        raise TierError("at least one tier")
    if ladder[0][0] != 0:
        raise TierError("the first tier starts at 0 %")
    for (t0, r0), (t1, r1) in zip(ladder, ladder[1:], strict=False):
        if t1 <= t0:
            raise TierError("thresholds must increase")
        if r1 < r0:
            raise TierError("rates must not decrease")
    if any(r < 0 or r > BP for _t, r in ladder):
        raise TierError("rates between 0 and 100 %")
    return ladder


def div_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half away from zero (denominator > 0)."""
    whole, rest = divmod(abs(numerator), denominator)
    if 2 * rest >= denominator:
        whole += 1
    return -whole if numerator < 0 else whole


def attainment_bp(actual: int, target: int) -> int | None:
    """Actual ÷ target in basis points (half up); ``None`` without a positive target."""
    if target <= 0:
        return None
    return div_half_up(actual * BP, target)


def tier_rate(tiers: Sequence[Tier], attainment: int | None) -> int:
    """The rate of the highest tier whose threshold the attainment reaches (no target: the
    first tier's)."""
    rate = tiers[0][1]
    if attainment is None:
        return rate
    for threshold, tier in tiers:
        if attainment >= threshold:
            rate = tier
    return rate


@dataclass(frozen=True)
class Payout:
    rate_bp: int
    uncapped_fen: int
    payout_fen: int

    @property
    def capped(self) -> bool:
        return self.payout_fen < self.uncapped_fen


def payout(
    *, base_fen: int, attainment: int | None, tiers: Sequence[Tier], cap_fen: int | None = None
) -> Payout:
    """The commission on ``base_fen`` at the tier ``attainment`` reaches, at most ``cap_fen``;
    never negative."""
    rate = tier_rate(tiers, attainment)
    uncapped = div_half_up(max(base_fen, 0) * rate, BP)
    paid = uncapped if cap_fen is None else min(uncapped, max(cap_fen, 0))
    return Payout(rate_bp=rate, uncapped_fen=uncapped, payout_fen=paid)


def clawback(*, lost_fen: int, paid_fen: int, paid_on_fen: int) -> int:
    """What to take back (≤ 0) for ``lost_fen`` of sales written off or returned, when
    ``paid_fen`` was paid on ``paid_on_fen`` of that month's sales: the same share, never more
    than was paid."""
    if lost_fen <= 0 or paid_fen <= 0 or paid_on_fen <= 0:
        return 0
    return -min(paid_fen, div_half_up(lost_fen * paid_fen, paid_on_fen))


def percent_text(bp: int | None) -> str:
    """Basis points as a percentage with two decimals: 8523 → "85.23"."""
    if bp is None:
        return ""
    sign = "-" if bp < 0 else ""
    whole, rest = divmod(abs(bp), 100)
    return f"{sign}{whole}.{rest:02d}"


def parse_percent(text: str) -> int:
    """ "85.5" / "85.5%" → 8550 basis points; raises ``ValueError``."""
    from decimal import Decimal, InvalidOperation

    cleaned = str(text).strip().rstrip("%").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    scaled = value * 100
    if scaled != scaled.to_integral_value():
        raise ValueError(text)
    return int(scaled)


def return_clawback(*, base_fen: int, tiers: Sequence[Tier]) -> int:
    """A month whose base is negative (more goods returned than sold) takes back the returned
    part at the first tier's rate (≤ 0); a month with a positive base takes back nothing."""
    if base_fen >= 0:
        return 0
    return div_half_up(base_fen * tiers[0][1], BP)
