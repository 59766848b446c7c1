"""In a real browser: 刘洋 (director) opens 目标与实绩 for a decomposed FY2026 plan with sales in
the ledger; the ECharts canvas draws the target and actual bars (checked on its pixels once the
entry animation is over), in zh-Hans."""

import datetime as dt

import pytest

from salescope.ledger import rollups
from salescope.ledger.models import SalesRollup
from tests.e2e.conftest import DESKTOP

pytestmark = pytest.mark.browser

TARGET_RGB = (0x9F, 0xB7, 0xD3)  # the colours tracking.js gives the two bar series
ACTUAL_RGB = (0x1F, 0x4E, 0x79)

# Pixels of a colour (± a little for anti-aliasing) on the chart's canvas, read back from it.
COUNT_PIXELS = """([holderId, colours]) => {
    const canvas = document.querySelector(`#${holderId} canvas`);
    if (!canvas || !canvas.width || !canvas.height) { return null; }
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    const counts = colours.map(() => 0);
    for (let i = 0; i < pixels.length; i += 4) {
        colours.forEach(([r, g, b], k) => {
            if (Math.abs(pixels[i] - r) < 8 && Math.abs(pixels[i + 1] - g) < 8
                && Math.abs(pixels[i + 2] - b) < 8 && pixels[i + 3] > 200) { counts[k] += 1; }
        });
    }
    return counts;
}"""


@pytest.fixture
def sales(personas):  # noqa: ANN001, ANN201
    """Sell-in of 张伟 (华东) and 陈静 (华南) for January to March 2026."""
    for person, amount in (
        (personas["salesperson"], 300_000_00),
        (personas["other_region_salesperson"], 150_000_00),
    ):
        for month in (1, 2, 3):
            SalesRollup.objects.create(
                month=dt.date(2026, month, 1),
                kind="sell_in",
                salesperson=person,
                amount_fen=amount,
                lines=1,
            )
    rollups.refresh_coarser()


def _bar_pixels(page) -> list[int] | None:  # noqa: ANN001
    return page.evaluate(COUNT_PIXELS, ["tracking-chart", [TARGET_RGB, ACTUAL_RGB]])


def test_director_sees_target_and_actual_bars_drawn(
    transactional_db,
    live_server,
    personas,
    decomposed,
    sales,
    page,
    login,
    shoot,
):
    from playwright.sync_api import expect

    login(page, "liuyang")
    page.goto(f"{live_server.url}/tracking/?plan={decomposed.pk}&as_of=2026-03-31")
    expect(page.locator("h1")).to_have_text("目标与实绩")
    chart = page.locator("#tracking-chart")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(page.get_by_label("分组维度")).to_have_value("region")
    box = chart.bounding_box()
    assert box["width"] > 600, box
    assert box["height"] > 300, box
    # ECharts grows the bars from the axis for about a second: read the canvas until it settles.
    counts = None
    for _attempt in range(40):
        page.wait_for_timeout(250)
        settled = _bar_pixels(page)
        if settled and settled == counts and min(settled) > 0:
            break
        counts = settled
    assert counts, "no canvas"
    assert counts[0] > 5000, counts  # target bars
    assert counts[1] > 500, counts  # actual bars
    expect(page.get_by_test_id("variance-table")).to_contain_text("华东")
    shoot(page, "tracking", settle=1500)


def test_with_reduced_motion_the_bars_are_drawn_at_once(
    transactional_db,
    live_server,
    personas,
    decomposed,
    sales,
    browser,
    login,
):
    """Right after load the bars are still growing (ECharts' entry animation): that is why a
    screenshot taken at once shows an empty grid. Asking for reduced motion skips it."""
    from playwright.sync_api import expect

    context = browser.new_context(locale="zh-CN", reduced_motion="reduce", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    login(page, "liuyang")
    page.goto(f"{live_server.url}/tracking/?plan={decomposed.pk}&as_of=2026-03-31")
    expect(page.locator("#tracking-chart[data-chart-ready]")).to_have_count(1)
    page.wait_for_timeout(100)  # one frame for the renderer
    counts = _bar_pixels(page)
    assert counts, "no canvas"
    assert counts[0] > 5000, counts
    assert counts[1] > 500, counts
    context.close()
