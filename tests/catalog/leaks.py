"""The catalogue routes in the leak matrix: every signed-in person may see products."""

import itertools

from salescope.catalog.models import Product
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
