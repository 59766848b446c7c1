"""Tracking as it stood on a past date (截至/as_of): actuals recorded after that date are not
counted — not in later months, not later in the as_of month — on the page, in the API and in
the warnings evaluated for that date (issue 19, defect 1)."""

import datetime as dt

import pytest

from salescope.analytics import services as analytics_services
from salescope.analytics.models import Alert
from salescope.analytics.targets import target_variance
from salescope.catalog.models import Product
from salescope.customers.models import Customer
from salescope.ledger import rollups
from salescope.ledger.models import Collection, SalesLine
from salescope.plans import services
from salescope.plans.choices import Metric

AS_OF = dt.date(2026, 3, 15)


@pytest.fixture
def sold(decomposed, personas):
    """The decomposed plan approved; 张伟 (250,000 a year) sold 10,000 on 10 January, 5,000 on
    10 March, 6,000 on 20 March and 900,000 on 5 May."""
    plan = decomposed
    for action in ("submit", "approve"):
        plan.refresh_from_db()
        services.transition_plan(
            actor=personas["director"], plan=plan, action=action, expected_version=plan.version
        )
    customer = Customer.objects.create(code="C-ASOF", name="截至客户")
    product = Product.objects.create(sku="P-ASOF", name="截至产品")
    sales = [
        (dt.date(2026, 1, 10), 10_000_00),
        (dt.date(2026, 3, 10), 5_000_00),
        (dt.date(2026, 3, 20), 6_000_00),
        (dt.date(2026, 5, 5), 900_000_00),
    ]
    SalesLine.objects.bulk_create(
        SalesLine(
            line_key=f"ASOF-{n}",
            document=f"SO-ASOF-{n}",
            date=date,
            month=date.replace(day=1),
            kind="sell_in",
            customer=customer,
            product=product,
            salesperson=personas["salesperson"],
            quantity_milli=1000,
            unit_price_fen=fen,
            amount_fen=fen,
            cost_fen=0,
            gross_profit_fen=fen,
        )
        for n, (date, fen) in enumerate(sales)
    )
    rollups.rebuild_months({date.replace(day=1) for date, _fen in sales})
    plan.refresh_from_db()
    return plan


def _zhangwei(rows, **keys):
    return [
        r for r in rows if r["salesperson"] == "张伟" and all(r[k] == v for k, v in keys.items())
    ]


def test_actuals_after_as_of_are_not_counted(sold, personas):
    by_month = target_variance(
        viewer=personas["director"],
        plan=sold,
        metric=Metric.SALES_AMOUNT,
        group_by=["salesperson", "month"],
        as_of=AS_OF,
    ).dicts()
    assert [r["actual"] for r in _zhangwei(by_month, month="2026-01")] == ["10000.00"]
    assert [r["actual"] for r in _zhangwei(by_month, month="2026-03")] == ["5000.00"]
    assert [r["actual"] for r in _zhangwei(by_month, month="2026-05")] == ["0.00"]
    whole = target_variance(
        viewer=personas["director"],
        plan=sold,
        metric=Metric.SALES_AMOUNT,
        group_by=["salesperson"],
        as_of=AS_OF,
    ).dicts()
    (row,) = _zhangwei(whole)
    assert row["actual"] == "15000.00"
    # today's report still counts every sale
    today = target_variance(
        viewer=personas["director"],
        plan=sold,
        metric=Metric.SALES_AMOUNT,
        group_by=["salesperson"],
        as_of=dt.date(2026, 12, 31),
    ).dicts()
    assert _zhangwei(today)[0]["actual"] == "921000.00"


def test_the_api_and_the_page_show_the_past_date(sold, personas, api_client, login_client):
    response = api_client(personas["salesperson"]).get(
        f"/api/v1/plans/{sold.pk}/target-variance?group_by=salesperson&as_of=2026-03-15"
    )
    assert response.status_code == 200
    assert [r["actual"] for r in response.json()["rows"]] == ["15000.00"]
    page = login_client(personas["salesperson"]).get(
        f"/tracking/?plan={sold.pk}&group_by=salesperson&as_of=2026-03-15"
    )
    assert page.status_code == 200
    (row,) = page.context["report"].rows
    assert row.actual == 15_000_00
    assert "15,000.00" in page.content.decode()
    assert "921,000.00" not in page.content.decode()


def test_warnings_for_a_past_date_ignore_later_sales(sold, personas):
    analytics_services.evaluate_alerts(as_of=AS_OF)
    behind = Alert.objects.unrestricted().get(kind="behind_pace", owner=personas["salesperson"])
    assert behind.facts["actual"] == "15000.00"
    assert behind.facts["as_of"] == "2026-03-15"


def test_collections_after_as_of_are_not_counted(personas):
    from salescope.analytics.actuals import actual_totals

    customer = Customer.objects.create(code="C-ASOF-R", name="回款客户")
    for n, (date, fen) in enumerate(
        [(dt.date(2026, 3, 2), 700_00), (dt.date(2026, 3, 28), 300_00)]
    ):
        Collection.objects.create(
            number=f"R-ASOF-{n}",
            customer=customer,
            owner=personas["salesperson"],
            date=date,
            month=date.replace(day=1),
            amount_fen=fen,
        )
    totals = actual_totals(
        viewer=personas["director"],
        metric=Metric.COLLECTIONS,
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 12, 31),
        group_by=("salesperson", "month"),
        until=AS_OF,
    )
    assert totals == {(personas["salesperson"].pk, dt.date(2026, 3, 1)): 700_00}
