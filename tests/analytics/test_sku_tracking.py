"""Targets at SKU and brand level show on tracking beside the category level, their actuals
read from the sales lines by product (A3, B1)."""

import datetime as dt

import pytest

from salescope.analytics.targets import target_variance
from salescope.catalog.models import Brand, Category, Product
from salescope.customers.models import Customer
from salescope.ledger.models import SalesLine
from salescope.plans import services
from salescope.plans.choices import Axis
from salescope.plans.services import Step

pytestmark = pytest.mark.django_db


@pytest.fixture
def by_sku(plan, personas):
    frozen = Category.objects.create(code="S-FZ", name="速冻", path="")
    frozen.path = f"{frozen.pk}/"
    frozen.save()
    gold = Brand.objects.create(code="S-GOLD", name="金品")
    dumplings = Product.objects.create(sku="S-1", name="水饺", brand=gold, category=frozen)
    balls = Product.objects.create(sku="S-2", name="汤圆", brand=gold, category=frozen)
    root = plan.targets.get(parent=None)
    services.decompose_target(
        actor=personas["director"], target=root, steps=[Step(Axis.PRODUCT), Step(Axis.SKU)]
    )
    customer = Customer.objects.create(code="C-SKU", name="门店")
    SalesLine.objects.bulk_create(
        SalesLine(
            line_key=f"SKU-{n}",
            date=dt.date(2026, 3, 5),
            month=dt.date(2026, 3, 1),
            kind="sell_in",
            customer=customer,
            product=product,
            brand=gold,
            category=frozen,
            salesperson=personas["salesperson"],
            quantity_milli=1000,
            unit_price_fen=fen,
            amount_fen=fen,
            cost_fen=0,
            gross_profit_fen=fen,
        )
        for n, (product, fen) in enumerate([(dumplings, 1_000_00), (balls, 250_00)] * 2)
    )
    return {"frozen": frozen, "gold": gold, "dumplings": dumplings, "balls": balls}


def test_sku_rows_show_beside_their_category_with_actuals_from_the_lines(plan, personas, by_sku):
    report = target_variance(
        viewer=personas["director"],
        plan=plan,
        metric="sales_amount",
        group_by=["category", "product"],
        as_of=dt.date(2026, 12, 31),
    )
    rows = {(r.labels["category"], r.labels["product"]): r for r in report.rows}
    assert set(rows) == {("速冻", "水饺"), ("速冻", "汤圆")}
    assert rows[("速冻", "水饺")].actual == 2_000_00
    assert rows[("速冻", "汤圆")].actual == 500_00
    assert report.total.target == 12_000_000_00  # the SKU targets add up to the plan
    assert sum(r.target for r in report.rows) == 12_000_000_00


def test_brand_rows_add_up_their_skus(plan, personas, by_sku):
    report = target_variance(
        viewer=personas["director"],
        plan=plan,
        metric="sales_amount",
        group_by=["brand"],
        as_of=dt.date(2026, 12, 31),
    )
    (gold,) = report.rows
    assert gold.labels["brand"] == "金品"
    assert (gold.target, gold.actual) == (12_000_000_00, 2_500_00)


def test_the_tracking_page_groups_by_category_and_sku(plan, personas, by_sku, login_client):
    page = login_client(personas["director"]).get(
        "/tracking/", {"plan": plan.pk, "group_by": "category,product"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "水饺" in html
    assert "汤圆" in html
