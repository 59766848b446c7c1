import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from salescope.plans.choices import Axis, Method, Metric


class PlanIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    fiscal_year: int
    quarter: int | None = None
    scope_unit_id: int
    deadline: dt.date | None = None
    sections: dict[str, str] = {}
    pace_basis: str = "calendar"


class PlanPatch(Schema):
    version: int
    name: str | None = None
    deadline: dt.date | None = None
    sections: dict[str, str] | None = None
    pace_basis: str | None = None
    warning_threshold: int | None = None


class TransitionIn(Schema):
    action: str = Field(..., description="submit, start_review, return, approve, new_version")
    version: int
    note: str = ""


class PlanOut(Schema):
    id: int
    name: str
    fiscal_year: int
    quarter: int | None
    period_start: dt.date
    period_end: dt.date
    scope_unit_id: int
    owner_id: int
    status: str
    deadline: dt.date | None
    sections: dict[str, str]
    revision: int
    pace_basis: str
    warning_threshold: int
    version: int


class TargetOut(Schema):
    id: int
    plan_id: int
    metric: str
    parent_id: int | None
    axis: str
    depth: int
    label: str
    unit_id: int | None
    person_id: int | None
    category_id: int | None
    customer_id: int | None
    period_start: dt.date
    period_end: dt.date
    grain: str
    value: Decimal = Field(..., alias="amount")
    bottom_up: Decimal | None = Field(None, alias="bottom_up_amount")
    locked: bool
    method: str
    is_leaf: bool
    version: int


class TotalIn(Schema):
    metric: Metric
    value: Decimal = Field(..., ge=0, decimal_places=2)


class StepIn(Schema):
    axis: Axis
    method: Method = Method.EQUAL
    weights: list[Decimal] | None = None
    members: list[int] | None = None


class DecomposeIn(Schema):
    version: int
    steps: list[StepIn] = Field(..., max_length=8)  # none: 422 from the service, after 403


class DecomposeOut(Schema):
    cells_created: int


class CellEditIn(Schema):
    id: int
    version: int
    value: Decimal | None = Field(None, ge=0, decimal_places=2)
    locked: bool | None = None
    bottom_up: Decimal | None = Field(None, ge=0, decimal_places=2)
    clear_bottom_up: bool = False


class CellsIn(Schema):
    cells: list[CellEditIn] = Field(..., max_length=10_000)


class BottomUpIn(Schema):
    version: int
    bottom_up: Decimal | None = Field(None, ge=0, decimal_places=2)


class CommentIn(Schema):
    text: str = Field(..., min_length=1, max_length=4000)


class CommentOut(Schema):
    id: int
    target_id: int
    author_id: int
    text: str
    created_at: dt.datetime


class AcknowledgementOut(Schema):
    id: int
    plan_id: int
    person_id: int
    revision: int
    requested_at: dt.datetime
    acknowledged_at: dt.datetime | None
    note: str


class AcknowledgeIn(Schema):
    note: str = ""


class ActionStepIn(Schema):
    what: str = Field(..., min_length=1, max_length=300)
    assignee_id: int
    due_date: dt.date
    where: str = ""
    how: str = ""


class ActionStepPatch(Schema):
    version: int
    what: str | None = None
    assignee_id: int | None = None
    due_date: dt.date | None = None
    where: str | None = None
    how: str | None = None
    status: str | None = None


class ActionStepOut(Schema):
    id: int
    plan_id: int
    what: str
    assignee_id: int
    where: str
    due_date: dt.date
    how: str
    status: str
    done_at: dt.datetime | None
    version: int


class UnassignedOut(Schema):
    units: list[dict]
    people: list[dict]


class DiffOut(Schema):
    from_revision: int
    to_revision: int | str
    sections: list[dict]
    cells: list[dict]


class ImportOut(Schema):
    accepted: int
    rejected: int
    updated: int
    unchanged: int
    recomputed: int
    errors: list[dict]
