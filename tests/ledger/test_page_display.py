"""What the ledger pages show a reader: order lines under a header in yuan, the whole overdue
list (count, open total, days overdue, pages), money with thousands separators everywhere, and
销售分析 in the navigation leading to the sales page."""

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salescope.catalog.models import Category
from salescope.ledger import services
from salescope.ledger.models import SalesLine
from salescope.org.choices import UnitKind
from salescope.org.models import OrgUnit, User
from salescope.org.visibility import values_with_names
from tests.ledger.world import write_csv

AS_OF = dt.date(2025, 6, 30)


class _Page(HTMLParser):
    """Rows of the table (or any element) marked ``data-testid``, and the page's links."""

    def __init__(self, testid: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.testid, self.tag, self.depth = testid, None, 0
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self.cell: list[str] | None = None
        self.links: list[tuple[str, str]] = []
        self.link: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if self.depth == 0 and self.testid and found.get("data-testid") == self.testid:
            self.tag, self.depth = tag, 1
        elif self.depth and tag == self.tag:
            self.depth += 1
        if self.depth and tag == "tr":
            self.rows.append([])
        if self.depth and tag in ("td", "th"):
            self.cell = []
        if tag == "a":
            self.link = (found.get("href") or "", [])

    def handle_endtag(self, tag):
        if self.depth and tag in ("td", "th") and self.cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        if tag == "a" and self.link is not None:
            self.links.append((self.link[0], " ".join("".join(self.link[1]).split())))
            self.link = None
        if self.depth and tag == self.tag:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)
            if self.cell is not None:
                self.cell.append(data)
        if self.link is not None:
            self.link[1].append(data)


def parse(html: str, testid: str | None = None) -> _Page:
    page = _Page(testid)
    page.feed(html)
    return page


def rows(html: str, testid: str) -> list[list[str]]:
    return parse(html, testid).rows


def text(html: str, testid: str) -> str:
    return " ".join("".join(parse(html, testid).text).split())


def _import(world, tmp_path, rows_):
    from salescope.ledger.importing.sales_lines import ImportOptions, import_sales_lines

    header = ["单号", "行号", "日期", "客户编码", "产品编码", "数量", "金额", "渠道"]
    path = write_csv(tmp_path / "lines.csv", header, rows_)
    return import_sales_lines(actor=world.personas["admin"], path=path, options=ImportOptions())


# --- Order detail --------------------------------------------------------------------------


def _big_order(world):
    return services.create_order(
        actor=world.personas["salesperson"],
        customer=world.east_dealer,
        number="SO-BIG",
        date=dt.date(2025, 3, 1),
        lines=[{"product": world.juice_1l, "quantity": 890, "unit_price": "500.00"}],
    )


def test_order_lines_have_a_header_and_yuan_amounts_with_separators(world, login_client):
    order = _big_order(world)
    html = login_client(world.personas["salesperson"]).get(f"/ledger/orders/{order.pk}/")
    html = html.content.decode()
    assert rows(html, "order-lines") == [
        ["产品", "数量", "单价", "金额"],
        ["橙汁 1L", "890", "500.00", "445,000.00"],
    ]
    assert text(html, "order-amount") == "445,000.00"
    assert "44500000" not in html


def test_orders_list_shows_amounts_with_separators(world, login_client):
    _big_order(world)
    html = login_client(world.personas["salesperson"]).get("/ledger/orders/").content.decode()
    assert rows(html, "order-list")[1][-1] == "445,000.00"


# --- Receivables: the overdue list ----------------------------------------------------------


def _overdue_world(world):
    """55 overdue invoices of 1,234.56 (1 to 55 days late at AS_OF), the oldest partly paid
    (234.56), and one invoice not yet due."""
    for n in range(1, 56):
        due = AS_OF - dt.timedelta(days=n)
        services.issue_invoice(
            actor=world.personas["finance"],
            customer=world.east_dealer,
            number=f"INV-{n:03d}",
            issue_date=due - dt.timedelta(days=30),
            due_date=due,
            amount="1234.56",
        )
    services.issue_invoice(
        actor=world.personas["finance"],
        customer=world.east_dealer,
        number="INV-LATER",
        issue_date=AS_OF,
        due_date=AS_OF + dt.timedelta(days=30),
        amount="9999.99",
    )
    services.record_collection(
        actor=world.personas["finance"],
        customer=world.east_dealer,
        number="R-1",
        date=AS_OF - dt.timedelta(days=80),
        amount="234.56",
    )


def test_overdue_list_says_how_many_and_their_open_total(world, login_client):
    _overdue_world(world)
    client = login_client(world.personas["finance"])
    html = client.get(f"/ledger/receivables/?as_of={AS_OF}").content.decode()
    summary = text(html, "overdue-summary")
    # 55 × 1,234.56 − 234.56 paid; the invoice not yet due is not counted.
    assert "55" in summary
    assert "67,666.24" in summary
    assert "9,999.99" not in summary


