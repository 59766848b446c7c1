"""The demo's manual actuals (实绩录入): entered for the current plan's targets on metrics the
ledger does not hold, through the audited service, idempotent, and seen by the right people.

The ledger's demo (two years of daily sales) is not needed: the plans demo falls back to equal
shares without it, which keeps these tests fast.
"""

import datetime as dt
from fractions import Fraction

import pytest
from django.utils import timezone

from salescope.analytics import demo as analytics_demo
from salescope.analytics import manual
from salescope.analytics.models import ManualActual
from salescope.core.models import AuditEntry
from salescope.core.periods import month_end, months_between
from salescope.org import demo as org_demo
from salescope.org.models import OrgUnit, User
from salescope.plans import demo as plans_demo
from salescope.plans.choices import Metric, PlanStatus
from salescope.plans.models import Plan, Target

pytestmark = pytest.mark.django_db


def _quiet(_line: str) -> None:
    pass


def _load_all() -> None:
    org_demo.load(_quiet)
    plans_demo.load(_quiet)
    analytics_demo.load(_quiet)


def _rows() -> list[tuple]:
    return sorted(
        ManualActual.objects.unrestricted().values_list(
            "metric",
            "month",
            "person__username",
            "unit__code",
            "category_id",
            "value",
            "note",
            "entered_by__username",
            "version",
        )
    )


def _audits() -> int:
    return AuditEntry.objects.filter(action__startswith="analytics.manual_actual").count()


def _user(username: str) -> User:
    return User.objects.unrestricted().get(username=username)


def _elapsed_share(target: Target, today: dt.date) -> Fraction:
    """Calendar-day share of the target's months gone by today (what pace asks for)."""
    months = months_between(target.period_start, target.period_end)
    gone = Fraction(0)
    for month in months:
        end = month_end(month)
        if today >= end:
            gone += 1
        elif today >= month:
            gone += Fraction(today.day, end.day)
    return gone / len(months)


def test_loading_twice_gives_the_same_rows_each_entered_once_and_audited():
    _load_all()
    first, audits = _rows(), _audits()
    lines: list[str] = []

    analytics_demo.load(lines.append)
    plans_demo.load(_quiet)
    analytics_demo.load(_quiet)

    assert _rows() == first
    assert _audits() == audits == len(first)
    assert lines == [f"analytics: manual actuals entered 0, already there {len(first)}"]
    metrics = {row[0] for row in first}
    # The demo plan sets targets on expense, new outlets and each region's market share.
    assert metrics == {Metric.EXPENSE_BUDGET, Metric.NEW_OUTLETS, Metric.MARKET_SHARE}
    assert all(row[4] is None for row in first)  # no category cells
    today = timezone.localdate()
    assert all(row[1] <= today and row[1].day == 1 for row in first)


def test_figures_are_entered_by_the_regional_managers_some_ahead_some_behind():
    _load_all()
    plan = Plan.objects.unrestricted().get(status=PlanStatus.APPROVED)
    director = _user("liuyang")
    regions = {
        u.pk: u
        for u in OrgUnit.objects.unrestricted().filter(code__in=["EAST", "SOUTH", "NORTH", "WEST"])
    }

    # Every figure of a region's cell or people is entered by that region's manager (market
    # share by marketing).
    shares = ManualActual.objects.unrestricted().filter(metric=Metric.MARKET_SHARE)
    for actual in (
        ManualActual.objects.unrestricted()
        .exclude(pk__in=shares)
        .select_related("unit", "person__unit")
    ):
        unit = actual.unit or actual.person.unit
        region = next(r for r in regions.values() if unit.path.startswith(r.path))
        assert actual.entered_by_id == region.manager_id, actual

    today = timezone.localdate()
    for metric in (Metric.EXPENSE_BUDGET, Metric.NEW_OUTLETS):
        totals = manual.manual_actuals(
            viewer=director,
            metric=metric,
            date_from=plan.period_start,
            date_to=plan.period_end,
            group_by=("region",),
        )
        ratio = {}
        for target in (
            Target.objects.unrestricted()
            .filter(plan=plan, metric=metric, unit__in=regions.values())
            .select_related("unit")
        ):
            pace = target.value * _elapsed_share(target, today)
            ratio[target.unit.code] = Fraction(totals.get((target.unit_id,), 0)) / pace
        assert set(ratio) == {"EAST", "SOUTH", "NORTH", "WEST"}
        if metric == Metric.EXPENSE_BUDGET:  # money: no rounding to whole counts
            assert ratio["EAST"] > 1 > ratio["NORTH"], ratio
            assert all(Fraction(4, 5) < r < Fraction(6, 5) for r in ratio.values()), ratio
        elif today >= dt.date(plan.fiscal_year, 6, 1):  # counts need a few months to show it
            assert ratio["EAST"] > 1 > ratio["NORTH"], ratio


