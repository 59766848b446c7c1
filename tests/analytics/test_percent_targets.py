"""Target vs actual of a percentage (issue 5, B1): market share and brand awareness are levels.

Two regions aiming at 18 % and 20 % market share make a company aiming at 19 %, not 38 %; a
year's 18 % is 18 % in every month, not 1.5 %; the pace is the level itself and the projection
the latest month's level (``plans.rules.track_level``).
"""

import datetime as dt
from fractions import Fraction

import pytest

from salescope.analytics import alerts, manual
from salescope.analytics import services as analytics_services
from salescope.analytics.models import Alert
from salescope.analytics.targets import target_variance
from salescope.org.models import OrgUnit
from salescope.plans import rules, services
from salescope.plans.choices import Axis, Metric
from salescope.plans.models import Target
from salescope.plans.services import CellEdit, Step

pytestmark = pytest.mark.django_db

JAN, FEB, MAR, APR = (dt.date(2026, m, 1) for m in (1, 2, 3, 4))
AS_OF = dt.date(2026, 3, 15)


def _chain(who):  # noqa: ANN001, ANN202
    """The org path from below the company down to a unit or person: what decomposing along
    the org passes through to reach it."""
    person = None if isinstance(who, OrgUnit) else who
    unit = who if person is None else who.unit
    chain = [person.pk] if person else []
    while unit.parent_id is not None:
        chain.insert(0, unit.pk)
        unit = unit.parent
    return chain


def _levels(plan, director, metric, value, cells):  # noqa: ANN001, ANN202
    """The plan's ``metric`` at ``value`` for the company and its own level for each unit or
    person in ``cells`` ({unit or user: hundredths}), for the whole year, as the planner sets
    them: the company's level decomposed down the org to those units or people (every part
    starts at the company's level), then each one's own level typed in."""
    root = services.set_plan_target(actor=director, plan=plan, metric=metric, value=value)
    chains = [_chain(who) for who in cells]
    assert len({len(chain) for chain in chains}) == 1, "units or people at one depth"
    steps = [Step(Axis.ORG, members=list(members)) for members in zip(*chains, strict=True)]
    services.decompose_target(actor=director, target=root, steps=steps)
    leaves = Target.objects.unrestricted().filter(plan=plan, metric=metric, is_leaf=True)
    by_parent: dict[int, list[CellEdit]] = {}
    for who, level in cells.items():
        is_unit = isinstance(who, OrgUnit)
        cell = leaves.get(unit=who, person=None) if is_unit else leaves.get(person=who)
        by_parent.setdefault(cell.parent_id, []).append(CellEdit(cell.pk, cell.version, level))
    for parent_id, edits in by_parent.items():
        parent = Target.objects.unrestricted().get(pk=parent_id)
        services.edit_cells(actor=director, parent=parent, edits=edits)
    return root


@pytest.fixture
def shares(plan, personas):
    """Market share: 华东 18 %, 华南 20 % for 2026 (the company 19 %), with marketing's figures:
    华东 17 / 17.5 / 18.5 in Jan–Mar, 华南 21 / 19 in Jan–Feb (March not in yet)."""
    east, south = (
        OrgUnit.objects.unrestricted().get(code="EAST"),
        OrgUnit.objects.unrestricted().get(code="SOUTH"),
    )
    _levels(plan, personas["director"], Metric.MARKET_SHARE, 19_00, {east: 18_00, south: 20_00})
    figures = {east: {JAN: "17", FEB: "17.5", MAR: "18.5"}, south: {JAN: "21", FEB: "19"}}
    for unit, months in figures.items():
        for month, value in months.items():
            analytics_services.enter_manual_actual(
                actor=personas["marketing"],
                metric=Metric.MARKET_SHARE,
                month=month,
                value=value,
                unit=unit,
            )
    return plan


def _report(plan, viewer, group_by, metric=Metric.MARKET_SHARE, as_of=AS_OF):  # noqa: ANN001, ANN202
    return target_variance(viewer=viewer, plan=plan, metric=metric, group_by=group_by, as_of=as_of)


