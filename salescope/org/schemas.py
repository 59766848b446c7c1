from datetime import datetime

from ninja import Field, Schema


class UnitRef(Schema):
    id: int
    name: str
    code: str
    kind: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str = Field(..., alias="display_name")
    role: str
    unit: UnitRef | None
    language: str


class TokenIn(Schema):
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
