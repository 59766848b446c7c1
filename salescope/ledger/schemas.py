from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from salescope.core.api import InputSchema, OutSchema, field_of
from salescope.core.bounds import Amount, Id, Quantity, Version
from salescope.customers.schemas import CustomerOut


class Ref(Schema):
    id: int
    name: str


class CustomerRef(OutSchema):
    id: int
    code: str
    name: str


class PersonRef(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> Any:
        return field_of(obj, "display_name")


class SalesLineOut(OutSchema):
    id: int
    line_key: str
    date: date
    kind: str
    customer: CustomerRef
    product_id: Id
    category_id: Id | None
    brand_id: Id | None
    salesperson_id: Id | None
    region_id: Id | None
    channel: str
    sale_location: str
    quantity: Decimal
    amount: Decimal
    cross_territory: bool


class OrderLineIn(InputSchema):
    product_id: Id
    quantity: Quantity
    unit_price: Amount | None = None


class OrderIn(InputSchema):
    customer_id: Id
    number: str = Field(..., min_length=1, max_length=60)
    date: date
    lines: list[OrderLineIn]


class OrderOut(Schema):
    id: int
    number: str
    customer: CustomerRef
    owner: PersonRef
    date: date
    status: str
    amount: Decimal
    hold_reason: str  # worded in the request's language (the order keeps facts)
    release_reason: str
    version: Version

    @staticmethod
    def resolve_hold_reason(obj: Any) -> str:
        return obj.hold_reason_text if hasattr(obj, "hold_reason_text") else obj["hold_reason"]


class VersionIn(InputSchema):
    version: Version


class ReleaseIn(InputSchema):
    version: Version
    reason: str = Field(..., min_length=1, max_length=300)


class InvoiceIn(InputSchema):
    customer_id: Id
    number: str = Field(..., min_length=1, max_length=60)
    issue_date: date
    amount: Amount
    due_date: date | None = None
    order_id: Id | None = None


class InvoiceOut(Schema):
    id: int
    number: str
    customer: CustomerRef
    owner: PersonRef
    issue_date: date
    due_date: date
    amount: Decimal
    balance: Decimal
    status: str


class CollectionIn(InputSchema):
    customer_id: Id
    number: str = Field(..., min_length=1, max_length=60)
    date: date
    amount: Amount
    method: str = ""
    allocate: bool = True


class CollectionOut(Schema):
    id: int
    number: str
    customer: CustomerRef
    date: date
    amount: Decimal
    allocated: Decimal
    method: str

    @staticmethod
    def resolve_allocated(obj: Any) -> Decimal:
        return (Decimal(obj.allocated_fen) / 100).quantize(Decimal("0.01"))


class AllocationIn(InputSchema):
    invoice_id: Id
    amount: Amount


class AgeingRowOut(Schema):
    key: int | None
    label: str | None = None
    buckets: dict[str, Decimal]
    total: Decimal


class AgeingOut(Schema):
    as_of: date
    buckets: list[dict[str, Any]]
    rows: list[AgeingRowOut]
    row_count: int = Field(description="Rows in all (rows holds a page of them: limit, offset).")
    total: dict[str, Decimal]


class DsoOut(Schema):
    as_of: date
    days: int
    dso: Decimal | None


class ImportJobOut(Schema):
    id: int
    kind: str
    status: str
    filename: str
    processed_rows: int
    total_rows: int
    result: dict[str, Any]
    error: str


class DealerHealthOut(Schema):
    customer: CustomerOut
    status: str
    trend: Decimal | None
    last_purchase: date | None
    recent: Decimal
    previous: Decimal


class SalesViewIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    spec: dict[str, Any]


class SalesViewOut(Schema):
    id: int
    name: str
    spec: dict[str, Any]
    version: int
    updated_at: datetime
