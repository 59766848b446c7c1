"""Writes to the ledger: orders and the credit check (F4), invoices, collections and their
allocation (F3). Each keyword-only, one transaction, one audit entry, domain errors."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.catalog.models import Product
from salescope.core import audit
from salescope.core.concurrency import update_versioned
from salescope.core.errors import Conflict, ValidationFailed
from salescope.core.money import grouped, to_fen
from salescope.core.periods import month_start
from salescope.customers.book import BookPart, register_book_part
from salescope.customers.models import Customer
from salescope.ledger import permissions as perms
from salescope.ledger import queries, rules
from salescope.ledger.choices import InvoiceStatus, LedgerErrorCode, OrderStatus
from salescope.ledger.models import (
    Allocation,
    Collection,
    Invoice,
    Order,
    OrderLine,
    hold_reason_facts,
)
from salescope.org.models import User
from salescope.org.permissions import Permission, require
from salescope.org.visibility import get_visible

CREDIT_RELEASE_ROLES = perms.CREDIT_RELEASE_ROLES
ORDER_FIELDS = ["number", "customer", "owner", "date", "status", "amount_fen"]


def overdue_policy_days() -> int:
    return int(getattr(settings, "SALESCOPE_OVERDUE_POLICY_DAYS", 30))


def _require(actor: User, permission: Permission) -> None:
    require(actor, permission.code)


@transaction.atomic
def create_order(
    *,
    actor: User,
    customer: Customer,
    number: str = "",
    date: dt.date,
    lines: list[dict[str, Any]],
) -> Order:
    """An order in draft; ``lines`` are ``{"product": Product, "quantity": int,
    "unit_price": Decimal}`` (the product's list price when no price is given). Without a
    number it gets the next ``SO-YYYYMMDD-NNNN``."""
    _require(actor, perms.ORDER_CREATE)
    get_visible(Customer.objects.filter(deleted_at__isnull=True), viewer=actor, pk=customer.pk)
    number = number.strip() or next_number(Order, "SO", date)
    errors: dict[str, list[str]] = {}
    if Order.objects.unrestricted().filter(number=number).exists():
        errors["number"] = [_("An order with this number already exists.")]
    if not lines:
        errors["lines"] = [_("An order needs at least one line.")]
    for index, line in enumerate(lines):
        if int(line.get("quantity") or 0) <= 0:
            errors[f"lines.{index}.quantity"] = [_("Quantity must be positive.")]
    if errors:
        raise ValidationFailed(fields=errors)
    order = Order.objects.create(
        number=number, customer=customer, owner=customer.owner or actor, date=date
    )
    total = 0
    for line in lines:
        product: Product = line["product"]
        price = line.get("unit_price")
        price_fen = product.list_price_fen if price is None else to_fen(price)
        amount = price_fen * int(line["quantity"])
        OrderLine.objects.create(
            order=order,
            product=product,
            quantity=int(line["quantity"]),
            unit_price_fen=price_fen,
            amount_fen=amount,
        )
        total += amount
    Order.objects.unrestricted().filter(pk=order.pk).update(amount_fen=total)
    order.refresh_from_db()
    audit.record(
        actor=actor,
        action="ledger.order.created",
        obj=order,
        changes=audit.diff({}, audit.snapshot(order, ORDER_FIELDS)),
    )
    return order


def next_number(model: Any, prefix: str, day: dt.date) -> str:
    """The next free ``PREFIX-YYYYMMDD-NNNN`` of that day (orders SO, collections CO)."""
    stem = f"{prefix}-{day:%Y%m%d}-"
    taken = model.objects.unrestricted().filter(number__startswith=stem).count()
    while True:
        taken += 1
        number = f"{stem}{taken:04d}"
        if not model.objects.unrestricted().filter(number=number).exists():
            return number


@transaction.atomic
def take_order(
    *,
    actor: User,
    customer: Customer,
    date: dt.date,
    lines: list[dict[str, Any]],
    number: str = "",
    confirm: bool = False,
) -> Order:
    """An order as a salesperson takes it on the page: created, and with ``confirm`` put
    through the credit check at once (confirmed, or on credit hold with the reason), in one
    transaction."""
    order = create_order(actor=actor, customer=customer, number=number, date=date, lines=lines)
    if confirm:
        order = confirm_order(actor=actor, order=order, expected_version=order.version)
    return order


credit_position = queries.credit_position  # one definition: the page shows what it checks


@transaction.atomic
def confirm_order(*, actor: User, order: Order, expected_version: int) -> Order:
    """Confirm an order, or put it on credit hold when it would take the customer over the
    credit limit or the customer has debt overdue beyond the policy (F4)."""
    _require(actor, perms.ORDER_CONFIRM)
    if order.status not in {OrderStatus.DRAFT}:
        raise Conflict(_("Only a draft order can be confirmed."), code=LedgerErrorCode.BAD_STATE)
    customer = order.customer
    open_fen, oldest_due = credit_position(customer, exclude_order=order)
    check = rules.credit_check(
        open_fen=open_fen,
        order_fen=order.amount_fen,
        limit_fen=customer.credit_limit_fen,
        oldest_due=oldest_due,
        as_of=timezone.localdate(),
        overdue_policy_days=overdue_policy_days(),
    )
    before = audit.snapshot(order, ["status", "hold_reason"])
    if check.blocked:
        reason = hold_reason_facts(
            exposure_fen=check.exposure_fen if check.over_limit else None,
            limit_fen=customer.credit_limit_fen,
            overdue_days=check.oldest_overdue_days if check.overdue_beyond_policy else None,
            policy_days=overdue_policy_days(),
        )
        changes = {"status": OrderStatus.CREDIT_HOLD, "hold_reason": reason}
        action = "ledger.order.held"
    else:
        changes = {"status": OrderStatus.CONFIRMED, "hold_reason": ""}
        action = "ledger.order.confirmed"
    update_versioned(order, expected_version=expected_version, changes=changes)
    audit.record(
        actor=actor,
        action=action,
        obj=order,
        changes=audit.diff(before, audit.snapshot(order, ["status", "hold_reason"])),
    )
    return order


@transaction.atomic
def release_credit_hold(*, actor: User, order: Order, expected_version: int, reason: str) -> Order:
    """A role holding the right releases a held order with a written reason (F4)."""
    _require(actor, perms.ORDER_RELEASE)
    if order.status != OrderStatus.CREDIT_HOLD:
        raise Conflict(_("The order is not on credit hold."), code=LedgerErrorCode.NOT_ON_HOLD)
    if not reason.strip():
        raise ValidationFailed(fields={"reason": [_("Give the reason for the release.")]})
    before = audit.snapshot(order, ["status", "released_by", "release_reason"])
    update_versioned(
        order,
        expected_version=expected_version,
        changes={
            "status": OrderStatus.CONFIRMED,
            "released_by": actor,
            "release_reason": reason.strip()[:300],
        },
    )
    audit.record(
        actor=actor,
        action="ledger.order.released",
        obj=order,
        changes=audit.diff(
            before, audit.snapshot(order, ["status", "released_by", "release_reason"])
        ),
    )
    return order


@transaction.atomic
def issue_invoice(
    *,
    actor: User,
    customer: Customer,
    number: str,
    issue_date: dt.date,
    amount: Decimal | str,
    due_date: dt.date | None = None,
    order: Order | None = None,
) -> Invoice:
    _require(actor, perms.INVOICE_ISSUE)
    amount_fen = to_fen(amount)
    errors: dict[str, list[str]] = {}
    if amount_fen <= 0:
        errors["amount"] = [_("The amount must be positive.")]
    if Invoice.objects.unrestricted().filter(number=number).exists():
        errors["number"] = [_("An invoice with this number already exists.")]
    if customer.owner_id is None:
        errors["customer"] = [_("The customer has no owner.")]
    if errors:
        raise ValidationFailed(fields=errors)
    due = due_date or issue_date + dt.timedelta(days=customer.payment_terms_days)
    invoice = Invoice.objects.create(
        number=number,
        customer=customer,
        owner_id=customer.owner_id,
        order=order,
        issue_date=issue_date,
        due_date=due,
        month=month_start(issue_date),
        amount_fen=amount_fen,
    )
    if order is not None:
        Order.objects.unrestricted().filter(pk=order.pk).update(status=OrderStatus.INVOICED)
    audit.record(
        actor=actor,
        action="ledger.invoice.issued",
        obj=invoice,
        changes=audit.diff(
            {}, audit.snapshot(invoice, ["number", "customer", "amount_fen", "due_date"])
        ),
    )
    return invoice


@transaction.atomic
def record_collection(
    *,
    actor: User,
    customer: Customer,
    number: str,
    date: dt.date,
    amount: Decimal | str,
    method: str = "",
    allocate: bool = True,
    allocations: list[tuple[Invoice, Decimal | str]] | None = None,
) -> Collection:
    """Record a collection (回款). ``allocations`` pays the chosen invoices of the customer
    (each at most its open amount, together at most the collection); without them,
    ``allocate`` pays the oldest open invoices first. All in one transaction. Without a
    number it gets the next ``CO-YYYYMMDD-NNNN``."""
    _require(actor, perms.COLLECTION_RECORD)
    number = number.strip() or next_number(Collection, "CO", date)
    amount_fen = to_fen(amount)
    errors: dict[str, list[str]] = {}
    if amount_fen <= 0:
        errors["amount"] = [_("The amount must be positive.")]
    if Collection.objects.unrestricted().filter(number=number).exists():
        errors["number"] = [_("A collection with this number already exists.")]
    if customer.owner_id is None:
        errors["customer"] = [_("The customer has no owner.")]
    chosen = [(invoice, to_fen(value)) for invoice, value in allocations or []]
    errors.update(_allocation_errors(customer, chosen))
    if amount_fen > 0 and sum(fen for _inv, fen in chosen) > amount_fen:
        errors.setdefault("amount", []).append(
            _("The allocations add up to more than the collection.")
        )
    if errors:
        raise ValidationFailed(fields=errors)
    collection = Collection.objects.create(
        number=number,
        customer=customer,
        owner_id=customer.owner_id,
        date=date,
        month=month_start(date),
        amount_fen=amount_fen,
        method=method,
    )
    if chosen:
        for invoice, fen in chosen:
            _apply(collection, invoice, fen)
        allocated = [(invoice.pk, fen) for invoice, fen in chosen]
    else:
        allocated = _allocate_oldest_first(collection) if allocate else []
    audit.record(
        actor=actor,
        action="ledger.collection.recorded",
        obj=collection,
        changes={
            "number": number,
            "customer": customer.pk,
            "amount_fen": amount_fen,
            "allocations": [[inv, fen] for inv, fen in allocated],
        },
    )
    return collection


def _allocation_errors(customer: Customer, chosen: list[tuple[Invoice, int]]) -> dict:
    """Each chosen invoice is the customer's, open, and paid at most its open amount; the
    message sits at ``allocations.<invoice id>``."""
    errors: dict[str, list[str]] = {}
    for invoice, fen in chosen:
        key = f"allocations.{invoice.pk}"
        if invoice.customer_id != customer.pk:
            errors[key] = [_("The invoice is another customer's.")]
        elif fen <= 0:
            errors[key] = [_("The amount must be positive.")]
        elif fen > invoice.amount_fen - invoice.paid_fen:
            errors[key] = [
                _("More than the invoice's open amount (%s).")
                % grouped(Decimal(invoice.amount_fen - invoice.paid_fen) / 100)
            ]
    return errors


def _apply(collection: Collection, invoice: Invoice, fen: int) -> None:
    Allocation.objects.create(collection=collection, invoice=invoice, amount_fen=fen)
    paid = (
        Invoice.objects.unrestricted()
        .filter(pk=invoice.pk, paid_fen__lte=F("amount_fen") - fen)
        .update(paid_fen=F("paid_fen") + fen)
    )
    if paid != 1:
        raise Conflict(
            _("The allocation exceeds the invoice's open amount."),
            code=LedgerErrorCode.OVER_ALLOCATION,
        )
    Invoice.objects.unrestricted().filter(pk=invoice.pk, paid_fen=F("amount_fen")).update(
        status=InvoiceStatus.PAID
    )
    taken = (
        Collection.objects.unrestricted()
        .filter(pk=collection.pk, allocated_fen__lte=F("amount_fen") - fen)
        .update(allocated_fen=F("allocated_fen") + fen)
    )
    if taken != 1:
        raise Conflict(
            _("The allocation exceeds the collection's unallocated amount."),
            code=LedgerErrorCode.OVER_ALLOCATION,
        )


def apply_allocations(rows: list[tuple[int, int, int]]) -> None:
    """Many allocations ``(collection_id, invoice_id, fen)`` at once, for imports: the
    invariants of :func:`_apply` (an invoice never paid beyond its amount, a collection never
    allocated beyond its amount, paid invoices marked paid) with one INSERT and a few guarded,
    set-based UPDATEs instead of four statements per allocation. Call inside a transaction;
    it raises :class:`Conflict` (rolling the caller back) if any guard fails."""
    by_invoice: dict[int, int] = {}
    by_collection: dict[int, int] = {}
    for collection_id, invoice_id, fen in rows:
        if fen <= 0:
            raise ValidationFailed(fields={"amount": [_("The amount must be positive.")]})
        by_invoice[invoice_id] = by_invoice.get(invoice_id, 0) + fen
        by_collection[collection_id] = by_collection.get(collection_id, 0) + fen
    if not rows:
        return
    Allocation.objects.bulk_create(
        [Allocation(collection_id=c, invoice_id=i, amount_fen=fen) for c, i, fen in rows],
        batch_size=1000,
    )
    over = _add_amounts(Invoice, "paid_fen", by_invoice) or _add_amounts(
        Collection, "allocated_fen", by_collection
    )
    if over:
        raise Conflict(
            _("The allocation exceeds the invoice's open amount."),
            code=LedgerErrorCode.OVER_ALLOCATION,
        )
    for chunk in _chunks(list(by_invoice), 500):
        Invoice.objects.unrestricted().filter(pk__in=chunk, paid_fen=F("amount_fen")).update(
            status=InvoiceStatus.PAID
        )


def _chunks(items: list, size: int) -> list[list]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _add_amounts(model: Any, field: str, amounts: dict[int, int]) -> bool:
    """``field += amount`` per row (one prepared UPDATE run for all rows); whether any row
    now exceeds its ``amount_fen``."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {field} = {field} + %s WHERE id = %s",  # noqa: S608 - names are ours
            [(fen, pk) for pk, fen in amounts.items()],
        )
    return any(
        model.objects.unrestricted()
        .filter(pk__in=chunk, **{f"{field}__gt": F("amount_fen")})
        .exists()
        for chunk in _chunks(list(amounts), 500)
    )