def _by(report, dim):  # noqa: ANN001, ANN202
    return {row.keys[dim]: row for row in report.rows}


def test_grouped_by_month_the_company_row_is_the_mean_of_the_regions(shares, personas):
    report = _report(shares, personas["director"], ["month"])
    months = _by(report, "month")

    assert report.is_level
    assert len(months) == 12
    assert {row.target for row in months.values()} == {19_00}  # not 38 %, not 1.58 %
    assert months[JAN].actual == 19_00  # (17 + 21) ÷ 2
    assert months[FEB].actual == 18_25  # (17.5 + 19) ÷ 2
    assert months[MAR].actual == 18_50  # only 华东's figure is in
    assert months[APR].actual == 0


def test_a_yearly_target_is_the_same_level_in_every_month(shares, personas):
    report = _report(shares, personas["director"], ["region", "month"])
    east = OrgUnit.objects.unrestricted().get(code="EAST").pk
    south = OrgUnit.objects.unrestricted().get(code="SOUTH").pk

    targets = {(row.keys["region"], row.keys["month"]): row.target for row in report.rows}
    assert len(targets) == 24
    assert all(targets[(east, m)] == 18_00 for (_r, m) in targets)
    assert all(targets[(south, m)] == 20_00 for (_r, m) in targets)


def test_pace_is_the_target_and_the_projection_the_latest_level(shares, personas):
    regions = _by(_report(shares, personas["director"], ["region"]), "region")
    east = regions[OrgUnit.objects.unrestricted().get(code="EAST").pk].tracking
    south = regions[OrgUnit.objects.unrestricted().get(code="SOUTH").pk].tracking

    assert (east.target, east.pace) == (18_00, 18_00)
    assert east.actual == 17_67  # (17 + 17.5 + 18.5) ÷ 3, half up
    assert east.projection == 18_50  # March's level
    assert (east.variance, east.pace_gap) == (-33, -33)
    assert str(east.attainment) == "98.17"
    assert (south.target, south.pace, south.actual) == (20_00, 20_00, 20_00)
    assert south.projection == 19_00  # February: March is not in yet
    assert str(south.attainment) == "100.00"


def test_months_not_begun_owe_nothing_and_project_nothing(shares, personas):
    months = _by(_report(shares, personas["director"], ["month"]), "month")

    assert (months[MAR].tracking.pace, months[MAR].tracking.projection) == (19_00, 18_50)
    assert (months[APR].tracking.pace, months[APR].tracking.projection) == (0, None)
    assert months[APR].tracking.variance == -19_00


def test_the_total_row_is_the_mean(shares, personas):
    for group_by in (["month"], ["region"], ["region", "quarter"]):
        total = _report(shares, personas["director"], group_by).total.tracking
        assert total.target == 19_00, group_by
        assert total.actual == 18_60, group_by  # the five figures: 93 ÷ 5
        assert total.pace == 19_00, group_by
        assert total.projection == 18_50, group_by  # the latest month's level: March


def test_a_region_sees_its_own_level_only(shares, personas):
    report = _report(shares, personas["regional_manager"], ["month"])

    months = _by(report, "month")
    assert months[JAN].target == 18_00
    assert months[FEB].actual == 17_50
    assert report.total.target == 18_00


def test_half_a_hundredth_rounds_up_as_the_figures_do(plan, personas):
    east, south = (
        OrgUnit.objects.unrestricted().get(code="EAST"),
        OrgUnit.objects.unrestricted().get(code="SOUTH"),
    )
    _levels(plan, personas["director"], Metric.MARKET_SHARE, 18_00, {east: 18_00, south: 18_01})
    for unit, value in ((east, "17"), (south, "17.01")):
        analytics_services.enter_manual_actual(
            actor=personas["marketing"],
            metric=Metric.MARKET_SHARE,
            month=JAN,
            value=value,
            unit=unit,
        )

    months = _by(_report(plan, personas["director"], ["month"]), "month")
    assert months[JAN].target == 18_01  # 18.005 → 18.01
    assert months[JAN].actual == 17_01  # 17.005 → 17.01, as manual.manual_actuals gives it
    figures = manual.manual_actuals(
        viewer=personas["director"],
        metric=Metric.MARKET_SHARE,
        date_from=JAN,
        date_to=JAN,
        group_by=("month",),
    )
    assert figures == {(JAN,): months[JAN].actual}


