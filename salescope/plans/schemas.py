import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from salescope.core.api import InputSchema, field_of
from salescope.core.bounds import MAX_AMOUNT, Id, Version
from salescope.plans.choices import Axis, Method, Metric


class PlanIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    fiscal_year: int
    quarter: int | None = None
    scope_unit_id: Id
    deadline: dt.date | None = None
    sections: dict[str, str] = {}
    pace_basis: str = "calendar"


class PlanPatch(InputSchema):
    version: Version
    name: str | None = None
    deadline: dt.date | None = None
    sections: dict[str, str] | None = None
    pace_basis: str | None = None
    warning_threshold: int | None = None


class TransitionIn(InputSchema):
    action: str = Field(..., description="submit, start_review, return, approve, new_version")
    version: Version
    note: str = ""


class PlanOut(Schema):
    id: int
    name: str
    fiscal_year: int
    quarter: int | None
    period_start: dt.date
    period_end: dt.date
    scope_unit_id: Id
    owner_id: Id
    status: str
    deadline: dt.date | None
    sections: dict[str, str]
    revision: int
    pace_basis: str
    warning_threshold: int
    version: Version


class TargetOut(Schema):
    id: int
    plan_id: Id
    metric: str
    parent_id: Id | None
    axis: str
    depth: int
    label: str
    unit_id: Id | None
    person_id: Id | None
    category_id: Id | None
    brand_id: Id | None = None
    product_id: Id | None = None
    customer_id: Id | None
    period_start: dt.date
    period_end: dt.date
    grain: str
    value: Decimal
    bottom_up: Decimal | None
    locked: bool
    method: str
    is_leaf: bool
    version: Version

    @staticmethod
    def resolve_value(obj: Any) -> Any:
        return field_of(obj, "amount")

    @staticmethod
    def resolve_bottom_up(obj: Any) -> Any:
        return field_of(obj, "bottom_up_amount")


class TotalIn(InputSchema):
    metric: Metric
    value: Decimal = Field(..., ge=0, le=MAX_AMOUNT, decimal_places=2)


class StepIn(InputSchema):
    axis: Axis
    method: Method = Method.EQUAL
    weights: list[Decimal] | None = None
    members: list[int] | None = None


class DecomposeIn(InputSchema):
    version: Version
    steps: list[StepIn] = Field(..., max_length=8)  # none: 422 from the service, after 403
    each_child: bool = False  # keep the cell's parts and apply the chain to every one


class PlansDecomposePreviewIn(InputSchema):
    steps: list[StepIn] = Field(..., max_length=8)
    each_child: bool = False


class DecomposeOut(Schema):
    cells_created: int


class PlansPreviewLevelOut(Schema):
    axis: str
    methods: list[str]
    cells: int
    total: Decimal
    smallest: Decimal
    largest: Decimal


class PlansPreviewPartOut(Schema):
    label: str
    value: Decimal
    locked: bool


class PlansDecompositionPreviewOut(Schema):
    cells: int
    leaves_total: Decimal
    locks_kept: int
    levels: list[PlansPreviewLevelOut]
    parts: list[PlansPreviewPartOut]


class CellEditIn(InputSchema):
    id: int
    version: Version
    value: Decimal | None = Field(None, ge=0, le=MAX_AMOUNT, decimal_places=2)
    locked: bool | None = None
    bottom_up: Decimal | None = Field(None, ge=0, le=MAX_AMOUNT, decimal_places=2)
    clear_bottom_up: bool = False


class CellsIn(InputSchema):
    cells: list[CellEditIn] = Field(..., max_length=10_000)


class BottomUpIn(InputSchema):
    version: Version
    bottom_up: Decimal | None = Field(None, ge=0, le=MAX_AMOUNT, decimal_places=2)


class CommentIn(InputSchema):
    text: str = Field(..., min_length=1, max_length=4000)


class CommentOut(Schema):
    id: int
    target_id: Id
    author_id: Id
    text: str
    created_at: dt.datetime


class AcknowledgementOut(Schema):
    id: int
    plan_id: Id
    person_id: Id
    revision: int
    requested_at: dt.datetime
    acknowledged_at: dt.datetime | None
    note: str


class AcknowledgeIn(InputSchema):
    note: str = ""


class ActionStepIn(InputSchema):
    what: str = Field(..., min_length=1, max_length=300)
    assignee_id: Id
    due_date: dt.date
    where: str = ""
    how: str = ""


class ActionStepPatch(InputSchema):
    version: Version
    what: str | None = None
    assignee_id: Id | None = None
    due_date: dt.date | None = None
    where: str | None = None
    how: str | None = None
    status: str | None = None


class ActionStepOut(Schema):
    id: int
    plan_id: Id
    what: str
    assignee_id: Id
    where: str
    due_date: dt.date
    how: str
    status: str
    done_at: dt.datetime | None
    version: Version


class TargetsUnassignedOut(Schema):
    units: list[dict]
    people: list[dict]


class DiffOut(Schema):
    from_revision: int
    to_revision: int | str
    sections: list[dict]
    cells: list[dict]


class TargetsImportOut(Schema):
    accepted: int
    rejected: int
    updated: int
    unchanged: int
    recomputed: int
    errors: list[dict]
