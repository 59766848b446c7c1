from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from salescope.core.api import InputSchema, field_of
from salescope.core.bounds import Id, Version


class UnitRef(Schema):
    id: int
    name: str
    code: str
    kind: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    unit: UnitRef | None
    language: str

    @staticmethod
    def resolve_full_name(obj: Any) -> Any:
        return field_of(obj, "display_name")


class TokenIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class IssuedTokenOut(TokenOut):
    token: str


class PersonBrief(Schema):
    id: int
    username: str
    full_name: str

    @staticmethod
    def resolve_full_name(obj: Any) -> Any:
        return field_of(obj, "display_name")


class PositionRef(Schema):
    id: int
    name: str


class UnitOut(Schema):
    id: int
    name: str
    code: str
    kind: str
    parent_id: Id | None
    path: str
    manager: PersonBrief | None
    version: Version


class UnitIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    code: str = Field(..., min_length=1, max_length=30)
    kind: str
    parent_id: Id
    manager_id: Id | None = None


class UnitPatch(InputSchema):
    version: Version
    name: str | None = Field(None, min_length=1, max_length=100)
    code: str | None = Field(None, min_length=1, max_length=30)
    kind: str | None = None
    parent_id: Id | None = None
    manager_id: Id | None = None
    # Set ``manager_id`` to null with ``clear_manager`` (null alone means "unchanged").
    clear_manager: bool = False
    manager_effective_on: date | None = None


class ChartNodeOut(Schema):
    unit: UnitOut
    head_count: int
    total: int
    children: list["ChartNodeOut"]


class PersonOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    phone: str
    role: str
    extra_roles: list[str]
    unit: UnitRef | None
    position: PositionRef | None
    duties: str
    is_active: bool
    version: Version


class PersonIn(InputSchema):
    username: str = Field(..., min_length=1, max_length=150)
    full_name: str = Field(..., min_length=1, max_length=100)
    role: str = "salesperson"
    extra_roles: list[str] = []
    unit_id: Id | None = None
    position_id: Id | None = None
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=30)
    duties: str = ""
    password: str | None = Field(None, max_length=128)
    joined_on: date | None = None


class PersonPatch(InputSchema):
    version: Version
    full_name: str | None = Field(None, min_length=1, max_length=100)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=30)
    role: str | None = None
    extra_roles: list[str] | None = None
    position_id: Id | None = None
    clear_position: bool = False
    duties: str | None = None


class MoveIn(InputSchema):
    version: Version
    unit_id: Id
    effective_on: date | None = None


class VersionIn(InputSchema):
    version: Version


class MembershipOut(Schema):
    unit: UnitRef
    started_on: date
    ended_on: date | None


class PositionOut(Schema):
    id: int
    name: str
    duties: str
    version: Version


class PositionIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    duties: str = ""


class PositionPatch(InputSchema):
    version: Version
    name: str | None = Field(None, min_length=1, max_length=100)
    duties: str | None = None


class TerritoryOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent_id: Id | None
    unit: UnitRef | None
    owner: PersonBrief | None
    version: Version


class TerritoryIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=30)
    name: str = Field(..., min_length=1, max_length=100)
    kind: str = "area"
    parent_id: Id | None = None
    unit_id: Id | None = None
    owner_id: Id | None = None


class TerritoryPatch(InputSchema):
    version: Version
    code: str | None = Field(None, min_length=1, max_length=30)
    name: str | None = Field(None, min_length=1, max_length=100)
    kind: str | None = None
    parent_id: Id | None = None
    unit_id: Id | None = None
    owner_id: Id | None = None
    # Null means "unchanged"; list the fields to empty here, e.g. ["owner"].
    clear: list[str] = []


class ShareOut(Schema):
    id: int
    record_type: str
    record_id: Id
    grantee: PersonBrief | None
    grantee_unit: UnitRef | None
    access: str
    granted_by: PersonBrief | None
    created_at: datetime
    note: str

    @staticmethod
    def resolve_record_type(obj) -> str:  # noqa: ANN001 - ninja resolver
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    @staticmethod
    def resolve_record_id(obj: Any) -> Any:
        return field_of(obj, "object_id")


class ShareIn(InputSchema):
    record_type: str = Field(..., description='"app.model", e.g. "customers.customer"')
    record_id: Id
    grantee_id: Id | None = None
    grantee_unit_id: Id | None = None
    access: str = "view"
    note: str = Field("", max_length=200)


class UnassignedOut(Schema):
    units: list[UnitOut]
    territories: list[TerritoryOut]
    people: list[PersonOut]


class ImportRowError(Schema):
    line: int
    column: str
    reason: str


class ImportOut(Schema):
    units_created: int
    units_updated: int
    people_created: int
    people_updated: int
    unchanged: int
    errors: list[ImportRowError]