@pytest.fixture
def awareness(plan, personas):
    """Brand awareness per person: 张伟 30 %, 陈静 40 %; January's figures 28 % and 41 %."""
    zhang, chen = personas["salesperson"], personas["other_region_salesperson"]
    _levels(plan, personas["director"], Metric.BRAND_AWARENESS, 35_00, {zhang: 30_00, chen: 40_00})
    for person, value in ((zhang, "28"), (chen, "41")):
        analytics_services.enter_manual_actual(
            actor=personas["marketing"],
            metric=Metric.BRAND_AWARENESS,
            month=JAN,
            value=value,
            person=person,
        )
    return plan


def test_people_with_different_levels_fold_by_the_mean(awareness, personas):
    zhang, chen = personas["salesperson"], personas["other_region_salesperson"]
    report = _report(awareness, personas["director"], ["salesperson"], Metric.BRAND_AWARENESS)

    people = _by(report, "salesperson")
    assert (people[zhang.pk].target, people[zhang.pk].actual) == (30_00, 28_00)
    assert (people[chen.pk].target, people[chen.pk].actual) == (40_00, 41_00)
    assert (report.total.target, report.total.actual) == (35_00, 34_50)
    months = _by(
        _report(awareness, personas["director"], ["month"], Metric.BRAND_AWARENESS), "month"
    )
    assert (months[JAN].target, months[JAN].actual) == (35_00, 34_50)


def test_my_targets_show_my_level_in_each_month(awareness, personas):
    zhang = personas["salesperson"]
    report = target_variance(
        viewer=zhang,
        plan=awareness,
        metric=Metric.BRAND_AWARENESS,
        group_by=["month"],
        as_of=AS_OF,
        filters={"person": zhang.pk},
    )

    assert {row.target for row in report.rows} == {30_00}
    assert _by(report, "month")[JAN].actual == 28_00
    assert (report.total.target, report.total.tracking.pace, report.total.tracking.projection) == (
        30_00,
        30_00,
        28_00,
    )


def _approve(plan, director):  # noqa: ANN001, ANN202
    for action in ("submit", "approve"):
        plan.refresh_from_db()
        services.transition_plan(
            actor=director, plan=plan, action=action, expected_version=plan.version
        )
    plan.refresh_from_db()
    return plan


def test_a_level_below_its_target_warns_and_a_missing_figure_does_not(awareness, personas):
    """张伟 at 28 % of a 30 % target is within the plan's 10 % threshold of the pace (the
    target) but his latest level is short; 陈静 is above; nobody is warned about February, whose
    figures are not in yet, as if the level were zero."""
    zhang = personas["salesperson"]
    _approve(awareness, personas["director"])
    analytics_services.evaluate_alerts(as_of=dt.date(2026, 2, 10))

    raised = Alert.objects.unrestricted().filter(facts__metric=Metric.BRAND_AWARENESS)
    assert {(a.kind, a.owner_id) for a in raised} == {("projection_short", zhang.pk)}
    short = raised.get()
    assert short.facts["projection"] == "28.00"
    assert "28.00%" in alerts.cause(short)
    assert "30.00%" in alerts.cause(short)

    analytics_services.enter_manual_actual(
        actor=personas["marketing"],
        metric=Metric.BRAND_AWARENESS,
        month=FEB,
        value="20",
        person=zhang,
    )
    analytics_services.evaluate_alerts(as_of=dt.date(2026, 2, 11))
    behind = Alert.objects.unrestricted().get(
        facts__metric=Metric.BRAND_AWARENESS, kind="behind_pace"
    )
    assert behind.owner == zhang
    assert behind.facts["actual"] == "24.00"  # (28 + 20) ÷ 2 against a pace of 30
    assert behind.facts["pace"] == "30.00"
    assert "24.00%" in alerts.cause(behind)


