"""R10: target vs actual equals an independent pandas computation over generated data, to the
cent, with variance = actual − target (documented in ``plans.rules``)."""

import calendar
import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pandas as pd
import pytest

from salescope.analytics.targets import target_variance
from salescope.ledger import rollups
from salescope.ledger.models import SalesRollup
from salescope.org.models import OrgUnit, User
from salescope.plans import services
from salescope.plans.choices import Axis, Metric
from salescope.plans.models import Target
from salescope.plans.services import Step
from salescope.plans.services.importing import COLUMNS, _coordinates

AS_OF = dt.date(2026, 6, 15)


def _share(month: dt.date) -> Fraction:
    days = calendar.monthrange(month.year, month.month)[1]
    if month > AS_OF:
        return Fraction(0)
    last = month.replace(day=days)
    if last <= AS_OF:
        return Fraction(1)
    return Fraction((AS_OF - month).days + 1, days)


def _half_up(value: Fraction) -> int:
    sign = -1 if value < 0 else 1
    q, r = divmod(abs(value.numerator), value.denominator)
    return sign * (q + (1 if 2 * r >= value.denominator else 0))


def _money(fen: int) -> str:
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


@pytest.fixture
def generated(personas):
    """A decomposed plan with random person × month targets and random rollup actuals."""
    rng = random.Random(20261123)  # noqa: S311 - seeded test data, not secrets
    director = personas["director"]
    plan = services.create_plan(
        actor=director,
        name="golden",
        fiscal_year=2026,
        scope_unit=OrgUnit.objects.unrestricted().get(code="HQ"),
    )
    root = services.set_plan_target(actor=director, plan=plan, metric=Metric.SALES_AMOUNT, value=1)
    services.decompose_target(
        actor=director, target=root, steps=[Step(Axis.ORG)] * 4 + [Step(Axis.MONTH)]
    )
    leaves = (
        Target.objects.unrestricted()
        .filter(plan=plan, is_leaf=True)
        .select_related("unit", "person", "category", "customer")
    )
    targets = []
    rows = []
    for line, cell in enumerate(leaves, start=2):
        value = rng.randint(0, 5_000_000_00) if rng.random() > 0.05 else 0
        targets.append({"person": cell.person_id, "month": cell.period_start, "target": value})
        row = dict(zip(COLUMNS[:7], _coordinates(cell), strict=True))
        rows.append((line, {**row, "target": _money(value)}))
    result = services.import_targets(actor=director, plan=plan, rows=rows)
    assert result.rejected == 0
    people = list(
        User.objects.unrestricted().filter(pk__in={t["person"] for t in targets}).order_by("pk")
    ) + [personas["team_lead"]]  # a manager with sales and no target of her own
    actuals = []
    for person in people:
        for month_index in range(1, 13):
            for category in (None, 1, 2):
                if rng.random() < 0.3:
                    continue
                amount = rng.randint(-50_000, 900_000_00)
                month = dt.date(2026, month_index, 1)
                actuals.append({"person": person.pk, "month": month, "actual": amount})
                SalesRollup.objects.create(
                    month=month,
                    kind="sell_in",
                    salesperson=person,
                    category_id=category,
                    amount_fen=amount,
                    lines=1,
                )
    # outside the plan: last year, and dealers' sell-through (not counted as sales)
    SalesRollup.objects.create(
        month=dt.date(2025, 12, 1), kind="sell_in", salesperson=people[0], amount_fen=777
    )
    SalesRollup.objects.create(
        month=dt.date(2026, 3, 1), kind="sell_through", salesperson=people[0], amount_fen=999
    )
    rollups.refresh_coarser()
    names = {p.pk: p.display_name for p in User.objects.unrestricted().all()}
    return plan, pd.DataFrame(targets), pd.DataFrame(actuals), names


def _known_on(actuals, as_of):
    """The actuals recorded by ``as_of``: the data has whole months only (rollups without
    lines), so the days of ``as_of``'s month add nothing and later months do not count."""
    return actuals[actuals["month"] < as_of.replace(day=1)]


def _expected(targets, actuals, names, by_month):
    actuals = _known_on(actuals, AS_OF)
    t = targets.groupby(["person", "month"], as_index=False)["target"].sum()
    a = actuals.groupby(["person", "month"], as_index=False)["actual"].sum()
    cells = t.merge(a, on=["person", "month"], how="outer").fillna(0)
    cells["target"] = cells["target"].astype("int64")
    cells["actual"] = cells["actual"].astype("int64")
    cells["share"] = cells["month"].map(_share)
    cells["due"] = [
        Fraction(int(x)) * s for x, s in zip(cells["target"], cells["share"], strict=True)
    ]
    cells["days"] = cells["month"].map(lambda m: calendar.monthrange(m.year, m.month)[1])
    keys = ["person", "month"] if by_month else ["person"]
    out = []
    for key, group in cells.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        target, actual = int(group["target"].sum()), int(group["actual"].sum())
        due = sum(group["due"], Fraction(0))
        if target:
            share = due / target
        else:
            share = sum(
                (s * d for s, d in zip(group["share"], group["days"], strict=True)), Fraction(0)
            ) / int(group["days"].sum())
        if share <= 0:
            projection = None
        elif share >= 1:
            projection = _money(actual)
        else:
            projection = _money(_half_up(Fraction(actual) / share))
        attainment = None
        if target:
            attainment = str(
                (Decimal(actual * 100) / Decimal(target)).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                )
            )
        pace = _half_up(due) if target else _half_up(target * share)
        row = {"salesperson": names[key[0]]}
        if by_month:
            row["month"] = key[1].strftime("%Y-%m")
        row.update(
            target=_money(target),
            actual=_money(actual),
            variance=_money(actual - target),
            attainment=attainment,
            pace=_money(pace),
            pace_gap=_money(actual - pace),
            projection=projection,
        )
        out.append(row)
    return out


@pytest.mark.parametrize("group_by", [["salesperson", "month"], ["salesperson"]])
def test_target_vs_actual_matches_pandas_to_the_cent(generated, personas, group_by):
    plan, targets, actuals, names = generated
    report = target_variance(
        viewer=personas["director"],
        plan=plan,
        metric=Metric.SALES_AMOUNT,
        group_by=group_by,
        as_of=AS_OF,
        basis="calendar",
    )
    expected = _expected(targets, actuals, names, by_month="month" in group_by)

    def key(row):
        return (row["salesperson"], row.get("month", ""))

    assert sorted(report.dicts(), key=key) == sorted(expected, key=key)
    assert len(expected) >= 21  # 20 salespeople and the manager without a target
    assert sum(int(Decimal(r["target"]) * 100) for r in expected) == int(targets["target"].sum())


def test_the_total_row_is_the_plan_total_and_the_sum_of_actuals(generated, personas):
    plan, targets, actuals, _names = generated
    report = target_variance(
        viewer=personas["director"],
        plan=plan,
        metric=Metric.SALES_AMOUNT,
        group_by=["region"],
        as_of=AS_OF,
    )
    assert report.total.target == plan.targets.get(parent=None).value == targets["target"].sum()
    assert report.total.actual == _known_on(actuals, AS_OF)["actual"].sum()
    assert report.total.tracking.variance == report.total.actual - report.total.target
