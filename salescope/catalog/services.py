"""Writes to the catalogue (H3, issue 20 item 2): brands, the category tree, products, price
lists, warehouses, stock levels and incoming supply.

Each write takes keyword arguments, runs in one transaction, checks the declared permission
(``catalog.permissions``), raises ``core.errors`` domain errors (422 at the field, 409 when
someone else changed the record since it was loaded) and leaves one audit entry saying what
changed. A write that changes nothing leaves no entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.catalog import permissions as perms
from salescope.catalog.choices import SupplyKind, SupplyStatus
from salescope.catalog.models import (
    COST_ROLES,
    Brand,
    Category,
    IncomingSupply,
    PriceList,
    PriceListItem,
    Product,
    StockLevel,
    Warehouse,
)
from salescope.core import audit
from salescope.core.concurrency import update_versioned
from salescope.core.errors import (
    Conflict,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
    duplicate_key,
)
from salescope.core.permissions import require
from salescope.core.roles import viewer_roles

BRAND_FIELDS = ["code", "name"]
CATEGORY_FIELDS = ["code", "name", "parent"]
PRODUCT_FIELDS = ["sku", "name", "brand", "category", "unit", "list_price_fen", "cost_fen"]
PRODUCT_FIELDS += ["active"]
PRICE_LIST_FIELDS = ["code", "name", "valid_from", "valid_to"]
WAREHOUSE_FIELDS = ["code", "name", "region"]
STOCK_FIELDS = ["on_hand", "reserved"]
SUPPLY_FIELDS = ["warehouse", "product", "kind", "quantity", "expected_date", "reference"]
SUPPLY_FIELDS += ["note", "status", "received_on"]
SUPPLY_EDITABLE = {"warehouse", "product", "kind", "quantity", "expected_date", "reference"}
SUPPLY_EDITABLE |= {"note"}

# Quantities are whole units; a bound keeps a typo of extra digits out of the stock figures.
MAX_QUANTITY = 1_000_000_000
MAX_FEN = 10**13


# --- helpers ----------------------------------------------------------------------------------


def _auto_code(prefix: str, *parts: str) -> str:
    digest = hashlib.sha1("/".join(parts).encode(), usedforsecurity=False).hexdigest()[:10]
    return f"{prefix}-{digest.upper()}"


def _text(value: Any, field: str, *, limit: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed(fields={field: [_("This field is required.")]})
    if len(text) > limit:
        raise ValidationFailed(fields={field: [_("At most %(n)d characters.") % {"n": limit}]})
    return text


def _quantity(value: Any, field: str, *, positive: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(fields={field: [_("Enter a whole number.")]})
    if value < (1 if positive else 0):
        message = _("Must be more than zero.") if positive else _("Cannot be negative.")
        raise ValidationFailed(fields={field: [message]})
    if value > MAX_QUANTITY:
        raise ValidationFailed(fields={field: [_("At most %(n)d.") % {"n": MAX_QUANTITY}]})
    return value


def _fen(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > MAX_FEN:
        raise ValidationFailed(fields={field: [_("Enter an amount of zero or more.")]})
    return value


def _unique(model: type[models.Model], field: str, value: Any, *, exclude: Any = None) -> None:
    """A 422 at ``field`` when another record already has ``value`` (the constraint's 409
    covers two requests racing past this look-up)."""
    qs = model._default_manager.unrestricted().filter(**{field: value})  # type: ignore[attr-defined]
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    if qs.exists():
        raise ValidationFailed(fields={field: [_("Another record already has this value.")]})


def _saved(instance: models.Model) -> models.Model:
    """Insert ``instance``; a unique violation (a concurrent twin) becomes a 409."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        conflict = duplicate_key(error)
        if conflict is None:
            raise
        raise conflict from error
    return instance