def _allocate_oldest_first(collection: Collection) -> list[tuple[int, int]]:
    remaining = collection.amount_fen - collection.allocated_fen
    done = []
    invoices = (
        Invoice.objects.unrestricted()
        .filter(customer=collection.customer, status=InvoiceStatus.OPEN)
        .order_by("due_date", "id")
    )
    for invoice in invoices:
        if remaining <= 0:
            break
        fen = min(remaining, invoice.amount_fen - invoice.paid_fen)
        if fen > 0:
            _apply(collection, invoice, fen)
            done.append((invoice.pk, fen))
            remaining -= fen
    collection.refresh_from_db()
    return done


@transaction.atomic
def allocate_collection(
    *, actor: User, collection: Collection, allocations: list[tuple[Invoice, Decimal | str]]
) -> Collection:
    """Allocate a collection to chosen invoices of the same customer; all or nothing."""
    _require(actor, perms.COLLECTION_ALLOCATE)
    done = []
    for invoice, amount in allocations:
        fen = to_fen(amount)
        if invoice.customer_id != collection.customer_id:
            raise ValidationFailed(fields={"invoice": [_("The invoice is another customer's.")]})
        if fen <= 0:
            raise ValidationFailed(fields={"amount": [_("The amount must be positive.")]})
        if (
            Allocation.objects.unrestricted()
            .filter(collection=collection, invoice=invoice)
            .exists()
        ):
            raise Conflict(_("This collection is already allocated to that invoice."))
        _apply(collection, invoice, fen)
        done.append([invoice.pk, fen])
    collection.refresh_from_db()
    audit.record(
        actor=actor,
        action="ledger.collection.allocated",
        obj=collection,
        changes={"allocations": done},
    )
    return collection


