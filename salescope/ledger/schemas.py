from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from salescope.customers.schemas import CustomerOut


class Ref(Schema):
    id: int
    name: str


class CustomerRef(Schema):
    id: int
    code: str
    name: str


class PersonRef(Schema):
    id: int
    username: str
    name: str = Field(..., alias="display_name")


class SalesLineOut(Schema):
    id: int
    line_key: str
    date: date
    kind: str
    customer: CustomerRef
    product_id: int
    category_id: int | None
    brand_id: int | None
    salesperson_id: int | None
    region_id: int | None
    channel: str
    sale_location: str
    quantity: Decimal
    amount: Decimal
    cross_territory: bool


class OrderLineIn(Schema):
    product_id: int
    quantity: int = Field(..., gt=0)
    unit_price: Decimal | None = None


class OrderIn(Schema):
    customer_id: int
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
    hold_reason: str
    release_reason: str
    version: int


class VersionIn(Schema):
    version: int


class ReleaseIn(Schema):
    version: int
    reason: str = Field(..., min_length=1, max_length=300)


class InvoiceIn(Schema):
    customer_id: int
    number: str = Field(..., min_length=1, max_length=60)
    issue_date: date
    amount: Decimal
    due_date: date | None = None
    order_id: int | None = None


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


class CollectionIn(Schema):
    customer_id: int
    number: str = Field(..., min_length=1, max_length=60)
    date: date
    amount: Decimal
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


class AllocationIn(Schema):
    invoice_id: int
    amount: Decimal


class AgeingRowOut(Schema):
    key: int | None
    label: str | None = None
    buckets: dict[str, Decimal]
    total: Decimal


class AgeingOut(Schema):
    as_of: date
    buckets: list[dict[str, Any]]
    rows: list[AgeingRowOut]
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
