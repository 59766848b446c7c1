"""The sales ledger: sales lines (facts), rollups, orders, invoices, collections, imports.

Facts carry a stored ``month`` (first day) and integer fen / thousandths of a unit, so sums are
exact on SQLite too (R11). Rollups follow the report and target grains and are rebuilt for the
months an import or a posting touched (``ledger.rollups``).
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salescope.core.choices import choice_label
from salescope.core.money import from_fen
from salescope.core.ownership import Ownership, RestrictedManager
from salescope.ledger.choices import (
    ImportKind,
    InvoiceStatus,
    JobStatus,
    LineKind,
    OrderStatus,
)
from salescope.org.choices import Role

MILLI = 1000  # quantities are stored in thousandths of a unit

SALES_READERS = {Role.FINANCE: {"view"}, Role.MARKETING: {"view"}}
RECEIVABLE_READERS = {Role.FINANCE: "*"}


def from_milli(value: int | None) -> Decimal:
    """Thousandths as a quantity without trailing zeros: 1500 → 1.5, 14500000 → 14500 (not
    ``normalize()``'s 1.45E+4, which exports and JSON would print as such)."""
    if not value:
        return Decimal(0)
    quantity = (Decimal(value) / MILLI).normalize()
    exponent = quantity.as_tuple().exponent
    return quantity.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else quantity


class SalesLine(models.Model):
    """One sales line (sell-in to a customer or a dealer's reported sell-through)."""

    line_key = models.CharField(_("line key"), max_length=140)  # unique: see Meta
    line_id = models.CharField(_("line id"), max_length=80, blank=True)
    document = models.CharField(_("document"), max_length=80, blank=True)
    line_no = models.IntegerField(_("line number"), null=True, blank=True)
    date = models.DateField(_("date"))
    month = models.DateField(_("month"))
    kind = models.CharField(_("kind"), max_length=14, choices=LineKind.choices)
    # A fact table built for bulk loads (bench/bench_ledger.py measures it):
    # - only the indexes the reports use: each extra one costs an import ~8 µs a line; customer
    #   and salesperson are covered by the indexes below, product, brand, category and region
    #   are read through month ranges and the rollups; ``line_key`` is unique by a constraint,
    #   which spares the pattern-ops copy PostgreSQL gets for ``unique=True``;
    # - the customer's index holds the customer alone, not (customer, date): a day's lines land
    #   in it at random, one leaf page per customer, and on PostgreSQL a customer's entries
    #   collapse into one posting list. At 10M lines it is 71 MB instead of 394 MB, and the
    #   100k lines of a day touch about 10k of its pages instead of 44k (inserting them: 2.1 s
    #   → 1.2 s). The price is paid by the largest accounts: a customer's newest lines are
    #   sorted from all of theirs (SQLite, 10M lines: 0.1 ms for a customer of ~100 lines,
    #   75 ms for a key account of 41k, against under 1 ms with the date in the index);
    # - no database foreign-key constraints: PostgreSQL checks each one per line at commit
    #   (~26 µs a line for six). The import only stores ids it has just looked up in the same
    #   transaction, master data with ledger entries is archived rather than deleted (R16), and
    #   Django still enforces PROTECT on delete.
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
    )
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
    )
    brand = models.ForeignKey(
        "catalog.Brand",
        verbose_name=_("brand"),
        on_delete=models.PROTECT,
        null=True,
        db_index=False,
        db_constraint=False,
    )
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        db_index=False,
        db_constraint=False,
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    region = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    channel = models.CharField(_("channel"), max_length=40, blank=True)
    sale_location = models.CharField(_("sale location"), max_length=60, blank=True)
    quantity_milli = models.BigIntegerField(_("quantity (thousandths)"))
    unit_price_fen = models.BigIntegerField(_("unit price (fen)"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    cost_fen = models.BigIntegerField(_("cost (fen)"))
    gross_profit_fen = models.BigIntegerField(_("gross profit (fen)"))
    discount_fen = models.BigIntegerField(_("discount (fen)"), default=0)
    cross_territory = models.BooleanField(_("cross-territory"), default=False)

    ownership = Ownership(person="salesperson", roles=SALES_READERS)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("sales line")
        verbose_name_plural = _("sales lines")
        constraints = [models.UniqueConstraint(fields=["line_key"], name="salesline_line_key")]
        indexes = [
            models.Index(fields=["month"], name="salesline_month"),
            models.Index(fields=["customer"], name="salesline_customer"),
            models.Index(fields=["salesperson", "date"], name="salesline_person_date"),
            # The sales-line list's order (newest first: date, then id), walked backwards for
            # a page of 50 instead of sorting every visible line (PostgreSQL, 300k lines: a
            # company-wide first page 2.1 s → 1.3 ms in the database, issue 20 item 9). By
            # date alone, a day's lines (14k at 10M) were joined and sorted for each page.
            models.Index(fields=["date", "id"], name="salesline_date_id"),
            models.Index(
                fields=["date"], condition=Q(cross_territory=True), name="salesline_cross"
            ),
        ]

    def __str__(self) -> str:
        return self.line_key

    def get_kind_display(self) -> Any:  # type: ignore[no-redef]  # Django's, cheaper
        """As Django's, a row at a time on the lines list (``core.choices.choice_label``)."""
        return choice_label(LineKind, self.kind)

    @property
    def amount(self) -> Decimal:
        return from_fen(self.amount_fen)

    @property
    def quantity(self) -> Decimal:
        return from_milli(self.quantity_milli)


class _RollupMeasures(models.Model):
    amount_fen = models.BigIntegerField(default=0)
    quantity_milli = models.BigIntegerField(default=0)
    cost_fen = models.BigIntegerField(default=0)
    gross_profit_fen = models.BigIntegerField(default=0)
    lines = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


def _rollup_key(to: str) -> Any:
    """A rollup's key. No constraint, and no index of its own: rollups are read by month (and
    salesperson × month) and rewritten month by month on every import, where each index costs
    an entry per row (a bulk load of 950k lines writes ~280k rollup rows)."""
    return models.ForeignKey(
        to,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )


class SalesRollup(_RollupMeasures):
    """month × kind × salesperson × category (with the region the lines carried)."""

    month = models.DateField()
    kind = models.CharField(max_length=14, choices=LineKind.choices)
    salesperson = _rollup_key(settings.AUTH_USER_MODEL)
    region = _rollup_key("org.OrgUnit")
    category = _rollup_key("catalog.Category")

    ownership = Ownership(person="salesperson", roles=SALES_READERS)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("sales rollup by salesperson")
        indexes = [
            models.Index(fields=["month"], name="rollup_person_month"),
            models.Index(fields=["salesperson", "month"], name="rollup_person_sp"),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.salesperson_id} {self.category_id}"


class RegionRollup(_RollupMeasures):
    """month × kind × region × category: the company-wide report grain."""

    month = models.DateField()
    kind = models.CharField(max_length=14, choices=LineKind.choices)
    region = _rollup_key("org.OrgUnit")
    category = _rollup_key("catalog.Category")

    ownership = Ownership(unit="region", roles=SALES_READERS)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("sales rollup by region")
        indexes = [models.Index(fields=["month"], name="rollup_region_month")]

    def __str__(self) -> str:
        return f"{self.month} {self.region_id} {self.category_id}"


class PersonRollup(_RollupMeasures):
    """month × kind × salesperson × region: the target-tracking grain when categories are not
    asked (about 12k rows a year for 500 people, against ~550k in ``SalesRollup`` at 10M
    lines). The region the lines recorded (a person's month seldom holds two) tells cheaply
    whether a manager's people sold only in the regions they manage, and only they there
    (``ledger.explorer``: then the rollups owned by the region answer for them)."""

    month = models.DateField()
    kind = models.CharField(max_length=14, choices=LineKind.choices)
    salesperson = _rollup_key(settings.AUTH_USER_MODEL)
    region = _rollup_key("org.OrgUnit")

    ownership = Ownership(person="salesperson", roles=SALES_READERS)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("sales rollup by salesperson and month")
        indexes = [
            models.Index(fields=["month"], name="rollup_people_month"),
            models.Index(fields=["salesperson", "month"], name="rollup_people_sp"),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.salesperson_id}"


class ProductRollup(_RollupMeasures):
    """month × kind × region × category × brand × product: the explorer's products for
    company-wide readers (no salesperson, so it compresses: a product's month is a row per
    region and kind). No product × customer rollup: it barely compresses real data (a
    customer seldom buys one product twice a month; the bench's ledger not at all), so those
    pivots read the lines."""

    month = models.DateField()
    kind = models.CharField(max_length=14, choices=LineKind.choices)
    region = _rollup_key("org.OrgUnit")
    category = _rollup_key("catalog.Category")
    brand = _rollup_key("catalog.Brand")
    product = _rollup_key("catalog.Product")

    ownership = Ownership(unit="region", roles=SALES_READERS)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("sales rollup by product")
        # By month (the explorer's reads, a month's rebuild) and product within it: an
        # import moves a row by its key (``rollups._move_explorer``). On PostgreSQL the table
        # keeps 30 % of each page free (fillfactor 70, migration 0014) so that those moves
        # update rows in place; an index holding a measure would forbid that.
        indexes = [models.Index(fields=["month", "product"], name="rollup_product_key")]

    def __str__(self) -> str:
        return f"{self.month} {self.product_id}"


class BrandRollup(_RollupMeasures):
    """month × kind × region × category × brand: ``ProductRollup`` without the product, derived
    from it (``rollups._derive_brands``) for the months it changed. The explorer's pivots of
    brands, categories and regions read it (a year of brand × quarter at 10M lines: 219k
    product rollup rows, or 2.3k of these). Owned by the region as the product rollup is: the
    same readers see the same rows."""

    month = models.DateField()
    kind = models.CharField(max_length=14, choices=LineKind.choices)
    region = _rollup_key("org.OrgUnit")
    category = _rollup_key("catalog.Category")
    brand = _rollup_key("catalog.Brand")

    ownership = Ownership(unit="region", roles=SALES_READERS)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("sales rollup by brand")
        # Read and derived again by month; the brand within it for pivots of some brands.
        indexes = [models.Index(fields=["month", "brand"], name="rollup_brand_key")]

    def __str__(self) -> str:
        return f"{self.month} {self.brand_id}"


class UnitRollup(_RollupMeasures):
    """month × kind × unit × region × category: ``SalesRollup`` with each salesperson replaced by
    the org unit they are in *now* (no unit, or no salesperson: a null unit), derived from it
    (``rollups._derive_units``). The explorer's team and branch pivots fold a few dozen units
    here instead of every person (a year at 10M lines: 276k ``SalesRollup`` rows, 5.2k of
    these). History is shown under people's current units, so a person's move changes these
    rows: they are read only while the mapping of people to units they were derived under is
    the current one (``UnitRollupState``), and derived again after a move
    (``ledger.tasks.derive_unit_rollup``). Owned by the unit: a unit's manager reaches the
    rows of the units they manage (as the person rule reaches those units' people), the
    company-wide readers all of them."""

    month = models.DateField()
    kind = models.CharField(max_length=14, choices=LineKind.choices)
    unit = _rollup_key("org.OrgUnit")
    region = _rollup_key("org.OrgUnit")
    category = _rollup_key("catalog.Category")

    ownership = Ownership(unit="unit", roles=SALES_READERS)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("sales rollup by org unit")
        indexes = [models.Index(fields=["month"], name="rollup_unit_month")]

    def __str__(self) -> str:
        return f"{self.month} {self.unit_id} {self.category_id}"


class UnitRollupState(models.Model):
    """One row: the fingerprint of the mapping of people to units ``UnitRollup`` was derived
    under (``rollups.people_units``). The explorer reads the unit rollup only while it is the
    current mapping's; a write of the rollups derives every month again when it is not. A
    system record: no one's, read by the system only."""

    fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("state of the sales rollup by org unit")

    def __str__(self) -> str:
        return self.fingerprint


class CustomerRollup(_RollupMeasures):
    """month × kind × salesperson × region × customer × channel."""

    month = models.DateField()
    kind = models.CharField(max_length=14, choices=LineKind.choices)
    salesperson = _rollup_key(settings.AUTH_USER_MODEL)
    region = _rollup_key("org.OrgUnit")
    customer = _rollup_key("customers.Customer")
    channel = models.CharField(max_length=40, blank=True)

    ownership = Ownership(person="salesperson", roles=SALES_READERS)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("sales rollup by customer")
        # By month, and customer within it (see ``ProductRollup``'s index and fillfactor).
        indexes = [models.Index(fields=["month", "customer"], name="rollup_customer_key")]

    def __str__(self) -> str:
        return f"{self.month} {self.customer_id}"


class PairRollup(_RollupMeasures):
    """year × kind × salesperson × product × customer: the explorer ranks product × customer
    pairs from it over whole years (``explorer._ranked``); no pivot's cells are read from it.
    At month grain such a rollup holds about as many rows as the lines (a customer seldom buys
    one product twice a month); by year it compresses: the bench's 5M lines a year are 700k
    rows. Only the keys a ranking needs (the salesperson: the visibility rule's), narrow rows:
    a filter of another column ranks from the lines."""

    year = models.DateField()  # its 1 January
    kind = models.CharField(max_length=14, choices=LineKind.choices)
    salesperson = _rollup_key(settings.AUTH_USER_MODEL)
    product = _rollup_key("catalog.Product")
    customer = _rollup_key("customers.Customer")

    ownership = Ownership(person="salesperson", roles=SALES_READERS)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("sales rollup by product and customer")
        # By year, and customer within it (see ``ProductRollup``'s index and fillfactor).
        indexes = [models.Index(fields=["year", "customer"], name="rollup_pair_key")]

    def __str__(self) -> str:
        return f"{self.year:%Y} {self.product_id} {self.customer_id}"


class SavedView(models.Model):
    """A person's saved explorer view: rows, columns, measure, filters and dates (``spec``)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=100)
    spec = models.JSONField(_("view"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(person="owner")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("saved sales view")
        verbose_name_plural = _("saved sales views")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_owner_name")
        ]

    def __str__(self) -> str:
        return self.name


# A credit hold's reason is stored as facts, worded when shown (in the reader's language):
# "hold:over_limit=<exposure fen>,<limit fen>;overdue=<days>,<policy days>". Older rows hold
# text, shown as it is.
HOLD_MARK = "hold:"


def hold_reason_facts(
    *,
    exposure_fen: int | None = None,
    limit_fen: int | None = None,
    overdue_days: int | None = None,
    policy_days: int | None = None,
) -> str:
    parts = []
    if exposure_fen is not None:
        parts.append(f"over_limit={exposure_fen},{limit_fen or 0}")
    if overdue_days is not None:
        parts.append(f"overdue={overdue_days},{policy_days or 0}")
    return HOLD_MARK + ";".join(parts)


def hold_reason_text(stored: str) -> str:
    """``hold_reason_facts`` worded in the active language, amounts with separators."""
    from django.utils.translation import gettext

    from salescope.core.money import grouped

    if not stored.startswith(HOLD_MARK):
        return stored
    reasons = []
    for part in stored[len(HOLD_MARK) :].split(";"):
        name, _sep, values = part.partition("=")
        first, _sep, second = values.partition(",")
        if name == "over_limit":
            reasons.append(
                gettext("exposure %(exposure)s over credit limit %(limit)s")
                % {
                    "exposure": grouped(from_fen(int(first))),
                    "limit": grouped(from_fen(int(second))),
                }
            )
        elif name == "overdue":
            reasons.append(
                gettext("debt overdue %(days)d days (policy %(policy)d)")
                % {"days": int(first), "policy": int(second)}
            )
    return "; ".join(reasons) if reasons else stored


class Order(models.Model):
    number = models.CharField(_("number"), max_length=60, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=14, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    amount_fen = models.BigIntegerField(_("amount (fen)"), default=0)
    hold_reason = models.CharField(_("hold reason"), max_length=300, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    release_reason = models.CharField(_("release reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(person="owner", roles=RECEIVABLE_READERS)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-date", "-id"]
        # The month's orders of everyone (the KPI "orders per visit", issue 17): without it
        # both databases read every order (SQLite walked 1M in owner order: 5.4 s).
        indexes = [models.Index(fields=["date"], name="order_day")]

    def __str__(self) -> str:
        return self.number

    @property
    def amount(self) -> Decimal:
        return from_fen(self.amount_fen)

    @property
    def hold_reason_text(self) -> str:
        """The credit hold's reason in the reader's language (``hold_reason`` keeps facts)."""
        return hold_reason_text(self.hold_reason)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT)
    quantity = models.BigIntegerField(_("quantity"))
    unit_price_fen = models.BigIntegerField(_("unit price (fen)"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))

    ownership = Ownership(person="order__owner", roles=RECEIVABLE_READERS)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return f"{self.order_id}:{self.product_id}"


class Invoice(models.Model):
    number = models.CharField(_("number"), max_length=60, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, null=True, blank=True
    )
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
    month = models.DateField(_("month"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    paid_fen = models.BigIntegerField(_("paid (fen)"), default=0)
    status = models.CharField(
        _("status"), max_length=8, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(person="owner", roles=RECEIVABLE_READERS)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-id"]
        indexes = [
            # Not partial indexes: SQLite matches a partial index's condition only to a literal,
            # and Django binds the status as a parameter. This one lists overdue invoices.
            models.Index(fields=["status", "due_date"], name="invoice_status_due"),
            models.Index(fields=["customer", "status"], name="invoice_customer_status"),
            models.Index(fields=["owner", "status"], name="invoice_owner_status"),
            # Everything the ageing reads, open invoices in owner order, so it scans this index
            # alone (SQLite, 1M open invoices, by owner: 1.5–2.0 s → 0.7 s).
            models.Index(
                fields=[
                    "status",
                    "owner",
                    "due_date",
                    "issue_date",
                    "amount_fen",
                    "paid_fen",
                    "customer",
                ],
                name="invoice_ageing",
            ),
            # The same in customer order: the ageing by customer adds up each customer's
            # invoices as the index gives them, no table reads and no sort (SQLite, 1M open
            # invoices of 100k customers: the grouped scan 465 → 222 ms CPU).
            models.Index(
                fields=[
                    "status",
                    "customer",
                    "due_date",
                    "issue_date",
                    "amount_fen",
                    "paid_fen",
                    "owner",
                ],
                name="invoice_ageing_customer",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def amount(self) -> Decimal:
        return from_fen(self.amount_fen)

    @property
    def balance_fen(self) -> int:
        return self.amount_fen - self.paid_fen

    @property
    def balance(self) -> Decimal:
        return from_fen(self.balance_fen)


class Collection(models.Model):
    """A payment received (回款), allocated to one or more invoices."""

    number = models.CharField(_("number"), max_length=60, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="collections",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="collections",
    )
    date = models.DateField(_("date"))
    month = models.DateField(_("month"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    allocated_fen = models.BigIntegerField(_("allocated (fen)"), default=0)
    method = models.CharField(_("method"), max_length=30, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    ownership = Ownership(person="owner", roles=RECEIVABLE_READERS)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["month", "owner"], name="collection_month_owner")]

    def __str__(self) -> str:
        return self.number

    @property
    def amount(self) -> Decimal:
        return from_fen(self.amount_fen)

    @property
    def unallocated_fen(self) -> int:
        return self.amount_fen - self.allocated_fen


class Allocation(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    created_at = models.DateTimeField(auto_now_add=True)

    ownership = Ownership(person="invoice__owner", roles=RECEIVABLE_READERS)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(fields=["collection", "invoice"], name="allocation_unique"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="allocation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.collection_id}→{self.invoice_id}"


class ImportPreset(models.Model):
    """A saved column mapping: source header → field."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField(_("mapping"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    ownership = Ownership(everyone={"view"}, person="created_by")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("import preset")
        verbose_name_plural = _("import presets")
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="preset_unique")]

    def __str__(self) -> str:
        return self.name


