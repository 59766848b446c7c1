"""A sales plan with person × month targets and the ledger's rollups for November 2026."""

import datetime as dt
from decimal import Decimal

import pytest

from salescope.commissions import services
from salescope.commissions.choices import Base
from salescope.ledger import rollups
from salescope.ledger.models import SalesRollup
from salescope.org.models import OrgUnit
from salescope.plans import services as plan_services
from salescope.plans.choices import Axis, Metric
from salescope.plans.models import Target
from salescope.plans.services import Step
from salescope.plans.services.importing import COLUMNS, _coordinates

PERIOD = dt.date(2026, 11, 1)


def _money(fen: int) -> str:
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


def make_sales_plan(director, targets: dict[int, int], default: int = 100_000_00):
    """An approved-shape plan decomposed to person × month: ``targets[person id]`` (fen) in
    every month for the people named, ``default`` for everyone else."""
    plan = plan_services.create_plan(
        actor=director,
        name="2026 销售计划",
        fiscal_year=2026,
        scope_unit=OrgUnit.objects.unrestricted().get(code="HQ"),
    )
    root = plan_services.set_plan_target(
        actor=director, plan=plan, metric=Metric.SALES_AMOUNT, value=1
    )
    plan_services.decompose_target(
        actor=director, target=root, steps=[Step(Axis.ORG)] * 4 + [Step(Axis.MONTH)]
    )
    leaves = (
        Target.objects.unrestricted()
        .filter(plan=plan, is_leaf=True)
        .select_related("unit", "person", "category", "customer")
    )
    rows = []
    for line, cell in enumerate(leaves, start=2):
        value = targets.get(cell.person_id, default) if cell.person_id else 0
        row = dict(zip(COLUMNS[:7], _coordinates(cell), strict=True))
        rows.append((line, {**row, "target": _money(value)}))
    result = plan_services.import_targets(actor=director, plan=plan, rows=rows)
    assert result.rejected == 0
    return plan


def add_sales(person, amount_fen: int, month: dt.date = PERIOD, profit_fen: int = 0) -> None:
    SalesRollup.objects.create(
        month=month,
        kind="sell_in",
        salesperson=person,
        amount_fen=amount_fen,
        gross_profit_fen=profit_fen,
        lines=1,
    )
    rollups.refresh_coarser()


@pytest.fixture
def commission_plan(personas):
    """An approved plan on sales, tiers 0 %→1 %, 80 %→2 %, 100 %→3 %, capped at ¥5,000, paying
    张伟 (100,000 target) and 陈静 (200,000 target) by November's attainment."""
    director = personas["director"]
    zhang, chen = personas["salesperson"], personas["other_region_salesperson"]
    sales_plan = make_sales_plan(director, {zhang.pk: 100_000_00, chen.pk: 200_000_00})
    plan = services.create_plan(
        actor=director,
        name="提成方案",
        base=Base.SALES_AMOUNT,
        attainment_metric=Base.SALES_AMOUNT,
        target_plan=sales_plan,
        tiers=[(0, 100), (8000, 200), (10000, 300)],
        cap_fen=5_000_00,
        valid_from=dt.date(2026, 1, 1),
    )
    plan = services.approve_plan(actor=director, plan=plan, expected_version=plan.version)
    services.assign(actor=director, plan=plan, person=zhang)
    services.assign(actor=director, plan=plan, person=chen)
    return plan
