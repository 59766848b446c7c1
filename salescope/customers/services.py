"""Writes to customers and contacts: create, update (protected fields), archive, soft delete,
restore, merge duplicates, hand over a person's book. Each one transaction, one audit entry."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salescope.core import audit
from salescope.core.concurrency import update_versioned
from salescope.core.errors import Conflict, PermissionDenied, ValidationFailed
from salescope.core.ownership import all_records
from salescope.customers import permissions as perms
from salescope.customers import queries
from salescope.customers.book import book_parts
from salescope.customers.choices import CustomerErrorCode, CustomerKind, CustomerStatus
from salescope.customers.models import Contact, Customer
from salescope.org.choices import Role
from salescope.org.models import User
from salescope.org.permissions import require
from salescope.org.visibility import viewer_roles, visible

MANAGER_ROLES = perms.MANAGER_ROLES
CREDIT_ROLES = frozenset({Role.ADMINISTRATOR, Role.SALES_DIRECTOR, Role.FINANCE})
# Fields only some roles may write (R6): field → roles.
PROTECTED_FIELDS = {
    "owner": MANAGER_ROLES,
    "credit_limit_fen": CREDIT_ROLES,
    "payment_terms_days": CREDIT_ROLES,
}
EDITABLE_FIELDS = [
    "code",
    "name",
    "kind",
    "tier",
    "owner",
    "territory",
    "sales_area",
    "parent",
    "phone",
    "tax_number",
    "address",
    "credit_limit_fen",
    "payment_terms_days",
]
AUDIT_FIELDS = [*EDITABLE_FIELDS, "status", "deleted_at"]


def check_protected(actor: User, changes: dict[str, Any]) -> None:
    refused = {
        name: [_("You may not change this field.")]
        for name, roles in PROTECTED_FIELDS.items()
        if name in changes and actor.role not in roles
    }
    if refused:
        raise PermissionDenied(
            _("You may not change: %(fields)s") % {"fields": ", ".join(refused)}, fields=refused
        )


def _validate(changes: dict[str, Any], instance: Customer | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if "code" in changes:
        code = str(changes["code"] or "").strip()
        clash = Customer.objects.unrestricted().filter(code=code)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if not code:
            errors["code"] = [_("A code is required.")]
        elif clash.exists():
            errors["code"] = [_("A customer with this code already exists.")]
    if "name" in changes and not str(changes["name"] or "").strip():
        errors["name"] = [_("A name is required.")]
    if "kind" in changes and changes["kind"] not in CustomerKind.values:
        errors["kind"] = [_("Unknown kind.")]
    limit = changes.get("credit_limit_fen")
    if limit is not None and limit < 0:
        errors["credit_limit"] = [_("The credit limit cannot be negative.")]
    owner = changes.get("owner")
    if owner is not None and not owner.is_active:
        errors["owner"] = [_("The owner must be an active person.")]
    if errors:
        raise ValidationFailed(fields=errors)


@transaction.atomic
def create_customer(*, actor: User, code: str, name: str, **fields: Any) -> Customer:
    require(actor, perms.CUSTOMER_CREATE.code)
    fields.setdefault("owner", actor)
    protected = {k: v for k, v in fields.items() if k in PROTECTED_FIELDS}
    if protected.get("owner") == actor:
        protected.pop("owner")
    check_protected(actor, protected)
    changes = {"code": code, "name": name, **fields}
    _validate(changes)
    customer = Customer(**changes)
    customer.save()
    audit.record(
        actor=actor,
        action="customers.customer.created",
        obj=customer,
        changes=audit.diff({}, audit.snapshot(customer, EDITABLE_FIELDS)),
    )
    return customer


@transaction.atomic
def update_customer(
    *, actor: User, customer: Customer, expected_version: int, changes: dict[str, Any]
) -> Customer:
    require(actor, perms.CUSTOMER_CHANGE.code)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(fields={f: [_("This field cannot be changed.")] for f in unknown})
    before = audit.snapshot(customer, AUDIT_FIELDS)
    really = {k: v for k, v in changes.items() if audit.json_value(v) != before.get(k)}
    check_protected(actor, really)
    _validate(really, customer)
    if "name" in really:
        from salescope.customers.models import normalize_name

        really["name_normalized"] = normalize_name(really["name"])
    if "phone" in really:
        from salescope.customers.models import normalize_phone

        really["phone_normalized"] = normalize_phone(really["phone"])
    update_versioned(customer, expected_version=expected_version, changes=really)
    audit.record(
        actor=actor,
        action="customers.customer.updated",
        obj=customer,
        changes=audit.diff(before, audit.snapshot(customer, AUDIT_FIELDS)),
    )
    return customer


def _ledger_relations() -> list:
    return [
        rel
        for rel in Customer._meta.related_objects
        if rel.related_model._meta.app_label == "ledger" and rel.field.many_to_one
    ]


def has_ledger_entries(customer: Customer) -> bool:
    return any(
        all_records(rel.related_model).filter(**{rel.field.name: customer}).exists()
        for rel in _ledger_relations()
    )


def _set_state(actor: User, customer: Customer, action: str, **changes: Any) -> Customer:
    before = audit.snapshot(customer, ["status", "deleted_at"])
    Customer.objects.unrestricted().filter(pk=customer.pk).update(**changes)
    customer.refresh_from_db()
    audit.record(
        actor=actor,
        action=action,
        obj=customer,
        changes=audit.diff(before, audit.snapshot(customer, ["status", "deleted_at"])),
    )
    return customer


@transaction.atomic
def archive_customer(*, actor: User, customer: Customer) -> Customer:
    require(actor, perms.CUSTOMER_ARCHIVE.code)
    return _set_state(
        actor, customer, "customers.customer.archived", status=CustomerStatus.ARCHIVED
    )


@transaction.atomic
def delete_customer(*, actor: User, customer: Customer) -> Customer:
    """Soft delete; refused with 409 when the customer has ledger entries (archive instead)."""
    require(actor, perms.CUSTOMER_DELETE.code)
    if has_ledger_entries(customer):
        raise Conflict(
            _("The customer has ledger entries; archive it instead."),
            code=CustomerErrorCode.HAS_LEDGER_ENTRIES,
        )
    return _set_state(actor, customer, "customers.customer.deleted", deleted_at=timezone.now())


@transaction.atomic
def restore_customer(*, actor: User, customer: Customer) -> Customer:
    require(actor, perms.CUSTOMER_RESTORE.code)
    return _set_state(
        actor,
        customer,
        "customers.customer.restored",
        deleted_at=None,
        status=CustomerStatus.ACTIVE,
    )


@transaction.atomic
def add_contact(*, actor: User, customer: Customer, name: str, **fields: Any) -> Contact:
    require(actor, perms.CONTACT_CREATE.code)
    if not name.strip():
        raise ValidationFailed(fields={"name": [_("A name is required.")]})
    contact = Contact.objects.create(customer=customer, name=name, **fields)
    audit.record(
        actor=actor,
        action="customers.contact.created",
        obj=contact,
        changes=audit.diff({}, audit.snapshot(contact, ["customer", "name", "title", "phone"])),
    )
    return contact


@transaction.atomic
def merge_customers(*, actor: User, keep: Customer, duplicates: list[Customer]) -> Customer:
    """Fold ``duplicates`` into ``keep``: every reference (sales lines, invoices, orders,
    collections, contacts, group members) moves to ``keep``; the duplicates are marked merged
    and soft-deleted, so their history reads on under ``keep``."""
    require(actor, perms.CUSTOMER_MERGE.code)
    duplicates = [d for d in duplicates if d.pk != keep.pk]
    if not duplicates:
        raise ValidationFailed(fields={"duplicates": [_("Choose at least one other customer.")]})
    moved: dict[str, int] = {}
    ids = [d.pk for d in duplicates]
    for rel in queries.merge_relations():
        count = (
            all_records(rel.related_model)
            .filter(**{f"{rel.field.name}__in": ids})
            .update(**{rel.field.name: keep})
        )
        if count:
            moved[rel.related_model._meta.label_lower] = count
    now = timezone.now()
    Customer.objects.unrestricted().filter(pk__in=ids).update(
        merged_into=keep, deleted_at=now, status=CustomerStatus.ARCHIVED
    )
    audit.record(
        actor=actor,
        action="customers.customer.merged",
        obj=keep,
        changes={"merged": [d.code for d in duplicates], "moved": moved},
    )
    return keep


@transaction.atomic
def hand_over(*, actor: User, from_user: User, to_user: User, reason: str = "") -> dict[str, int]:
    """Move a person's customers, open orders and open receivables to ``to_user`` in one step
    (F2): everything or nothing. Only a manager who may change all of them can do it, and only
    to an active person who can own customers (``permissions.OWNER_ROLES``)."""
    require(actor, perms.OWNER_HAND_OVER.code)
    if not to_user.is_active:
        raise ValidationFailed(
            fields={"to_user": [_("The new owner must be an active person.")]},
            code=CustomerErrorCode.OWNER_INACTIVE,
        )
    if to_user.pk == from_user.pk:
        raise ValidationFailed(fields={"to_user": [_("Choose another person.")]})
    if not viewer_roles(to_user) & perms.OWNER_ROLES:
        raise ValidationFailed(
            fields={
                "to_user": [
                    _("The new owner must be a salesperson, a manager or a sales director.")
                ]
            }
        )
    records = handover_records(from_user=from_user)
    customers = records["customers"]
    mine = visible(customers, viewer=actor, action="change").count()
    if mine != customers.count():
        raise PermissionDenied(_("Some of these customers are outside your area."))
    counts = {key: qs.update(owner=to_user) for key, qs in records.items()}
    audit.record(
        actor=actor,
        action="customers.owner.handed_over",
        obj=from_user,
        changes={"from": from_user.username, "to": to_user.username, "reason": reason, **counts},
    )
    return counts


# --- what a merge or a handover would move: the services' own scope, shown before acting ---


def merge_counts(*, duplicates: Sequence[Customer]) -> list[dict[str, Any]]:
    """What merging ``duplicates`` would move, per kind of record: label and count (F1)."""
    ids = [d.pk for d in duplicates]
    counts = []
    for rel in queries.merge_relations():
        model = rel.related_model
        label = (
            gettext_lazy("Group members")
            if rel.field.name == "parent"
            else model._meta.verbose_name_plural
        )
        count = all_records(model).filter(**{f"{rel.field.name}__in": ids}).count()
        counts.append({"model": model._meta.label_lower, "label": label, "count": count})
    return counts


def handover_records(*, from_user: User) -> dict[str, QuerySet]:
    """What a handover of ``from_user``'s book moves (F2): all their customers, and every
    registered part of the book (``customers.book``: the ledger's open orders, open invoices
    and collections not yet fully allocated)."""
    records = {"customers": Customer.objects.unrestricted().filter(owner=from_user)}
    for part in book_parts():
        records[part.key] = part.handed_over(from_user)
    return records


def handover_counts(*, from_user: User) -> dict[str, int]:
    """How many records of each kind a handover of ``from_user``'s book would move."""
    return {key: qs.count() for key, qs in handover_records(from_user=from_user).items()}
