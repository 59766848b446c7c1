"""The restricted default manager (issue 20 item 3): a read of an owned model runs only once it
says whose read it is — ``visible_to(viewer, action)`` or ``unrestricted()`` (the system)."""

import pytest
from django.db.models import Count

from salescope.core.errors import NotFound
from salescope.core.ownership import UndecidedVisibility
from salescope.customers.models import Contact, Customer
from salescope.org.models import User


@pytest.fixture
def books(personas):
    zhang, chen = personas["salesperson"], personas["other_region_salesperson"]
    east = Customer.objects.create(code="E-1", name="华东客户", owner=zhang)
    south = Customer.objects.create(code="S-1", name="华南客户", owner=chen)
    Contact.objects.create(customer=east, name="王经理")
    return east, south


@pytest.mark.parametrize(
    "read",
    [
        lambda qs: list(qs),
        lambda qs: qs.count(),
        lambda qs: qs.exists(),
        lambda qs: qs.first(),
        lambda qs: qs.get(code="E-1"),
        lambda qs: list(qs.values_list("code", flat=True)),
        lambda qs: qs.aggregate(n=Count("pk")),
        lambda qs: list(qs.iterator()),
        lambda qs: qs.get_or_create(code="E-1"),
    ],
    ids=[
        "list",
        "count",
        "exists",
        "first",
        "get",
        "values",
        "aggregate",
        "iterator",
        "get_or_create",
    ],
)
def test_an_undecided_read_refuses_to_run(books, read):
    with pytest.raises(UndecidedVisibility, match="customers.Customer"):
        read(Customer.objects.filter(deleted_at__isnull=True))


def test_visible_to_narrows_and_unrestricted_reads_everything(books, personas):
    east, south = books
    mine = Customer.objects.visible_to(personas["salesperson"]).order_by("code")
    assert list(mine) == [east]
    assert list(Customer.objects.visible_to(personas["director"]).order_by("code")) == [east, south]
    assert list(Customer.objects.unrestricted().order_by("code")) == [east, south]
    # The decision survives chaining, in any order.
    assert Customer.objects.filter(code="S-1").visible_to(personas["salesperson"]).count() == 0
    assert Customer.objects.visible_to(personas["salesperson"]).filter(code="S-1").count() == 0


def test_nothing_and_reads_through_a_held_record_need_no_decision(books):
    east, _south = books
    assert list(Customer.objects.none()) == []
    assert [c.name for c in east.contacts.all()] == ["王经理"]
    assert Contact.objects.unrestricted().get(name="王经理").customer == east


def test_get_visible_hides_a_colleagues_record_like_a_missing_one(books, personas):
    _east, south = books
    with pytest.raises(NotFound) as hidden:
        Customer.objects.get_visible(personas["salesperson"], south.pk)
    with pytest.raises(NotFound) as missing:
        Customer.objects.get_visible(personas["salesperson"], 999_999)
    assert hidden.value.as_dict() == missing.value.as_dict()
    assert Customer.objects.get_visible(personas["director"], south.pk) == south


def test_people_sign_in_although_their_manager_is_restricted(personas):
    assert User.objects.get_by_natural_key("zhangwei") == personas["salesperson"]
    with pytest.raises(UndecidedVisibility):
        User.objects.filter(username="zhangwei").first()
