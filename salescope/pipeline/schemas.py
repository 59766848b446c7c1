import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

# Ten billion yuan: beyond any one deal, and well inside a 64-bit count of fen.
MAX_AMOUNT = Decimal("10000000000")


class Ref(Schema):
    id: int
    name: str


class OpportunityPersonRef(Schema):
    id: int
    username: str
    name: str = Field(..., alias="display_name")


class StageOut(Schema):
    id: int
    name: str
    order: int
    kind: str
    probability: int
    forecast_category: str
    required_fields: list[str]
    checklist: list[str]
    guidance: str
    risks: str
    rotting_days: int | None


class PipelineOut(Schema):
    id: int
    name: str
    product_line: Ref | None
    stages: list[StageOut]


class OpportunityOut(Schema):
    id: int
    name: str
    customer: Ref | None
    owner: OpportunityPersonRef
    pipeline_id: int
    stage: Ref
    amount: Decimal
    weighted: Decimal
    expected_close: dt.date | None
    probability: int
    forecast_category: str
    source: str
    campaign: str
    next_step: str
    decision_maker: str
    competitor: str
    checklist_done: list[str]
    lost_reason: str
    lost_note: str
    stage_entered_at: dt.datetime
    closed_at: dt.datetime | None
    order_id: int | None = None
    version: int


class OpportunityIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    pipeline_id: int
    customer_id: int | None = None
    owner_id: int | None = None
    amount: Decimal = Field(Decimal(0), ge=0, le=MAX_AMOUNT, decimal_places=2)
    expected_close: dt.date | None = None
    source: str = Field("", max_length=60)
    campaign: str = Field("", max_length=100)
    next_step: str = Field("", max_length=200)


class OpportunityPatch(Schema):
    version: int
    name: str | None = Field(None, min_length=1, max_length=200)
    amount: Decimal | None = Field(None, ge=0, le=MAX_AMOUNT, decimal_places=2)
    expected_close: dt.date | None = None
    forecast_category: str | None = None
    next_step: str | None = None
    decision_maker: str | None = None
    competitor: str | None = None
    checklist_done: list[str] | None = None


class StageMoveIn(Schema):
    version: int
    stage_id: int
    override_reason: str = Field("", max_length=500)
    lost_reason: str = ""
    lost_note: str = Field("", max_length=300)


class WinProbabilityOut(Schema):
    stage_default: int
    learnt: int | None
    used: int
    closed_deals: int
    enough_history: bool
    fitted_at: dt.datetime | None


class WonOrderLineIn(Schema):
    sku: str = Field(..., min_length=1, max_length=60)
    quantity: int = Field(..., gt=0, le=1_000_000_000)
    unit_price: Decimal | None = Field(None, ge=0, le=MAX_AMOUNT, decimal_places=2)


class WonOrderIn(Schema):
    lines: list[WonOrderLineIn] = Field(..., min_length=1, max_length=500)
    date: dt.date | None = None
    confirm: bool = False


class WonOrderOut(Schema):
    id: int
    number: str
    customer_id: int
    date: dt.date
    status: str
    amount: Decimal
    hold_reason: str


class NoteIn(Schema):
    text: str = Field(..., min_length=1, max_length=500)


class EventOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    summary: str
    customer_id: int | None
    subject_type: str
    subject_id: str
    actor: OpportunityPersonRef | None


class StageChangeOut(Schema):
    at: dt.datetime
    from_stage: Ref | None
    to_stage: Ref
    days_in_previous: int
    override_reason: str


class ColumnOut(Schema):
    stage: Ref
    count: int
    amount: Decimal
    opportunities: list[OpportunityOut]


class ForecastMonthOut(Schema):
    month: dt.date
    deals: int
    amount: Decimal
    weighted: Decimal
    pipeline: Decimal
    best_case: Decimal
    commit: Decimal
    closed: Decimal
    adjustment: Decimal | None
    adjustment_version: int | None


class AdjustIn(Schema):
    month: dt.date
    amount: Decimal = Field(..., ge=0, le=MAX_AMOUNT, decimal_places=2)
    note: str = Field("", max_length=300)
    version: int | None = None


class AdjustOut(Schema):
    month: dt.date
    amount: Decimal
    note: str
    version: int


class StuckOut(Schema):
    opportunity: OpportunityOut
    days_in_stage: int
    rotting_days: int


class PipelineImportErrorOut(Schema):
    line: int
    column: str
    reason: str


class PipelineImportFindingOut(Schema):
    line: int
    column: str
    value: str
    note: str


class PipelineImportOut(Schema):
    """What an import of opportunities did (a dry run: what it would do)."""

    kind: str
    dry_run: bool
    encoding: str
    mapping: dict[str, str]
    accepted: int
    rejected: int
    created: int
    updated: int
    unchanged: int
    incomplete: int = 0
    errors: list[PipelineImportErrorOut]
    findings: list[PipelineImportFindingOut]