def test_figures_are_visible_to_the_right_personas(api_client):
    _load_all()
    zhang, chen = _user("zhangwei"), _user("chenjing")
    east = OrgUnit.objects.unrestricted().get(code="EAST")

    def seen(username: str) -> set[int]:
        return set(manual.list_manual_actuals(viewer=_user(username)).values_list("pk", flat=True))

    everything = set(ManualActual.objects.unrestricted().values_list("pk", flat=True))
    zhang_own = set(
        ManualActual.objects.unrestricted().filter(person=zhang).values_list("pk", flat=True)
    )
    east_all = {
        a.pk
        for a in ManualActual.objects.unrestricted().select_related("unit", "person__unit")
        if (a.unit or a.person.unit).path.startswith(east.path)
    }
    east_expense = set(
        ManualActual.objects.unrestricted()
        .filter(unit=east, metric=Metric.EXPENSE_BUDGET)
        .values_list("pk", flat=True)
    )
    assert zhang_own
    assert east_expense

    # A salesperson sees his own figures only; not his region's expense, not another region.
    assert seen("zhangwei") == zhang_own
    assert not seen("chenjing") & east_all
    assert seen("chenjing") == set(
        ManualActual.objects.unrestricted().filter(person=chen).values_list("pk", flat=True)
    )
    # The regional manager sees his whole region, nothing of the others.
    assert seen("wangqiang") == east_all
    # The director, finance and marketing see the company.
    for username in ("liuyang", "zhaomin", "sunli", "admin"):
        assert seen(username) == everything, username

    body = api_client(zhang).get("/api/v1/manual-actuals?limit=500").json()
    assert {item["id"] for item in body["items"]} == zhang_own
    assert all(item["person_id"] == zhang.pk for item in body["items"])
    other = api_client(chen).get(f"/api/v1/manual-actuals/{min(east_expense)}")
    assert other.status_code == 404


def test_each_region_gets_monthly_market_shares_entered_by_marketing():
    """The plan's market share is a level per region; marketing enters each region's monthly
    share near its level, and the tracking shows the regions' levels and their mean."""
    from salescope.analytics.targets import target_variance

    _load_all()
    plan = Plan.objects.unrestricted().get(status=PlanStatus.APPROVED)
    shares = ManualActual.objects.unrestricted().filter(metric=Metric.MARKET_SHARE)
    today = timezone.localdate()
    months = months_between(plan.period_start, min(today, plan.period_end))
    assert shares.count() == 4 * len(months)
    assert set(shares.values_list("entered_by__username", flat=True)) == {"sunli"}
    assert set(shares.values_list("unit__code", flat=True)) == set(plans_demo.MARKET_SHARE)
    # A share is a level near the region's target each month, never summed into 100 %+.
    for code, level in plans_demo.MARKET_SHARE.items():
        values = shares.filter(unit__code=code).values_list("value", flat=True)
        assert all(level * 85 // 100 <= v <= level * 110 // 100 for v in values), code
    zhang = _user("zhangwei")
    assert not manual.list_manual_actuals(viewer=zhang, metric=Metric.MARKET_SHARE).exists()

    report = target_variance(
        viewer=_user("liuyang"), plan=plan, metric=Metric.MARKET_SHARE, group_by=["region"]
    )
    levels = {row.labels["region"]: row.target for row in report.rows}
    names = dict(
        OrgUnit.objects.unrestricted()
        .filter(code__in=plans_demo.MARKET_SHARE)
        .values_list("name", "code")
    )
    assert {names[n]: v for n, v in levels.items()} == plans_demo.MARKET_SHARE
    assert report.total.target == 15_50
    assert report.total.tracking.pace == 15_50
    assert 13_00 < report.total.actual < 18_00
