"""The catalogue routes in the leak matrix: every signed-in person may see products."""

import datetime as dt
import itertools

from salescope.catalog.models import (
    Brand,
    Category,
    IncomingSupply,
    PriceList,
    PriceListItem,
    Product,
    Warehouse,
)
from tests.visibility.registry import Target, register

_serial = itertools.count(1)


@register(
    "catalog:product",
    "/api/v1/products/{product_id}",
    "/api/v1/products/{product_id}/availability",
)
def product(personas, owner):
    made = Product.objects.create(sku=f"LEAK-P{next(_serial)}", name="测试产品", list_price_fen=100)
    key = "product_id"
    return Target(params={"pk": made.pk, key: made.pk, "quantity": 1}, obj=made, everyone_sees=True)


@register("/api/v1/catalog/products/{product_id}", "catalog:product-edit")
def editable_product(personas, owner):
    made = Product.objects.create(sku=f"LEAK-E{next(_serial)}", name="测试产品", list_price_fen=1)
    return Target(params={"pk": made.pk, "product_id": made.pk}, obj=made, everyone_sees=True)


@register("/api/v1/catalog/brands/{brand_id}", "catalog:brand")
def brand(personas, owner):
    made = Brand.objects.create(code=f"LEAK-B{next(_serial)}", name=f"品牌{next(_serial)}")
    return Target(params={"pk": made.pk, "brand_id": made.pk}, obj=made, everyone_sees=True)


@register("/api/v1/catalog/categories/{category_id}", "catalog:category")
def category(personas, owner):
    made = Category.objects.create(code=f"LEAK-C{next(_serial)}", name=f"品类{next(_serial)}")
    made.path = f"{made.pk}/"
    made.save(update_fields=["path"])
    return Target(params={"pk": made.pk, "category_id": made.pk}, obj=made, everyone_sees=True)


@register(
    "/api/v1/catalog/price-lists/{price_list_id}",
    "/api/v1/catalog/price-lists/{price_list_id}/prices",
    "/api/v1/catalog/price-lists/{price_list_id}/prices/{product_id}",
    "catalog:price-list",
)
def price_list(personas, owner):
    made = PriceList.objects.create(code=f"LEAK-L{next(_serial)}", name="价目表")
    product = Product.objects.create(sku=f"LEAK-Q{next(_serial)}", name="测试产品")
    PriceListItem.objects.create(price_list=made, product=product, price_fen=100)
    params = {"pk": made.pk, "price_list_id": made.pk, "product_id": product.pk}
    return Target(
        params=params,
        obj=made,
        everyone_sees=True,
        bodies={"POST": {"product_id": product.pk, "price": "2.00"}},
    )


@register("/api/v1/catalog/warehouses/{warehouse_id}", "catalog:warehouse")
def warehouse(personas, owner):
    made = Warehouse.objects.create(code=f"LEAK-W{next(_serial)}", name="测试仓")
    return Target(params={"pk": made.pk, "warehouse_id": made.pk}, obj=made, everyone_sees=True)


@register(
    "/api/v1/catalog/supply/{supply_id}",
    "/api/v1/catalog/supply/{supply_id}/receive",
    "/api/v1/catalog/supply/{supply_id}/cancel",
    "catalog:supply",
)
def supply(personas, owner):
    made = IncomingSupply.objects.create(
        warehouse=Warehouse.objects.create(code=f"LEAK-S{next(_serial)}", name="测试仓"),
        product=Product.objects.create(sku=f"LEAK-R{next(_serial)}", name="测试产品"),
        kind="purchase",
        quantity=10,
        expected_date=dt.date(2030, 1, 1),
        reference=f"LEAK-PO{next(_serial)}",
    )
    return Target(params={"pk": made.pk, "supply_id": made.pk}, obj=made, everyone_sees=True)
