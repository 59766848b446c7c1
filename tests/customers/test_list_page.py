"""The customer list page (/customers/): what a row shows, who sees which rows, and that a row
costs no query of its own (the page loads only the columns it shows: customers/views.py)."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from salescope.customers.models import Customer
from salescope.org.models import Territory


def _rows(html: str) -> list[list[str]]:
    table = html.split('data-testid="customer-list"', 1)[1]
    body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]


def test_each_row_shows_code_name_kind_tier_owner_territory_credit_and_terms(world, login_client):
    world.east_dealer.tier = "A"
    world.east_dealer.payment_terms_days = 45
    world.east_dealer.save()
    client = login_client(world.personas["regional_manager"])

    rows = _rows(client.get("/customers/").content.decode())

    assert rows == [
        ["C-EAST-1", "上海联华商贸有限公司", "经销商", "A", "张伟", "上海市", "10000.00", "45 天"],
        ["C-EAST-2", "浦东便利店", "终端客户", "", "张伟", "—", "—", "30 天"],
    ]


def test_the_other_regions_salesperson_sees_only_their_own_customer(world, login_client):
    client = login_client(world.personas["other_region_salesperson"])

    rows = _rows(client.get("/customers/").content.decode())

    assert [row[0] for row in rows] == ["C-SOUTH-1"]


def test_a_row_costs_no_query_of_its_own(world, login_client):
    client = login_client(world.personas["regional_manager"])
    territory = Territory.objects.unrestricted().get(name="上海市")
    client.get("/customers/")
    with CaptureQueriesContext(connection) as few:
        client.get("/customers/")
    for index in range(30):
        Customer(
            code=f"C-X{index:02}",
            name=f"客户{index}",
            owner=world.personas["team_lead"],
            territory=territory,
            tier="B",
            credit_limit_fen=100 * index,
        ).save()
    with CaptureQueriesContext(connection) as many:
        response = client.get("/customers/")

    assert len(_rows(response.content.decode())) == 32
    assert len(many.captured_queries) == len(few.captured_queries)


def test_each_row_links_to_its_customers_page(world, login_client):
    client = login_client(world.personas["regional_manager"])

    html = client.get("/customers/").content.decode()

    table = html.split('data-testid="customer-list"', 1)[1].split("</table>", 1)[0]
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', table)
    by_code = {c.code: c.pk for c in Customer.objects.unrestricted()}
    assert links == [
        (reverse("customers:detail", args=[by_code[code]]), code) for _u, code in links
    ]
    assert [code for _u, code in links] == ["C-EAST-1", "C-EAST-2"]
    cards = html.split('data-testid="customer-cards"', 1)[1]
    assert f'href="{reverse("customers:detail", args=[by_code["C-EAST-2"]])}"' in cards


def test_the_capped_count_may_use_the_owner_index_the_ordered_list_walks_past(world, login_client):
    # On SQLite a manager's list is walked in code order past the owner index (``+owner_id``,
    # org.visibility._scan_hint); the count has no order to walk and reads the index.
    client = login_client(world.personas["regional_manager"])
    client.get("/customers/")
    with CaptureQueriesContext(connection) as page:
        client.get("/customers/")

    counts = [q["sql"] for q in page.captured_queries if "COUNT(*) FROM (SELECT" in q["sql"]]
    lists = [
        q["sql"] for q in page.captured_queries if "ORDER BY" in q["sql"] and "code" in q["sql"]
    ]
    assert len(counts) == 1
    assert '+"customers_customer"' not in counts[0]
    assert '"customers_customer"."owner_id"' in counts[0]
    if connection.vendor == "sqlite":
        assert any('+"customers_customer"."owner_id"' in sql for sql in lists)
