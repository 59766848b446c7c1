"""目标与实绩 of a percentage (market share): the footer row is the mean of the rows, not a
total, and the chart's y-axis carries the % sign; amounts keep 合计 and a plain axis."""

import json

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tests.analytics.test_percent_targets import shares  # noqa: F401 - the market-share plan

pytestmark = pytest.mark.django_db


def _page(client, plan, metric):  # noqa: ANN001, ANN202
    return client.get(
        "/tracking/",
        {"plan": plan.pk, "metric": metric, "group_by": "region", "as_of": "2026-03-15"},
    )


def _footer(html: str) -> str:
    return html.split('data-testid="variance-table"')[1].split("<tfoot>")[1].split("</tfoot>")[0]


def _chart(html: str) -> dict:
    data = html.split('id="tracking-chart-data" type="application/json">')[1].split("</script>")
    return json.loads(data[0])


def test_a_level_footer_is_labelled_as_the_mean_and_its_axis_as_percent(
    shares,  # noqa: F811
    personas,
    login_client,
):
    page = _page(login_client(personas["director"]), shares, "market_share")

    html = page.content.decode()
    footer = _footer(html)
    with translation.override("zh-hans"):
        mean = gettext("Mean")
    assert mean != "合计"
    assert f"{mean}</td>" in footer
    assert "合计" not in footer
    assert "19.00%" in footer  # still the mean of 18 % and 20 %
    assert _chart(html)["unit"] == "%"


def test_an_amount_keeps_its_total_and_a_plain_axis(shares, personas, login_client):  # noqa: F811
    page = _page(login_client(personas["director"]), shares, "sales_amount")

    html = page.content.decode()
    assert "合计</td>" in _footer(html)
    assert _chart(html)["unit"] == ""


def test_the_chart_script_puts_the_unit_on_the_axis_and_the_tooltip():
    """tracking.js reads the unit the page gives it (test_level_chart_browser.py draws it)."""
    from pathlib import Path

    import salescope.analytics

    script = (Path(salescope.analytics.__file__).parent / "static/analytics/tracking.js").read_text(
        encoding="utf-8"
    )
    assert 'axisLabel: { formatter: "{value}" + unit }' in script
    assert "valueFormatter: withUnit" in script
