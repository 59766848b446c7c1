"""A statement's target is the person's month target as analytics' target vs actual report
(salesperson × month) gives it, whatever the decomposition's shape: person × month leaves,
leaves coarser than a month split by the plan's pace basis (days, working days, last year's
season), unit cells that pay nobody. ``queries.month_targets`` reads only the targets."""

import datetime as dt

import pytest

from salescope.analytics.targets import target_variance
from salescope.commissions.queries import month_targets
from salescope.core.ownership import SYSTEM
from salescope.core.periods import month_end
from salescope.org.models import OrgUnit
from salescope.plans import services as plan_services
from salescope.plans.choices import Axis, Metric, PaceBasis
from salescope.plans.services import Step
from tests.commissions.conftest import add_sales

MONTHS = [dt.date(2026, 2, 1), dt.date(2026, 11, 1)]


def _report(plan, period):
    report = target_variance(
        viewer=SYSTEM,
        plan=plan,
        metric=Metric.SALES_AMOUNT,
        group_by=["salesperson", "month"],
        as_of=month_end(period),
        filters={"month": period},
    )
    found: dict[int, int] = {}
    for row in report.rows:
        person, month = row.keys.get("salesperson"), row.keys.get("month")
        if person is not None and month == period:
            found[person] = found.get(person, 0) + row.target
    return {k: v for k, v in found.items() if v}


def _plan(director, steps, basis=PaceBasis.CALENDAR):
    plan = plan_services.create_plan(
        actor=director,
        name="2026",
        fiscal_year=2026,
        scope_unit=OrgUnit.objects.unrestricted().get(code="HQ"),
        pace_basis=basis,
    )
    root = plan_services.set_plan_target(
        actor=director, plan=plan, metric=Metric.SALES_AMOUNT, value=123_456_789_01
    )
    plan_services.decompose_target(actor=director, target=root, steps=steps)
    return plan


@pytest.mark.parametrize(
    ("steps", "basis"),
    [
        ([Step(Axis.ORG)] * 4 + [Step(Axis.MONTH)], PaceBasis.CALENDAR),
        ([Step(Axis.ORG)] * 4 + [Step(Axis.QUARTER)], PaceBasis.CALENDAR),
        ([Step(Axis.ORG)] * 4, PaceBasis.CALENDAR),
        ([Step(Axis.ORG)] * 4, PaceBasis.WORKING_DAYS),
        ([Step(Axis.ORG)] * 4, PaceBasis.SEASONALITY),
        ([Step(Axis.ORG)] * 2 + [Step(Axis.MONTH)], PaceBasis.CALENDAR),
        ([Step(Axis.QUARTER), Step(Axis.ORG), Step(Axis.ORG)], PaceBasis.CALENDAR),
    ],
)
def test_month_targets_are_the_reports_targets(personas, steps, basis):
    add_sales(personas["salesperson"], 7_000_00, month=dt.date(2025, 2, 1))  # last year's season
    add_sales(personas["salesperson"], 1_000_00, month=dt.date(2025, 11, 1))
    plan = _plan(personas["director"], steps, basis)
    for period in MONTHS:
        expected = _report(plan, period)
        got = month_targets(viewer=SYSTEM, plan=plan, metric=Metric.SALES_AMOUNT, period=period)
        got = {k: v for k, v in got.items() if v}
        assert got == expected
        if len(steps) >= 4:  # decomposed down to people: someone has a target
            assert expected
