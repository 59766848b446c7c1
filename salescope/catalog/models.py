"""Brands, the category tree, products, price lists, stock per warehouse and incoming supply.

The catalogue is company data: every signed-in person may view it; cost is a protected field
shown only to roles in ``COST_ROLES`` (R6). Prices and costs are integer fen.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from salescope.catalog.choices import SupplyKind, SupplyStatus
from salescope.core.money import from_fen
from salescope.core.ownership import Ownership, RestrictedManager
from salescope.org.choices import Role

# Roles that may read and write product cost and margins (R6).
COST_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.FINANCE, Role.MANAGER}
)
CATALOG_EDITORS = {Role.ADMINISTRATOR: "*", Role.SALES_DIRECTOR: "*", Role.MARKETING: "*"}
CATALOG_OWNERSHIP = Ownership(everyone={"view"}, company_roles=CATALOG_EDITORS, shareable=False)


class Brand(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = CATALOG_OWNERSHIP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A node of the category tree; ``path`` of ids ("3/17/") makes a subtree one prefix."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(max_length=255, blank=True, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = CATALOG_OWNERSHIP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    brand = models.ForeignKey(
        Brand, verbose_name=_("brand"), on_delete=models.PROTECT, null=True, blank=True
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=20, default="箱")
    list_price_fen = models.BigIntegerField(_("list price (fen)"), default=0)
    cost_fen = models.BigIntegerField(_("cost (fen)"), default=0)
    active = models.BooleanField(_("active"), default=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = CATALOG_OWNERSHIP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    @property
    def list_price(self) -> Decimal:
        return from_fen(self.list_price_fen)

    @property
    def cost(self) -> Decimal:
        return from_fen(self.cost_fen)


class PriceList(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = CATALOG_OWNERSHIP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    price_fen = models.BigIntegerField(_("price (fen)"))

    ownership = CATALOG_OWNERSHIP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product"], name="pricelist_product")
        ]

    def __str__(self) -> str:
        return f"{self.price_list_id}:{self.product_id}"


class Warehouse(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = CATALOG_OWNERSHIP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class StockLevel(models.Model):
    """Stock on hand (and already promised) of one product in one warehouse, whole units."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stock")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock")
    on_hand = models.BigIntegerField(_("on hand"), default=0)
    reserved = models.BigIntegerField(_("reserved"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = CATALOG_OWNERSHIP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "product"], name="stock_wh_product")
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.on_hand}"


class IncomingSupply(models.Model):
    """Production or purchase expected to arrive in a warehouse on a date."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="incoming")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="incoming")
    kind = models.CharField(_("kind"), max_length=20, choices=SupplyKind.choices)
    quantity = models.BigIntegerField(_("quantity"))
    expected_date = models.DateField(_("expected date"))
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    # Open supply counts towards availability; received supply has been added to stock on
    # hand; cancelled supply is kept for the record and counts nowhere.
    status = models.CharField(
        _("status"), max_length=20, choices=SupplyStatus.choices, default=SupplyStatus.OPEN
    )
    received_on = models.DateField(_("received on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = CATALOG_OWNERSHIP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("incoming supply")
        verbose_name_plural = _("incoming supply")
        ordering = ["expected_date"]
        indexes = [models.Index(fields=["product", "expected_date"], name="incoming_product_date")]
        constraints = [
            # The reference (purchase or production order number) is the import's natural key.
            models.UniqueConstraint(
                fields=["reference"], condition=~models.Q(reference=""), name="supply_reference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_id} +{self.quantity} @{self.expected_date}"
