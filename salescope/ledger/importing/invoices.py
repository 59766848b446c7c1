"""Import invoices (F3): ``salescope import invoices FILE``.

Natural key: the invoice number. The rules of ``ledger.services.issue_invoice`` hold: the amount
is positive, the owner is the customer's owner unless the file names one, the due date defaults
to the issue date plus the customer's payment terms, an invoiced order becomes ``invoiced``.
A stored invoice may be corrected (dates, amount, owner, order) as long as the receivables stay
consistent: the amount never drops below what has been collected, an invoice with collections
keeps its customer, a void invoice is left alone, and the status follows the paid amount.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salescope.core.importing.common import (
    Cells,
    ImportOptions,
    ImportResult,
    Outcome,
    People,
    Progress,
    RowError,
    Spec,
    capped,
    changed_fields,
    run_import,
)
from salescope.core.periods import month_start
from salescope.customers.models import Customer
from salescope.ledger import permissions as perms
from salescope.ledger.choices import InvoiceStatus, OrderStatus
from salescope.ledger.models import Invoice, Order
from salescope.org.models import User
from salescope.org.permissions import require

CUSTOMER_CODE_ALIASES = (
    "客户编码",
    "客户代码",
    "客户编号",
    "经销商编码",
    "customer_code",
    "customerno",
)
INVOICE_FIELDS: dict[str, tuple[str, ...]] = {
    "number": (
        "发票号",
        "发票号码",
        "发票编号",
        "应收单号",
        "单号",
        "单据号",
        "invoice",
        "invoice_no",
        "invoice_number",
    ),
    "customer_code": CUSTOMER_CODE_ALIASES,
    "date": ("开票日期", "发票日期", "日期", "单据日期", "issue_date", "invoice_date"),
    "due_date": ("到期日", "到期日期", "应收日期", "付款到期日", "收款期限", "due"),
    "amount": ("金额", "发票金额", "价税合计", "含税金额", "应收金额", "total"),
    "order": ("订单号", "订单编号", "销售订单号", "order_no", "order_number"),
    "owner": ("业务员", "负责人", "销售代表", "销售员", "salesperson", "rep"),
}
INVOICE_LABELS = {
    "number": gettext_lazy("Invoice number"),
    "customer_code": gettext_lazy("Customer code"),
    "date": gettext_lazy("Issue date"),
    "due_date": gettext_lazy("Due date"),
    "amount": gettext_lazy("Amount"),
    "order": gettext_lazy("Order number"),
    "owner": gettext_lazy("Owner"),
}
_ATTRS = ["customer_id", "owner_id", "order_id", "issue_date", "due_date", "month", "amount_fen"]


class Customers:
    """Live customers by code (owner, payment terms), loaded once."""

    def __init__(self) -> None:
        rows = Customer.objects.unrestricted().values_list(
            "pk", "code", "owner_id", "payment_terms_days", "deleted_at"
        )
        self.by_code = {
            code: (pk, owner, terms, deleted) for pk, code, owner, terms, deleted in rows
        }

    def find(self, code: str) -> tuple[int, int | None, int]:
        found = self.by_code.get(code)
        if found is None:
            raise RowError("customer_code", _("unknown customer"))
        pk, owner, terms, deleted = found
        if deleted is not None:
            raise RowError("customer_code", _("the customer is deleted"))
        return pk, owner, terms


class InvoiceSpec(Spec):
    kind = "invoices"
    audit_action = "ledger.invoices.imported"
    object_type = "ledger.invoice"
    key_field = "number"
    fields = INVOICE_FIELDS
    labels = INVOICE_LABELS
    required = ("number", "customer_code", "date", "amount")

    def check_permission(self) -> None:
        super().check_permission()
        require(self.actor, perms.INVOICE_ISSUE.code)

    def load(self) -> None:
        self.customers = Customers()
        self.people = People()
        rows = Invoice.objects.unrestricted().values(
            "pk", "number", "status", "paid_fen", "version", *_ATTRS
        )
        self.stored: dict[str, dict[str, Any]] = {row["number"]: row for row in rows}
        self.orders: dict[str, tuple[int, int]] = {}
        if "order" in self.mapped:
            orders = Order.objects.unrestricted().values_list("number", "pk", "customer_id")
            self.orders = {number: (pk, customer) for number, pk, customer in orders}

    def parse(self, cells: Cells) -> dict[str, Any]:
        """A blank due date, owner or order keeps what a stored invoice has; a new invoice
        gets the defaults of ``issue_invoice``."""
        number = self.text(cells, "number", 60, required=True)
        stored = self.stored.get(number)
        customer_id, owner_id, terms = self.customers.find(
            self.text(cells, "customer_code", 40, required=True)
        )
        issue = self.date(cells, "date", required=True)
        assert issue is not None
        due = self.date(cells, "due_date")
        if due is None:
            due = stored["due_date"] if stored else issue + dt.timedelta(days=terms)
        if due < issue:
            raise RowError("due_date", _("due date before the issue date"))
        amount = self.money(cells, "amount", required=True)
        if not amount:
            raise RowError("amount", _("the amount must be positive"))
        values = {
            "customer_id": customer_id,
            "issue_date": issue,
            "due_date": due,
            "month": month_start(issue),
            "amount_fen": amount,
        }
        owner = self.text(cells, "owner", 150)
        if owner:
            values["owner_id"] = self.people.find(owner, "owner", active=False)
        elif stored is None:
            if owner_id is None:
                raise RowError("customer_code", _("the customer has no owner"))
            values["owner_id"] = owner_id
        order_number = self.text(cells, "order", 60)
        if order_number:
            order = self.orders.get(order_number)
            if order is None:
                raise RowError("order", _("unknown order"))
            if order[1] != customer_id:
                raise RowError("order", _("the order is another customer's"))
            values["order_id"] = order[0]
        if stored is not None:
            self._check_correction(stored, values)
        return {"number": number, "values": values}

    @staticmethod
    def _check_correction(stored: dict[str, Any], values: dict[str, Any]) -> None:
        diff = changed_fields(stored, values)
        if not diff:
            return
        if stored["status"] == InvoiceStatus.VOID:
            raise RowError("number", _("the invoice is void and cannot change"))
        if stored["paid_fen"] and "customer_id" in diff:
            raise RowError("customer_code", _("the invoice has collections; its customer stays"))
        if values["amount_fen"] < stored["paid_fen"]:
            raise RowError("amount", _("less than the amount already collected"))

    def write(self, records: list[dict[str, Any]]) -> Outcome:
        new: list[Invoice] = []
        changed: list[Invoice] = []
        updates: dict[str, Any] = {}
        for record in records:
            values = record["values"]
            stored = self.stored.get(record["number"])
            if stored is None:
                new.append(Invoice(number=record["number"], **values))
                continue
            diff = changed_fields(stored, values)
            if diff:
                merged = {attr: stored[attr] for attr in _ATTRS} | values
                paid = stored["paid_fen"]
                status = InvoiceStatus.PAID if paid == merged["amount_fen"] else InvoiceStatus.OPEN
                invoice = Invoice(pk=stored["pk"], number=record["number"], status=status, **merged)
                invoice.version = F("version") + 1
                changed.append(invoice)
                updates[record["number"]] = diff
        Invoice.objects.bulk_create(new, batch_size=500)
        if changed:
            Invoice.objects.bulk_update(changed, [*_ATTRS, "status", "version"], batch_size=500)
        invoiced = {i.order_id for i in [*new, *changed] if i.order_id is not None}
        if invoiced:
            Order.objects.unrestricted().filter(pk__in=invoiced).update(status=OrderStatus.INVOICED)
        return Outcome(
            created=len(new),
            updated=len(changed),
            unchanged=len(records) - len(new) - len(changed),
            details={
                "created_numbers": capped([i.number for i in new]),
                "updated_fields": dict(capped(list(updates.items()))),
            },
        )


def import_invoices(
    *,
    actor: User,
    path: Path | str,
    options: ImportOptions,
    progress: Progress | None = None,
    job: Any = None,
) -> ImportResult:
    """Import an invoice file; one transaction, one audit entry (see the module docstring)."""
    return run_import(
        InvoiceSpec, actor=actor, path=path, options=options, progress=progress, job=job
    )
