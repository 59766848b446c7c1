"""The API's customer list (issue 20 item 9): each row says what the schema declares, read from
the columns the answer needs, and a row costs no query of its own."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from salescope.customers.models import Customer
from salescope.customers.schemas import CustomerOut
from salescope.org.models import Territory, User


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


def test_an_owner_without_a_full_name_is_named_as_everywhere_else(world, api_client):
    """A row's owner is named as ``User.display_name`` names them: the full name, else the
    first and last name, else the username."""
    lead = world.personas["team_lead"]
    people = User.objects.unrestricted()
    western = people.create(
        username="w.smith", first_name="Will", last_name="Smith", unit=lead.unit
    )
    bare = people.create(username="bare", unit=lead.unit)
    for code, owner in (("C-W-1", western), ("C-W-2", bare)):
        Customer(code=code, name=code, owner=owner).save()
    client = api_client(world.personas["regional_manager"])

    body, _queries = _listed(client)

    owners = {
        row["code"]: row["owner"] for row in body["items"] if row["code"] in {"C-W-1", "C-W-2"}
    }
    assert owners == {
        "C-W-1": {"id": western.pk, "username": "w.smith", "name": "Will Smith"},
        "C-W-2": {"id": bare.pk, "username": "bare", "name": "bare"},
    }
    row = next(r for r in body["items"] if r["code"] == "C-W-2")
    assert (row["territory"], row["credit_limit"], row["parent_id"]) == (None, None, None)
    expected = CustomerOut.model_validate(Customer.objects.unrestricted().get(code="C-W-2"))
    assert row == expected.model_dump(mode="json")
