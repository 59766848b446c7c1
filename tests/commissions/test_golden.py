"""R10: every statement of a month equals an independent pandas computation over generated
targets and sales, to the fen: attainment = actual ÷ target (half up, basis points), the rate
of the highest tier reached for the whole base, at most the cap."""

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from salescope.commissions import services
from salescope.commissions.choices import Base
from salescope.commissions.models import Statement
from salescope.org.models import OrgUnit, User
from salescope.plans.models import Target
from tests.commissions.conftest import PERIOD, add_sales, make_sales_plan

TIERS = [(0, 50), (6000, 150), (9000, 250), (12000, 400)]
CAP = 6_000_00


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_statements_match_an_independent_computation(personas):
    rng = random.Random(20261130)  # noqa: S311 - seeded test data
    director = personas["director"]
    people = list(User.objects.unrestricted().filter(is_active=True, unit__isnull=False))
    targets = {p.pk: rng.choice([0, rng.randint(1, 300_000_00)]) for p in people}
    sales_plan = make_sales_plan(director, targets, default=0)
    # The month's targets as the plan holds them: its person × month leaves (a manager's
    # share may sit on a unit cell, which pays nobody).
    cells = Target.objects.unrestricted().filter(
        plan=sales_plan, is_leaf=True, person__isnull=False, period_start=PERIOD
    )
    targets = {}
    for person_id, value in cells.values_list("person_id", "value"):
        targets[person_id] = targets.get(person_id, 0) + value
    plan = services.create_plan(
        actor=director,
        name="golden",
        base=Base.SALES_AMOUNT,
        target_plan=sales_plan,
        tiers=TIERS,
        cap_fen=CAP,
        valid_from=dt.date(2026, 1, 1),
    )
    services.approve_plan(actor=director, plan=plan, expected_version=plan.version)
    services.assign(actor=director, plan=plan, unit=OrgUnit.objects.unrestricted().get(code="HQ"))
    sales = []
    for person in people:
        for _ in range(rng.randint(0, 3)):
            amount = rng.randint(0, 200_000_00)
            add_sales(person, amount)
            sales.append({"person": person.pk, "amount": amount})
    add_sales(people[0], 5_000_00, month=dt.date(2026, 10, 1))  # another month: not counted

    services.compute_statements(actor=personas["finance"], period=PERIOD)

    frame = pd.DataFrame({"person": [p.pk for p in people]})
    frame["target"] = frame["person"].map(targets).fillna(0).astype("int64")
    sold = pd.DataFrame(sales, columns=["person", "amount"]).groupby("person")["amount"].sum()
    frame["actual"] = frame["person"].map(sold).fillna(0).astype("int64")

    def expected(row):
        attainment = (
            _half_up(Decimal(int(row.actual)) * 10_000 / int(row.target)) if row.target else None
        )
        rate = TIERS[0][1]
        for threshold, tier in TIERS:
            if attainment is not None and attainment >= threshold:
                rate = tier
        return min(_half_up(Decimal(int(row.actual)) * rate / 10_000), CAP), attainment

    frame[["payout", "attainment"]] = frame.apply(expected, axis=1, result_type="expand")
    stored = {
        s.person_id: (s.payout_fen, s.attainment_bp, s.total_fen)
        for s in Statement.objects.unrestricted().filter(period=PERIOD)
    }
    assert len(stored) == len(people)
    for row in frame.itertuples():
        attainment = None if pd.isna(row.attainment) else int(row.attainment)
        assert stored[row.person] == (int(row.payout), attainment, int(row.payout)), row
