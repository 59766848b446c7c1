"""Demand vs stock (H4): a product whose stock will not last shows as a stock-out risk with
its date and gap, open orders and incoming supply count, too much stock is overstock."""

import datetime as dt

from salescope.catalog.models import IncomingSupply, StockLevel
from salescope.forecasting import queries, rules
from tests.forecasting.conftest import TODAY


def _risk(risks, product, warehouse):
    return next((r for r in risks if r.product == product and r.warehouse == warehouse), None)


def test_a_product_short_of_stock_is_at_risk_with_date_and_gap(fitted, history):
    product = history["products"][0]
    east = history["warehouses"]["east"]
    StockLevel.objects.unrestricted().filter(product=product, warehouse=east).update(
        on_hand=100, reserved=0
    )
    risk = _risk(queries.stock_risks(as_of=TODAY), product, east)
    assert risk is not None
    assert risk.kind == rules.STOCK_OUT
    # about 160 units a month go out of 华东: 100 units last into the third week
    assert dt.date(2026, 7, 13) <= risk.date <= dt.date(2026, 7, 27)
    weeks = rules.week_starts(TODAY, queries.DEFAULT_WEEKS)
    assert risk.gap == -min(risk.projection)
    assert len(risk.projection) == len(weeks)


def test_incoming_supply_in_time_removes_the_risk(fitted, history):
    product = history["products"][0]
    east = history["warehouses"]["east"]
    StockLevel.objects.unrestricted().filter(product=product, warehouse=east).update(
        on_hand=100, reserved=0
    )
    IncomingSupply.objects.create(
        warehouse=east, product=product, kind="purchase", quantity=5000, expected_date=TODAY
    )
    risk = _risk(queries.stock_risks(as_of=TODAY), product, east)
    assert risk is None or risk.kind != rules.STOCK_OUT


def test_plenty_of_stock_is_overstock(fitted, history, settings):
    settings.FORECASTING_OVERSTOCK_WEEKS = 4
    product = history["products"][0]
    south = history["warehouses"]["south"]
    risk = _risk(queries.stock_risks(as_of=TODAY), product, south)
    assert risk is not None
    assert risk.kind == rules.OVERSTOCK
    assert risk.weeks_of_cover > 4


def test_the_page_lists_risks_for_the_catalogue_viewers(fitted, history, personas, login_client):
    product = history["products"][0]
    east = history["warehouses"]["east"]
    StockLevel.objects.unrestricted().filter(product=product, warehouse=east).update(
        on_hand=100, reserved=0
    )
    for persona in ("marketing", "salesperson", "director"):
        page = login_client(personas[persona]).get(
            f"/forecasting/stock/?kind=stock_out&weeks=13&as_of={TODAY}"
        )
        assert page.status_code == 200
        assert product.sku in page.content.decode()


def test_the_api_lists_the_same_risks(fitted, history, personas, api_client):
    product = history["products"][0]
    east = history["warehouses"]["east"]
    StockLevel.objects.unrestricted().filter(product=product, warehouse=east).update(
        on_hand=100, reserved=0
    )
    rows = (
        api_client(personas["salesperson"])
        .get(f"/api/v1/forecasting/stock-risks?kind=stock_out&as_of={TODAY}")
        .json()
    )
    assert [(r["sku"], r["warehouse_code"]) for r in rows] == [("FC-1", "FC-E")]
    assert rows[0]["date"] is not None
    assert rows[0]["gap"] > 0


def test_a_projected_stock_out_raises_a_warning_for_the_product_manager_and_clears_when_supplied(
    fitted, history, personas
):
    from salescope.analytics.choices import AlertKind, AlertStatus
    from salescope.analytics.models import Alert
    from salescope.analytics.services import evaluate_alerts

    product = history["products"][0]
    east = history["warehouses"]["east"]
    StockLevel.objects.unrestricted().filter(product=product, warehouse=east).update(
        on_hand=100, reserved=0
    )

    evaluate_alerts(as_of=TODAY)

    warning = Alert.objects.unrestricted().get(
        kind=AlertKind.STOCK_OUT, facts__subject=f"sku{product.pk}"
    )
    assert warning.status == AlertStatus.OPEN
    assert warning.owner == personas["marketing"]
    assert product.name in warning.facts["product"]

    IncomingSupply.objects.create(
        warehouse=east, product=product, kind="purchase", quantity=5000, expected_date=TODAY
    )
    evaluate_alerts(as_of=TODAY)

    warning.refresh_from_db()
    assert warning.status == AlertStatus.RESOLVED
