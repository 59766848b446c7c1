"""Decomposing a plan's target along org and time: exact sums, locks, permissions (A3, R9)."""

import pytest
from django.db.models import Sum

from salescope.core.errors import PermissionDenied, ValidationFailed
from salescope.core.models import AuditEntry
from salescope.plans import services
from salescope.plans.choices import METRICS, Axis, Metric
from salescope.plans.models import Target
from salescope.plans.services import CellEdit, Step


def _children_sum_to_parents(plan):
    """The invariant of amounts, counts and quantities (a percentage's parts are levels)."""
    amounts = [metric for metric, info in METRICS.items() if info.additive]
    for parent in Target.objects.unrestricted().filter(
        plan=plan, is_leaf=False, metric__in=amounts
    ):
        total = Target.objects.unrestricted().filter(parent=parent).aggregate(s=Sum("value"))["s"]
        assert total == parent.value, parent.label


def test_company_target_decomposes_to_every_salesperson_and_month_exactly(decomposed, personas):
    _children_sum_to_parents(decomposed)
    zhangwei = Target.objects.unrestricted().filter(plan=decomposed, person=personas["salesperson"])
    months = zhangwei.filter(grain="month")
    assert months.count() == 12
    person_cell = zhangwei.get(grain="year")
    assert sum(m.value for m in months) == person_cell.value
    # 4 regions share 12,000,000.00 equally
    regions = Target.objects.unrestricted().filter(plan=decomposed, depth=1).order_by("position")
    assert [r.value for r in regions] == [300_000_000] * 4
    assert AuditEntry.objects.filter(action="plans.target.decomposed").count() == 1


def test_editing_a_cell_locks_it_and_the_free_siblings_absorb_the_difference(decomposed, personas):
    root = decomposed.targets.get(parent=None)
    regions = list(Target.objects.unrestricted().filter(parent=root).order_by("position"))
    first = regions[0]
    services.edit_cells(
        actor=personas["director"],
        parent=root,
        edits=[CellEdit(first.pk, first.version, value=450_000_000)],
    )
    values = list(
        Target.objects.unrestricted()
        .filter(parent=root)
        .order_by("position")
        .values_list("value", flat=True)
    )
    assert values == [450_000_000, 250_000_000, 250_000_000, 250_000_000]
    assert Target.objects.unrestricted().get(pk=first.pk).locked is True
    _children_sum_to_parents(decomposed)


def test_locks_that_exceed_the_parent_are_refused_and_nothing_changes(decomposed, personas):
    root = decomposed.targets.get(parent=None)
    regions = list(Target.objects.unrestricted().filter(parent=root).order_by("position"))
    before = list(
        Target.objects.unrestricted().filter(plan=decomposed).values_list("pk", "value", "version")
    )
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        services.edit_cells(
            actor=personas["director"],
            parent=root,
            edits=[
                CellEdit(regions[0].pk, regions[0].version, value=800_000_000),
                CellEdit(regions[1].pk, regions[1].version, value=800_000_000),
            ],
        )
    assert caught.value.code == "target_infeasible_locks"
    assert (
        list(
            Target.objects.unrestricted()
            .filter(plan=decomposed)
            .values_list("pk", "value", "version")
        )
        == before
    )
    assert AuditEntry.objects.count() == audits


def test_a_salesperson_cannot_decompose_or_edit_targets(decomposed, personas):
    mine = Target.objects.unrestricted().get(
        plan=decomposed, person=personas["salesperson"], grain="year"
    )
    audits = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        services.decompose_target(
            actor=personas["salesperson"], target=mine, steps=[Step(Axis.MONTH)]
        )
    assert AuditEntry.objects.count() == audits


def test_team_lead_decomposes_her_team_target_to_her_people(plan, personas):
    root = plan.targets.get(parent=None)
    director = personas["director"]
    services.decompose_target(
        actor=director, target=root, steps=[Step(Axis.ORG), Step(Axis.ORG), Step(Axis.ORG)]
    )
    team = Target.objects.unrestricted().get(plan=plan, unit__code="EAST-SH-1", person=None)
    created = services.decompose_target(
        actor=personas["team_lead"], target=team, steps=[Step(Axis.ORG)]
    )
    assert created == 3  # 张伟, 杨帆, 周磊
    _children_sum_to_parents(plan)


