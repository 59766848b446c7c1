"""Import products (H3): ``salescope import products FILE``; stock levels and incoming supply
(``salescope import stock|supply FILE``) further down.

Natural key: the SKU. Brands are found by name or code and categories by their path in the
tree (``饮料/果汁`` or a category plus a subcategory column); missing ones are created. A blank
cell leaves the stored value as it is; cost is a protected field (R6).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salescope.catalog import permissions as perms
from salescope.catalog import services as catalog_services
from salescope.catalog.choices import SupplyKind, SupplyStatus
from salescope.catalog.models import (
    COST_ROLES,
    Brand,
    Category,
    IncomingSupply,
    Product,
    StockLevel,
    Warehouse,
)
from salescope.core.errors import PermissionDenied
from salescope.core.importing.common import (
    Cells,
    ImportOptions,
    ImportResult,
    Outcome,
    Progress,
    RowError,
    Spec,
    capped,
    changed_fields,
    run_import,
    unique_index,
    words_index,
)
from salescope.core.importing.headers import normalize_header
from salescope.core.permissions import require
from salescope.org.models import User
from salescope.org.visibility import can

PRODUCT_FIELDS: dict[str, tuple[str, ...]] = {
    "sku": ("产品编码", "商品编码", "物料编码", "存货编码", "编码", "product_sku", "itemcode"),
    "name": ("产品名称", "商品名称", "品名", "存货名称", "名称", "product_name", "product"),
    "brand": ("品牌", "品牌名称"),
    "category": ("品类", "类别", "大类", "产品类别", "分类", "产品分类", "category_path"),
    "subcategory": ("子类", "小类", "细类", "子品类"),
    "unit": ("单位", "计量单位", "uom"),
    "list_price": ("标准价", "价格", "单价", "售价", "零售价", "出厂价", "目录价", "price"),
    "cost": ("成本", "成本价", "单位成本", "unit_cost"),
}
PRODUCT_LABELS = {
    "sku": gettext_lazy("SKU"),
    "name": gettext_lazy("Product name"),
    "brand": gettext_lazy("Brand"),
    "category": gettext_lazy("Category"),
    "subcategory": gettext_lazy("Subcategory"),
    "unit": gettext_lazy("Unit of measure"),
    "list_price": gettext_lazy("List price"),
    "cost": gettext_lazy("Cost"),
}
_PATH_SEPARATORS = re.compile(r"\s*[/>›»＞\\]+\s*")
_ATTRS = ["name", "brand_id", "category_id", "unit", "list_price_fen", "cost_fen"]


class ProductSpec(Spec):
    kind = "products"
    audit_action = "ledger.products.imported"
    object_type = "catalog.product"
    key_field = "sku"
    fields = PRODUCT_FIELDS
    labels = PRODUCT_LABELS
    required = ("sku", "name")

    def check_permission(self) -> None:
        super().check_permission()
        if not can(self.actor, Product, "change"):
            raise PermissionDenied()

    def check_columns(self, mapped: set[str]) -> None:
        if "cost" in mapped and self.actor.role not in COST_ROLES:
            raise PermissionDenied(fields={"cost": [_("You may not set the cost.")]})

    def load(self) -> None:
        rows = Product.objects.unrestricted().values("pk", "sku", "deleted_at", *_ATTRS)
        self.stored: dict[str, dict[str, Any]] = {row["sku"]: row for row in rows}
        self.brands: dict[str, int] = {}
        for pk, code, name in Brand.objects.unrestricted().values_list("pk", "code", "name"):
            self.brands.setdefault(normalize_header(code), pk)
            self.brands[normalize_header(name)] = pk
        self.categories = {(c.parent_id, c.name): c for c in Category.objects.unrestricted().all()}
        self.created_brands = 0
        self.created_categories = 0

    def parse(self, cells: Cells) -> dict[str, Any]:
        sku = self.text(cells, "sku", 60, required=True)
        existing = self.stored.get(sku)
        if existing is not None and existing["deleted_at"] is not None:
            raise RowError("sku", _("the product is deleted; restore it first"))
        values: dict[str, Any] = {}
        name = self.text(cells, "name", 200, required=existing is None)
        if name:
            values["name"] = name
        unit = self.text(cells, "unit", 20)
        if unit:
            values["unit"] = unit
        for column, attr in (("list_price", "list_price_fen"), ("cost", "cost_fen")):
            fen = self.money(cells, column)
            if fen is not None:
                values[attr] = fen
        brand = self.text(cells, "brand", 100)
        path = _PATH_SEPARATORS.split(self.text(cells, "category", 255))
        path.append(self.text(cells, "subcategory", 100))
        path = [part for part in path if part]
        if any(len(part) > 100 for part in path):
            raise RowError("category", _("longer than %d characters") % 100)
        # Brands and categories are found or created when the rows are written, so a rejected
        # row creates nothing.
        return {"sku": sku, "values": values, "brand": brand, "path": path}

    def _brand(self, name: str) -> int:
        key = normalize_header(name)
        if key not in self.brands:
            self.brands[key] = catalog_services.ensure_brand(name).pk
            self.created_brands += 1
        return self.brands[key]

    def _category(self, path: list[str]) -> int:
        parent: Category | None = None
        for name in path:
            key = (parent.pk if parent else None, name)
            if key not in self.categories:
                self.categories[key] = catalog_services.ensure_category(name, parent)
                self.created_categories += 1
            parent = self.categories[key]
        assert parent is not None
        return parent.pk

    def write(self, records: list[dict[str, Any]]) -> Outcome:
        new: list[Product] = []
        changed: list[Product] = []
        updates: dict[str, Any] = {}
        for record in records:
            if record["brand"]:
                record["values"]["brand_id"] = self._brand(record["brand"])
            if record["path"]:
                record["values"]["category_id"] = self._category(record["path"])
            stored = self.stored.get(record["sku"])
            if stored is None:
                new.append(Product(sku=record["sku"], **record["values"]))
                continue
            diff = changed_fields(stored, record["values"])
            if diff:
                values = {attr: stored[attr] for attr in _ATTRS} | record["values"]
                product = Product(pk=stored["pk"], sku=record["sku"], **values)
                product.version = F("version") + 1
                changed.append(product)
                updates[record["sku"]] = diff
        Product.objects.bulk_create(new, batch_size=500)
        if changed:
            Product.objects.bulk_update(changed, [*_ATTRS, "version"], batch_size=500)
        return Outcome(
            created=len(new),
            updated=len(changed),
            unchanged=len(records) - len(new) - len(changed),
            details={
                "created_skus": capped([p.sku for p in new]),
                "updated_fields": dict(capped(list(updates.items()))),
                "created_brands": self.created_brands,
                "created_categories": self.created_categories,
            },
            extra={
                "created_brands": self.created_brands,
                "created_categories": self.created_categories,
            },
        )


def import_products(
    *,
    actor: User,
    path: Path | str,
    options: ImportOptions,
    progress: Progress | None = None,
    job: Any = None,
) -> ImportResult:
    """Import a product file; one transaction, one audit entry (see the module docstring)."""
    return run_import(
        ProductSpec, actor=actor, path=path, options=options, progress=progress, job=job
    )


# --- stock levels and incoming supply (H3, H4) ------------------------------------------------

WAREHOUSE_WORDS = ("仓库编码", "仓库代码", "仓库", "库房", "仓库名称", "warehouse_code", "whcode")
SKU_WORDS = ("产品编码", "商品编码", "物料编码", "存货编码", "编码", "product_sku", "itemcode")

STOCK_FIELDS: dict[str, tuple[str, ...]] = {
    "warehouse": WAREHOUSE_WORDS,
    "sku": SKU_WORDS,
    "on_hand": ("在库", "在库数量", "库存", "库存数量", "现存量", "结存数量", "数量", "qty"),
    "reserved": ("已预留", "预留", "预留数量", "占用", "占用数量"),
    "reason": ("原因", "调整原因", "备注", "说明", "note"),
}
STOCK_LABELS = {
    "warehouse": gettext_lazy("Warehouse"),
    "sku": gettext_lazy("SKU"),
    "on_hand": gettext_lazy("On hand"),
    "reserved": gettext_lazy("Reserved"),
    "reason": gettext_lazy("Reason"),
}
SUPPLY_FIELDS: dict[str, tuple[str, ...]] = {
    "reference": ("单号", "单据号", "订单号", "采购单号", "生产单号", "参考号", "ref", "po"),
    "warehouse": WAREHOUSE_WORDS,
    "sku": SKU_WORDS,
    "kind": ("类型", "供应类型", "来源", "type"),
    "quantity": ("数量", "在途数量", "到货数量", "qty"),
    "expected_date": ("预计到货日期", "预计到货", "到货日期", "预计日期", "交期", "eta"),
    "status": ("状态", "单据状态"),
    "note": ("备注", "说明"),
}
SUPPLY_LABELS = {
    "reference": gettext_lazy("Reference"),
    "warehouse": gettext_lazy("Warehouse"),
    "sku": gettext_lazy("SKU"),
    "kind": gettext_lazy("Kind"),
    "quantity": gettext_lazy("Quantity"),
    "expected_date": gettext_lazy("Expected date"),
    "status": gettext_lazy("Status"),
    "note": gettext_lazy("Note"),
}
KIND_WORDS = words_index(
    {
        SupplyKind.PRODUCTION: ("生产", "生产入库", "自产", "生产订单", "prod"),
        SupplyKind.PURCHASE: ("采购", "采购入库", "外购", "采购订单", "po"),
    }
)
STATUS_WORDS = words_index(
    {
        SupplyStatus.OPEN: ("在途", "预计", "未到货", "待到货", "open", "expected"),
        SupplyStatus.RECEIVED: ("已到货", "已收货", "已入库", "到货", "received"),
        SupplyStatus.CANCELLED: ("已取消", "取消", "作废", "cancelled", "canceled"),
    }
)
MAX_UNITS = 1_000_000_000


class _Places(Spec):
    """Warehouses by code or name and products by SKU, loaded once."""

    def load(self) -> None:
        rows = Warehouse.objects.unrestricted().values_list("pk", "code", "name")
        self.warehouses = unique_index(
            [(normalize_header(code), pk) for pk, code, _n in rows]
            + [(normalize_header(name), pk) for pk, _c, name in rows]
        )
        self.warehouse_codes = {pk: code for pk, code, _n in rows}
        self.products = {
            sku: (pk, deleted)
            for pk, sku, deleted in Product.objects.unrestricted().values_list(
                "pk", "sku", "deleted_at"
            )
        }
        self.skus = {pk: sku for sku, (pk, _deleted) in self.products.items()}

    def warehouse(self, cells: Cells) -> int:
        text = self.text(cells, "warehouse", 100, required=True)
        pk = self.warehouses.get(normalize_header(text))
        if pk is None:
            raise RowError("warehouse", _("unknown warehouse"))
        return int(pk)

    def product(self, cells: Cells) -> int:
        sku = self.text(cells, "sku", 60, required=True)
        found = self.products.get(sku)
        if found is None:
            raise RowError("sku", _("unknown product"))
        if found[1] is not None:
            raise RowError("sku", _("the product is deleted; restore it first"))
        return int(found[0])

    def other_errors(self, cells: Cells, failed: str) -> list[RowError]:
        """Besides the cells wrong in themselves, an unknown warehouse or SKU of a rejected
        row is reported too, so one run names every bad cell of the row."""
        found = super().other_errors(cells, failed)
        named = {error.field_name for error in found} | {failed}
        for name, look_up in (("warehouse", self.warehouse), ("sku", self.product)):
            if name in named or name not in self.mapped:
                continue
            try:
                look_up(cells)
            except RowError as error:
                found.append(error)
        return found

    def units(self, cells: Cells, name: str, *, required: bool = False) -> int | None:
        value = self.whole(cells, name, maximum=MAX_UNITS)
        if value is None and required:
            raise RowError(name, _("%(field)s is missing") % {"field": self.label(name)})
        return value


class StockSpec(_Places):
    """Stock on hand per warehouse and SKU (a stock count, 盘点): the file's figure replaces
    the stored one; a blank reserved cell keeps the stored reservation."""

    kind = "stock"
    audit_action = "catalog.stock.imported"
    object_type = "catalog.stocklevel"
    key_field = "sku"
    fields = STOCK_FIELDS
    labels = STOCK_LABELS
    required = ("warehouse", "sku", "on_hand")

    def check_permission(self) -> None:
        super().check_permission()
        require(self.actor, perms.STOCK_CHANGE.code)

    def row_key(self, cells: Cells) -> Any:
        # Natural key: warehouse + SKU (the same SKU in two warehouses is two rows).
        warehouse = normalize_header(self.text(cells, "warehouse", 100, required=True))
        return (
            self.warehouses.get(warehouse, warehouse),
            self.text(cells, "sku", 60, required=True),
        )

    def load(self) -> None:
        super().load()
        self.stored = {
            (row["warehouse_id"], row["product_id"]): row
            for row in StockLevel.objects.unrestricted().values(
                "pk", "warehouse_id", "product_id", "on_hand", "reserved"
            )
        }

    def parse(self, cells: Cells) -> dict[str, Any]:
        warehouse = self.warehouse(cells)
        product = self.product(cells)
        values: dict[str, Any] = {"on_hand": self.units(cells, "on_hand", required=True)}
        reserved = self.units(cells, "reserved")
        if reserved is not None:
            values["reserved"] = reserved
        reason = self.text(cells, "reason", 300)
        return {"key": (warehouse, product), "values": values, "reason": reason}

    def write(self, records: list[dict[str, Any]]) -> Outcome:
        new: list[StockLevel] = []
        changed: list[StockLevel] = []
        updates: dict[str, Any] = {}
        for record in records:
            warehouse_id, product_id = record["key"]
            stored = self.stored.get(record["key"])
            if stored is None:
                new.append(
                    StockLevel(warehouse_id=warehouse_id, product_id=product_id, **record["values"])
                )
                continue
            diff = changed_fields(stored, record["values"])
            if diff:
                values = {"on_hand": stored["on_hand"], "reserved": stored["reserved"]}
                level = StockLevel(pk=stored["pk"], **(values | record["values"]))
                level.version = F("version") + 1
                level.updated_at = timezone.now()
                changed.append(level)
                sku = self.skus[product_id]
                key = f"{self.warehouse_codes[warehouse_id]}/{sku}"
                updates[key] = {**diff, "reason": record["reason"]} if record["reason"] else diff
        StockLevel.objects.bulk_create(new, batch_size=500)
        if changed:
            fields = ["on_hand", "reserved", "version", "updated_at"]
            StockLevel.objects.bulk_update(changed, fields, batch_size=500)
        return Outcome(
            created=len(new),
            updated=len(changed),
            unchanged=len(records) - len(new) - len(changed),
            details={"updated_levels": dict(capped(list(updates.items())))},
        )


class SupplySpec(_Places):
    """Incoming production and purchases by their reference (the order number): a new
    reference adds supply, a known one is updated (date moved, quantity changed, received or
    cancelled). Marking supply received here does not add it to stock on hand: the stock
    import (or the page's "received") does, so importing both files never counts it twice."""

    kind = "supply"
    audit_action = "catalog.supply.imported"
    object_type = "catalog.incomingsupply"
    key_field = "reference"
    fields = SUPPLY_FIELDS
    labels = SUPPLY_LABELS
    required = ("reference", "warehouse", "sku", "quantity", "expected_date")

    def check_permission(self) -> None:
        super().check_permission()
        require(self.actor, perms.SUPPLY_CREATE.code)
        require(self.actor, perms.SUPPLY_CHANGE.code)

    def load(self) -> None:
        super().load()
        self.stored = {
            row["reference"]: row
            for row in IncomingSupply.objects.unrestricted()
            .exclude(reference="")
            .values("pk", "reference", *_SUPPLY_ATTRS)
        }

    def _word(self, cells: Cells, name: str, words: dict[str, str]) -> str | None:
        text = self.text(cells, name, 40)
        if not text:
            return None
        value = words.get(normalize_header(text))
        if value is None:
            raise RowError(name, _("unknown value %(value)s") % {"value": text})
        return value

    def _positive(self, cells: Cells) -> int:
        quantity = self.units(cells, "quantity", required=True)
        if not quantity:
            raise RowError("quantity", _("must be more than zero"))
        return quantity

    def other_errors(self, cells: Cells, failed: str) -> list[RowError]:
        found = super().other_errors(cells, failed)
        named = {error.field_name for error in found} | {failed}
        checks = (
            ("kind", lambda: self._word(cells, "kind", KIND_WORDS)),
            ("status", lambda: self._word(cells, "status", STATUS_WORDS)),
            ("quantity", lambda: self._positive(cells)),
        )
        for name, check in checks:
            if name in named or name not in self.mapped:
                continue
            try:
                check()
            except RowError as error:
                found.append(error)
        order = list(self.fields)
        return sorted(found, key=lambda error: order.index(error.field_name))

    def parse(self, cells: Cells) -> dict[str, Any]:
        reference = self.text(cells, "reference", 60, required=True)
        values: dict[str, Any] = {
            "warehouse_id": self.warehouse(cells),
            "product_id": self.product(cells),
            "quantity": self._positive(cells),
            "expected_date": self.date(cells, "expected_date", required=True),
        }
        kind = self._word(cells, "kind", KIND_WORDS)
        status = self._word(cells, "status", STATUS_WORDS)
        note = self.text(cells, "note", 300)
        stored = self.stored.get(reference)
        if kind is not None:
            values["kind"] = kind
        elif stored is None:
            values["kind"] = SupplyKind.PURCHASE
        if status is not None:
            values["status"] = status
        if note:
            values["note"] = note
        closed = stored is not None and stored["status"] != SupplyStatus.OPEN
        if closed and changed_fields(stored, values):  # type: ignore[arg-type]
            raise RowError("status", _("the supply is already closed and cannot change"))
        if values.get("status") == SupplyStatus.RECEIVED and (
            stored is None or stored["status"] != SupplyStatus.RECEIVED
        ):
            values["received_on"] = timezone.localdate()
        return {"reference": reference, "values": values}

    def write(self, records: list[dict[str, Any]]) -> Outcome:
        new: list[IncomingSupply] = []
        changed: list[IncomingSupply] = []
        updates: dict[str, Any] = {}
        for record in records:
            stored = self.stored.get(record["reference"])
            if stored is None:
                new.append(IncomingSupply(reference=record["reference"], **record["values"]))
                continue
            diff = changed_fields(stored, record["values"])
            if diff:
                values = {attr: stored[attr] for attr in _SUPPLY_ATTRS} | record["values"]
                supply = IncomingSupply(pk=stored["pk"], reference=record["reference"], **values)
                supply.version = F("version") + 1
                changed.append(supply)
                updates[record["reference"]] = diff
        IncomingSupply.objects.bulk_create(new, batch_size=500)
        if changed:
            IncomingSupply.objects.bulk_update(changed, [*_SUPPLY_ATTRS, "version"], batch_size=500)
        return Outcome(
            created=len(new),
            updated=len(changed),
            unchanged=len(records) - len(new) - len(changed),
            details={
                "created_references": capped([s.reference for s in new]),
                "updated_fields": dict(capped(list(updates.items()))),
            },
        )


_SUPPLY_ATTRS = ["warehouse_id", "product_id", "kind", "quantity", "expected_date", "status"]
_SUPPLY_ATTRS += ["received_on", "note"]


def import_stock(
    *,
    actor: User,
    path: Path | str,
    options: ImportOptions,
    progress: Progress | None = None,
    job: Any = None,
) -> ImportResult:
    """Import stock on hand per warehouse and SKU; one transaction, one audit entry."""
    return run_import(
        StockSpec, actor=actor, path=path, options=options, progress=progress, job=job
    )


def import_supply(
    *,
    actor: User,
    path: Path | str,
    options: ImportOptions,
    progress: Progress | None = None,
    job: Any = None,
) -> ImportResult:
    """Import incoming supply by reference; one transaction, one audit entry."""
    return run_import(
        SupplySpec, actor=actor, path=path, options=options, progress=progress, job=job
    )
