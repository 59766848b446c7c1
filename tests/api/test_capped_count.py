"""API lists read their page one row long instead of counting (issue 20 item 9): any count is
a second query over everything a manager may see, and cost as much as the page. ``count`` is
the rows up to the page's end, one more with ``count_capped`` when there are more; the exact
total is given on request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salescope.catalog.models import Product

pytestmark = pytest.mark.django_db

ROWS = 1_105


@pytest.fixture
def many_products(personas):
    Product.objects.unrestricted().bulk_create(
        Product(sku=f"CAP-{i:05d}", name=f"货品 {i}") for i in range(ROWS)
    )
    return Product.objects.unrestricted().count()


def test_a_long_list_says_there_are_more_rows_past_the_page(personas, api_client, many_products):
    body = api_client(personas["director"]).get("/api/v1/products?limit=20").json()

    assert len(body["items"]) == 20
    assert (body["count"], body["count_capped"]) == (21, True)


def test_the_page_is_read_without_a_count_query(personas, api_client, many_products):
    client = api_client(personas["director"])
    client.get("/api/v1/products?limit=20")  # the token's first use is recorded once

    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/products?limit=20&offset=40")

    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


def test_paging_on_reaches_every_row_exactly_once(personas, api_client, many_products):
    client = api_client(personas["director"])
    seen: list[str] = []
    offset, capped = 0, True
    while capped:
        body = client.get(f"/api/v1/products?limit=500&offset={offset}").json()
        seen += [item["sku"] for item in body["items"]]
        offset += 500
        capped = body["count_capped"]
        assert body["count"] == len(seen) + capped

    assert len(seen) == len(set(seen)) == many_products


def test_a_page_past_the_end_counts_the_rows_before_it(personas, api_client, many_products):
    body = api_client(personas["director"]).get("/api/v1/products?limit=50&offset=5000").json()

    assert body["items"] == []
    assert (body["count"], body["count_capped"]) == (many_products, False)


def test_the_exact_total_is_given_on_request(personas, api_client, many_products):
    body = api_client(personas["director"]).get("/api/v1/products?limit=20&exact_count=true").json()

    assert len(body["items"]) == 20
    assert (body["count"], body["count_capped"]) == (many_products, False)


def test_a_short_list_is_counted_exactly(personas, api_client):
    body = api_client(personas["director"]).get("/api/v1/products?limit=500").json()

    assert body["count"] == Product.objects.unrestricted().count() == len(body["items"])
    assert body["count_capped"] is False
