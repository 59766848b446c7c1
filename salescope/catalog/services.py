"""Writes to the catalogue. Each audited, one transaction."""

import hashlib
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from salescope.catalog.models import (
    COST_ROLES,
    Brand,
    Category,
    IncomingSupply,
    Product,
    StockLevel,
    Warehouse,
)
from salescope.core import audit
from salescope.core.concurrency import update_versioned
from salescope.core.errors import PermissionDenied, ValidationFailed
from salescope.org.visibility import can

PRODUCT_FIELDS = [
    "sku",
    "name",
    "brand",
    "category",
    "unit",
    "list_price_fen",
    "cost_fen",
    "active",
]


def _auto_code(prefix: str, *parts: str) -> str:
    digest = hashlib.sha1("/".join(parts).encode(), usedforsecurity=False).hexdigest()[:10]
    return f"{prefix}-{digest.upper()}"


def _require(actor: Any, model: type, action: str = "change") -> None:
    if not can(actor, model, action):
        raise PermissionDenied()


def ensure_brand(name: str, code: str = "") -> Brand:
    """The brand named ``name``, created if new (for imports and demo data; not audited alone)."""
    brand = Brand.objects.unrestricted().filter(name=name).first()
    if brand is None:
        brand = Brand.objects.create(name=name, code=code or _auto_code("B", name))
    return brand


def ensure_category(name: str, parent: Category | None = None, code: str = "") -> Category:
    category = Category.objects.unrestricted().filter(name=name, parent=parent).first()
    if category is None:
        category = Category.objects.create(
            name=name,
            parent=parent,
            code=code or _auto_code("C", parent.code if parent else "", name),
        )
        category.path = f"{parent.path if parent else ''}{category.pk}/"
        category.save(update_fields=["path"])
    return category


@transaction.atomic
def create_category(
    *, actor: Any, name: str, code: str, parent: Category | None = None
) -> Category:
    _require(actor, Category)
    if Category.objects.unrestricted().filter(code=code).exists():
        raise ValidationFailed(fields={"code": [_("A category with this code already exists.")]})
    category = ensure_category(name, parent, code)
    audit.record(
        actor=actor,
        action="catalog.category.created",
        obj=category,
        changes=audit.diff({}, {"name": name, "code": code, "parent": parent}),
    )
    return category


@transaction.atomic
def create_product(*, actor: Any, sku: str, name: str, **fields: Any) -> Product:
    _require(actor, Product)
    if ("cost_fen" in fields) and actor.role not in COST_ROLES:
        raise PermissionDenied(fields={"cost": [_("You may not set the cost.")]})
    if Product.objects.unrestricted().filter(sku=sku).exists():
        raise ValidationFailed(fields={"sku": [_("A product with this SKU already exists.")]})
    product = Product.objects.create(sku=sku, name=name, **fields)
    audit.record(
        actor=actor,
        action="catalog.product.created",
        obj=product,
        changes=audit.diff({}, audit.snapshot(product, PRODUCT_FIELDS)),
    )
    return product


@transaction.atomic
def update_product(
    *, actor: Any, product: Product, expected_version: int, changes: dict
) -> Product:
    _require(actor, Product)
    unknown = set(changes) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValidationFailed(fields={f: [_("This field cannot be changed.")] for f in unknown})
    if "cost_fen" in changes and actor.role not in COST_ROLES:
        raise PermissionDenied(fields={"cost": [_("You may not set the cost.")]})
    before = audit.snapshot(product, PRODUCT_FIELDS)
    update_versioned(product, expected_version=expected_version, changes=changes)
    audit.record(
        actor=actor,
        action="catalog.product.updated",
        obj=product,
        changes=audit.diff(before, audit.snapshot(product, PRODUCT_FIELDS)),
    )
    return product


@transaction.atomic
def set_stock(
    *, actor: Any, warehouse: Warehouse, product: Product, on_hand: int, reserved: int = 0
) -> StockLevel:
    _require(actor, StockLevel)
    if on_hand < 0 or reserved < 0:
        raise ValidationFailed(fields={"on_hand": [_("Stock cannot be negative.")]})
    level, _created = StockLevel.objects.unrestricted().get_or_create(
        warehouse=warehouse, product=product
    )
    before = audit.snapshot(level, ["on_hand", "reserved"])
    level.on_hand, level.reserved = on_hand, reserved
    level.save()
    audit.record(
        actor=actor,
        action="catalog.stock.set",
        obj=level,
        changes=audit.diff(before, audit.snapshot(level, ["on_hand", "reserved"])),
    )
    return level


@transaction.atomic
def add_incoming_supply(
    *,
    actor: Any,
    warehouse: Warehouse,
    product: Product,
    kind: str,
    quantity: int,
    expected_date: Any,
    reference: str = "",
) -> IncomingSupply:
    _require(actor, IncomingSupply)
    if quantity <= 0:
        raise ValidationFailed(fields={"quantity": [_("Quantity must be positive.")]})
    supply = IncomingSupply.objects.create(
        warehouse=warehouse,
        product=product,
        kind=kind,
        quantity=quantity,
        expected_date=expected_date,
        reference=reference,
    )
    audit.record(
        actor=actor,
        action="catalog.supply.added",
        obj=supply,
        changes=audit.diff(
            {},
            audit.snapshot(supply, ["warehouse", "product", "kind", "quantity", "expected_date"]),
        ),
    )
    return supply
