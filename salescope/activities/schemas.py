import datetime as dt
from decimal import Decimal
from uuid import UUID

from ninja import Field, Schema


class Ref(Schema):
    id: int
    name: str


class ActivityPersonRef(Schema):
    id: int
    username: str
    name: str = Field(alias="display_name")


class VisitOut(Schema):
    id: int
    owner: ActivityPersonRef
    customer: Ref
    visit_type: str
    purpose: str
    planned_date: dt.date
    planned_time: dt.time | None
    status: str
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    minutes: int | None
    distance_m: int | None
    is_far: bool
    outcome: str
    notes: str
    cost: Decimal
    order_number: str
    client_id: UUID | None
    version: int


class VisitIn(Schema):
    customer_id: int
    planned_date: dt.date
    planned_time: dt.time | None = None
    visit_type: str = "routine"
    purpose: str = ""


class CheckInIn(Schema):
    latitude: float | None = None
    longitude: float | None = None
    accuracy: float | None = None


class CheckOutIn(Schema):
    outcome: str
    notes: str = ""
    cost: Decimal | None = None
    order_number: str = ""
    latitude: float | None = None
    longitude: float | None = None


class OfflineVisitIn(Schema):
    client_id: UUID
    customer_id: int
    visit_id: int | None = None
    visit_type: str = "routine"
    checked_in_at: dt.datetime
    checked_out_at: dt.datetime
    outcome: str
    notes: str = ""
    cost: Decimal | None = None
    latitude: float | None = None
    longitude: float | None = None


class AnswerIn(Schema):
    done: bool
    feedback: str = ""
    number: Decimal | None = None


class ChecklistRowOut(Schema):
    item_id: int
    text: str
    kind: str
    done: bool | None
    feedback: str
    number: Decimal | None


class ReportOut(Schema):
    id: int
    author: ActivityPersonRef
    kind: str
    period_start: dt.date
    period_end: dt.date
    status: str
    facts: dict
    summary: str
    problems: str
    next_plan: str
    submitted_at: dt.datetime | None
    comment: str
    rating: int | None
    reviewed_at: dt.datetime | None
    version: int


class ReportDraftIn(Schema):
    kind: str = "daily"
    day: dt.date


class ReportPatch(Schema):
    version: int
    summary: str = ""
    problems: str = ""
    next_plan: str = ""
    submit: bool = False


class ReviewIn(Schema):
    version: int
    comment: str
    rating: int


class UncoveredOut(Schema):
    customer: Ref
    tier: str
    required: int
    planned: int
