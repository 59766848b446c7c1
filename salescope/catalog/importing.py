"""Import products (H3): ``salescope import products FILE``.

Natural key: the SKU. Brands are found by name or code and categories by their path in the
tree (``饮料/果汁`` or a category plus a subcategory column); missing ones are created. A blank
cell leaves the stored value as it is; cost is a protected field (R6).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salescope.catalog import services as catalog_services
from salescope.catalog.models import COST_ROLES, Brand, Category, Product
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
)
from salescope.core.importing.headers import normalize_header
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
