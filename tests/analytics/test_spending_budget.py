"""费用 (expense) is budgeted per region and entered by hand for the region, not a person: the
figures reach 目标与实绩, and a region spending ahead of its budget's pace warns its manager
(for a budget, being behind pace is good and warns nobody)."""

import datetime as dt

import pytest

from salescope.analytics import alerts
from salescope.analytics import services as analytics_services
from salescope.analytics.models import Alert
from salescope.analytics.services import enter_manual_actual
from salescope.analytics.targets import target_variance
from salescope.org.models import OrgUnit
from salescope.plans import services
from salescope.plans.choices import Axis, Metric
from salescope.plans.services import Step
from tests.plans.conftest import plan  # noqa: F401 - shared plan fixture

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def budget(plan, personas):  # noqa: F811
    """A 1,200,000.00 expense budget split over the regions, then equally over months."""
    director = personas["director"]
    root = services.set_plan_target(
        actor=director, plan=plan, metric=Metric.EXPENSE_BUDGET, value=1_200_000_00
    )
    services.decompose_target(actor=director, target=root, steps=[Step(Axis.ORG), Step(Axis.MONTH)])
    for action in ("submit", "approve"):
        plan.refresh_from_db()
        services.transition_plan(
            actor=director, plan=plan, action=action, expected_version=plan.version
        )
    plan.refresh_from_db()
    return plan


def region_rows(the_plan, personas):
    report = target_variance(
        viewer=personas["director"],
        plan=the_plan,
        metric=Metric.EXPENSE_BUDGET,
        group_by=["region"],
        as_of=AS_OF,
    )
    return {row.keys["region"]: row for row in report.rows}


def spend(personas, unit, per_month):
    for month in range(1, 7):
        enter_manual_actual(
            actor=personas["regional_manager"],
            metric=Metric.EXPENSE_BUDGET,
            month=dt.date(2026, month, 1),
            value=per_month,
            unit=unit,
        )


def test_region_figures_reach_the_tracking(budget, personas):
    east = OrgUnit.objects.unrestricted().get(code="EAST")
    spend(personas, east, "30000.00")
    row = region_rows(budget, personas)[east.pk]
    assert row.actual == 6 * 30_000_00
    assert row.tracking.variance == row.actual - row.target


def test_spending_ahead_of_pace_warns_the_regional_manager(budget, personas):
    east = OrgUnit.objects.unrestricted().get(code="EAST")
    row_target = region_rows(budget, personas)[east.pk].target
    spend(personas, east, str(row_target // 12 * 2 / 100))  # twice the monthly budget
    analytics_services.evaluate_alerts(as_of=AS_OF)
    over = Alert.objects.unrestricted().get(kind="over_budget")
    assert over.owner == personas["regional_manager"]
    assert over.facts["unit"] == east.name
    assert "费用" in alerts.cause(over) or "spending" in alerts.cause(over)
    assert (
        not Alert.objects.unrestricted()
        .filter(kind__in=["behind_pace", "projection_short"], facts__metric=Metric.EXPENSE_BUDGET)
        .exists()
    )


def test_spending_within_budget_raises_nothing(budget, personas):
    east = OrgUnit.objects.unrestricted().get(code="EAST")
    spend(personas, east, "1000.00")
    analytics_services.evaluate_alerts(as_of=AS_OF)
    assert not Alert.objects.unrestricted().filter(kind="over_budget").exists()