def _check_version(instance: models.Model, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != instance.version:  # type: ignore[attr-defined]
        raise StaleVersion(extra={"current_version": instance.version})  # type: ignore[attr-defined]


def _update(
    *,
    actor: Any,
    instance: models.Model,
    expected_version: int,
    changes: dict[str, Any],
    fields: Iterable[str],
    action: str,
    extra: dict[str, Any] | None = None,
) -> models.Model:
    """Write the fields of ``changes`` that differ, version-checked, with one audit entry."""
    fields = list(fields)
    before = audit.snapshot(instance, fields)
    different = {
        name: value
        for name, value in changes.items()
        if audit.json_value(value) != before.get(name)
    }
    if not different:
        instance.refresh_from_db()
        _check_version(instance, expected_version)
        return instance
    try:
        with transaction.atomic():
            update_versioned(instance, expected_version=expected_version, changes=different)
    except IntegrityError as error:
        conflict = duplicate_key(error)
        if conflict is None:
            raise
        raise conflict from error
    audit.record(
        actor=actor,
        action=action,
        obj=instance,
        changes={**audit.diff(before, audit.snapshot(instance, fields)), **(extra or {})},
    )
    return instance


def _refuse_unknown(changes: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationFailed(
            fields={name: [_("This field cannot be changed.")] for name in sorted(unknown)}
        )


def _created(actor: Any, instance: models.Model, action: str, fields: list[str]) -> None:
    audit.record(actor=actor, action=action, obj=instance, changes=audit.snapshot(instance, fields))


def _deleted(actor: Any, instance: models.Model, action: str, fields: list[str]) -> None:
    audit.record(actor=actor, action=action, obj=instance, changes=audit.snapshot(instance, fields))


# --- look-ups for imports and demo data (not audited alone: the import's entry covers them) --


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


# --- brands -----------------------------------------------------------------------------------


@transaction.atomic
def create_brand(*, actor: Any, name: str, code: str = "") -> Brand:
    require(actor, perms.BRAND_CREATE.code)
    name = _text(name, "name", limit=100)
    code = _text(code, "code", limit=40, required=False) or _auto_code("B", name)
    _unique(Brand, "code", code)
    _unique(Brand, "name", name)
    brand = _saved(Brand(code=code, name=name))
    _created(actor, brand, "catalog.brand.created", BRAND_FIELDS)
    return brand  # type: ignore[return-value]


@transaction.atomic
def update_brand(*, actor: Any, brand: Brand, expected_version: int, changes: dict) -> Brand:
    require(actor, perms.BRAND_CHANGE.code)
    _refuse_unknown(changes, BRAND_FIELDS)
    clean: dict[str, Any] = {}
    if "name" in changes:
        clean["name"] = _text(changes["name"], "name", limit=100)
        _unique(Brand, "name", clean["name"], exclude=brand)
    if "code" in changes:
        clean["code"] = _text(changes["code"], "code", limit=40)
        _unique(Brand, "code", clean["code"], exclude=brand)
    return _update(  # type: ignore[return-value]
        actor=actor,
        instance=brand,
        expected_version=expected_version,
        changes=clean,
        fields=BRAND_FIELDS,
        action="catalog.brand.updated",
    )


@transaction.atomic
def delete_brand(*, actor: Any, brand: Brand, expected_version: int | None = None) -> None:
    require(actor, perms.BRAND_DELETE.code)
    _check_version(brand, expected_version)
    if Product.objects.unrestricted().filter(brand=brand).exists():
        raise Conflict(_("Products of this brand exist; move them to another brand first."))
    _deleted(actor, brand, "catalog.brand.deleted", BRAND_FIELDS)
    brand.delete()


# --- the category tree ------------------------------------------------------------------------


@transaction.atomic
def create_category(
    *, actor: Any, name: str, code: str = "", parent: Category | None = None
) -> Category:
    require(actor, perms.CATEGORY_CREATE.code)
    name = _text(name, "name", limit=100)
    code = _text(code, "code", limit=40, required=False) or _auto_code(
        "C", parent.code if parent else "", name
    )
    _unique(Category, "code", code)
    if Category.objects.unrestricted().filter(parent=parent, name=name).exists():
        raise ValidationFailed(fields={"name": [_("This category already has this name here.")]})
    category = _saved(Category(name=name, code=code, parent=parent))
    category.path = f"{parent.path if parent else ''}{category.pk}/"  # type: ignore[attr-defined]
    category.save(update_fields=["path"])
    _created(actor, category, "catalog.category.created", CATEGORY_FIELDS)
    return category  # type: ignore[return-value]


@transaction.atomic
def update_category(
    *, actor: Any, category: Category, expected_version: int, changes: dict
) -> Category:
    """Rename, recode or move a category (with its whole subtree). A category cannot move
    under itself or under one of its own subcategories: the tree stays a tree."""
    require(actor, perms.CATEGORY_CHANGE.code)
    _refuse_unknown(changes, CATEGORY_FIELDS)
    clean: dict[str, Any] = {}
    if "code" in changes:
        clean["code"] = _text(changes["code"], "code", limit=40)
        _unique(Category, "code", clean["code"], exclude=category)
    parent = changes.get("parent", category.parent)
    if "parent" in changes:
        if parent is not None and parent.path.startswith(category.path):
            raise ValidationFailed(
                fields={"parent": [_("A category cannot move under itself or its subcategories.")]}
            )
        clean["parent"] = parent
    name = _text(changes.get("name", category.name), "name", limit=100)
    if "name" in changes:
        clean["name"] = name
    if ("name" in changes or "parent" in changes) and (
        Category.objects.unrestricted()
        .filter(parent=parent, name=name)
        .exclude(pk=category.pk)
        .exists()
    ):
        raise ValidationFailed(fields={"name": [_("This category already has this name here.")]})
    old_path = category.path
    _update(
        actor=actor,
        instance=category,
        expected_version=expected_version,
        changes=clean,
        fields=CATEGORY_FIELDS,
        action="catalog.category.updated",
    )
    new_path = f"{parent.path if parent else ''}{category.pk}/"
    if new_path != old_path:
        subtree = Category.objects.unrestricted().filter(path__startswith=old_path)
        for node in subtree.select_for_update():
            node.path = new_path + node.path[len(old_path) :]
            node.save(update_fields=["path"])
        category.refresh_from_db()
    return category


@transaction.atomic
def delete_category(*, actor: Any, category: Category, expected_version: int | None = None) -> None:
    require(actor, perms.CATEGORY_DELETE.code)
    _check_version(category, expected_version)
    if Category.objects.unrestricted().filter(parent=category).exists():
        raise Conflict(_("This category has subcategories; move or delete them first."))
    if Product.objects.unrestricted().filter(category=category).exists():
        raise Conflict(_("Products are in this category; move them first."))
    _deleted(actor, category, "catalog.category.deleted", CATEGORY_FIELDS)
    category.delete()


# --- products ---------------------------------------------------------------------------------


def _check_cost(actor: Any, fields: dict[str, Any]) -> None:
    if "cost_fen" in fields and not (viewer_roles(actor) & {str(r) for r in COST_ROLES}):
        raise PermissionDenied(fields={"cost": [_("You may not set the cost.")]})


def _product_values(values: dict[str, Any]) -> dict[str, Any]:
    clean = dict(values)
    if "sku" in clean:
        clean["sku"] = _text(clean["sku"], "sku", limit=60)
    if "name" in clean:
        clean["name"] = _text(clean["name"], "name", limit=200)
    if "unit" in clean:
        clean["unit"] = _text(clean["unit"], "unit", limit=20)
    for name in ("list_price_fen", "cost_fen"):
        if name in clean:
            clean[name] = _fen(clean[name], name.removesuffix("_fen"))
    if "active" in clean:
        clean["active"] = bool(clean["active"])
    return clean


@transaction.atomic
def create_product(*, actor: Any, sku: str, name: str, **fields: Any) -> Product:
    require(actor, perms.PRODUCT_CREATE.code)
    _refuse_unknown(fields, PRODUCT_FIELDS)
    _check_cost(actor, fields)
    values = _product_values({"sku": sku, "name": name, **fields})
    _unique(Product, "sku", values["sku"])
    product = _saved(Product(**values))
    _created(actor, product, "catalog.product.created", PRODUCT_FIELDS)
    return product  # type: ignore[return-value]


@transaction.atomic
def update_product(
    *, actor: Any, product: Product, expected_version: int, changes: dict
) -> Product:
    require(actor, perms.PRODUCT_CHANGE.code)
    _refuse_unknown(changes, PRODUCT_FIELDS)
    _check_cost(actor, changes)
    clean = _product_values(changes)
    if "sku" in clean:
        _unique(Product, "sku", clean["sku"], exclude=product)
    return _update(  # type: ignore[return-value]
        actor=actor,
        instance=product,
        expected_version=expected_version,
        changes=clean,
        fields=PRODUCT_FIELDS,
        action="catalog.product.updated",
    )


@transaction.atomic
def delete_product(*, actor: Any, product: Product, expected_version: int | None = None) -> None:
    """Delete a product from the catalogue: kept (sales lines name it) but hidden from lists,
    the availability answer and imports until restored."""
    require(actor, perms.PRODUCT_DELETE.code)
    _check_version(product, expected_version)
    Product.objects.unrestricted().filter(pk=product.pk).update(
        deleted_at=timezone.now(), active=False, version=F("version") + 1
    )
    audit.record(
        actor=actor,
        action="catalog.product.deleted",
        obj=product,
        changes={"deleted_at": [None, "deleted"], "active": [product.active, False]},
    )


# --- price lists ------------------------------------------------------------------------------


def _price_list_values(values: dict[str, Any]) -> dict[str, Any]:
    clean = dict(values)
    if "code" in clean:
        clean["code"] = _text(clean["code"], "code", limit=40)
    if "name" in clean:
        clean["name"] = _text(clean["name"], "name", limit=100)
    return clean


def _check_validity(valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationFailed(fields={"valid_to": [_("The end is before the start.")]})


@transaction.atomic
def create_price_list(
    *,
    actor: Any,
    code: str,
    name: str,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> PriceList:
    require(actor, perms.PRICE_LIST_CREATE.code)
    values = _price_list_values({"code": code, "name": name})
    _check_validity(valid_from, valid_to)
    _unique(PriceList, "code", values["code"])
    price_list = _saved(PriceList(**values, valid_from=valid_from, valid_to=valid_to))
    _created(actor, price_list, "catalog.price_list.created", PRICE_LIST_FIELDS)
    return price_list  # type: ignore[return-value]


@transaction.atomic
def update_price_list(
    *, actor: Any, price_list: PriceList, expected_version: int, changes: dict
) -> PriceList:
    require(actor, perms.PRICE_LIST_CHANGE.code)
    _refuse_unknown(changes, PRICE_LIST_FIELDS)
    clean = _price_list_values(changes)
    _check_validity(
        clean.get("valid_from", price_list.valid_from), clean.get("valid_to", price_list.valid_to)
    )
    if "code" in clean:
        _unique(PriceList, "code", clean["code"], exclude=price_list)
    return _update(  # type: ignore[return-value]
        actor=actor,
        instance=price_list,
        expected_version=expected_version,
        changes=clean,
        fields=PRICE_LIST_FIELDS,
        action="catalog.price_list.updated",
    )


@transaction.atomic
def delete_price_list(
    *, actor: Any, price_list: PriceList, expected_version: int | None = None
) -> None:
    require(actor, perms.PRICE_LIST_DELETE.code)
    _check_version(price_list, expected_version)
    items = price_list.items.count()
    audit.record(
        actor=actor,
        action="catalog.price_list.deleted",
        obj=price_list,
        changes={**audit.snapshot(price_list, PRICE_LIST_FIELDS), "items": items},
    )
    price_list.delete()


@transaction.atomic
def set_price(
    *, actor: Any, price_list: PriceList, product: Product, price_fen: int
) -> PriceListItem:
    """The price of ``product`` on ``price_list`` (added or changed); bumps the list's version
    so an editor of the whole list sees the change."""
    require(actor, perms.PRICE_LIST_CHANGE.code)
    price_fen = _fen(price_fen, "price")
    item = (
        PriceListItem.objects.unrestricted()
        .select_for_update()
        .filter(price_list=price_list, product=product)
        .first()
    )
    before = None if item is None else item.price_fen
    if before == price_fen:
        return item
    if item is None:
        item = PriceListItem(price_list=price_list, product=product, price_fen=price_fen)
    item.price_fen = price_fen
    _saved(item)
    PriceList.objects.unrestricted().filter(pk=price_list.pk).update(version=F("version") + 1)
    audit.record(
        actor=actor,
        action="catalog.price.set",
        obj=item,
        changes={"price_list": price_list.pk, "product": product.pk, "price": [before, price_fen]},
    )
    return item


@transaction.atomic
def remove_price(*, actor: Any, price_list: PriceList, product: Product) -> None:
    require(actor, perms.PRICE_LIST_CHANGE.code)
    item = PriceListItem.objects.unrestricted().filter(price_list=price_list, product=product)
    found = item.first()
    if found is None:
        return
    audit.record(
        actor=actor,
        action="catalog.price.removed",
        obj=found,
        changes={"price_list": price_list.pk, "product": product.pk, "price": found.price_fen},
    )
    found.delete()
    PriceList.objects.unrestricted().filter(pk=price_list.pk).update(version=F("version") + 1)


# --- warehouses -------------------------------------------------------------------------------


def _warehouse_values(values: dict[str, Any]) -> dict[str, Any]:
    clean = dict(values)
    if "code" in clean:
        clean["code"] = _text(clean["code"], "code", limit=40)
    if "name" in clean:
        clean["name"] = _text(clean["name"], "name", limit=100)
    return clean


@transaction.atomic
def create_warehouse(*, actor: Any, code: str, name: str, region: Any = None) -> Warehouse:
    require(actor, perms.WAREHOUSE_CREATE.code)
    values = _warehouse_values({"code": code, "name": name})
    _unique(Warehouse, "code", values["code"])
    warehouse = _saved(Warehouse(**values, region=region))
    _created(actor, warehouse, "catalog.warehouse.created", WAREHOUSE_FIELDS)
    return warehouse  # type: ignore[return-value]


@transaction.atomic
def update_warehouse(
    *, actor: Any, warehouse: Warehouse, expected_version: int, changes: dict
) -> Warehouse:
    require(actor, perms.WAREHOUSE_CHANGE.code)
    _refuse_unknown(changes, WAREHOUSE_FIELDS)
    clean = _warehouse_values(changes)
    if "code" in clean:
        _unique(Warehouse, "code", clean["code"], exclude=warehouse)
    return _update(  # type: ignore[return-value]
        actor=actor,
        instance=warehouse,
        expected_version=expected_version,
        changes=clean,
        fields=WAREHOUSE_FIELDS,
        action="catalog.warehouse.updated",
    )


@transaction.atomic
def delete_warehouse(
    *, actor: Any, warehouse: Warehouse, expected_version: int | None = None
) -> None:
    """Delete an empty warehouse: none of its stock on hand and no supply expected there."""
    require(actor, perms.WAREHOUSE_DELETE.code)
    _check_version(warehouse, expected_version)
    if StockLevel.objects.unrestricted().filter(warehouse=warehouse, on_hand__gt=0).exists():
        raise Conflict(_("The warehouse still holds stock; set it to zero first."))
    if (
        IncomingSupply.objects.unrestricted()
        .filter(warehouse=warehouse, status=SupplyStatus.OPEN)
        .exists()
    ):
        raise Conflict(_("Supply is still expected in this warehouse; cancel or move it first."))
    _deleted(actor, warehouse, "catalog.warehouse.deleted", WAREHOUSE_FIELDS)
    warehouse.delete()


# --- stock levels -----------------------------------------------------------------------------


def _locked_level(warehouse: Warehouse, product: Product) -> tuple[StockLevel, bool]:
    """The stock level row, locked for this transaction, created at zero if new."""
    level = (
        StockLevel.objects.unrestricted()
        .select_for_update()
        .filter(warehouse=warehouse, product=product)
        .first()
    )
    if level is not None:
        return level, False
    try:
        with transaction.atomic():
            return StockLevel.objects.create(warehouse=warehouse, product=product), True
    except IntegrityError:  # created by a concurrent request a moment ago
        level = (
            StockLevel.objects.unrestricted()
            .select_for_update()
            .get(warehouse=warehouse, product=product)
        )
        return level, False


@transaction.atomic
def set_stock(
    *,
    actor: Any,
    warehouse: Warehouse,
    product: Product,
    on_hand: int,
    reserved: int | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> StockLevel:
    """Set what a warehouse holds of a product (a stock count, 盘点), with the reason.

    ``expected_version`` is the version the person saw (409 when someone changed the level
    since); a level not yet stored has version 1 once created. ``reserved`` left out keeps the
    reserved quantity as it is."""
    require(actor, perms.STOCK_CHANGE.code)
    on_hand = _quantity(on_hand, "on_hand")
    reason = _text(reason, "reason", limit=300)
    level, created = _locked_level(warehouse, product)
    if not created:
        _check_version(level, expected_version)
    reserved = level.reserved if reserved is None else _quantity(reserved, "reserved")
    before = audit.snapshot(level, STOCK_FIELDS)
    if not created and before == {"on_hand": on_hand, "reserved": reserved}:
        return level
    level.on_hand, level.reserved = on_hand, reserved
    level.version = F("version") + 1
    level.save()
    level.refresh_from_db()
    audit.record(
        actor=actor,
        action="catalog.stock.set",
        obj=level,
        changes={
            **audit.diff(before, audit.snapshot(level, STOCK_FIELDS)),
            "reason": reason,
            "warehouse": warehouse.code,
            "product": product.sku,
        },
    )
    return level


@transaction.atomic
def adjust_stock(
    *, actor: Any, warehouse: Warehouse, product: Product, delta: int, reason: str
) -> StockLevel:
    """Add (or with a negative ``delta`` take) units to stock on hand — a receipt, damage, a
    transfer — with the reason. Adjustments add up whatever the order, so they need no
    version; stock on hand never goes below zero."""
    require(actor, perms.STOCK_CHANGE.code)
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise ValidationFailed(fields={"delta": [_("Enter a whole number other than zero.")]})
    if abs(delta) > MAX_QUANTITY:
        raise ValidationFailed(fields={"delta": [_("At most %(n)d.") % {"n": MAX_QUANTITY}]})
    reason = _text(reason, "reason", limit=300)
    return _adjust(actor=actor, warehouse=warehouse, product=product, delta=delta, reason=reason)


def _adjust(
    *, actor: Any, warehouse: Warehouse, product: Product, delta: int, reason: str
) -> StockLevel:
    level, _created = _locked_level(warehouse, product)
    before = level.on_hand
    if before + delta < 0:
        raise ValidationFailed(
            fields={"delta": [_("Only %(n)d on hand; stock cannot go below zero.") % {"n": before}]}
        )
    if before + delta > MAX_QUANTITY:
        raise ValidationFailed(fields={"delta": [_("At most %(n)d.") % {"n": MAX_QUANTITY}]})
    StockLevel.objects.unrestricted().filter(pk=level.pk).update(
        on_hand=F("on_hand") + delta, version=F("version") + 1, updated_at=timezone.now()
    )
    level.refresh_from_db()
    audit.record(
        actor=actor,
        action="catalog.stock.adjusted",
        obj=level,
        changes={
            "on_hand": [before, level.on_hand],
            "delta": delta,
            "reason": reason,
            "warehouse": warehouse.code,
            "product": product.sku,
        },
    )
    return level


# --- incoming supply --------------------------------------------------------------------------


def _supply_values(values: dict[str, Any]) -> dict[str, Any]:
    clean = dict(values)
    if "kind" in clean and clean["kind"] not in SupplyKind.values:
        raise ValidationFailed(fields={"kind": [_("Choose production or purchase.")]})
    if "quantity" in clean:
        clean["quantity"] = _quantity(clean["quantity"], "quantity", positive=True)
    if "expected_date" in clean and not isinstance(clean["expected_date"], dt.date):
        raise ValidationFailed(fields={"expected_date": [_("Enter a date.")]})
    if "reference" in clean:
        clean["reference"] = _text(clean["reference"], "reference", limit=60, required=False)
    if "note" in clean:
        clean["note"] = _text(clean["note"], "note", limit=300, required=False)
    return clean


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
    note: str = "",
) -> IncomingSupply:
    """Production or a purchase expected to arrive in ``warehouse`` on ``expected_date``."""
    require(actor, perms.SUPPLY_CREATE.code)
    values = _supply_values(
        {
            "kind": kind,
            "quantity": quantity,
            "expected_date": expected_date,
            "reference": reference,
            "note": note,
        }
    )
    if values["reference"]:
        _unique(IncomingSupply, "reference", values["reference"])
    supply = _saved(IncomingSupply(warehouse=warehouse, product=product, **values))
    _created(actor, supply, "catalog.supply.added", SUPPLY_FIELDS)
    return supply  # type: ignore[return-value]


def _open(supply: IncomingSupply, expected_version: int | None) -> None:
    _check_version(supply, expected_version)
    if supply.status != SupplyStatus.OPEN:
        raise Conflict(
            _("This supply is already %(status)s.") % {"status": supply.get_status_display()}
        )


@transaction.atomic
def update_supply(
    *, actor: Any, supply: IncomingSupply, expected_version: int, changes: dict
) -> IncomingSupply:
    """Move the expected date, change the quantity, the kind or the reference of open supply."""
    require(actor, perms.SUPPLY_CHANGE.code)
    _refuse_unknown(changes, SUPPLY_EDITABLE)
    _open(supply, expected_version)
    clean = _supply_values(changes)
    if clean.get("reference"):
        _unique(IncomingSupply, "reference", clean["reference"], exclude=supply)
    return _update(  # type: ignore[return-value]
        actor=actor,
        instance=supply,
        expected_version=expected_version,
        changes=clean,
        fields=SUPPLY_FIELDS,
        action="catalog.supply.updated",
    )


@transaction.atomic
def receive_supply(
    *,
    actor: Any,
    supply: IncomingSupply,
    expected_version: int,
    received_on: dt.date | None = None,
) -> IncomingSupply:
    """The supply has arrived: it stops counting as incoming and its quantity is added to
    the warehouse's stock on hand (one entry for each)."""
    require(actor, perms.SUPPLY_CHANGE.code)
    require(actor, perms.STOCK_CHANGE.code)
    supply = IncomingSupply.objects.unrestricted().select_for_update().get(pk=supply.pk)
    _open(supply, expected_version)
    received_on = received_on or timezone.localdate()
    _update(
        actor=actor,
        instance=supply,
        expected_version=expected_version,
        changes={"status": SupplyStatus.RECEIVED, "received_on": received_on},
        fields=SUPPLY_FIELDS,
        action="catalog.supply.received",
    )
    _adjust(
        actor=actor,
        warehouse=supply.warehouse,
        product=supply.product,
        delta=supply.quantity,
        reason=_("Supply %(ref)s received") % {"ref": supply.reference or supply.pk},
    )
    return supply


@transaction.atomic
def cancel_supply(
    *, actor: Any, supply: IncomingSupply, expected_version: int, reason: str
) -> IncomingSupply:
    """The supply will not come: it no longer counts towards availability (kept on record)."""
    require(actor, perms.SUPPLY_CHANGE.code)
    reason = _text(reason, "reason", limit=300)
    _open(supply, expected_version)
    return _update(  # type: ignore[return-value]
        actor=actor,
        instance=supply,
        expected_version=expected_version,
        changes={"status": SupplyStatus.CANCELLED},
        fields=SUPPLY_FIELDS,
        action="catalog.supply.cancelled",
        extra={"reason": reason},
    )