def test_overdue_list_shows_days_overdue_and_pages_through_all_invoices(world, login_client):
    _overdue_world(world)
    client = login_client(world.personas["finance"])
    html = client.get(f"/ledger/receivables/?as_of={AS_OF}&group_by=owner").content.decode()
    first = rows(html, "overdue")
    assert len(first) == 1 + 50  # header and a full page
    oldest = first[1]
    assert oldest[0] == "INV-055"
    assert "55" in oldest[-2]  # days overdue
    assert oldest[-1] == "1,000.00"  # the open balance, after the payment
    assert first[-1][0] == "INV-006"

    pager = parse(html, "overdue-pager")
    assert "1 / 2" in " ".join("".join(pager.text).split())
    next_href = next(href for href, _text in pager.links if "page=2" in href)
    assert "as_of=2025-06-30" in next_href
    assert "group_by=owner" in next_href

    second = rows(client.get(f"/ledger/receivables/{next_href}").content.decode(), "overdue")
    assert [(r[0], r[-2], r[-1]) for r in second[1:]] == [
        (f"INV-{n:03d}", str(n), "1,234.56") for n in (5, 4, 3, 2, 1)
    ]


def test_overdue_count_and_total_are_only_what_the_viewer_may_see(world, login_client):
    _overdue_world(world)
    client = login_client(world.personas["other_region_salesperson"])
    html = client.get(f"/ledger/receivables/?as_of={AS_OF}").content.decode()
    assert "67,666.24" not in html
    assert len(rows(html, "overdue")) == 2  # header and "nothing overdue"


def test_ageing_table_and_totals_have_separators_and_dso_stays_days(world, login_client):
    _overdue_world(world)
    html = login_client(world.personas["finance"]).get(f"/ledger/receivables/?as_of={AS_OF}")
    html = html.content.decode()
    assert text(html, "ageing-total") == "77,666.23"  # 67,666.24 overdue + 9,999.99 not due
    customer_row = rows(html, "ageing")[1]
    assert customer_row[-1] == "77,666.23"
    assert "9,999.99" in customer_row
    dso = text(html, "dso")
    assert "," not in dso.split(":")[-1].replace("，", "")


# --- Sales pages ----------------------------------------------------------------------------


def test_sales_summary_lines_and_cross_territory_amounts_have_separators(
    world, tmp_path, login_client
):
    _import(
        world,
        tmp_path,
        [["S", "1", "2025-03-01", "C-EAST-1", "P-COLA", "1500", "1234567.89", "商超"]],
    )
    SalesLine.objects.create(
        line_key="X-1",
        document="X",
        date=dt.date(2025, 3, 2),
        month=dt.date(2025, 3, 1),
        kind="sell_through",
        customer=world.east_dealer,
        product=world.cola,
        salesperson=world.personas["salesperson"],
        sale_location="广州",
        quantity_milli=2000,
        unit_price_fen=1_000_000_00,
        amount_fen=2_000_000_00,
        cost_fen=0,
        gross_profit_fen=2_000_000_00,
        cross_territory=True,
    )
    client = login_client(world.personas["admin"])

    sales = client.get("/ledger/sales/?group_by=month&from=2025-03-01&to=2025-03-31")
    sales = sales.content.decode()
    table = rows(sales, "summary-table")
    assert table[1][:2] == ["2025-03", "1,234,567.89"]
    assert table[1][2] == "1500"  # a quantity, not money
    assert text(sales, "summary-total") == "1,234,567.89"
    chart = json.loads(re.search(r'id="sales-chart-data"[^>]*>(.*?)</script>', sales)[1])
    assert chart["rows"][0]["amount"] == "1234567.89"  # the chart keeps raw numbers

    lines = rows(client.get("/ledger/lines/").content.decode(), "line-list")
    assert {r[-1] for r in lines[1:]} == {"1,234,567.89", "2,000,000.00"}

    cross = rows(client.get("/ledger/cross-territory/").content.decode(), "cross-territory")
    assert [(r[-2], r[-1]) for r in cross[1:]] == [("2", "2,000,000.00")]


# --- Navigation -----------------------------------------------------------------------------


def test_sales_analysis_is_a_live_link_to_the_sales_page(personas, login_client):
    client = login_client(personas["salesperson"])
    home = client.get("/").content.decode()
    nav = parse(home, "main-nav")
    assert ("/ledger/sales/", "销售分析") in nav.links
    everywhere = parse(home).links
    assert everywhere.count(("/ledger/sales/", "销售分析")) == 2  # top navigation and home card
    target = client.get("/ledger/sales/")
    assert target.status_code == 200
    assert 'aria-current="page">销售分析</a>' in target.content.decode()


def _sold(world, index: int) -> SalesLine:
    region = world.personas["regional_manager"].unit
    return SalesLine.objects.create(
        line_key=f"Q-{index}",
        document="Q",
        date=dt.date(2025, 4, 1),
        month=dt.date(2025, 4, 1),
        kind="sell_in",
        customer=world.east_dealer,
        product=world.cola,
        category=world.cola.category,
        salesperson=world.personas["salesperson"],
        region=region,
        channel="商超",
        quantity_milli=3000,
        unit_price_fen=100,
        amount_fen=300,
        cost_fen=0,
        gross_profit_fen=300,
    )