class RememberedMapping(models.Model):
    """The column mapping last confirmed on the import page for a set of headers: the next file
    with the same headers (in any order) opens with it instead of the guess."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    header_set = models.CharField(max_length=64)  # see ledger.jobs.header_set_key
    headers = models.JSONField(default=list)
    mapping = models.JSONField(_("mapping"), default=dict)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(auto_now=True)

    ownership = Ownership(everyone={"view"}, person="confirmed_by")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("remembered column mapping")
        verbose_name_plural = _("remembered column mappings")
        constraints = [
            models.UniqueConstraint(fields=["kind", "header_set"], name="remembered_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.header_set[:8]}"


class ImportUpload(models.Model):
    """A file someone uploaded to import, known to every later step only by ``token``, a random
    id the server issued: the preview, the queued job and the worker find the file through this
    row, and a step asked by anyone but ``owner`` finds nothing (the form never names a path)."""

    token = models.CharField(max_length=64, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("file"), max_length=255)
    stored_path = models.CharField(max_length=500)
    job = models.OneToOneField(
        "ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="upload"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    ownership = Ownership(person="owner")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("uploaded import file")
        verbose_name_plural = _("uploaded import files")

    def __str__(self) -> str:
        return self.filename


class ImportJob(models.Model):
    """An import run in the background by ``salescope worker``; progress and result here."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    filename = models.CharField(_("file"), max_length=255)
    stored_path = models.CharField(max_length=500)
    options = models.JSONField(default=dict)
    total_rows = models.BigIntegerField(default=0)
    processed_rows = models.BigIntegerField(default=0)
    result = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    ownership = Ownership(person="created_by", roles={Role.FINANCE: {"view"}})
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"

    @property
    def kind_label(self) -> Any:
        """What was imported, in words: the ledger's kinds, or the label another app gave its
        kind (``core.tasks.register_import_kind``)."""
        from salescope.core.tasks import import_kind

        entry = import_kind(self.kind)
        return entry.label if entry is not None else self.get_kind_display()

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == JobStatus.DONE else 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))