def test_plan_total_change_respreads_the_whole_tree(decomposed, personas):
    def leaves():
        return dict(
            Target.objects.unrestricted()
            .filter(plan=decomposed, is_leaf=True)
            .values_list("pk", "value")
        )

    before = leaves()
    services.set_plan_target(
        actor=personas["director"], plan=decomposed, metric=Metric.SALES_AMOUNT, value=12_000_000_01
    )
    root = Target.objects.unrestricted().get(plan=decomposed, parent=None)
    assert root.value == 12_000_000_01
    after = leaves()
    assert sum(after.values()) == 12_000_000_01
    # the one extra fen lands on one leaf (the remainder placed deterministically); the rest
    # of the tree keeps its values
    changed = {pk: after[pk] - before[pk] for pk in after if after[pk] != before[pk]}
    assert list(changed.values()) == [1]
    _children_sum_to_parents(decomposed)


def test_last_years_share_and_seasonality_come_from_the_ledger_rollups(plan, personas):
    import datetime as dt

    from salescope.ledger import rollups
    from salescope.ledger.models import SalesRollup
    from salescope.plans.choices import Method

    # 2025: 张伟 (华东) sold 3 in March, 陈静 (华南) sold 1 in July; nobody else sold.
    SalesRollup.objects.create(
        month=dt.date(2025, 3, 1),
        kind="sell_in",
        salesperson=personas["salesperson"],
        amount_fen=300,
    )
    SalesRollup.objects.create(
        month=dt.date(2025, 7, 1),
        kind="sell_in",
        salesperson=personas["other_region_salesperson"],
        amount_fen=100,
    )
    rollups.refresh_coarser()
    root = plan.targets.get(parent=None)
    services.decompose_target(
        actor=personas["director"],
        target=root,
        steps=[Step(Axis.ORG, Method.LAST_YEAR), Step(Axis.MONTH, Method.SEASONALITY)],
    )
    regions = {
        t.unit.code: t
        for t in Target.objects.unrestricted().filter(parent=root).select_related("unit")
    }
    assert regions["EAST"].value == 900_000_000
    assert regions["SOUTH"].value == 300_000_000
    assert regions["NORTH"].value == regions["WEST"].value == 0
    east_months = (
        Target.objects.unrestricted().filter(parent=regions["EAST"]).order_by("period_start")
    )
    assert [m.value for m in east_months if m.value] == [900_000_000]
    assert east_months.get(value=900_000_000).period_start == dt.date(2026, 3, 1)
    north_months = Target.objects.unrestricted().filter(parent=regions["NORTH"])
    assert {m.value for m in north_months} == {0}


