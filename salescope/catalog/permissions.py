"""The catalogue's writes and who may make them (R5). Which records is ``org.visibility``.

The catalogue is company data: the product manager's work, done here by marketing (产品/市场部),
the sales director and the administrator — the same roles the catalogue's ownership lets change
it (``models.CATALOG_EDITORS``). Cost stays a protected field (``models.COST_ROLES``, R6).
"""

from salescope.catalog.models import CATALOG_EDITORS
from salescope.org.permissions import declare

EDITORS = frozenset(str(role) for role in CATALOG_EDITORS)

BRAND_CREATE = declare("catalog.brand.create", roles=EDITORS)
BRAND_CHANGE = declare("catalog.brand.change", roles=EDITORS)
BRAND_DELETE = declare("catalog.brand.delete", roles=EDITORS)
CATEGORY_CREATE = declare("catalog.category.create", roles=EDITORS)
CATEGORY_CHANGE = declare("catalog.category.change", roles=EDITORS)
CATEGORY_DELETE = declare("catalog.category.delete", roles=EDITORS)
PRODUCT_CREATE = declare("catalog.product.create", roles=EDITORS)
PRODUCT_CHANGE = declare("catalog.product.change", roles=EDITORS)
PRODUCT_DELETE = declare("catalog.product.delete", roles=EDITORS)
PRICE_LIST_CREATE = declare("catalog.price_list.create", roles=EDITORS)
PRICE_LIST_CHANGE = declare("catalog.price_list.change", roles=EDITORS)
PRICE_LIST_DELETE = declare("catalog.price_list.delete", roles=EDITORS)
WAREHOUSE_CREATE = declare("catalog.warehouse.create", roles=EDITORS)
WAREHOUSE_CHANGE = declare("catalog.warehouse.change", roles=EDITORS)
WAREHOUSE_DELETE = declare("catalog.warehouse.delete", roles=EDITORS)
STOCK_CHANGE = declare("catalog.stock.change", roles=EDITORS)
SUPPLY_CREATE = declare("catalog.supply.create", roles=EDITORS)
SUPPLY_CHANGE = declare("catalog.supply.change", roles=EDITORS)
