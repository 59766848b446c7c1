"""A refit from the ledger's history: stored per series with its accuracy, visible as the
ledger's sales are, offered to plans (按预测), shown on the pages, the API and the CLI."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from salescope.core.audit import AuditEntry
from salescope.core.errors import PermissionDenied
from salescope.forecasting import queries, services
from salescope.forecasting.choices import RunStatus
from salescope.forecasting.models import ForecastSeries, ForecastValue
from salescope.plans.forecasts import forecast_totals, has_forecasts
from tests.forecasting.conftest import TODAY, seasonal


def test_a_refit_stores_every_series_with_its_accuracy(fitted, history):
    assert fitted.status == RunStatus.DONE
    assert fitted.history_to == dt.date(2026, 6, 1)
    series = ForecastSeries.objects.unrestricted().filter(run=fitted)
    # 2 products × 2 regions + 1 category × 2 regions
    assert series.count() == fitted.series_count == 6
    for s in series:
        assert s.baseline_wape is not None
        assert s.wape is not None
        assert s.wape <= s.baseline_wape  # seasonal-naive stays unless beaten
        assert s.values.count() == 6
    months = sorted({v.month for v in ForecastValue.objects.unrestricted()})
    assert months[0] == dt.date(2026, 7, 1)
    assert months[-1] == dt.date(2026, 12, 1)
    assert AuditEntry.objects.filter(action="forecasting.forecasts.fitted").exists()


def test_the_forecast_follows_the_known_pattern(fitted, history):
    product = history["products"][0]
    s = ForecastSeries.objects.unrestricted().get(
        run=fitted, product=product, region=history["warehouses"]["east"].region
    )
    expected = [seasonal(30 + i) for i in range(6)]  # units; 100 yuan each
    got = [v.quantity_milli / 1000 for v in s.values.order_by("month")]
    error = sum(abs(a - b) for a, b in zip(expected, got, strict=True)) / sum(expected)
    assert error < 0.1


def test_only_planners_may_ask_for_a_refit(history, personas):
    with pytest.raises(PermissionDenied):
        services.request_run(actor=personas["salesperson"], today=TODAY)


def test_a_manager_sees_only_their_regions_series(fitted, personas, history):
    east = history["warehouses"]["east"].region
    mine = queries.series_rows(viewer=personas["regional_manager"], level="product")
    assert mine
    assert {r["region"] for r in mine} == {east.pk}
    assert queries.series_rows(viewer=personas["other_region_salesperson"], level="product") == []
    director = queries.series_rows(viewer=personas["director"], level="product")
    assert len(director) == 4


def test_plans_decompose_by_the_forecast(fitted, history):
    assert has_forecasts()
    totals = forecast_totals(
        metric="sales_amount",
        date_from=dt.date(2026, 7, 1),
        date_to=dt.date(2026, 9, 30),
        group_by=["region"],
    )
    by_series = ForecastValue.objects.unrestricted().filter(
        series__run=fitted, series__level="category", month__lte=dt.date(2026, 9, 1)
    )
    assert sum(totals.values()) == sum(v.amount_fen for v in by_series)
    assert set(totals) == {(w.region_id,) for w in history["warehouses"].values()}
    quantity = forecast_totals(
        metric="quantity",
        date_from=dt.date(2026, 7, 1),
        date_to=dt.date(2026, 7, 31),
        group_by=["product"],
    )
    assert set(quantity) == {(p.pk,) for p in history["products"]}


def test_pages_api_and_cli(fitted, personas, login_client, api_client):
    client = login_client(personas["director"])
    for url in ("/forecasting/", "/forecasting/series/?level=product", "/forecasting/stock/"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "冰红茶" in client.get("/forecasting/series/?level=product").content.decode()
    api = api_client(personas["team_lead"])
    rows = api.get("/api/v1/forecasting/series?level=product").json()
    assert rows
    assert all(r["region_name"] == personas["team_lead"].unit.name for r in rows)
    other = (
        ForecastSeries.objects.unrestricted().exclude(region=personas["salesperson"].unit).first()
    )
    assert api.get(f"/api/v1/forecasting/series/{other.pk}").status_code == 404
    out = StringIO()
    call_command("report_forecast", "--level", "product", "--json", stdout=out)
    assert len(json.loads(out.getvalue())) == 4


def test_this_quarter_combines_sales_so_far_the_forecast_and_the_pipeline(fitted, personas):
    data = queries.outlook(viewer=personas["director"], as_of=dt.date(2026, 8, 20))
    current = data["current"]
    assert current["actual"] == 0  # July: no sales recorded after June in this history
    assert current["statistical"] > 0  # July to September forecast
    assert current["combined"] == max(current["statistical"], current["pipeline"])
    assert data["next"]["label"]
    assert data["next"]["forecast"] > 0
