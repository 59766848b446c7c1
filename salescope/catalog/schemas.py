from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from salescope.core.api import InputSchema
from salescope.core.bounds import Id, Version

MAX_UNITS = 10**9
MAX_PRICE = Decimal(10**11)


class Ref(Schema):
    id: int
    name: str


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    brand: Ref | None
    category: Ref | None
    unit: str
    list_price: Decimal
    active: bool
    version: Version


class ProductCostOut(ProductOut):
    cost: Decimal


class CatalogIncomingOut(Schema):
    date: date
    quantity: int


class CatalogCustomerTermsOut(Schema):
    """What the customer changes (from the ledger): a held customer gets no date."""

    customer_id: Id
    customer_name: str = ""
    credit_hold: bool
    reasons: list[str]
    own_open_orders: int = 0


class AvailabilityOut(Schema):
    """Every input of the answer (H3), labelled on the page: 在库 on_hand, 已预留 reserved,
    已承诺 committed (open orders), 在途 incoming by date."""

    product_id: Id
    warehouse_id: Id | None = None
    quantity: int
    available_now: int
    on_hand: int
    reserved: int
    committed: int
    incoming: list[CatalogIncomingOut]
    incoming_total: int
    date: date | None
    within_horizon: bool
    horizon_days: int
    customer: CatalogCustomerTermsOut | None = None
    credit_hold: bool
    deliverable: bool


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent_id: Id | None


class BrandOut(Schema):
    id: int
    code: str
    name: str


# --- the write API (/catalog/…) ---------------------------------------------------------------


class CatalogBrandOut(BrandOut):
    version: Version


class CatalogBrandIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    code: str = Field("", max_length=40)


class CatalogBrandPatch(InputSchema):
    version: Version
    name: str | None = Field(None, min_length=1, max_length=100)
    code: str | None = Field(None, min_length=1, max_length=40)


class CatalogVersionIn(InputSchema):
    version: Version


class CatalogCategoryOut(CategoryOut):
    path: str
    version: Version


class CatalogCategoryIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    code: str = Field("", max_length=40)
    parent_id: Id | None = None


class CatalogCategoryPatch(InputSchema):
    version: Version
    name: str | None = Field(None, min_length=1, max_length=100)
    code: str | None = Field(None, min_length=1, max_length=40)
    parent_id: Id | None = None


class CatalogProductIn(InputSchema):
    sku: str = Field(..., min_length=1, max_length=60)
    name: str = Field(..., min_length=1, max_length=200)
    brand_id: Id | None = None
    category_id: Id | None = None
    unit: str = Field("箱", min_length=1, max_length=20)
    list_price: Decimal = Field(Decimal(0), ge=0, le=MAX_PRICE, decimal_places=2)
    cost: Decimal | None = Field(None, ge=0, le=MAX_PRICE, decimal_places=2)
    active: bool = True


class CatalogProductPatch(InputSchema):
    version: Version
    sku: str | None = Field(None, min_length=1, max_length=60)
    name: str | None = Field(None, min_length=1, max_length=200)
    brand_id: Id | None = None
    category_id: Id | None = None
    unit: str | None = Field(None, min_length=1, max_length=20)
    list_price: Decimal | None = Field(None, ge=0, le=MAX_PRICE, decimal_places=2)
    cost: Decimal | None = Field(None, ge=0, le=MAX_PRICE, decimal_places=2)
    active: bool | None = None


class CatalogPriceListOut(Schema):
    id: int
    code: str
    name: str
    valid_from: date | None
    valid_to: date | None
    version: Version


class CatalogPriceListIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=100)
    valid_from: date | None = None
    valid_to: date | None = None


class CatalogPriceListPatch(InputSchema):
    version: Version
    code: str | None = Field(None, min_length=1, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=100)
    valid_from: date | None = None
    valid_to: date | None = None


class CatalogPriceOut(Schema):
    product_id: Id
    sku: str
    price: Decimal


class CatalogPriceIn(InputSchema):
    product_id: Id
    price: Decimal = Field(..., ge=0, le=MAX_PRICE, decimal_places=2)


class CatalogWarehouseOut(Schema):
    id: int
    code: str
    name: str
    region_id: Id | None
    version: Version


class CatalogWarehouseIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=100)
    region_id: Id | None = None


class CatalogWarehousePatch(InputSchema):
    version: Version
    code: str | None = Field(None, min_length=1, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=100)
    region_id: Id | None = None


class CatalogStockOut(Schema):
    id: int
    warehouse_id: Id
    warehouse_code: str
    product_id: Id
    sku: str
    on_hand: int
    reserved: int
    version: Version

    @staticmethod
    def resolve_warehouse_code(obj: Any) -> str:
        return str(obj.warehouse.code)

    @staticmethod
    def resolve_sku(obj: Any) -> str:
        return str(obj.product.sku)


class CatalogStockSetIn(InputSchema):
    """Set stock on hand (a count, 盘点). ``version``: the level's version as loaded (left out
    for a level not yet stored)."""

    warehouse_id: Id
    product_id: Id
    on_hand: int = Field(..., ge=0, le=MAX_UNITS)
    reserved: int | None = Field(None, ge=0, le=MAX_UNITS)
    reason: str = Field(..., min_length=1, max_length=300)
    version: Version | None = None


class CatalogStockAdjustIn(InputSchema):
    warehouse_id: Id
    product_id: Id
    delta: int = Field(..., ge=-MAX_UNITS, le=MAX_UNITS)
    reason: str = Field(..., min_length=1, max_length=300)


class CatalogSupplyOut(Schema):
    id: int
    warehouse_id: Id
    warehouse_code: str
    product_id: Id
    sku: str
    kind: str
    quantity: int
    expected_date: date
    reference: str
    note: str
    status: str
    received_on: date | None
    version: Version

    @staticmethod
    def resolve_warehouse_code(obj: Any) -> str:
        return str(obj.warehouse.code)

    @staticmethod
    def resolve_sku(obj: Any) -> str:
        return str(obj.product.sku)


class CatalogSupplyIn(InputSchema):
    warehouse_id: Id
    product_id: Id
    kind: str = Field(..., min_length=1, max_length=20)
    quantity: int = Field(..., gt=0, le=MAX_UNITS)
    expected_date: date
    reference: str = Field("", max_length=60)
    note: str = Field("", max_length=300)


class CatalogSupplyPatch(InputSchema):
    version: Version
    warehouse_id: Id | None = None
    product_id: Id | None = None
    kind: str | None = Field(None, min_length=1, max_length=20)
    quantity: int | None = Field(None, gt=0, le=MAX_UNITS)
    expected_date: date | None = None
    reference: str | None = Field(None, max_length=60)
    note: str | None = Field(None, max_length=300)


class CatalogSupplyReceiveIn(InputSchema):
    version: Version
    received_on: date | None = None


class CatalogSupplyCancelIn(InputSchema):
    version: Version
    reason: str = Field(..., min_length=1, max_length=300)
