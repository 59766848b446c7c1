"""Tracking by product category on a plan whose targets have no category: the actuals show per
top-level category (a sale of a sub-category counts in its top category), beside the row of
the targets that name no category — not all folded into one "(无)" row (issue 19, defect 9)."""

import datetime as dt

from salescope.analytics.targets import target_variance
from salescope.catalog.models import Category
from salescope.ledger import rollups
from salescope.ledger.models import SalesRollup
from salescope.plans.choices import Metric


def test_actuals_show_per_category_without_category_targets(decomposed, personas):
    drinks = Category.objects.create(code="DRINK", name="饮料", path="901/")
    tea = Category.objects.create(code="TEA", name="茶饮料", path="901/1/", parent=drinks)
    snacks = Category.objects.create(code="SNACK", name="休闲食品", path="902/")
    for category, fen in ((drinks, 100_00), (tea, 50_00), (snacks, 300_00), (None, 7_00)):
        SalesRollup.objects.create(
            month=dt.date(2026, 2, 1),
            kind="sell_in",
            salesperson=personas["salesperson"],
            category=category,
            amount_fen=fen,
            lines=1,
        )
    rollups.refresh_coarser()
    report = target_variance(
        viewer=personas["director"],
        plan=decomposed,
        metric=Metric.SALES_AMOUNT,
        group_by=["category"],
        as_of=dt.date(2026, 12, 31),
    )
    rows = {r["category"]: (r["target"], r["actual"]) for r in report.dicts()}
    assert rows == {
        "饮料": ("0.00", "150.00"),
        "休闲食品": ("0.00", "300.00"),
        "（无）": ("12000000.00", "7.00"),
    }
    assert report.total.actual == 457_00