def open_receivables_filter() -> Q:
    return Q(status=InvoiceStatus.OPEN)


@transaction.atomic
def save_preset(*, actor: User, name: str, mapping: dict[str, str], kind: str = "sales_lines"):
    """Save (or replace) a column mapping under a name for later imports."""
    from salescope.ledger.models import ImportPreset

    _require(actor, perms.PRESET_SAVE)
    name = name.strip()[:100]
    if not name:
        raise ValidationFailed(fields={"preset_name": [_("Give the preset a name.")]})
    preset, created = ImportPreset.objects.unrestricted().update_or_create(
        kind=kind, name=name, defaults={"mapping": mapping, "created_by": actor}
    )
    audit.record(
        actor=actor,
        action="ledger.import_preset.created" if created else "ledger.import_preset.updated",
        obj=preset,
        changes={"mapping": mapping},
    )
    return preset


# --- The ledger's part of a salesperson's book (customers.book): what a handover moves -------

OPEN_ORDER_STATUSES = (OrderStatus.DRAFT, OrderStatus.CREDIT_HOLD, OrderStatus.CONFIRMED)


def register_book_parts() -> None:
    """Open orders, open invoices and collections not yet fully allocated go with their owner's
    customers in a handover (F2); orders and invoices of an inactive owner are orphans."""
    register_book_part(
        BookPart(
            "orders",
            handed_over=lambda person: Order.objects.unrestricted().filter(
                owner=person, status__in=OPEN_ORDER_STATUSES
            ),
            orphaned=lambda: Order.objects.filter(
                owner__is_active=False, status__in=OPEN_ORDER_STATUSES
            ),
        )
    )
    register_book_part(
        BookPart(
            "invoices",
            handed_over=lambda person: Invoice.objects.unrestricted().filter(
                owner=person, status=InvoiceStatus.OPEN
            ),
            orphaned=lambda: Invoice.objects.filter(
                owner__is_active=False, status=InvoiceStatus.OPEN
            ),
        )
    )
    register_book_part(
        BookPart(
            "collections",
            handed_over=lambda person: (
                Collection.objects.unrestricted()
                .filter(owner=person)
                .filter(~Q(allocated_fen=F("amount_fen")))
            ),
        )
    )


