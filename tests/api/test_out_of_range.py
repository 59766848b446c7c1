"""Out-of-range input answers 422 with a message at the field, never a 500 (R22).

The requests a schemathesis run found, as a salesperson, replayed one by one.
"""

import pytest

from tests.ledger.world import build_world

pytestmark = pytest.mark.django_db

BEYOND_64_BITS = str(2**70)


@pytest.fixture
def client(personas, api_client):  # noqa: ANN001, ANN201
    build_world(personas)
    return api_client(personas["salesperson"])


def product_id() -> int:
    from salescope.catalog.models import Product

    return Product.objects.unrestricted().order_by("pk").first().pk


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/calendar/days?year=86696", "year"),
        ("/api/v1/receivables/dso?days=-300000000000", "days"),
        ("/api/v1/receivables/dso?days=0", "days"),
        ("/api/v1/products/{product}/availability?horizon_days=-1683560", "horizon_days"),
        ("/api/v1/receivables/ageing?buckets=-1|0,0|1,-5", "buckets"),
        ("/api/v1/receivables/ageing?buckets=-5,30", "buckets"),
        ("/api/v1/receivables/ageing?buckets=60,30", "buckets"),
        (f"/api/v1/receivables/ageing?buckets={BEYOND_64_BITS}", "buckets"),
        (f"/api/v1/customers?offset={BEYOND_64_BITS}", "offset"),
        (f"/api/v1/customers?offset={2**62}", "offset"),
        (f"/api/v1/customers/{BEYOND_64_BITS}", "customer_id"),
        (f"/api/v1/manual-actuals?person={BEYOND_64_BITS}", "person"),
        (f"/api/v1/sales-lines?customer={BEYOND_64_BITS}", "customer"),
        (f"/api/v1/org/people?unit={BEYOND_64_BITS}", "unit"),
    ],
)
def test_an_out_of_range_query_is_refused_at_its_field(client, path, field):
    response = client.get(path.format(product=product_id()))

    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_failed"
    assert field in body["fields"], body


def test_a_huge_order_quantity_is_refused(client, personas):
    from salescope.customers.models import Customer

    customer = Customer.objects.unrestricted().get(code="C-EAST-1")
    body = {
        "customer_id": customer.pk,
        "number": "SO-HUGE",
        "date": "2026-03-01",
        "lines": [{"product_id": product_id(), "quantity": 2**70}],
    }

    response = client.post("/api/v1/orders", body, content_type="application/json")

    assert response.status_code == 422, response.content
    assert "lines.0.quantity" in response.json()["fields"]


def test_a_huge_amount_is_refused(client):
    from salescope.customers.models import Customer

    customer = Customer.objects.unrestricted().get(code="C-EAST-1")
    body = {
        "customer_id": customer.pk,
        "number": "COL-HUGE",
        "date": "2026-03-01",
        "amount": "1e30",
    }

    response = client.post("/api/v1/collections", body, content_type="application/json")

    assert response.status_code == 422, response.content
    assert "amount" in response.json()["fields"]


def test_a_multipart_body_without_a_boundary_is_a_client_error(personas, api_client):
    client = api_client(personas["admin"])

    response = client.generic(
        "POST", "/api/v1/org/import", b"--x\r\n\r\n", content_type="multipart/form-data"
    )

    assert response.status_code in {400, 422}, response.content
    assert set(response.json()) == {"code", "detail", "fields"}
