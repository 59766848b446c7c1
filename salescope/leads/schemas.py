import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from salescope.core.api import InputSchema
from salescope.core.bounds import Id, Version


class LeadPersonRef(Schema):
    id: int
    username: str
    name: str = Field(..., alias="display_name")


class CampaignRef(Schema):
    id: int
    code: str
    name: str


class LeadOut(Schema):
    id: int
    contact_name: str
    company: str
    phone: str
    email: str
    province: str
    city: str
    industry: str
    product_line_id: int | None
    source: str
    medium: str
    campaign: CampaignRef | None
    status: str
    owner: LeadPersonRef | None
    score: Decimal | None
    qualified: bool
    score_breakdown: list[dict[str, Any]]
    revisit_on: dt.date | None
    sla_due_at: dt.datetime | None
    contacted_at: dt.datetime | None
    assignment_rule_id: int | None
    assignment_reason: str
    opportunity_id: int | None
    version: Version


class LeadIn(InputSchema):
    contact_name: str = Field(..., min_length=1, max_length=100)
    company: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    province: str = Field("", max_length=30)
    city: str = Field("", max_length=30)
    industry: str = Field("", max_length=60)
    product_line_id: Id | None = None
    need: str = Field("", max_length=2000)
    source: str = "other"
    medium: str = Field("", max_length=60)
    campaign_id: Id | None = None
    external_id: str | None = Field(None, max_length=60)
    answers: dict[str, int | str] | None = None


class CaptureIn(InputSchema):
    """What a public web form posts (source and campaign come from its key)."""

    contact_name: str = Field(..., min_length=1, max_length=100)
    company: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    province: str = Field("", max_length=30)
    city: str = Field("", max_length=30)
    industry: str = Field("", max_length=60)
    need: str = Field("", max_length=2000)
    medium: str = Field("", max_length=60)


class CaptureOut(Schema):
    id: int
    received: bool = True


class EvaluateIn(InputSchema):
    version: Version
    answers: dict[str, int | str]
    model_id: Id | None = None
    revisit_on: dt.date | None = None


class ConvertIn(InputSchema):
    version: Version
    name: str = Field("", max_length=200)
    amount: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=2)
    expected_close: dt.date | None = None
    pipeline_id: Id | None = None
    customer_id: Id | None = None


class ConvertOut(Schema):
    lead_id: int
    opportunity_id: int


class VersionIn(InputSchema):
    version: Version


class LeadContactIn(InputSchema):
    version: Version
    note: str = Field("", max_length=500)


class ReassignIn(InputSchema):
    version: Version
    owner_id: Id
    reason: str = Field(..., min_length=1, max_length=300)


class DecisionOut(Schema):
    owner_id: int | None
    rule_id: int | None
    reason: str


class CampaignOut(Schema):
    id: int
    code: str
    name: str
    source: str
    medium: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    budget: Decimal
    actual_cost: Decimal
    version: Version


class CampaignIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=200)
    source: str = "other"
    medium: str = Field("", max_length=60)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    budget: Decimal = Field(Decimal(0), ge=0, max_digits=15, decimal_places=2)
    actual_cost: Decimal = Field(Decimal(0), ge=0, max_digits=15, decimal_places=2)


class CampaignCostIn(InputSchema):
    version: Version
    actual_cost: Decimal = Field(..., ge=0, max_digits=15, decimal_places=2)
    budget: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=2)


class OptionOut(Schema):
    id: int
    label: str
    points: int


class CriterionOut(Schema):
    id: int
    name: str
    kind: str
    weight: int
    scale_min: Decimal | None
    scale_max: Decimal | None
    options: list[OptionOut]

    @staticmethod
    def resolve_options(obj: Any) -> list[Any]:
        return list(obj.options.all())


class EvaluationModelOut(Schema):
    id: int
    name: str
    product_line_id: int | None
    industry: str
    threshold: Decimal
    is_active: bool
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_criteria(obj: Any) -> list[Any]:
        return list(obj.criteria.all())


class OptionIn(InputSchema):
    label: str = Field(..., min_length=1, max_length=100)
    points: int = Field(..., ge=0, le=1000)


class CriterionIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=60)
    weight: int = Field(..., ge=1, le=1000)
    kind: str
    options: list[OptionIn] = []
    min: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    max: Decimal | None = Field(None, max_digits=12, decimal_places=2)


class EvaluationModelIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    threshold: Decimal = Field(..., ge=0, le=100, max_digits=5, decimal_places=1)
    product_line_id: Id | None = None
    industry: str = Field("", max_length=60)
    criteria: list[CriterionIn]


class RuleOut(Schema):
    id: int
    name: str
    priority: int
    provinces: str
    cities: str
    product_line_id: int | None
    strategy: str
    member_ids: list[int]
    is_active: bool

    @staticmethod
    def resolve_member_ids(obj: Any) -> list[int]:
        return [m.pk for m in obj.members.all()]


class RuleIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    priority: int = Field(..., ge=0, le=100000)
    provinces: str = Field("", max_length=300)
    cities: str = Field("", max_length=300)
    product_line_id: Id | None = None
    strategy: str = "workload"
    member_ids: list[Id] = Field(..., max_length=200)


class FormKeyIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    campaign_id: Id | None = None
    source: str = "website"


class FormKeyOut(Schema):
    id: int
    name: str
    prefix: str
    key: str


class ReportRowOut(Schema):
    key: str
    label: str
    leads: int
    qualified: int
    opportunities: int
    pipeline_value: Decimal
    won_value: Decimal
    won_deals: int
    cost: Decimal
    cost_per_lead: Decimal | None
    cost_per_won_deal: Decimal | None
    return_on_cost: Decimal | None


class RecycleOut(Schema):
    returned: int


class LeadsImportErrorOut(Schema):
    line: int
    column: str
    reason: str


class LeadsImportFindingOut(Schema):
    line: int
    column: str
    value: str
    note: str


class LeadsImportOut(Schema):
    """What an import of leads did (a dry run: what it would do)."""

    kind: str
    dry_run: bool
    encoding: str
    mapping: dict[str, str]
    accepted: int
    rejected: int
    created: int
    updated: int
    unchanged: int
    errors: list[LeadsImportErrorOut]
    findings: list[LeadsImportFindingOut]
