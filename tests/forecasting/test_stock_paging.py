"""The demand-vs-stock list a page at a time (page and API): pages follow each other in risk
order, the count covers every page, a region's filter keeps other regions' warehouses out on
every page, and the stock-out warning still sees every product at risk, not one page."""

import datetime as dt

import pytest

from salescope.catalog.models import Product, StockLevel
from salescope.core.periods import add_months
from salescope.forecasting import queries, rules
from salescope.forecasting.models import ForecastSeries, ForecastValue
from tests.forecasting.conftest import TODAY

MORE = 30  # products beyond the two of the history


@pytest.fixture
def many(fitted, history, personas):
    """``MORE`` products stocked in both warehouses; the odd ones with a forecast of 3,000
    units a month in 华东 against 100 in stock there (stock-outs), the even ones without
    demand (overstock)."""
    east = history["warehouses"]["east"]
    products = []
    for i in range(MORE):
        product = Product.objects.create(sku=f"PG-{i:02d}", name=f"分页{i}")
        products.append(product)
        for warehouse in history["warehouses"].values():
            StockLevel.objects.create(
                warehouse=warehouse, product=product, on_hand=100 if warehouse == east else 500
            )
        if i % 2:
            series = ForecastSeries.objects.create(
                run=fitted,
                level="product",
                product=product,
                region=personas["salesperson"].unit,
                model="Theta",
                history_months=24,
            )
            ForecastValue.objects.bulk_create(
                ForecastValue(
                    series=series,
                    month=add_months(dt.date(2026, 7, 1), m),
                    amount_fen=0,
                    quantity_milli=(3000 + 10 * i) * 1000,
                )
                for m in range(6)
            )
    return products


def _old_order(risk):
    """The order the list always had (sorted row by row)."""
    if risk.kind == rules.STOCK_OUT:
        return (0, risk.date, -risk.gap, risk.product.sku)
    return (1, dt.date.min, -(risk.weeks_of_cover or 1e9), risk.product.sku)


def test_the_list_is_in_risk_order(many):
    risks = queries.stock_risks(as_of=TODAY)
    assert len(risks) >= MORE * 2
    assert risks == sorted(risks, key=_old_order)
    assert risks[0].kind == rules.STOCK_OUT
    assert risks[-1].kind == rules.OVERSTOCK


def test_api_page_two_continues_page_one_and_the_count_covers_all(many, personas, api_client):
    api = api_client(personas["salesperson"])
    everything = queries.stock_risks(as_of=TODAY)
    url = f"/api/v1/forecasting/stock-risks?as_of={TODAY}&limit=7"
    first = api.get(url).json()
    second = api.get(f"{url}&offset=7").json()
    assert first["count"] == second["count"] == len(everything)
    keys = [(r["sku"], r["warehouse_code"]) for r in first["items"] + second["items"]]
    assert len(set(keys)) == 14
    assert keys == [(r.product.sku, r.warehouse.code) for r in everything[:14]]
    last = api.get(f"{url}&offset={len(everything) - 3}").json()
    assert len(last["items"]) == 3
    assert api.get(f"{url}&offset={len(everything)}").json()["items"] == []
    assert api.get(f"{url}&limit=0").status_code == 422


def test_a_region_keeps_other_regions_warehouses_off_every_page(
    many, history, personas, api_client
):
    api = api_client(personas["salesperson"])
    south = history["warehouses"]["south"]
    url = f"/api/v1/forecasting/stock-risks?as_of={TODAY}&limit=5&region={south.region_id}"
    rows, offset = [], 0
    while True:
        page = api.get(f"{url}&offset={offset}").json()
        if not page["items"]:
            break
        rows += page["items"]
        offset += 5
    assert rows
    assert {r["warehouse_code"] for r in rows} == {"FC-S"}
    assert page["count"] == len(rows)
    in_south = [r for r in queries.stock_risks(as_of=TODAY) if r.warehouse == south]
    assert [r["sku"] for r in rows] == [r.product.sku for r in in_south]


def test_the_page_shows_a_page_at_a_time_with_the_count(
    many, history, personas, login_client, monkeypatch
):
    monkeypatch.setattr("salescope.core.web.PAGE_SIZE", 10)
    client = login_client(personas["director"])
    everything = queries.stock_risks(as_of=TODAY)
    first = client.get(f"/forecasting/stock/?as_of={TODAY}").content.decode()
    second = client.get(f"/forecasting/stock/?as_of={TODAY}&page=2").content.decode()
    assert everything[0].product.sku in first
    assert everything[10].product.sku in second
    assert f">{everything[10].product.sku}<" not in first
    assert f"{len(everything)} " in first  # the list's count, in either language
    south = history["warehouses"]["south"]
    only_south = client.get(f"/forecasting/stock/?as_of={TODAY}&region={south.region_id}")
    assert "华南仓" in only_south.content.decode()
    assert "<td>华东仓</td>" not in only_south.content.decode()


def test_the_stock_out_warning_sees_every_product_at_risk_not_one_page(many, personas):
    from salescope.analytics.choices import AlertKind
    from salescope.analytics.models import Alert
    from salescope.analytics.services import evaluate_alerts

    short = [p for i, p in enumerate(many) if i % 2]
    assert {r.product for r in queries.first_stock_outs(as_of=TODAY)} >= set(short)

    evaluate_alerts(as_of=TODAY)

    warned = set(
        Alert.objects.unrestricted()
        .filter(kind=AlertKind.STOCK_OUT)
        .values_list("facts__subject", flat=True)
    )
    assert {f"sku{p.pk}" for p in short} <= warned


def test_the_report_lists_every_row_at_risk(many, personas):
    import io
    import json

    from django.core.management import call_command
    from django.utils import timezone

    out = io.StringIO()
    call_command(
        "report_forecast", "--risks", "--json", "--as", personas["director"].username, stdout=out
    )
    rows = json.loads(out.getvalue())
    # the report reads today's projection; the whole list, in the list's order
    everything = queries.stock_risks(as_of=timezone.localdate())
    assert [(r["sku"], r["warehouse"]) for r in rows] == [
        (r.product.sku, r.warehouse.code) for r in everything
    ]
