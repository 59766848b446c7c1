from decimal import Decimal

from ninja import Field, Schema

from salescope.core.api import InputSchema, OutSchema
from salescope.core.bounds import Amount, Id, Version


class Ref(OutSchema):
    id: int
    name: str


class PersonRef(OutSchema):
    id: int
    username: str
    name: str = Field(validation_alias="display_name")


class CustomerOut(OutSchema):
    id: int
    code: str
    name: str
    kind: str
    tier: str
    status: str
    owner: PersonRef | None
    territory: Ref | None
    sales_area: str
    parent_id: Id | None
    phone: str
    tax_number: str
    address: str
    credit_limit: Decimal | None
    payment_terms_days: int
    version: Version


class CustomerIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=200)
    kind: str = "end_customer"
    tier: str = ""
    owner_id: Id | None = None
    territory_id: Id | None = None
    sales_area: str = ""
    phone: str = ""
    tax_number: str = ""
    address: str = ""
    credit_limit: Amount | None = None
    payment_terms_days: int | None = Field(None, ge=0, le=3650)


class CreditTermsIn(InputSchema):
    """Credit limit (None: no limit) and payment terms in days (信用额度、账期)."""

    version: Version
    credit_limit: Amount | None = Field(None, ge=0)
    payment_terms_days: int = Field(ge=0, le=3650)


class CustomerPatch(InputSchema):
    version: Version
    code: str | None = Field(None, min_length=1, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: str | None = None
    tier: str | None = None
    owner_id: Id | None = None
    territory_id: Id | None = None
    sales_area: str | None = None
    phone: str | None = None
    tax_number: str | None = None
    address: str | None = None
    credit_limit: Amount | None = None
    payment_terms_days: int | None = Field(None, ge=0, le=3650)


class ContactIn(InputSchema):
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


class MergeIn(InputSchema):
    keep_id: Id
    duplicate_ids: list[int]


class HandoverIn(InputSchema):
    from_user_id: Id
    to_user_id: Id
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
