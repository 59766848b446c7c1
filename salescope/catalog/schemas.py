from datetime import date
from decimal import Decimal

from ninja import Schema

from salescope.core.bounds import Id, Version


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


class AvailabilityOut(Schema):
    product_id: Id
    quantity: int
    available_now: int
    on_hand: int
    committed: int
    date: date | None
    within_horizon: bool
    horizon_days: int


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent_id: Id | None


class BrandOut(Schema):
    id: int
    code: str
    name: str
