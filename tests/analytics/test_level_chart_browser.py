"""In a real browser: the ECharts y-axis of a market share (a level) reads in percent."""

import pytest

from tests.analytics.test_percent_targets import shares  # noqa: F401 - the market-share plan
from tests.e2e.conftest import browser, login, page  # noqa: F401 - Chromium fixtures

pytestmark = pytest.mark.browser


def test_the_drawn_axis_of_a_level_shows_percent(
    transactional_db,
    live_server,
    personas,
    shares,  # noqa: F811
    page,  # noqa: F811
    login,  # noqa: F811
):
    from playwright.sync_api import expect

    login(page, "liuyang")
    page.goto(
        f"{live_server.url}/tracking/?plan={shares.pk}&metric=market_share&group_by=region"
        "&as_of=2026-03-15"
    )
    expect(page.locator("#tracking-chart canvas")).to_have_count(1)
    expect(page.locator("#tracking-chart")).to_have_attribute("data-chart-ready", "1")
    formatter = page.evaluate(
        """() => window.echarts.getInstanceByDom(document.getElementById("tracking-chart"))
            .getOption().yAxis[0].axisLabel.formatter"""
    )
    assert formatter == "{value}%"