def test_the_lines_page_reads_every_shown_column_with_its_rows(
    world, login_client, django_assert_num_queries
):
    """What a line shows (its customer, product, category, salesperson and region) comes with the
    page's one read of the lines, however many lines there are, and the filters' choices with
    theirs: nothing is loaded row by row."""
    client = login_client(world.personas["regional_manager"])
    _sold(world, 0)
    client.get("/ledger/lines/")  # the session and the caches settle
    with CaptureQueriesContext(connection) as one:
        first = client.get("/ledger/lines/").content.decode()
    for index in range(1, 30):
        _sold(world, index)
    unit = world.personas["salesperson"].unit
    for index in range(5):  # the salesperson filter offers them too
        User.objects.create(username=f"p{index}", first_name="P", last_name=str(index), unit=unit)

    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/ledger/lines/")

    line = rows(first, "line-list")[1]
    region = world.personas["regional_manager"].unit.name
    assert line == [
        "2025年4月1日",
        "Q-0",
        world.east_dealer.name,
        world.cola.name,
        "饮料",
        "张伟",
        region,
        "商超",
        "进货（销售出库）",
        "3",
        "3.00",
    ]


def test_the_lines_page_reads_the_lines_without_joining_their_records(world, login_client):
    """The page's count and its page of lines read the lines table alone; the names beside a
    line come from one small lookup per record of the page. As a five-table join PostgreSQL
    spent ~3 ms planning a page it then read in ~1 ms, and the count joined every counted line
    to its customer and product (a team lead's lines page at 2M lines, issue 20 item 9)."""
    client = login_client(world.personas["team_lead"])
    for index in range(3):
        _sold(world, index)
    client.get("/ledger/lines/")
    with CaptureQueriesContext(connection) as page:
        html = client.get("/ledger/lines/").content.decode()

    reads = [q["sql"] for q in page.captured_queries if "ledger_salesline" in q["sql"]]
    assert len(reads) == 2  # the capped count and the page
    for sql in reads:  # (the visibility rule's own subquery joins units, unquoted)
        assert 'JOIN "' not in sql, sql
    assert len(rows(html, "line-list")) == 1 + 3
    assert rows(html, "line-list")[1][2:7] == [
        world.east_dealer.name,
        world.cola.name,
        "饮料",
        "张伟",
        world.personas["regional_manager"].unit.name,
    ]

    # The rows are built as HTML in Python: a name is escaped, a 窜货 line carries its badge.
    line = _sold(world, 3)
    SalesLine.objects.filter(pk=line.pk).update(cross_territory=True, channel="<b>直营</b>")
    type(world.east_dealer).objects.unrestricted().filter(pk=world.east_dealer.pk).update(
        name="华东<i>经销</i>"
    )
    html = client.get("/ledger/lines/").content.decode()
    assert "&lt;b&gt;直营&lt;/b&gt;" in html
    assert "<b>直营" not in html
    assert "华东&lt;i&gt;经销&lt;/i&gt;" in html  # a name read by the page's subquery
    assert "<i>经销" not in html
    assert html.count('<span class="badge text-bg-danger">窜货</span>') == 1


def test_values_with_names_reads_a_column_of_a_record_one_key_away_and_nothing_else(world):
    _sold(world, 0)
    lines = SalesLine.objects.unrestricted().all()
    assert list(values_with_names(lines, "line_key", "customer__name", "region__name")) == [
        ("Q-0", world.east_dealer.name, world.personas["regional_manager"].unit.name)
    ]
    for column in ("customer__owner__username", "date__year", "line_key__upper"):
        with pytest.raises(ValueError, match=column):
            values_with_names(lines, column)


def _options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, flags=re.S)
    assert select is not None, name
    return re.findall(r'<option value="(\d*)">([^<]*)</option>', select[1])


def test_the_lines_page_offers_the_categories_regions_and_people_the_viewer_sees(
    world, login_client
):
    lead = world.personas["team_lead"]
    User.objects.create(username="nameless", unit=world.personas["salesperson"].unit)
    client = login_client(lead)

    html = client.get("/ledger/lines/").content.decode()

    people = _options(html, "salesperson")
    seen = User.objects.visible_to(lead).filter(unit__isnull=False)
    assert people[0][0] == ""  # "all salespeople"
    assert sorted(people[1:]) == sorted((str(u.pk), u.display_name) for u in seen)
    assert "nameless" in {name for _pk, name in people}  # no full name: the username
    assert world.personas["other_region_salesperson"].display_name not in {n for _p, n in people}
    categories = Category.objects.visible_to(lead).order_by("path")
    assert _options(html, "category")[1:] == [(str(c.pk), c.name) for c in categories]
    regions = OrgUnit.objects.visible_to(lead).filter(kind=UnitKind.REGION).order_by("path")
    assert _options(html, "region")[1:] == [(str(r.pk), r.name) for r in regions]
    assert regions.exists()
