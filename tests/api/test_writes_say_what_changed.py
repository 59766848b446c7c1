"""Writes record what changed and refuse what they do not understand (R14, issue 20 Low).

An unknown field in a body is a 422 naming it (never silently ignored); a write that changes
nothing leaves no audit row; status changes are recorded old → new; an archived customer can
be restored.
"""

import pytest

from salescope.core.models import AuditEntry
from salescope.customers.models import Customer
from tests.ledger.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):  # noqa: ANN001, ANN201
    return build_world(personas)


def _customer(code: str = "C-EAST-1") -> Customer:
    return Customer.objects.unrestricted().get(code=code)


def test_an_unknown_field_in_a_patch_is_refused_by_name(world, personas, api_client):
    client = api_client(personas["admin"])
    customer = _customer()

    response = client.patch(
        f"/api/v1/customers/{customer.pk}",
        {"version": customer.version, "nmae": "typo"},
        content_type="application/json",
    )

    assert response.status_code == 422, response.content
    assert list(response.json()["fields"]) == ["nmae"]
    assert _customer().version == customer.version


def test_deactivating_a_person_by_patch_is_refused_not_ignored(world, personas, api_client):
    client = api_client(personas["admin"])
    person = personas["salesperson"]
    before = AuditEntry.objects.count()

    response = client.patch(
        f"/api/v1/org/people/{person.pk}",
        {"version": person.version, "is_active": False},
        content_type="application/json",
    )

    assert response.status_code == 422, response.content
    assert "is_active" in response.json()["fields"]
    person.refresh_from_db()
    assert person.is_active
    assert AuditEntry.objects.count() == before


def test_a_handover_naming_customers_it_does_not_know_moves_nothing(world, personas, api_client):
    client = api_client(personas["admin"])
    owned = Customer.objects.unrestricted().filter(owner=personas["salesperson"]).count()

    response = client.post(
        "/api/v1/customers/handover",
        {
            "from_user_id": personas["salesperson"].pk,
            "to_user_id": personas["other_region_salesperson"].pk,
            "customer_ids": [world.east_dealer.pk],
        },
        content_type="application/json",
    )

    assert response.status_code == 422, response.content
    assert "customer_ids" in response.json()["fields"]
    assert Customer.objects.unrestricted().filter(owner=personas["salesperson"]).count() == owned


def test_a_patch_that_changes_nothing_writes_no_audit_row(world, personas, api_client):
    client = api_client(personas["admin"])
    customer = _customer()
    before = AuditEntry.objects.count()

    response = client.patch(
        f"/api/v1/customers/{customer.pk}",
        {"version": customer.version, "name": customer.name, "address": customer.address},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert AuditEntry.objects.count() == before


def test_archive_records_the_status_and_archiving_again_records_nothing(
    world, personas, api_client
):
    client = api_client(personas["admin"])
    customer = _customer()

    first = client.post(f"/api/v1/customers/{customer.pk}/archive")
    after_first = AuditEntry.objects.count()
    again = client.post(f"/api/v1/customers/{customer.pk}/archive")

    assert (first.status_code, again.status_code) == (200, 200)
    entry = AuditEntry.objects.filter(action="customers.customer.archived").get()
    assert entry.changes == {"status": ["active", "archived"]}
    assert AuditEntry.objects.count() == after_first


def test_an_archived_customer_can_be_restored(world, personas, api_client):
    client = api_client(personas["admin"])
    customer = _customer()
    client.post(f"/api/v1/customers/{customer.pk}/archive")

    restored = client.post(f"/api/v1/customers/{customer.pk}/restore")

    assert restored.status_code == 200, restored.content
    assert restored.json()["status"] == "active"
    assert _customer().status == "active"
    entry = AuditEntry.objects.filter(action="customers.customer.restored").get()
    assert entry.changes == {"status": ["archived", "active"]}
