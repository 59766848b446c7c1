from decimal import Decimal

from ninja import Field, Schema


class Ref(Schema):
    id: int
    name: str


class PersonRef(Schema):
    id: int
    username: str
    name: str = Field(..., alias="display_name")


class CustomerOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    tier: str
    status: str
    owner: PersonRef | None
    territory: Ref | None
    sales_area: str
    parent_id: int | None
    phone: str
    tax_number: str
    address: str
    credit_limit: Decimal | None
    payment_terms_days: int
    version: int


class CustomerIn(Schema):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=200)
    kind: str = "end_customer"
    tier: str = ""
    owner_id: int | None = None
    territory_id: int | None = None
    sales_area: str = ""
    phone: str = ""
    tax_number: str = ""
    address: str = ""
    credit_limit: Decimal | None = None
    payment_terms_days: int | None = Field(None, ge=0, le=3650)


class CustomerPatch(Schema):
    version: int
    code: str | None = Field(None, min_length=1, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: str | None = None
    tier: str | None = None
    owner_id: int | None = None
    territory_id: int | None = None
    sales_area: str | None = None
    phone: str | None = None
    tax_number: str | None = None
    address: str | None = None
    credit_limit: Decimal | None = None
    payment_terms_days: int | None = Field(None, ge=0, le=3650)


class ContactIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    title: str = ""
    phone: str = ""
    email: str = ""
    is_primary: bool = False


class ContactOut(Schema):
    id: int
    name: str
    title: str
    phone: str
    email: str
    is_primary: bool


class MergeIn(Schema):
    keep_id: int
    duplicate_ids: list[int]


class HandoverIn(Schema):
    from_user_id: int
    to_user_id: int
    reason: str = ""


class HandoverOut(Schema):
    customers: int
    orders: int
    invoices: int
    collections: int


class DuplicateGroupOut(Schema):
    by: str
    key: str
    customers: list[CustomerOut]


class MissingOut(Schema):
    customer: CustomerOut
    fields: list[str]


class DataQualityOut(Schema):
    duplicates: list[DuplicateGroupOut]
    missing: list[MissingOut]


class OrphansOut(Schema):
    customers: list[int]
    orders: list[int]
    invoices: list[int]
