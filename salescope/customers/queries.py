"""Reads of customers for a viewer, through ``org.visibility``."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.fields.reverse_related import ForeignObjectRel

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
        groups += [{"by": label, "key": k, "customers": v} for k, v in members.items()]
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
    """Live customers, open orders and open invoices whose owner is inactive (F2: must be empty
    after a handover)."""
    from salescope.ledger.models import Invoice, Order

    inactive = Q(owner__is_active=False)
    return {
        "customers": list(
            visible(Customer.objects.filter(inactive, deleted_at__isnull=True), viewer=viewer)
        ),
        "orders": list(
            visible(
                Order.objects.filter(inactive, status__in=["draft", "credit_hold", "confirmed"]),
                viewer=viewer,
            )
        ),
        "invoices": list(visible(Invoice.objects.filter(inactive, status="open"), viewer=viewer)),
    }


def dealer_health(*, viewer: User, as_of: dt.date) -> list[dict[str, Any]]:
    """Each visible dealer/distributor with last purchase, last-90-day and previous-90-day
    sell-in and a status from ``ledger.rules.dealer_health`` (F6)."""
    from salescope.ledger.models import SalesLine
    from salescope.ledger.rules import dealer_health as classify

    dealers = list(
        visible(
            Customer.objects.filter(
                deleted_at__isnull=True, kind__in=["dealer", "distributor"]
            ).select_related("owner"),
            viewer=viewer,
        ).order_by("code")
    )
    recent_start = as_of - dt.timedelta(days=90)
    previous_start = as_of - dt.timedelta(days=180)
    facts = {
        row["customer_id"]: row
        for row in SalesLine.objects.visible_to(viewer)
        .filter(customer_id__in=[d.pk for d in dealers], kind="sell_in", date__lte=as_of)
        .values("customer_id")
        .annotate(
            last=Max("date"),
            recent=Sum("amount_fen", filter=Q(date__gt=recent_start)),
            previous=Sum("amount_fen", filter=Q(date__gt=previous_start, date__lte=recent_start)),
        )
    }
    rows = []
    for dealer in dealers:
        fact = facts.get(dealer.pk, {})
        status, trend = classify(
            last_purchase=fact.get("last"),
            recent_fen=fact.get("recent") or 0,
            previous_fen=fact.get("previous") or 0,
            as_of=as_of,
        )
        rows.append(
            {
                "customer": dealer,
                "status": status,
                "trend": trend,
                "last_purchase": fact.get("last"),
                "recent_fen": fact.get("recent") or 0,
                "previous_fen": fact.get("previous") or 0,
            }
        )
    return rows


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
