"""Demand vs stock (H4): a product whose stock will not last shows as a stock-out risk with
its date and gap, open orders and incoming supply count, too much stock is overstock."""

import datetime as dt

import numpy as np

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
        .json()["items"]
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


def test_received_or_cancelled_supply_does_not_count_as_incoming(fitted, history):
    """Received supply is already in stock on hand, cancelled supply arrives nowhere: only
    open supply lifts the projection."""
    product = history["products"][0]
    east = history["warehouses"]["east"]
    StockLevel.objects.unrestricted().filter(product=product, warehouse=east).update(
        on_hand=100, reserved=0
    )
    for status in ("received", "cancelled"):
        IncomingSupply.objects.create(
            warehouse=east,
            product=product,
            kind="purchase",
            quantity=5000,
            expected_date=TODAY,
            status=status,
        )
    risk = _risk(queries.stock_risks(as_of=TODAY), product, east)
    assert risk is not None
    assert risk.kind == rules.STOCK_OUT


def _approved_plan(
    personas, product, units_per_month, months=(7, 8, 9, 10), metric="quantity", per_unit=100
):
    """An approved plan with ``metric`` targets for ``product`` in 华东 (the salesperson's
    unit), one SKU leaf cell per month of 2026, under a root cell that is not a leaf.
    ``per_unit``: a unit's worth in the metric's hundredths (100: a quantity; a sales amount:
    the price in fen)."""
    from salescope.plans.models import Plan, Target

    owner = personas["director"]
    plan = Plan.objects.create(
        name="2026 计划",
        fiscal_year=2026,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        scope_unit=owner.unit,
        owner=owner,
        status="approved",
    )
    root = Target.objects.create(
        plan=plan,
        metric=metric,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        grain="year",
        value=units_per_month * len(months) * per_unit,
        is_leaf=False,
    )
    for month in months:
        first = dt.date(2026, month, 1)
        Target.objects.create(
            plan=plan,
            metric=metric,
            parent=root,
            axis="sku",
            depth=1,
            product=product,
            unit=personas["salesperson"].unit,
            period_start=first,
            period_end=(first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1),
            grain="month",
            value=units_per_month * per_unit,
        )
    return plan


def test_demand_can_be_the_approved_targets_instead_of_the_forecast(fitted, history, personas):
    product = history["products"][0]
    east = history["warehouses"]["east"]
    StockLevel.objects.unrestricted().filter(product=product, warehouse=east).update(
        on_hand=2000, reserved=0
    )
    # the forecast (about 160 a month) leaves 2,000 units enough for 13 weeks
    by_forecast = _risk(queries.stock_risks(as_of=TODAY), product, east)
    assert by_forecast is None or by_forecast.kind != rules.STOCK_OUT

    _approved_plan(personas, product, units_per_month=3100)  # 100 a day from July
    risk = _risk(queries.stock_risks(as_of=TODAY, demand="targets"), product, east)
    assert risk is not None
    assert risk.kind == rules.STOCK_OUT
    # the week of 13 July (the first week) takes 700; 2,000 last until the week of 27 July
    assert risk.weekly_demand[:3] == (700, 700, 700)
    assert risk.date == dt.date(2026, 7, 27)
    # the forecast stays the default
    assert _risk(queries.stock_risks(as_of=TODAY), product, east) == by_forecast


def test_sales_amount_targets_are_demand_at_the_list_price(fitted, history, personas):
    """Most plans are decomposed in money (销售额): a product's amount target is demand of
    amount ÷ list price units."""
    product = history["products"][0]
    product.list_price_fen = 250  # ¥2.50
    product.save(update_fields=["list_price_fen"])
    east = history["warehouses"]["east"]
    StockLevel.objects.unrestricted().filter(product=product, warehouse=east).update(
        on_hand=2000, reserved=0
    )
    _approved_plan(personas, product, 3100, metric="sales_amount", per_unit=250)

    risk = _risk(queries.stock_risks(as_of=TODAY, demand="targets"), product, east)

    assert risk is not None
    assert risk.kind == rules.STOCK_OUT
    assert risk.weekly_demand[:3] == (700, 700, 700)
    assert risk.date == dt.date(2026, 7, 27)


