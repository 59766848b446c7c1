"""Two requests creating the same natural key at once: the loser gets 409, never a 500.

Services check a key before inserting it, but between two concurrent requests both checks can
pass; the database's unique constraint then stops the second insert. That violation must
leave the API as a conflict (409) naming the field, on both databases.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.db.models import QuerySet

from salescope.core.errors import DuplicateKey
from salescope.core.models import AuditEntry
from salescope.customers.models import Customer
from salescope.ledger.models import Collection, Invoice
from tests.ledger.world import build_world


@contextmanager
def check_passes_although_taken(model: type) -> Iterator[None]:
    """The service's look-before-insert sees no clash, as when a concurrent request inserts
    the same key between the check and the insert."""
    original = QuerySet.exists

    def exists(self: QuerySet) -> bool:
        return False if self.model is model else original(self)

    QuerySet.exists = exists
    try:
        yield
    finally:
        QuerySet.exists = original


def _bodies(world) -> dict[str, tuple[type, str, dict]]:  # noqa: ANN001
    customer = world.east_dealer.pk
    return {
        "customers": (Customer, "code", {"code": "C-DUP-1", "name": "重复客户"}),
        "invoices": (
            Invoice,
            "number",
            {
                "customer_id": customer,
                "number": "INV-DUP-1",
                "issue_date": "2026-03-01",
                "amount": "100.00",
            },
        ),
        "collections": (
            Collection,
            "number",
            {
                "customer_id": customer,
                "number": "COL-DUP-1",
                "date": "2026-03-02",
                "amount": "10.00",
                "allocate": False,
            },
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("resource", ["customers", "invoices", "collections"])
def test_a_duplicate_key_that_slips_past_the_check_is_a_conflict(resource, personas, api_client):
    world = build_world(personas)
    model, field, body = _bodies(world)[resource]
    client = api_client(personas["admin"])
    first = client.post(f"/api/v1/{resource}", body, content_type="application/json")
    assert first.status_code == 201, first.content
    audit_rows = AuditEntry.objects.count()

    with check_passes_although_taken(model):
        second = client.post(f"/api/v1/{resource}", body, content_type="application/json")

    assert second.status_code == 409, second.content
    answer = second.json()
    assert answer["code"] == "conflict"
    assert list(answer["fields"]) == [field]
    assert "Traceback" not in second.content.decode()
    assert model.objects.unrestricted().filter(**{field: body[field]}).count() == 1
    assert AuditEntry.objects.count() == audit_rows


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("resource", ["customers", "invoices", "collections"])
def test_concurrent_creates_of_one_key_give_one_201_and_conflicts(
    resource: str, personas, api_client: Callable
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises writers, so the check always sees the winner (422); the race "
            "needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test"
        )
    world = build_world(personas)
    model, field, template = _bodies(world)[resource]
    clients = [api_client(personas["admin"]) for _ in range(6)]
    for round_no in range(4):
        body = {**template, field: f"{template[field]}-{round_no}"}
        barrier = threading.Barrier(len(clients))
        statuses: list[int] = []

        def post(client, body=body, barrier=barrier, statuses=statuses) -> None:  # noqa: ANN001
            try:
                barrier.wait()
                response = client.post(f"/api/v1/{resource}", body, content_type="application/json")
                statuses.append(response.status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=post, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses.count(201) == 1, statuses
        assert set(statuses) <= {201, 409, 422}, statuses
        assert model.objects.unrestricted().filter(**{field: body[field]}).count() == 1


@pytest.mark.django_db
def test_a_page_whose_write_loses_the_race_shows_the_conflict_page(personas, rf):
    from django.db import IntegrityError

    from salescope.core.web import page_errors

    @page_errors
    def view(request):  # noqa: ANN001, ANN202
        raise IntegrityError("UNIQUE constraint failed: customers_customer.code")

    @page_errors
    def broken(request):  # noqa: ANN001, ANN202
        raise IntegrityError("NOT NULL constraint failed: customers_customer.name")

    request = rf.post("/customers/")
    request.user = personas["salesperson"]
    response = view(request)

    assert response.status_code == 409
    assert str(DuplicateKey.default_detail) in response.content.decode()
    with pytest.raises(IntegrityError):  # not a key clash: a bug, left to the 500 page
        broken(request)