def test_a_regions_own_level_below_its_target_warns_the_regions_manager(shares, personas):
    """华南's latest level (February, 19 %) is short of its 20 %; 华东 (18.5 % in March against
    18 %, a mean of 17.67 % within the 10 % threshold) is not warned, nor is any person."""
    _approve(shares, personas["director"])
    south = OrgUnit.objects.unrestricted().select_related("manager").get(code="SOUTH")

    analytics_services.evaluate_alerts(as_of=AS_OF)

    raised = Alert.objects.unrestricted().filter(facts__metric=Metric.MARKET_SHARE)
    assert [(a.kind, a.owner_id) for a in raised] == [
        ("projection_short", (south.manager or personas["director"]).pk)
    ]
    short = raised.get()
    assert (short.facts["unit"], short.facts["projection"]) == (south.name, "19.00")
    assert alerts.cause(short).startswith(south.name)
    assert "19.00%" in alerts.cause(short)
    assert "20.00%" in alerts.cause(short)
    assert "group_by=region" in short.link

    analytics_services.enter_manual_actual(
        actor=personas["marketing"],
        metric=Metric.MARKET_SHARE,
        month=MAR,
        value="20.5",
        unit=south,
    )
    outcome = analytics_services.evaluate_alerts(as_of=AS_OF)
    assert outcome.cleared == 1  # 华南's March level reached the target
    short.refresh_from_db()
    assert short.status == "resolved"


def test_a_person_with_no_figure_is_not_behind(plan, personas):
    zhang = personas["salesperson"]
    _levels(plan, personas["director"], Metric.MARKET_SHARE, 12_00, {zhang: 12_00})
    _approve(plan, personas["director"])
    analytics_services.evaluate_alerts(as_of=dt.date(2026, 6, 30))

    assert not Alert.objects.unrestricted().filter(facts__metric=Metric.MARKET_SHARE).exists()


def test_an_additive_metric_still_sums_and_splits(decomposed, personas):
    """Sales amount folds by the sum; a yearly gross-profit target is split over its months."""
    report = _report(decomposed, personas["director"], ["month"], Metric.SALES_AMOUNT)
    assert not report.is_level
    assert sum(row.target for row in report.rows) == report.total.target == 12_000_000_00
    march = _by(report, "month")[MAR].tracking
    assert march.pace == rules.round_half_up(march.target * Fraction(15, 31))

    services.set_plan_target(
        actor=personas["director"],
        plan=decomposed,
        metric=Metric.GROSS_PROFIT,
        value=3_000_000_00,
    )
    profit = _report(decomposed, personas["director"], ["month"], Metric.GROSS_PROFIT)
    days = [(dt.date(2026, m % 12 + 1, 1) - dt.timedelta(days=1)).day for m in range(1, 13)]
    assert [row.target for row in profit.rows] == rules.allocate(3_000_000_00, days)
    assert profit.total.target == 3_000_000_00


def test_the_tracking_page_shows_the_regions_levels_and_their_mean(shares, personas, login_client):
    page = login_client(personas["director"]).get(
        "/tracking/",
        {"plan": shares.pk, "metric": "market_share", "group_by": "region", "as_of": "2026-03-15"},
    )

    assert page.status_code == 200
    table = page.content.decode().split('data-testid="variance-table"')[1]
    assert "18.00%" in table
    assert "20.00%" in table
    assert "19.00%" in table  # the total row: the mean
    assert "38.00" not in table


def test_a_warnings_cause_shows_amounts_with_thousands_separators(personas):
    alert = Alert(
        kind="over_budget",
        facts={
            "unit": "华东大区",
            "actual": "1831781.86",
            "pace": "1790936.99",
            "target": "2400000.00",
            "projection": "2491000.10",
        },
    )

    cause = alerts.cause(alert)

    assert "1,831,781.86" in cause
    assert "1,790,936.99" in cause
    assert "2,491,000.10" in cause