def test_a_plan_with_quantity_and_amount_targets_counts_the_quantity_once(
    fitted, history, personas
):
    product = history["products"][0]
    product.list_price_fen = 250
    product.save(update_fields=["list_price_fen"])
    east = history["warehouses"]["east"]
    plan = _approved_plan(personas, product, 310)  # 10 a day
    money = _approved_plan(personas, product, 3100, metric="sales_amount", per_unit=250)
    from salescope.plans.models import Target

    Target.objects.unrestricted().filter(plan=money).update(plan=plan)  # one plan, both metrics
    money.delete()

    rows = queries._projections(as_of=TODAY, weeks=2, demand="targets")

    row = next(r for r in rows if r["product"] == product and r["warehouse"] == east)
    assert row["weekly_demand"] == (70, 70)


def test_an_amount_target_of_a_product_without_a_price_is_no_demand(fitted, history, personas):
    product = history["products"][0]
    product.list_price_fen = 0
    product.save(update_fields=["list_price_fen"])
    east = history["warehouses"]["east"]
    _approved_plan(personas, product, 3100, metric="sales_amount", per_unit=250)

    rows = queries._projections(as_of=TODAY, weeks=2, demand="targets")

    row = next(r for r in rows if r["product"] == product and r["warehouse"] == east)
    assert row["weekly_demand"] == (0, 0)


def test_a_plan_not_yet_approved_is_no_demand(fitted, history, personas):
    product = history["products"][0]
    east = history["warehouses"]["east"]
    StockLevel.objects.unrestricted().filter(product=product, warehouse=east).update(
        on_hand=2000, reserved=0
    )
    plan = _approved_plan(personas, product, units_per_month=3100)
    plan.status = "draft"
    plan.save(update_fields=["status"])
    risk = _risk(queries.stock_risks(as_of=TODAY, demand="targets"), product, east)
    assert risk is not None
    assert risk.kind == rules.OVERSTOCK  # stock with no demand at all
    assert risk.weekly_demand == (0,) * queries.DEFAULT_WEEKS


def test_a_newer_approved_plan_replaces_the_older_for_its_months(fitted, history, personas):
    product = history["products"][0]
    east = history["warehouses"]["east"]
    _approved_plan(personas, product, units_per_month=3100)
    _approved_plan(personas, product, units_per_month=310)  # the revision: 10 a day
    rows = queries._projections(as_of=TODAY, weeks=2, demand="targets")
    row = next(r for r in rows if r["product"] == product and r["warehouse"] == east)
    assert row["weekly_demand"] == (70, 70)


def test_page_and_api_take_the_demand_source(fitted, history, personas, login_client, api_client):
    product = history["products"][0]
    east = history["warehouses"]["east"]
    StockLevel.objects.unrestricted().filter(product=product, warehouse=east).update(
        on_hand=2000, reserved=0
    )
    _approved_plan(personas, product, units_per_month=3100)
    client = login_client(personas["director"])
    by_targets = client.get(f"/forecasting/stock/?kind=stock_out&demand=targets&as_of={TODAY}")
    assert by_targets.status_code == 200
    assert product.sku in by_targets.content.decode()
    by_forecast = client.get(f"/forecasting/stock/?kind=stock_out&as_of={TODAY}")
    assert product.sku not in by_forecast.content.decode()
    api = api_client(personas["salesperson"])
    rows = api.get(f"/api/v1/forecasting/stock-risks?kind=stock_out&demand=targets&as_of={TODAY}")
    assert [(r["sku"], r["warehouse_code"]) for r in rows.json()["items"]] == [("FC-1", "FC-E")]
    empty = api.get(f"/api/v1/forecasting/stock-risks?kind=stock_out&as_of={TODAY}").json()
    assert empty == {"items": [], "count": 0}
    bad = api.get("/api/v1/forecasting/stock-risks?demand=guess")
    assert bad.status_code == 422
    assert "demand" in bad.content.decode()


def test_weekly_shares_spread_months_like_the_per_row_rule():
    rng = np.random.default_rng(5)
    starts = rules.week_starts(dt.date(2026, 1, 20), 30)
    months = sorted({(w + dt.timedelta(days=d)).replace(day=1) for w in starts for d in range(7)})
    monthly = rng.uniform(0, 500, (5, len(months)))
    weekly = monthly @ queries._week_shares(months, starts)
    for row, figures in zip(weekly, monthly, strict=True):
        expected = rules.weekly_demand(dict(zip(months, figures, strict=True)), starts)
        assert np.allclose(row, expected)
