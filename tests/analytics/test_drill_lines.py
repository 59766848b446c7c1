"""The sales lines behind an actual (/tracking/lines/): pager links with one page parameter
and the other filters kept, a total of every line (not only the page's), a way back to the
tracking page, and amounts with thousands separators."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from salescope.analytics import queries
from salescope.catalog.models import Product
from salescope.customers.models import Customer
from salescope.ledger.models import SalesLine

pytestmark = pytest.mark.django_db

MARCH = dt.date(2026, 3, 1)


@pytest.fixture
def march_lines(personas):
    """250 sell-in lines of 张伟 in March 2026 (1,234.56 each) and one of 陈静, one of 张伟 in
    April, one sell-through of 张伟 in March: 3 pages of the drill-down."""
    customer = Customer.objects.create(code="C-DRILL", name="钻取客户")
    product = Product.objects.create(sku="P-DRILL", name="钻取产品")
    zhangwei, chenjing = personas["salesperson"], personas["other_region_salesperson"]

    def line(n, person, date, kind="sell_in", fen=1_234_56):  # noqa: ANN001, ANN202
        return SalesLine(
            line_key=f"DRILL-{n}",
            document=f"SO-{n}",
            date=date,
            month=date.replace(day=1),
            kind=kind,
            customer=customer,
            product=product,
            salesperson=person,
            quantity_milli=1000,
            unit_price_fen=fen,
            amount_fen=fen,
            cost_fen=0,
            gross_profit_fen=fen,
        )

    lines = [line(n, zhangwei, MARCH + dt.timedelta(days=n % 31)) for n in range(250)]
    lines += [
        line(900, chenjing, MARCH),
        line(901, zhangwei, dt.date(2026, 4, 1)),
        line(902, zhangwei, MARCH, kind="sell_through"),
    ]
    SalesLine.objects.bulk_create(lines)
    return zhangwei


def _query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href.replace("&amp;", "&")).query)


def test_the_total_is_every_line_behind_the_actual(march_lines, personas):
    lines = queries.drill_lines(viewer=personas["director"], person_id=march_lines.pk, month=MARCH)
    assert queries.drill_total(lines) == 250 * 1_234_56


def test_the_total_follows_visibility(march_lines, personas):
    lines = queries.drill_lines(
        viewer=personas["other_region_salesperson"], person_id=march_lines.pk, month=MARCH
    )
    assert queries.drill_total(lines) == 0


def test_the_page_shows_the_total_separators_a_way_back_and_a_single_page_parameter(
    march_lines, personas, login_client
):
    client = login_client(personas["director"])
    params = {
        "person": march_lines.pk,
        "month": "2026-03",
        "plan": "7",
        "metric": "sales_amount",
        "group_by": "salesperson,month",
        "page": "2",
    }
    page = client.get("/tracking/lines/", params)

    assert page.status_code == 200
    html = page.content.decode()
    assert "1,234.56" in html.split('data-testid="drill-lines"')[1].split("<tfoot>")[0]
    total = html.split('data-testid="drill-total"')[1].split("</tr>")[0]
    assert "308,640.00" in total  # 250 × 1,234.56: all three pages, not the 100 shown
    assert "合计" in total

    pager = html.split('data-testid="drill-pager"')[1].split("</nav>")[0]
    links = pager.split('href="')[1:]
    assert len(links) == 2  # ‹ and ›
    for href, expected in zip(links, ("1", "3"), strict=True):
        query = _query(href.split('"')[0])
        assert query["page"] == [expected]
        assert query["person"] == [str(march_lines.pk)]
        assert query["month"] == ["2026-03"]
        assert query["group_by"] == ["salesperson,month"]

    back = html.split('data-testid="drill-back"')[0].rsplit("<a ", 1)[1]
    back_query = _query(back.split('href="')[1].split('"')[0])
    assert back.split('href="')[1].startswith("/tracking/?")
    assert back_query == {
        "plan": ["7"],
        "metric": ["sales_amount"],
        "group_by": ["salesperson,month"],
    }


def test_the_tracking_table_links_to_the_lines_with_its_view(decomposed, personas, login_client):
    page = login_client(personas["director"]).get(
        "/tracking/", {"plan": decomposed.pk, "group_by": "salesperson,month"}
    )
    html = page.content.decode()
    href = html.split('href="/tracking/lines/?')[1].split('"')[0]
    query = _query("?" + href)
    assert query["plan"] == [str(decomposed.pk)]
    assert query["metric"] == ["sales_amount"]
    assert query["group_by"] == ["salesperson,month"]
    assert set(query) == {"person", "month", "plan", "metric", "group_by"}
