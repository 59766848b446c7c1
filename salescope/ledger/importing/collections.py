"""Import collections (回款, F3): ``salescope import collections FILE``.

Natural key: the collection number (or the bank reference, mapped to ``number``). The rules of
``ledger.services.record_collection`` hold: the amount is positive and the owner is the
customer's owner. A new collection is allocated when it lands — to the invoices the row names,
in that order, each up to its open balance, or (without invoice numbers) to the customer's
oldest open invoices first, as ``record_collection`` does; ``allocate=False`` leaves those
unallocated. The allocations are written by the ledger's own
``services.apply_allocations``, which keeps invoice ``paid_fen``/status and the collection's
``allocated_fen`` consistent and refuses to over-allocate. A stored collection may be corrected
(date, method, note; amount and customer only while nothing is allocated); it is not
re-allocated.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salescope.core.importing.common import (
    Cells,
    ImportOptions,
    ImportResult,
    Outcome,
    Progress,
    RowError,
    Spec,
    bulk_create_with_ids,
    capped,
    changed_fields,
    run_import,
    split_list,
)
from salescope.core.money import from_fen
from salescope.core.periods import month_start
from salescope.ledger import permissions as perms
from salescope.ledger import services
from salescope.ledger.choices import InvoiceStatus
from salescope.ledger.importing.invoices import CUSTOMER_CODE_ALIASES, Customers
from salescope.ledger.models import Collection, Invoice
from salescope.org.models import User
from salescope.org.permissions import require

COLLECTION_FIELDS: dict[str, tuple[str, ...]] = {
    "number": (
        "回款单号",
        "收款单号",
        "回款编号",
        "收款编号",
        "单号",
        "参考号",
        "流水号",
        "银行流水号",
        "reference",
        "ref",
        "collection_no",
        "receipt_no",
    ),
    "customer_code": CUSTOMER_CODE_ALIASES,
    "date": ("回款日期", "收款日期", "到账日期", "日期", "collection_date"),
    "amount": ("回款金额", "收款金额", "到账金额", "金额", "collected"),
    "method": ("收款方式", "付款方式", "结算方式", "回款方式", "payment_method"),
    "note": ("备注", "摘要", "说明", "memo", "remark"),
    "invoices": (
        "发票号",
        "发票号码",
        "核销发票",
        "对应发票",
        "发票",
        "invoice",
        "invoice_numbers",
        "invoice_no",
    ),
}
COLLECTION_LABELS = {
    "number": gettext_lazy("Collection number"),
    "customer_code": gettext_lazy("Customer code"),
    "date": gettext_lazy("Date"),
    "amount": gettext_lazy("Amount"),
    "method": gettext_lazy("Method"),
    "note": gettext_lazy("Note"),
    "invoices": gettext_lazy("Invoice numbers"),
}
_ATTRS = ["customer_id", "owner_id", "date", "month", "amount_fen", "method", "note"]


class CollectionSpec(Spec):
    kind = "collections"
    audit_action = "ledger.collections.imported"
    object_type = "ledger.collection"
    key_field = "number"
    fields = COLLECTION_FIELDS
    labels = COLLECTION_LABELS
    required = ("number", "customer_code", "date", "amount")

    def check_permission(self) -> None:
        super().check_permission()
        require(self.actor, perms.COLLECTION_RECORD.code)

    def check_columns(self, mapped: set[str]) -> None:
        if "invoices" in mapped:
            require(self.actor, perms.COLLECTION_ALLOCATE.code)

    def load(self) -> None:
        self.customers = Customers()
        rows = Collection.objects.unrestricted().values("pk", "number", "allocated_fen", *_ATTRS)
        self.stored: dict[str, dict[str, Any]] = {row["number"]: row for row in rows}
        # Open invoices (and, when the file names invoices, all of them) with their balances.
        invoices = Invoice.objects.unrestricted().values_list(
            "pk", "number", "customer_id", "status", "due_date", "amount_fen", "paid_fen"
        )
        if "invoices" not in self.mapped:
            invoices = invoices.filter(status=InvoiceStatus.OPEN)
        self.invoice_by_number: dict[str, tuple[int, int, str]] = {}
        self.balance: dict[int, int] = {}
        self.open_by_customer: dict[int, list[tuple[Any, int]]] = defaultdict(list)
        for pk, number, customer, status, due, amount, paid in invoices:
            self.invoice_by_number[number] = (pk, customer, status)
            self.balance[pk] = amount - paid if status == InvoiceStatus.OPEN else 0
            if status == InvoiceStatus.OPEN and amount > paid:
                self.open_by_customer[customer].append((due, pk))
        for listed in self.open_by_customer.values():
            listed.sort()

    def parse(self, cells: Cells) -> dict[str, Any]:
        number = self.text(cells, "number", 60, required=True)
        stored = self.stored.get(number)
        customer_id, owner_id, _terms = self.customers.find(
            self.text(cells, "customer_code", 40, required=True)
        )
        if owner_id is None:
            raise RowError("customer_code", _("the customer has no owner"))
        day = self.date(cells, "date", required=True)
        assert day is not None
        amount = self.money(cells, "amount", required=True)
        if not amount:
            raise RowError("amount", _("the amount must be positive"))
        values = {
            "customer_id": customer_id,
            "date": day,
            "month": month_start(day),
            "amount_fen": amount,
        }
        for column, limit in (("method", 30), ("note", 300)):
            text = self.text(cells, column, limit)
            if text:  # a blank cell keeps what a stored collection has
                values[column] = text
        if stored is None:
            values["owner_id"] = owner_id
        invoices = []
        for invoice_number in split_list(self.text(cells, "invoices", 2000)):
            found = self.invoice_by_number.get(invoice_number)
            if found is None:
                raise RowError("invoices", _("unknown invoice %s") % invoice_number)
            pk, invoice_customer, status = found
            if invoice_customer != customer_id:
                raise RowError("invoices", _("invoice %s is another customer's") % invoice_number)
            if status == InvoiceStatus.VOID:
                raise RowError("invoices", _("invoice %s is void") % invoice_number)
            if pk not in invoices:
                invoices.append(pk)
        if stored is not None:
            self._check_correction(stored, values)
        return {"number": number, "values": values, "invoices": invoices}

    @staticmethod
    def _check_correction(stored: dict[str, Any], values: dict[str, Any]) -> None:
        diff = changed_fields(stored, values)
        if stored["allocated_fen"] and "customer_id" in diff:
            raise RowError("customer_code", _("the collection is allocated; its customer stays"))
        if values["amount_fen"] < stored["allocated_fen"]:
            raise RowError("amount", _("less than the amount already allocated"))

    def write(self, records: list[dict[str, Any]]) -> Outcome:
        new: list[Collection] = []
        changed: list[Collection] = []
        updates: dict[str, Any] = {}
        plans: dict[str, list[int]] = {}
        for record in records:
            values = record["values"]
            stored = self.stored.get(record["number"])
            if stored is None:
                new.append(Collection(number=record["number"], **values))
                plans[record["number"]] = record["invoices"]
                continue
            diff = changed_fields(stored, values)
            if diff:
                merged = {attr: stored[attr] for attr in _ATTRS} | values
                changed.append(
                    Collection(
                        pk=stored["pk"],
                        number=record["number"],
                        allocated_fen=stored["allocated_fen"],
                        **merged,
                    )
                )
                updates[record["number"]] = diff
        bulk_create_with_ids(Collection, new, "number")
        if changed:
            Collection.objects.bulk_update(changed, _ATTRS, batch_size=500)
        allocations = self._allocate(new, plans)
        total = sum(fen for _c, _i, fen in allocations)
        return Outcome(
            created=len(new),
            updated=len(changed),
            unchanged=len(records) - len(new) - len(changed),
            details={
                "created_numbers": capped([c.number for c in new]),
                "updated_fields": dict(capped(list(updates.items()))),
                "allocations": capped([list(a) for a in allocations]),
            },
            extra={"allocations": len(allocations), "allocated": str(from_fen(total))},
        )

    def _allocate(
        self, new: list[Collection], plans: dict[str, list[int]]
    ) -> list[tuple[int, int, int]]:
        """Allocate each new collection in file order; returns (collection, invoice, fen)."""
        if not new:
            return []
        done = []
        for collection in new:
            targets = plans[collection.number]
            if not targets:
                if not self.options.allocate:
                    continue
                targets = [pk for _due, pk in self.open_by_customer.get(collection.customer_id, [])]
            remaining = collection.amount_fen
            for invoice_id in targets:
                if remaining <= 0:
                    break
                fen = min(remaining, self.balance.get(invoice_id, 0))
                if fen <= 0:
                    continue
                self.balance[invoice_id] -= fen
                remaining -= fen
                done.append((collection.pk, invoice_id, fen))
        services.apply_allocations(done)
        return done


def import_collections(
    *,
    actor: User,
    path: Path | str,
    options: ImportOptions,
    progress: Progress | None = None,
    job: Any = None,
) -> ImportResult:
    """Import a collection file; one transaction, one audit entry (see the module docstring)."""
    return run_import(
        CollectionSpec, actor=actor, path=path, options=options, progress=progress, job=job
    )
