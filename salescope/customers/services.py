"""Writes to customers and contacts: create, update (protected fields), archive, soft delete,
restore, merge duplicates, hand over a person's book. Each one transaction, one audit entry."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from salescope.core import audit
from salescope.core.concurrency import update_versioned
from salescope.core.errors import Conflict, PermissionDenied, StaleVersion, ValidationFailed
from salescope.core.ownership import all_records
from salescope.customers import permissions as perms
from salescope.customers import queries
from salescope.customers.book import book_parts
from salescope.customers.choices import CustomerErrorCode, CustomerKind, CustomerStatus
from salescope.customers.models import Contact, Customer
from salescope.org.models import User
from salescope.org.permissions import require
from salescope.org.visibility import viewer_roles, visible

MANAGER_ROLES = perms.MANAGER_ROLES
CREDIT_ROLES = perms.CREDIT_ROLES
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


# Protected fields as the API and the pages name them (never the column).
PUBLIC_NAMES = {"credit_limit_fen": "credit_limit"}


def check_protected(actor: User, changes: dict[str, Any]) -> None:
    names = [
        name
        for name, roles in PROTECTED_FIELDS.items()
        if name in changes and not viewer_roles(actor) & roles
    ]
    if names:
        joiner = "、" if (get_language() or "").startswith("zh") else ", "
        raise PermissionDenied(
            _("You may not change: %(fields)s")
            % {"fields": joiner.join(_field_label(name) for name in names)},
            fields={PUBLIC_NAMES.get(n, n): [_("You may not change this field.")] for n in names},
        )


def _field_label(name: str) -> str:
    """A customer field as users know it (``credit_limit_fen`` is 信用额度, in yuan)."""
    if name == "credit_limit_fen":
        return _("Credit limit")
    field = Customer._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


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
    if not really:  # nothing changes: no write, no audit row, but a stale version still says so
        if customer.version != expected_version:
            raise StaleVersion()
        return customer
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
    if all(audit.json_value(v) == before[k] for k, v in changes.items()):
        return customer  # already in that state: nothing to write, nothing to audit
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


CONTACT_FIELDS = ["name", "title", "phone", "email", "is_primary"]


@transaction.atomic
def set_credit_terms(
    *,
    actor: User,
    customer: Customer,
    expected_version: int,
    credit_limit_fen: int | None,
    payment_terms_days: int,
) -> Customer:
    """Set a customer's credit limit (None: no limit) and payment terms (信用额度、账期): finance,
    the sales director and the administrator, on any customer they may see (F4)."""
    require(actor, perms.CREDIT_TERMS_CHANGE.code)
    errors: dict[str, list[str]] = {}
    if credit_limit_fen is not None and credit_limit_fen < 0:
        errors["credit_limit"] = [_("The credit limit cannot be negative.")]
    if payment_terms_days is None or payment_terms_days < 0 or payment_terms_days > 3650:
        errors["payment_terms_days"] = [_("Payment terms are 0 to 3650 days.")]
    if errors:
        raise ValidationFailed(fields=errors)
    fields = ["credit_limit_fen", "payment_terms_days"]
    before = audit.snapshot(customer, fields)
    update_versioned(
        customer,
        expected_version=expected_version,
        changes={"credit_limit_fen": credit_limit_fen, "payment_terms_days": payment_terms_days},
    )
    audit.record(
        actor=actor,
        action="customers.customer.credit_terms_changed",
        obj=customer,
        changes=audit.diff(before, audit.snapshot(customer, fields)),
    )
    return customer


def _contact_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if "name" in values and not str(values["name"] or "").strip():
        errors["name"] = [_("A name is required.")]
    return errors


@transaction.atomic
def add_contact(*, actor: User, customer: Customer, name: str, **fields: Any) -> Contact:
    require(actor, perms.CONTACT_CREATE.code)
    unknown = set(fields) - set(CONTACT_FIELDS)
    errors = _contact_errors({"name": name})
    errors.update({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    if errors:
        raise ValidationFailed(fields=errors)
    if fields.get("is_primary"):
        Contact.objects.unrestricted().filter(customer=customer).update(is_primary=False)
    contact = Contact.objects.create(customer=customer, name=name.strip(), **fields)
    audit.record(
        actor=actor,
        action="customers.contact.created",
        obj=contact,
        changes=audit.diff({}, audit.snapshot(contact, ["customer", *CONTACT_FIELDS])),
    )
    return contact


@transaction.atomic
def update_contact(
    *, actor: User, contact: Contact, expected_version: int, changes: dict[str, Any]
) -> Contact:
    """Change a contact's name, title, phone, email or whether it is the primary one."""
    require(actor, perms.CONTACT_CHANGE.code)
    unknown = set(changes) - set(CONTACT_FIELDS)
    errors = _contact_errors(changes)
    errors.update({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    if errors:
        raise ValidationFailed(fields=errors)
    before = audit.snapshot(contact, CONTACT_FIELDS)
    if "name" in changes:
        changes = {**changes, "name": str(changes["name"]).strip()}
    if changes.get("is_primary"):
        Contact.objects.unrestricted().filter(customer_id=contact.customer_id).exclude(
            pk=contact.pk
        ).update(is_primary=False)
    update_versioned(contact, expected_version=expected_version, changes=changes)
    audit.record(
        actor=actor,
        action="customers.contact.changed",
        obj=contact,
        changes=audit.diff(before, audit.snapshot(contact, CONTACT_FIELDS)),
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


@transaction.atomic
def deactivate_with_handover(
    *,
    actor: User,
    person: User,
    expected_version: int,
    to_user: User | None,
    reason: str,
) -> dict[str, int]:
    """A person leaves (离职): their customers, open orders, open invoices and unallocated
    collections go to ``to_user`` (:func:`hand_over`), then they can no longer sign in
    (``org.services.deactivate_person``): both or neither. Without a book to hand over no
    successor is needed."""
    from salescope.org import permissions as org_perms
    from salescope.org import services as org_services

    require(actor, org_perms.PERSON_DEACTIVATE.code)
    counts = handover_counts(from_user=person)
    errors: dict[str, list[str]] = {}
    if any(counts.values()) and to_user is None:
        errors["to_user"] = [_("Choose who takes over this person's customers and records.")]
    if any(counts.values()) and not reason.strip():
        errors["reason"] = [_("Give a reason; it is kept in the history.")]
    if errors:
        raise ValidationFailed(fields=errors)
    moved = dict.fromkeys(counts, 0)
    if any(counts.values()) and to_user is not None:
        moved = hand_over(actor=actor, from_user=person, to_user=to_user, reason=reason)
    org_services.deactivate_person(actor=actor, person=person, expected_version=expected_version)
    return moved
