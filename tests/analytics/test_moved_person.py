"""A person who moves team keeps their earlier months in the old team's tracking (docs/org.md:
"a report for an earlier month still counts the person in the old team") — the old manager
sees those months' actuals against the targets of their team; the new manager's team counts
the person from the move on (issue 19, defect 2)."""

import datetime as dt

import pytest

from salescope.analytics.targets import target_variance
from salescope.ledger import rollups
from salescope.ledger.models import SalesRollup
from salescope.org import services as org_services
from salescope.org.models import OrgUnit
from salescope.plans.choices import Metric

YEAR_END = dt.date(2026, 12, 31)


@pytest.fixture
def moved(decomposed, personas):
    """张伟 sold 1,000 a month January–May; on 1 April he moved from 李娜's 上海一组 to
    何涛's 上海二组."""
    zhangwei = personas["salesperson"]
    for month in range(1, 6):
        SalesRollup.objects.create(
            month=dt.date(2026, month, 1),
            kind="sell_in",
            salesperson=zhangwei,
            amount_fen=1_000_00,
            lines=1,
        )
    rollups.refresh_coarser()
    org_services.move_person(
        actor=personas["admin"],
        person=zhangwei,
        unit=OrgUnit.objects.unrestricted().get(code="EAST-SH-2"),
        expected_version=zhangwei.version,
        effective_on=dt.date(2026, 4, 1),
    )
    zhangwei.refresh_from_db()
    return decomposed


def _report(viewer, plan, group_by, **filters):
    return target_variance(
        viewer=viewer,
        plan=plan,
        metric=Metric.SALES_AMOUNT,
        group_by=group_by,
        as_of=YEAR_END,
        filters=filters,
    )


def test_the_old_manager_sees_the_months_the_person_was_in_her_team(moved, personas):
    lina = personas["team_lead"]
    rows = _report(lina, moved, ["salesperson", "month"]).dicts()
    actuals = {r["month"]: r["actual"] for r in rows if r["salesperson"] == "张伟"}
    assert actuals["2026-01"] == actuals["2026-02"] == actuals["2026-03"] == "1000.00"
    assert actuals["2026-04"] == actuals["2026-05"] == "0.00"  # sold in 何涛's team
    team = OrgUnit.objects.unrestricted().get(code="EAST-SH-1")
    by_month = _report(lina, moved, ["month"], unit=team.pk).dicts()
    assert [r["actual"] for r in by_month[:5]] == ["1000.00"] * 3 + ["0.00"] * 2


def test_the_new_team_counts_the_person_from_the_move_on(moved, personas):
    hetao = OrgUnit.objects.unrestricted().get(code="EAST-SH-2").manager
    team = OrgUnit.objects.unrestricted().get(code="EAST-SH-2")
    by_month = _report(hetao, moved, ["month"], unit=team.pk).dicts()
    assert [r["actual"] for r in by_month[:5]] == ["0.00"] * 3 + ["1000.00"] * 2
    # the region sees all five months once
    wangqiang = personas["regional_manager"]
    (east,) = [
        r for r in _report(wangqiang, moved, ["region"]).dicts() if r["region"] == "华东大区"
    ]
    assert east["actual"] == "5000.00"


def test_other_people_do_not_see_the_moved_persons_figures(moved, personas):
    colleague_view = _report(personas["other_region_salesperson"], moved, ["salesperson"]).dicts()
    assert all(r["salesperson"] != "张伟" for r in colleague_view)
    assert all(r["actual"] == "0.00" for r in colleague_view)
