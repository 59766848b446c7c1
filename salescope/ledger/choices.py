from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class LineKind(models.TextChoices):
    SELL_IN = "sell_in", _("Sell-in")
    SELL_THROUGH = "sell_through", _("Sell-through")


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CREDIT_HOLD = "credit_hold", _("Credit hold")
    CONFIRMED = "confirmed", _("Confirmed")
    INVOICED = "invoiced", _("Invoiced")
    CANCELLED = "cancelled", _("Cancelled")


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    VOID = "void", _("Void")


class ImportKind(models.TextChoices):
    SALES_LINES = "sales_lines", _("Sales lines")
    CUSTOMERS = "customers", _("Customers")
    PRODUCTS = "products", _("Products")
    INVOICES = "invoices", _("Invoices")
    COLLECTIONS = "collections", _("Collections")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class LedgerErrorCode(StrEnum):
    """Stable ``code`` values of this app's errors (core.errors: ``{code, detail, fields}``)."""

    CREDIT_LIMIT = "credit_limit_exceeded"  # credit limit exceeded
    OVERDUE_DEBT = "overdue_debt"  # debt overdue beyond the policy
    NOT_ON_HOLD = "order_not_on_hold"  # the order is not on credit hold
    BAD_STATE = "order_bad_state"  # the order cannot be confirmed in its current state
    OVER_ALLOCATION = "over_allocation"  # allocation exceeds the open amount
    IMPORT_FILE = "import_file_unreadable"  # the file cannot be read
