"""Taking an order and recording a collection (回款) in the pages: the credit check on the
order, allocation to invoices on the collection; errors at their fields, one audit row, and
no customer offered or accepted that the person may not see."""

import datetime as dt

import pytest
from django.utils import timezone

from salescope.core.models import AuditEntry
from salescope.ledger import services
from salescope.ledger.models import Allocation, Collection, Invoice, Order

TODAY = timezone.localdate().isoformat()


def _invoice(world, number, amount, days_ago):
    issued = timezone.localdate() - dt.timedelta(days=days_ago)
    return services.issue_invoice(
        actor=world.personas["finance"],
        customer=world.east_dealer,
        number=number,
        issue_date=issued,
        amount=amount,
        due_date=issued + dt.timedelta(days=30),
    )


def _order(**lines):
    return {"date": TODAY, "confirm": "on", **lines}


@pytest.mark.django_db
def test_salesperson_takes_an_order_within_the_limit_and_it_is_confirmed(world, login_client):
    client = login_client(world.personas["salesperson"])
    customer = world.east_dealer  # credit limit 10,000.00
    detail = client.get(f"/customers/{customer.pk}/").content.decode()
    assert f"/ledger/orders/new/?customer={customer.pk}" in detail
    form = client.get(f"/ledger/orders/new/?customer={customer.pk}")
    assert 'data-testid="credit-summary"' in form.content.decode()

    response = client.post(
        f"/ledger/orders/new/?customer={customer.pk}",
        _order(**{"lines.0.product": "P-COLA", "lines.0.quantity": "100"}),
    )

    order = Order.objects.unrestricted().get(customer=customer)
    assert response.status_code == 302
    assert response["Location"] == f"/ledger/orders/{order.pk}/"
    assert (order.status, order.amount_fen, order.owner) == (
        "confirmed",
        30_000,
        world.personas["salesperson"],
    )
    # The number carries the order's date, the one the form posted (TODAY, read when the tests
    # were collected: a run that crosses midnight must not compare it with a later day).
    assert order.date.isoformat() == TODAY
    assert order.number.startswith(f"SO-{order.date:%Y%m%d}-")
    assert AuditEntry.objects.filter(action="ledger.order.created").count() == 1
    assert AuditEntry.objects.filter(action="ledger.order.confirmed").count() == 1


@pytest.mark.django_db
def test_an_order_over_the_credit_limit_is_saved_on_credit_hold(world, login_client):
    client = login_client(world.personas["salesperson"])
    customer = world.east_dealer

    response = client.post(
        f"/ledger/orders/new/?customer={customer.pk}",
        _order(**{"lines.0.product": "P-JUICE-1L", "lines.0.quantity": "2000"}),  # 17,000.00
    )

    order = Order.objects.unrestricted().get(customer=customer)
    assert response.status_code == 302
    assert order.status == "credit_hold"
    assert order.hold_reason
    assert order.hold_reason in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_an_unknown_product_and_a_zero_quantity_are_refused_at_their_fields(world, login_client):
    client = login_client(world.personas["salesperson"])
    customer = world.east_dealer

    response = client.post(
        f"/ledger/orders/new/?customer={customer.pk}",
        _order(
            **{
                "lines.0.product": "NO-SUCH-SKU",
                "lines.0.quantity": "1",
                "lines.1.product": "P-COLA",
                "lines.1.quantity": "0",
            }
        ),
    )

    body = response.content.decode()
    assert response.status_code == 422
    assert 'data-testid="error-lines.0.product"' in body
    assert 'data-testid="error-lines.1.quantity"' in body
    assert not Order.objects.unrestricted().exists()
    assert not AuditEntry.objects.filter(action__startswith="ledger.order").exists()


