"""The availability answer for a customer (H3): the catalogue answers from stock, reservations,
open orders and supply; the ledger adds the customer's credit (a held customer gets no date)
and the customer's own open orders. A customer the viewer may not see is a 404."""

import datetime as dt

import pytest
from django.utils import timezone

from salescope.catalog.models import IncomingSupply, StockLevel, Warehouse
from salescope.ledger.models import Order, OrderLine


@pytest.fixture
def stocked(world):
    warehouse = Warehouse.objects.create(code="WH-SH", name="上海仓")
    StockLevel.objects.create(warehouse=warehouse, product=world.cola, on_hand=100)
    return warehouse


def _order(world, status, quantity):
    order = Order.objects.create(
        number=f"SO-{status}-{quantity}",
        customer=world.east_dealer,
        owner=world.personas["salesperson"],
        date=timezone.localdate(),
        status=status,
        amount_fen=quantity * 300,
    )
    OrderLine.objects.create(
        order=order,
        product=world.cola,
        quantity=quantity,
        unit_price_fen=300,
        amount_fen=quantity * 300,
    )


def _ask(client, world, warehouse, customer, quantity):
    url = f"/api/v1/products/{world.cola.pk}/availability"
    return client.get(
        f"{url}?quantity={quantity}&warehouse_id={warehouse.pk}&customer_id={customer.pk}"
    )


def test_a_customer_in_credit_gets_the_date_and_sees_their_own_orders(world, stocked, api_client):
    _order(world, "confirmed", 30)
    client = api_client(world.personas["salesperson"])
    answer = _ask(client, world, stocked, world.east_dealer, 70).json()
    assert (answer["committed"], answer["available_now"]) == (30, 70)
    assert answer["date"] == str(timezone.localdate())
    assert answer["customer"]["credit_hold"] is False
    assert answer["customer"]["own_open_orders"] == 30
    assert answer["deliverable"] is True


def test_an_order_beyond_the_credit_limit_is_held_and_gets_no_promise(world, stocked, api_client):
    client = api_client(world.personas["salesperson"])
    # limit 10,000.00 yuan; 90 × 3.00 fits, 4,000 × 3.00 = 12,000.00 does not
    assert _ask(client, world, stocked, world.east_dealer, 90).json()["deliverable"] is True
    StockLevel.objects.unrestricted().update(on_hand=5000)
    held = _ask(client, world, stocked, world.east_dealer, 4000).json()
    assert held["date"] == str(timezone.localdate())  # the goods are there …
    assert held["credit_hold"] is True  # … but the order would be held for credit
    assert held["deliverable"] is False
    assert "10,000.00" in held["customer"]["reasons"][0]


def test_an_order_on_credit_hold_holds_the_customer(world, stocked, api_client):
    _order(world, "credit_hold", 10)
    client = api_client(world.personas["salesperson"])
    answer = _ask(client, world, stocked, world.east_dealer, 1).json()
    assert answer["credit_hold"] is True
    assert answer["committed"] == 10


def test_a_customer_of_another_region_is_not_found(world, stocked, api_client):
    client = api_client(world.personas["salesperson"])
    response = _ask(client, world, stocked, world.south_dealer, 1)
    assert response.status_code == 404
    missing = client.get(
        f"/api/v1/products/{world.cola.pk}/availability?quantity=1&customer_id=99999999"
    )
    assert response.json() == missing.json()


def test_incoming_in_another_warehouse_does_not_count(world, stocked, api_client):
    other = Warehouse.objects.create(code="WH-GZ", name="广州仓")
    IncomingSupply.objects.create(
        warehouse=other,
        product=world.cola,
        kind="purchase",
        quantity=500,
        expected_date=timezone.localdate() + dt.timedelta(days=3),
    )
    client = api_client(world.personas["salesperson"])
    answer = _ask(client, world, stocked, world.east_dealer, 150).json()
    assert (answer["incoming_total"], answer["date"]) == (0, None)
