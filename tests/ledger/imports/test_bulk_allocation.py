"""``services.apply_allocations`` keeps the invariants of ``_apply`` for many rows at once."""

import datetime as dt

import pytest
from django.db import transaction

from salescope.core.errors import Conflict
from salescope.ledger import services
from salescope.ledger.models import Allocation, Collection, Invoice


def test_bulk_allocations_refuse_to_overpay_and_leave_nothing(world):
    finance = world.personas["finance"]
    invoice = services.issue_invoice(
        actor=finance,
        customer=world.east_dealer,
        number="B-1",
        issue_date=dt.date(2025, 1, 1),
        amount="100",
    )
    first = services.record_collection(
        actor=finance,
        customer=world.east_dealer,
        number="R-1",
        date=dt.date(2025, 2, 1),
        amount="80",
        allocate=False,
    )
    second = services.record_collection(
        actor=finance,
        customer=world.east_dealer,
        number="R-2",
        date=dt.date(2025, 2, 1),
        amount="80",
        allocate=False,
    )
    with pytest.raises(Conflict), transaction.atomic():
        services.apply_allocations([(first.pk, invoice.pk, 8000), (second.pk, invoice.pk, 8000)])
    assert Allocation.objects.unrestricted().count() == 0
    assert Invoice.objects.unrestricted().get(pk=invoice.pk).paid_fen == 0
    services.apply_allocations([(first.pk, invoice.pk, 8000), (second.pk, invoice.pk, 2000)])
    invoice.refresh_from_db()
    assert (invoice.paid_fen, invoice.status) == (10_000, "paid")
    assert sorted(Collection.objects.unrestricted().values_list("number", "allocated_fen")) == [
        ("R-1", 8000),
        ("R-2", 2000),
    ]
