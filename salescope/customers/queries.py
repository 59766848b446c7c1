"""Reads of customers for a viewer, through ``org.visibility``."""

from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.fields.reverse_related import ForeignObjectRel

from salescope.customers.book import book_parts
from salescope.customers.models import Contact, Customer
from salescope.customers.permissions import OWNER_ROLES
from salescope.org.models import User
from salescope.org.visibility import get_visible, viewer_roles, visible


def list_customers(
    *,
    viewer: User,
    search: str = "",
    kind: str = "",
    include_archived: bool = False,
    deleted: bool = False,
    fields: Sequence[str] = (),
) -> QuerySet[Customer]:
    """Customers the viewer may see, by code, with their owner and territory; ``fields``
    (e.g. ``"owner__full_name"``) loads only those columns, for a page that shows a few."""
    qs = Customer.objects.filter(deleted_at__isnull=not deleted)
    if not include_archived and not deleted:
        qs = qs.filter(status="active")
    if search:
        qs = qs.filter(Q(code__icontains=search) | Q(name__icontains=search))
    if kind:
        qs = qs.filter(kind=kind)
    qs = visible(qs, viewer=viewer).select_related("owner", "territory").order_by("code")
    return qs.only(*fields) if fields else qs


def get_customer(
    *, viewer: User, pk: Any, action: str = "view", deleted: bool | None = False
) -> Customer:
    """One visible customer; ``deleted``: only deleted ones (True), either (None)."""
    qs = Customer.objects.all()
    if deleted is not None:
        qs = qs.filter(deleted_at__isnull=not deleted)
    return get_visible(
        qs.select_related("owner", "territory", "parent"), viewer=viewer, pk=pk, action=action
    )


def get_person(*, viewer: User, pk: Any) -> User:
    """A person the viewer may see (for owner and handover choices)."""
    return get_visible(User.objects.all(), viewer=viewer, pk=pk)


def get_territory(*, viewer: User, pk: Any) -> Any:
    from salescope.org.models import Territory

    return get_visible(Territory.objects.all(), viewer=viewer, pk=pk)


def list_contacts(*, viewer: User, customer: Customer) -> QuerySet[Contact]:
    return visible(Contact.objects.filter(customer=customer), viewer=viewer)


def data_quality(*, viewer: User) -> dict[str, Any]:
    """Likely duplicates (same normalised name, phone or tax number) and missing fields (F1)."""
    qs = visible(Customer.objects.filter(deleted_at__isnull=True), viewer=viewer)
    groups: list[dict[str, Any]] = []
    by_members: dict[tuple[int, ...], dict[str, Any]] = {}  # one group per set of customers
    for field, label in (
        ("name_normalized", "name"),
        ("phone_normalized", "phone"),
        ("tax_number", "tax_number"),
    ):
        keys = (
            qs.exclude(**{field: ""})
            .values(field)
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values_list(field, flat=True)
        )
        members: dict[str, list[Customer]] = {}
        for customer in qs.filter(**{f"{field}__in": list(keys[:200])}).order_by("code"):
            members.setdefault(getattr(customer, field), []).append(customer)
        for key, customers in members.items():
            same = by_members.get(tuple(c.pk for c in customers))
            if same is None:  # a new group
                same = {"by": label, "key": key, "customers": customers, "by_all": []}
                by_members[tuple(c.pk for c in customers)] = same
                groups.append(same)
            same["by_all"].append(label)  # the same customers alike in another field too
    missing = []
    for customer in qs.filter(
        Q(owner__isnull=True)
        | Q(territory__isnull=True)
        | Q(phone="")
        | (Q(tax_number="") & ~Q(kind="end_customer"))
    ).select_related("owner")[:500]:
        fields = [
            name
            for name, empty in (
                ("owner", customer.owner_id is None),
                ("territory", customer.territory_id is None),
                ("phone", not customer.phone),
                ("tax_number", not customer.tax_number and customer.kind != "end_customer"),
            )
            if empty
        ]
        missing.append({"customer": customer, "fields": fields})
    return {"duplicates": groups, "missing": missing}


def orphaned_records(*, viewer: User) -> dict[str, list]:
    """Live customers and every registered part of a book (``customers.book``: open orders,
    open invoices) whose owner is inactive (F2: must be empty after a handover)."""
    found = {
        "customers": list(
            visible(
                Customer.objects.filter(owner__is_active=False, deleted_at__isnull=True),
                viewer=viewer,
            )
        )
    }
    for part in book_parts():
        if part.orphaned is not None:
            found[part.key] = list(visible(part.orphaned(), viewer=viewer))
    return found


def people_for_handover(*, viewer: User) -> QuerySet[User]:
    return visible(User.objects.filter(unit__isnull=False), viewer=viewer).order_by("username")


def handover_targets(*, viewer: User) -> QuerySet[User]:
    """The people a handover may give a book to: visible, active and holding a role that owns
    customers (``permissions.OWNER_ROLES``; ``extra_roles`` count too)."""
    people = people_for_handover(viewer=viewer).filter(is_active=True)
    return people.filter(pk__in=[p.pk for p in people if viewer_roles(p) & OWNER_ROLES])


def merge_relations() -> list[ForeignObjectRel]:
    """The references to a customer that merging moves to the kept one: every many-to-one
    relation but ``merged_into`` (sales lines, orders, invoices, collections, contacts, group
    members)."""
    return [
        rel
        for rel in Customer._meta.related_objects
        if rel.field.many_to_one and rel.field.name != "merged_into"
    ]


def possible_duplicates(
    *,
    viewer: User,
    name: str = "",
    phone: str = "",
    tax_number: str = "",
    exclude: Customer | None = None,
) -> list[Customer]:
    """Customers the viewer may see that look like the one being saved: the same normalised
    name, phone or tax number (the data-quality rule, F1), asked before saving."""
    from salescope.customers.models import normalize_name, normalize_phone

    match = Q()
    if normalize_name(name):
        match |= Q(name_normalized=normalize_name(name))
    if normalize_phone(phone):
        match |= Q(phone_normalized=normalize_phone(phone))
    if tax_number.strip():
        match |= Q(tax_number=tax_number.strip())
    if not match:
        return []
    qs = Customer.objects.filter(match, deleted_at__isnull=True)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(visible(qs, viewer=viewer).select_related("owner").order_by("code")[:10])


def territory_choices(*, viewer: User) -> QuerySet:
    from salescope.org.models import Territory

    return visible(Territory.objects.all(), viewer=viewer).order_by("code")


def get_contact(*, viewer: User, pk: Any, action: str = "view") -> Contact:
    return get_visible(
        Contact.objects.select_related("customer"), viewer=viewer, pk=pk, action=action
    )


def may_change(*, viewer: User, customer: Customer) -> bool:
    """Whether the viewer may change this customer (visibility's ``change``)."""
    qs = Customer.objects.filter(pk=customer.pk)
    return visible(qs, viewer=viewer, action="change").exists()