def test_a_persons_year_follows_their_own_monthly_history(plan, personas):
    import datetime as dt

    from salescope.ledger import rollups
    from salescope.ledger.models import SalesRollup
    from salescope.plans.choices import Method

    for month, fen in ((2, 100), (5, 300)):
        SalesRollup.objects.create(
            month=dt.date(2025, month, 1),
            kind="sell_in",
            salesperson=personas["salesperson"],
            amount_fen=fen,
        )
    rollups.refresh_coarser()
    root = plan.targets.get(parent=None)
    director = personas["director"]
    services.decompose_target(actor=director, target=root, steps=[Step(Axis.ORG)] * 4)
    mine = Target.objects.unrestricted().get(plan=plan, person=personas["salesperson"])
    services.decompose_target(
        actor=personas["team_lead"], target=mine, steps=[Step(Axis.MONTH, Method.SEASONALITY)]
    )
    months = {
        t.period_start.month: t.value
        for t in Target.objects.unrestricted().filter(parent=mine)
        if t.value
    }
    assert months == {2: mine.value // 4, 5: mine.value - mine.value // 4}


def _sold_in_2025(person, month, fen):  # noqa: ANN001, ANN202
    import datetime as dt

    from salescope.ledger import rollups
    from salescope.ledger.models import SalesRollup

    SalesRollup.objects.create(
        month=dt.date(2025, month, 1), kind="sell_in", salesperson=person, amount_fen=fen
    )
    rollups.refresh_coarser()


def test_a_split_by_last_year_without_last_years_actuals_is_refused(plan, personas):
    """Nothing sold in 2025: "last year's share" would silently be equal shares."""
    from salescope.plans.choices import Method

    root = plan.targets.get(parent=None)
    director = personas["director"]
    services.decompose_target(actor=director, target=root, steps=[Step(Axis.ORG)])
    before = sorted(
        Target.objects.unrestricted().filter(plan=plan).values_list("pk", "value", "version")
    )

    for method in (Method.LAST_YEAR, Method.SEASONALITY):
        with pytest.raises(ValidationFailed) as refused:
            services.decompose_target(actor=director, target=root, steps=[Step(Axis.ORG, method)])
        assert refused.value.code == "target_no_history"
        assert list(refused.value.fields) == ["method"]
    assert sorted(
        Target.objects.unrestricted().filter(plan=plan).values_list("pk", "value", "version")
    ) == (before)


def test_a_metric_without_ledger_history_cannot_be_split_by_last_year(plan, personas):
    from salescope.plans.choices import Method

    director = personas["director"]
    outlets = services.set_plan_target(
        actor=director, plan=plan, metric=Metric.NEW_OUTLETS, value=400_00
    )
    with pytest.raises(ValidationFailed) as refused:
        services.decompose_target(
            actor=director, target=outlets, steps=[Step(Axis.ORG, Method.LAST_YEAR)]
        )
    assert refused.value.code == "target_no_history"
    assert not Target.objects.unrestricted().filter(parent=outlets).exists()


def test_a_part_without_history_of_its_own_is_split_equally_and_says_so(plan, personas):
    """华东 sold in March 2025, 华南 nothing: 华东's months follow its season, 华南's are equal
    and 华南 records the method it got (equal), not the one asked for."""
    from salescope.plans.choices import Method

    _sold_in_2025(personas["salesperson"], 3, 500)
    root = plan.targets.get(parent=None)
    services.decompose_target(
        actor=personas["director"],
        target=root,
        steps=[Step(Axis.ORG, Method.CUSTOM, [1, 1, 1, 1]), Step(Axis.MONTH, Method.SEASONALITY)],
    )

    regions = {
        t.unit.code: t
        for t in Target.objects.unrestricted().filter(parent=root).select_related("unit")
    }
    east, south = regions["EAST"], regions["SOUTH"]
    assert (east.method, south.method) == (Method.SEASONALITY, Method.EQUAL)
    east_months = {
        t.period_start.month: t.value for t in Target.objects.unrestricted().filter(parent=east)
    }
    assert {m: v for m, v in east_months.items() if v} == {3: east.value}
    south_months = [t.value for t in Target.objects.unrestricted().filter(parent=south)]
    assert sum(south_months) == south.value
    assert max(south_months) - min(south_months) <= 1  # equal shares, to the fen
    _children_sum_to_parents(plan)


def test_collections_are_split_by_last_years_collections(plan, personas):
    """回款 has history too (issue 19, defect 8): last year's collections give the shares."""
    import datetime as dt

    from salescope.customers.models import Customer
    from salescope.ledger.models import Collection
    from salescope.plans.choices import Method

    customer = Customer.objects.create(code="C-HIST", name="回款历史客户")
    for n, (person, day, fen) in enumerate(
        [
            (personas["salesperson"], dt.date(2025, 3, 10), 300_00),
            (personas["other_region_salesperson"], dt.date(2025, 6, 5), 100_00),
        ]
    ):
        Collection.objects.create(
            number=f"R-HIST-{n}",
            customer=customer,
            owner=person,
            date=day,
            month=day.replace(day=1),
            amount_fen=fen,
        )
    director = personas["director"]
    collections = services.set_plan_target(
        actor=director, plan=plan, metric=Metric.COLLECTIONS, value=8_000_000_00
    )
    services.decompose_target(
        actor=director, target=collections, steps=[Step(Axis.ORG, Method.LAST_YEAR)]
    )
    regions = {
        t.unit.code: t.value
        for t in Target.objects.unrestricted().filter(parent=collections).select_related("unit")
    }
    assert regions == {"EAST": 6_000_000_00, "SOUTH": 2_000_000_00, "NORTH": 0, "WEST": 0}
