"""The customer routes in the leak and permission matrices (tests/visibility)."""

import itertools

from django.utils import timezone

from salescope.customers.models import Contact, Customer
from tests.visibility.registry import Target, register

_serial = itertools.count(1)


def make_customer(owner, **fields):
    customer = Customer(
        code=f"LEAK-C{next(_serial)}", name=f"{owner.username} 的客户", owner=owner, **fields
    )
    customer.save()
    return customer


@register(
    "customers:detail",
    "customers:edit",
    "customers:credit-terms",
    "customers:contact-create",
)
def customer_page(personas, owner):
    customer = make_customer(owner)
    return Target(params={"pk": customer.pk}, obj=customer)


@register(
    "/api/v1/customers/{customer_id}",
    "/api/v1/customers/{customer_id}/archive",
    "/api/v1/customers/{customer_id}/contacts",
    "/api/v1/customers/{customer_id}/credit-terms",
)
def customer_api(personas, owner):
    customer = make_customer(owner)
    return Target(
        params={"customer_id": customer.pk},
        obj=customer,
        bodies={
            "PATCH": {"version": customer.version, "phone": "021-1"},
            "POST": {"name": "联系人"},
            "PUT": {"version": customer.version, "credit_limit": "1", "payment_terms_days": 9},
        },
    )


@register("customers:contact-edit")
def contact_page(personas, owner):
    contact = Contact.objects.create(customer=make_customer(owner), name="联系人")
    return Target(params={"pk": contact.pk}, obj=contact)


@register("/api/v1/customers/{customer_id}/restore")
def deleted_customer_api(personas, owner):
    customer = make_customer(owner, deleted_at=timezone.now())
    return Target(params={"customer_id": customer.pk}, obj=customer)


@register("customers:person-deactivate")
def person_deactivate(personas, owner):
    return Target(params={"person_id": owner.pk}, obj=owner)
