import datetime as dt

import pytest

from salescope.org.models import OrgUnit
from salescope.plans import services
from salescope.plans.choices import Axis, Method, Metric
from salescope.plans.services import Step


@pytest.fixture
def plan(personas):
    """FY2026 company plan by the director (刘洋), 12,000,000.00 sales, not yet decomposed."""
    director = personas["director"]
    plan = services.create_plan(
        actor=director,
        name="2026年度销售计划",
        fiscal_year=2026,
        scope_unit=OrgUnit.objects.unrestricted().get(code="HQ"),
        deadline=dt.date(2026, 1, 15),
        sections={"situation": "市场稳定增长", "strategy": "深耕华东"},
    )
    services.set_plan_target(
        actor=director, plan=plan, metric=Metric.SALES_AMOUNT, value=12_000_000_00
    )
    return plan


@pytest.fixture
def decomposed(plan, personas):
    """The plan decomposed HQ → regions → branches → teams → people → months, equally."""
    root = plan.targets.get(parent=None)
    services.decompose_target(
        actor=personas["director"],
        target=root,
        steps=[Step(Axis.ORG), Step(Axis.ORG), Step(Axis.ORG), Step(Axis.ORG), Step(Axis.MONTH)],
    )
    return plan


def equal_steps(*axes, method=Method.EQUAL):
    return [Step(axis, method) for axis in axes]