@pytest.mark.django_db
def test_a_salesperson_cannot_pick_a_customer_he_cannot_see(world, login_client):
    client = login_client(world.personas["salesperson"])
    south = world.south_dealer

    picker = client.get("/ledger/orders/new/")
    by_code = client.get("/ledger/orders/new/", {"customer": south.code})
    by_id = client.post(
        f"/ledger/orders/new/?customer={south.pk}",
        _order(**{"lines.0.product": "P-COLA", "lines.0.quantity": "1"}),
    )

    assert picker.status_code == 200
    assert "C-EAST-1" in picker.content.decode()
    assert "C-SOUTH-1" not in picker.content.decode()
    assert by_code.status_code == 422
    assert 'data-testid="error-customer"' in by_code.content.decode()
    assert by_id.status_code == 422  # back to choosing: the id names none of his customers
    assert 'data-testid="pick-customer"' in by_id.content.decode()
    assert not Order.objects.unrestricted().exists()


@pytest.mark.django_db
def test_finance_records_a_collection_allocated_to_chosen_invoices(world, login_client):
    old = _invoice(world, "I-OLD", "300.00", days_ago=60)
    new = _invoice(world, "I-NEW", "500.00", days_ago=5)
    client = login_client(world.personas["finance"])
    customer = world.east_dealer
    detail = client.get(f"/customers/{customer.pk}/").content.decode()
    assert f"/ledger/collections/new/?customer={customer.pk}" in detail

    response = client.post(
        f"/ledger/collections/new/?customer={customer.pk}",
        {
            "date": TODAY,
            "amount": "600.00",
            "method": "银行转账",
            "allocation": "chosen",
            f"allocations.{new.pk}": "500.00",
            f"allocations.{old.pk}": "100.00",
        },
    )

    collection = Collection.objects.unrestricted().get()
    assert response.status_code == 302
    assert (collection.amount_fen, collection.allocated_fen, collection.method) == (
        60_000,
        60_000,
        "银行转账",
    )
    paid = dict(Invoice.objects.unrestricted().values_list("number", "paid_fen"))
    assert paid == {"I-OLD": 10_000, "I-NEW": 50_000}
    assert Invoice.objects.unrestricted().get(number="I-NEW").status == "paid"
    entry = AuditEntry.objects.get(action="ledger.collection.recorded")
    assert sorted(entry.changes["allocations"]) == sorted([[new.pk, 50_000], [old.pk, 10_000]])


@pytest.mark.django_db
def test_a_collection_oldest_first_by_default(world, login_client):
    _invoice(world, "I-OLD", "300.00", days_ago=60)
    _invoice(world, "I-NEW", "500.00", days_ago=5)
    client = login_client(world.personas["finance"])

    client.post(
        f"/ledger/collections/new/?customer={world.east_dealer.pk}",
        {"date": TODAY, "amount": "400.00", "allocation": "oldest"},
    )

    paid = dict(Invoice.objects.unrestricted().values_list("number", "paid_fen"))
    assert paid == {"I-OLD": 30_000, "I-NEW": 10_000}


@pytest.mark.django_db
def test_allocating_more_than_an_invoice_owes_is_refused_at_its_field(world, login_client):
    old = _invoice(world, "I-OLD", "300.00", days_ago=60)
    client = login_client(world.personas["finance"])

    response = client.post(
        f"/ledger/collections/new/?customer={world.east_dealer.pk}",
        {
            "date": TODAY,
            "amount": "400.00",
            "allocation": "chosen",
            f"allocations.{old.pk}": "400.00",
        },
    )

    assert response.status_code == 422
    assert f'data-testid="error-allocations.{old.pk}"' in response.content.decode()
    assert not Collection.objects.unrestricted().exists()
    assert not Allocation.objects.unrestricted().exists()
    assert not AuditEntry.objects.filter(action="ledger.collection.recorded").exists()


@pytest.mark.django_db
def test_a_salesperson_is_offered_no_collection_form(world, login_client):
    client = login_client(world.personas["salesperson"])
    customer = world.east_dealer

    detail = client.get(f"/customers/{customer.pk}/").content.decode()
    response = client.post(
        f"/ledger/collections/new/?customer={customer.pk}",
        {"date": TODAY, "amount": "1.00", "allocation": "none"},
    )

    assert "/ledger/collections/new/" not in detail
    assert client.get("/ledger/collections/new/").status_code == 403
    assert response.status_code == 403
    assert not Collection.objects.unrestricted().exists()
