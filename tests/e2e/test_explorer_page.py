"""In a real browser: 刘洋 (director) opens 多维销售分析 with 大区 on the rows and a whole year of
months on the columns. The table is wider than the window: it must scroll sideways inside its
frame, never squeeze the region names into one character per line (a defect seen in the demo:
华/东/大/区 stacked, and 保存视图 broken over two lines)."""

import datetime as dt

import pytest

from salescope.ledger import rollups
from salescope.ledger.models import SalesRollup
from salescope.org.models import OrgUnit
from tests.e2e.conftest import DESKTOP

pytestmark = pytest.mark.browser

# Lines of text a cell's (or button's) own text is laid out on.
TEXT_LINES = """(element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    return tops.size;
}"""


@pytest.fixture
def a_year_by_region(personas):  # noqa: ANN001, ANN201
    """Sell-in of every region in each month of 2026 (large enough figures to be wide)."""
    regions = list(OrgUnit.objects.unrestricted().filter(kind="region"))
    assert len(regions) >= 4, regions
    for region in regions:
        for month in range(1, 13):
            SalesRollup.objects.create(
                month=dt.date(2026, month, 1),
                kind="sell_in",
                salesperson=personas["salesperson"],
                region=region,
                amount_fen=2_345_678_90,
                lines=1,
            )
    rollups.refresh_coarser()
    return regions


def test_a_wide_pivot_scrolls_and_keeps_each_label_on_one_line(
    transactional_db, live_server, personas, a_year_by_region, page, login, shoot
):
    from playwright.sync_api import expect

    page.set_viewport_size(DESKTOP)
    login(page, "liuyang")
    page.goto(
        f"{live_server.url}/ledger/explorer/?rows=region&columns=month"
        "&date_from=2026-01-01&date_to=2026-12-31"
    )
    table = page.get_by_test_id("pivot-table")
    expect(table.locator("tbody tr")).to_have_count(len(a_year_by_region))
    shoot(page, "explorer-wide-pivot")
    for cell in table.locator("tbody tr td:first-child").all():
        assert cell.evaluate(TEXT_LINES) == 1, cell.inner_text()
    for cell in table.locator("tbody tr td.text-end").all()[:13]:
        assert cell.evaluate(TEXT_LINES) == 1, cell.inner_text()
    save = page.get_by_role("button", name="保存视图")
    assert save.evaluate(TEXT_LINES) == 1
    # The table is wider than its frame, which scrolls; the page itself does not.
    frame = table.locator("xpath=..")
    assert frame.evaluate("(e) => e.scrollWidth > e.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
