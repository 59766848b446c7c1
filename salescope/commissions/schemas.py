import datetime as dt
from decimal import Decimal

from ninja import Schema

from salescope.commissions import rules


class CommissionTierIn(Schema):
    from_percent: Decimal  # attainment from which the rate applies (0, 80, 100…)
    rate_percent: Decimal  # commission rate in % of the base


def tiers_bp(tiers: list[CommissionTierIn]) -> list[tuple[int, int]]:
    """The tiers in basis points (``rules``); a value finer than 0.01 % is refused there."""
    return [
        (rules.parse_percent(str(t.from_percent)), rules.parse_percent(str(t.rate_percent)))
        for t in tiers
    ]


class CommissionPlanIn(Schema):
    name: str
    base: str
    attainment_metric: str = "sales_amount"
    target_plan_id: int | None = None
    tiers: list[CommissionTierIn]
    cap: Decimal | None = None
    valid_from: dt.date
    valid_to: dt.date | None = None


class CommissionPlanPatch(Schema):
    version: int
    name: str | None = None
    base: str | None = None
    attainment_metric: str | None = None
    target_plan_id: int | None = None
    tiers: list[CommissionTierIn] | None = None
    cap: Decimal | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class CommissionTierOut(Schema):
    from_percent: str
    to_percent: str
    rate_percent: str


class CommissionPlanOut(Schema):
    id: int
    name: str
    base: str
    attainment_metric: str
    target_plan_id: int | None
    tiers: list[CommissionTierOut]
    cap: Decimal | None
    valid_from: dt.date
    valid_to: dt.date | None
    status: str
    version: int


class CommissionVersionIn(Schema):
    version: int


class CommissionAssignIn(Schema):
    person_id: int | None = None
    unit_id: int | None = None


class CommissionAssignmentOut(Schema):
    id: int
    plan_id: int
    person_id: int | None
    unit_id: int | None


class CommissionComputeIn(Schema):
    period: str  # YYYY-MM


class CommissionComputeOut(Schema):
    period: str
    people: int
    created: int
    updated: int
    revised: int
    unchanged: int


class CommissionClawbackOut(Schema):
    invoice: str
    month: str
    written_off: str
    clawback: str


class CommissionStatementOut(Schema):
    id: int
    person_id: int
    username: str
    person: str
    unit: str
    period: str
    plan: str
    revision: int
    status: str
    base: str
    target: str
    actual: str
    attainment: str | None
    rate: str
    commission: str
    capped: bool
    clawback: str
    total: str
    previous_total: str | None
    difference: str | None
    version: int


class CommissionDifferenceOut(Schema):
    field: str
    label: str
    old: str
    new: str
    change: str


class CommissionStatementDetailOut(CommissionStatementOut):
    clawbacks: list[CommissionClawbackOut]
    differences: list[CommissionDifferenceOut]
