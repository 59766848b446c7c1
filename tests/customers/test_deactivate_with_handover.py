"""A person leaves (离职): the administrator hands their book over and deactivates them in one
step from the person's page; both or neither."""

import pytest

from salescope.core.models import AuditEntry
from salescope.customers.models import Customer
from salescope.org import services as org_services
from salescope.org.models import User


def _page(person):
    return f"/customers/people/{person.pk}/deactivate/"


@pytest.mark.django_db
def test_admin_hands_over_the_book_and_deactivates(world, login_client):
    leaving, successor = world.personas["salesperson"], world.personas["team_lead"]
    client = login_client(world.personas["admin"])
    person_page = client.get(f"/org/people/{leaving.pk}/").content.decode()
    assert _page(leaving) in person_page
    assert 'data-testid="handover-counts"' in client.get(_page(leaving)).content.decode()

    response = client.post(
        _page(leaving),
        {"version": leaving.version, "to_user": successor.pk, "reason": "离职"},
    )

    leaving.refresh_from_db()
    assert response.status_code == 302
    assert not leaving.is_active
    owners = set(
        Customer.objects.unrestricted()
        .filter(code__in=["C-EAST-1", "C-EAST-2"])
        .values_list("owner__username", flat=True)
    )
    assert owners == {"lina"}
    assert AuditEntry.objects.filter(action="customers.owner.handed_over").count() == 1
    assert AuditEntry.objects.filter(action="org.person.deactivated").count() == 1


@pytest.mark.django_db
def test_without_a_successor_nothing_happens_and_the_field_says_why(world, login_client):
    leaving = world.personas["salesperson"]
    client = login_client(world.personas["admin"])

    response = client.post(_page(leaving), {"version": leaving.version, "reason": "离职"})

    leaving.refresh_from_db()
    assert response.status_code == 422
    assert 'data-testid="error-to_user"' in response.content.decode()
    assert leaving.is_active
    assert Customer.objects.unrestricted().get(code="C-EAST-1").owner == leaving
    assert not AuditEntry.objects.filter(action="org.person.deactivated").exists()


@pytest.mark.django_db
def test_a_stale_person_page_gets_409_and_nothing_moves(world, login_client):
    leaving, successor = world.personas["salesperson"], world.personas["team_lead"]
    client = login_client(world.personas["admin"])

    response = client.post(
        _page(leaving), {"version": leaving.version + 5, "to_user": successor.pk, "reason": "x"}
    )

    assert response.status_code == 409
    assert User.objects.unrestricted().get(pk=leaving.pk).is_active
    assert Customer.objects.unrestricted().get(code="C-EAST-1").owner == leaving
    assert not AuditEntry.objects.filter(action="customers.owner.handed_over").exists()


@pytest.mark.django_db
def test_a_person_without_a_book_needs_no_successor(world, login_client):
    admin = world.personas["admin"]
    temp = org_services.create_person(
        actor=admin, username="temp", full_name="临时工", unit=world.personas["salesperson"].unit
    )
    client = login_client(admin)

    response = client.post(_page(temp), {"version": temp.version})

    assert response.status_code == 302
    assert not User.objects.unrestricted().get(pk=temp.pk).is_active


@pytest.mark.django_db
def test_a_manager_is_offered_no_deactivation(world, login_client):
    leaving = world.personas["salesperson"]
    client = login_client(world.personas["team_lead"])

    assert _page(leaving) not in client.get(f"/org/people/{leaving.pk}/").content.decode()
    assert client.get(_page(leaving)).status_code == 403
    response = client.post(_page(leaving), {"version": leaving.version, "reason": "x"})
    assert response.status_code == 403
    assert User.objects.unrestricted().get(pk=leaving.pk).is_active
