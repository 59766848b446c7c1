"""The API's customer list (issue 20 item 9): each row says what the schema declares, read from
the columns the answer needs, and a row costs no query of its own."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from salescope.customers.models import Customer
from salescope.customers.schemas import CustomerOut
from salescope.org.models import Territory


def _listed(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/customers?limit=100")
    assert response.status_code == 200
    return response.json(), len(queries.captured_queries)


def test_a_row_answers_every_field_as_the_full_record_would(world, api_client):
    territory = Territory.objects.unrestricted().get(name="上海市")
    Customer(
        code="C-API-1",
        name="接口客户",
        owner=world.personas["team_lead"],
        territory=territory,
        tier="B",
        credit_limit_fen=123456,
        parent=world.east_dealer,
        phone="021-1234",
        tax_number="91310000X",
        address="上海市浦东新区",
        sales_area="浦东",
    ).save()
    client = api_client(world.personas["regional_manager"])

    body, _queries = _listed(client)

    expected = [
        CustomerOut.model_validate(c).model_dump(mode="json")
        for c in Customer.objects.unrestricted()
        .filter(code__in=[row["code"] for row in body["items"]])
        .order_by("code")
    ]
    assert body["items"] == expected
    row = next(r for r in body["items"] if r["code"] == "C-API-1")
    assert row["owner"]["name"] == world.personas["team_lead"].display_name
    assert row["territory"] == {"id": territory.pk, "name": "上海市"}
    assert row["parent_id"] == world.east_dealer.pk
    assert Decimal(row["credit_limit"]) == Decimal("1234.56")


def test_a_row_costs_no_query_of_its_own(world, api_client):
    client = api_client(world.personas["regional_manager"])
    territory = Territory.objects.unrestricted().get(name="上海市")
    _listed(client)  # the token's first use is written once
    _body, few = _listed(client)
    for index in range(30):
        Customer(
            code=f"C-Y{index:02}",
            name=f"客户{index}",
            owner=world.personas["team_lead"],
            territory=territory,
            credit_limit_fen=100 * index,
        ).save()

    body, many = _listed(client)

    assert body["count"] == 32
    assert many == few