# --- Saved explorer views (H2): each person's own ---------------------------------------------


@transaction.atomic
def save_view(*, actor: User, name: str, spec: dict[str, Any]) -> Any:
    """Save the explorer view ``spec`` under ``name`` for ``actor`` (a new view, or the
    actor's view of that name replaced). The spec is checked as the explorer checks it."""
    from salescope.ledger.explorer import PivotSpec
    from salescope.ledger.models import SavedView

    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(fields={"name": [_("Give the view a name (up to 100 characters).")]})
    clean = PivotSpec.from_dict(spec).as_dict()
    view = SavedView.objects.unrestricted().filter(owner=actor, name=name).first()
    if view is None:
        view = SavedView.objects.unrestricted().create(owner=actor, name=name, spec=clean)
        audit.record(
            actor=actor, action="ledger.savedview.created", obj=view, changes={"spec": clean}
        )
        return view
    before = audit.snapshot(view, ["spec"])
    if before["spec"] == clean:
        return view
    view = update_versioned(view, expected_version=view.version, changes={"spec": clean})
    audit.record(
        actor=actor,
        action="ledger.savedview.updated",
        obj=view,
        changes=audit.diff(before, audit.snapshot(view, ["spec"])),
    )
    return view


@transaction.atomic
def delete_view(*, actor: User, view: Any) -> None:
    """Delete one of ``actor``'s saved views (``view`` fetched for the actor: their own)."""
    if view.owner_id != actor.pk:
        raise ValidationFailed(fields={"view": [_("Only its owner deletes a saved view.")]})
    audit.record(
        actor=actor,
        action="ledger.savedview.deleted",
        obj=view,
        changes={"name": [view.name, None]},
    )
    view.delete()
