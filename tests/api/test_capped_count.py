"""API lists count only as far as the pages in reach need (issue 20 item 9): an exact COUNT(*)
over everything a manager may see costs more than the page; the total is given on request."""

import pytest

from salescope.catalog.models import Product

pytestmark = pytest.mark.django_db

ROWS = 1_105  # more than the smallest cap (1,000) so a default count stops short


@pytest.fixture
def many_products(personas):
    Product.objects.unrestricted().bulk_create(
        Product(sku=f"CAP-{i:05d}", name=f"货品 {i}") for i in range(ROWS)
    )
    return Product.objects.unrestricted().count()


def test_a_long_list_says_at_least_how_many_rows_without_counting_them_all(
    personas, api_client, many_products
):
    body = api_client(personas["director"]).get("/api/v1/products?limit=20").json()

    assert len(body["items"]) == 20
    assert body["count_capped"] is True
    assert body["count"] == 1_000 < many_products


def test_the_cap_reaches_ten_pages_past_the_page_asked_for(personas, api_client, many_products):
    client = api_client(personas["director"])

    deep = client.get("/api/v1/products?limit=100&offset=100").json()

    # offset 100 + 10 pages of 100 = 1,100 rows within reach: still short of all 1,105.
    assert (deep["count"], deep["count_capped"]) == (1_100, True)
    last = client.get("/api/v1/products?limit=500&offset=1000").json()
    assert (last["count"], last["count_capped"]) == (many_products, False)
    assert len(last["items"]) == many_products - 1_000


def test_the_exact_total_is_given_on_request(personas, api_client, many_products):
    body = api_client(personas["director"]).get("/api/v1/products?limit=20&exact_count=true").json()

    assert (body["count"], body["count_capped"]) == (many_products, False)


def test_a_short_list_is_counted_exactly(personas, api_client):
    body = api_client(personas["director"]).get("/api/v1/products?limit=5").json()

    assert body["count"] == Product.objects.unrestricted().count()
    assert body["count_capped"] is False
