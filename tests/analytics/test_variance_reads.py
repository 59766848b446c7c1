"""The fast reads behind target vs actual (issue 5 figures) give what the plain definitions
give: the partition levels of a plan, and actuals summed straight from the rollups."""

import datetime as dt
import random

import pytest

from salescope.analytics.actuals import actual_totals, hundredths
from salescope.analytics.targets import _levels, target_variance
from salescope.catalog.models import Category
from salescope.ledger import queries as ledger
from salescope.ledger import rollups as ledger_rollups
from salescope.ledger.models import SalesRollup
from salescope.org.models import OrgUnit, User
from salescope.plans import services
from salescope.plans.choices import Axis, Metric
from salescope.plans.models import Target
from salescope.plans.services import Step

AS_OF = dt.date(2026, 5, 20)


@pytest.fixture
def uneven(decomposed, personas):
    """The demo plan decomposed to person × month, then one person's March further by
    product, and a second metric left as the plan total only (a loose leaf)."""
    director = personas["director"]
    for i in range(3):
        Category.objects.create(code=f"V{i}", name=f"类{i}", path=f"{90 + i}/")
    march = Target.objects.unrestricted().get(
        plan=decomposed, person=personas["salesperson"], period_start=dt.date(2026, 3, 1)
    )
    services.decompose_target(actor=director, target=march, steps=[Step(Axis.PRODUCT)])
    services.set_plan_target(
        actor=director, plan=decomposed, metric=Metric.GROSS_PROFIT, value=3_000_000_00
    )
    return decomposed


@pytest.mark.parametrize("metric", [Metric.SALES_AMOUNT, Metric.GROSS_PROFIT, Metric.QUANTITY])
def test_levels_are_the_distinct_level_signatures_of_the_cells(uneven, metric):
    expected = sorted(
        set(
            Target.objects.unrestricted()
            .filter(plan=uneven, metric=metric)
            .values_list("dims", "parent_dims", "is_leaf")
        )
    )
    assert _levels(uneven, metric) == expected


@pytest.mark.parametrize(
    "group_by",
    [
        ["month"],
        ["salesperson", "month"],
        ["region", "quarter"],
        ["unit"],
        ["category"],
        ["salesperson", "category", "month"],
    ],
)
@pytest.mark.parametrize("metric", [Metric.SALES_AMOUNT, Metric.GROSS_PROFIT])
def test_every_group_by_adds_up_to_the_plan_total(uneven, personas, group_by, metric):
    report = target_variance(
        viewer=personas["director"], plan=uneven, metric=metric, group_by=group_by, as_of=AS_OF
    )
    root = Target.objects.unrestricted().get(plan=uneven, metric=metric, parent=None)
    assert sum(r.target for r in report.rows) == root.value == report.total.target
    if group_by == ["salesperson", "month"] and metric == Metric.SALES_AMOUNT:
        leaves: dict[tuple, int] = {}
        for person, month, value in (
            Target.objects.unrestricted()
            .filter(plan=uneven, metric=metric, is_leaf=True)
            .values_list("person_id", "period_start", "value")
        ):
            leaves[(person, month)] = leaves.get((person, month), 0) + value
        got = {(r.keys["salesperson"], r.keys["month"]): r.target for r in report.rows}
        assert got == leaves


@pytest.fixture
def rollups(personas):
    """Rollup rows with half-unit quantities (rounding), negatives, both kinds, no person."""
    rng = random.Random(5)  # noqa: S311 - seeded test data
    people = list(User.objects.unrestricted().filter(role="salesperson").order_by("pk")) + [None]
    regions = list(
        OrgUnit.objects.unrestricted().filter(kind="region").values_list("pk", flat=True)
    )
    categories = [
        Category.objects.create(code=f"R{i}", name=f"类{i}", path=f"{i + 70}/") for i in range(3)
    ]
    child = Category.objects.create(
        code="R0a", name="子类", path=f"{categories[0].path}1/", parent=categories[0]
    )
    categories.append(child)
    rows = []
    for person in people:
        for month in (dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 7, 1)):
            for category in [*categories, None]:
                if rng.random() < 0.3:
                    continue
                rows.append(
                    SalesRollup(
                        month=month,
                        kind=rng.choice(["sell_in", "sell_in", "sell_through"]),
                        salesperson=person,
                        region_id=rng.choice(regions),
                        category=category,
                        amount_fen=rng.randint(-5_000, 9_000_000),
                        quantity_milli=rng.choice(
                            [5, 15, -15, 25, 1_234_565, rng.randint(0, 99_999)]
                        ),
                        cost_fen=0,
                        gross_profit_fen=rng.randint(-100_000, 3_000_000),
                        lines=1,
                    )
                )
    SalesRollup.objects.bulk_create(rows)
    ledger_rollups.refresh_coarser()
    return categories


MEASURES = {
    Metric.SALES_AMOUNT: "amount",
    Metric.QUANTITY: "quantity",
    Metric.GROSS_PROFIT: "gross_profit",
}


@pytest.mark.parametrize("viewer", ["director", "team_lead", "salesperson", "regional_manager"])
@pytest.mark.parametrize(
    "group_by",
    [
        ("salesperson", "month"),
        ("salesperson", "month", "category"),
        ("month",),
        ("region", "category"),
        (),
        ("unit", "month"),  # a dimension the rollups lack comes back as None
    ],
)
@pytest.mark.parametrize("metric", list(MEASURES))
def test_actuals_from_the_rollups_equal_the_ledger_totals(
    rollups, personas, viewer, group_by, metric
):
    """Same rows, visibility and rounding as ``ledger.queries.rollup_totals`` (each grouped
    row to hundredths, half up), for every measure and several filters."""
    user = personas[viewer]
    filter_sets = [
        None,
        {"salesperson": personas["salesperson"].pk},
        {"category": rollups[0].pk},  # with its subcategory
        {"kind": "all"},
    ]
    for filters in filter_sets:
        asked = [d for d in group_by if d in ledger.ROLLUP_DIMENSIONS]
        expected: dict[tuple, int] = {}
        for row in ledger.rollup_totals(
            viewer=user,
            date_from=dt.date(2026, 1, 1),
            date_to=dt.date(2026, 12, 31),
            group_by=asked,
            filters=filters,
        ):
            key = tuple(row.get(d) if d in asked else None for d in group_by)
            expected[key] = expected.get(key, 0) + hundredths(row[MEASURES[metric]])
        got = actual_totals(
            viewer=user,
            metric=metric,
            date_from=dt.date(2026, 1, 1),
            date_to=dt.date(2026, 12, 31),
            group_by=group_by,
            filters=filters,
        )
        assert got == expected, filters
