import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class PerformanceKpiRowOut(Schema):
    key: int | None
    label: str
    unit: str
    people: int
    kpis: dict[str, str | None]
    attainment: dict[str, str | None]


class PerformanceKpiReportOut(Schema):
    period: str
    group_by: str
    working_days: int
    formulas: dict[str, str]
    rows: list[PerformanceKpiRowOut]
    total: PerformanceKpiRowOut


class PerformanceDrillOut(Schema):
    kpi: str
    formula: str
    rows: list[dict[str, Any]]


class PerformanceTemplateItemIn(Schema):
    kind: str
    code: str
    weight: int
    rule: str = "capped"
    target: Decimal | None = None
    threshold: Decimal | None = None
    cap: int = 120
    bands: list[list[Decimal]] = []


class PerformanceTemplateIn(Schema):
    name: str
    role: str = "salesperson"
    effective_from: dt.date
    reward_top: int = 1
    improve_bottom: int = 1
    items: list[PerformanceTemplateItemIn]


class PerformanceTemplateOut(Schema):
    id: int
    name: str
    role: str
    effective_from: dt.date
    status: str
    version: int


class PerformanceVersionIn(Schema):
    version: int
    text: str = ""


class PerformanceComputeIn(Schema):
    template_id: int
    period: str


class PerformanceScorecardOut(Schema):
    id: int
    person_id: int
    unit_id: int | None
    month: dt.date
    status: str
    total: Decimal
    rank: int | None
    rank_of: int | None
    rewarded: bool
    needs_improvement: bool
    lines: list[dict[str, Any]]
    review_comment: str
    appeal_reason: str
    appeal_answer: str
    version: int


class PerformanceCriterionIn(Schema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=100)
    scale_max: int = Field(5, ge=2, le=10)
    description: str = Field("", max_length=300)


class PerformanceCriterionOut(Schema):
    id: int
    code: str
    name: str
    description: str
    scale_max: int
    active: bool


class PerformanceRatingIn(Schema):
    person_id: int
    criterion: str
    period: str
    score: int
    comment: str = ""
    version: int | None = None


class PerformanceRatingOut(Schema):
    id: int
    person_id: int
    criterion_id: int
    month: dt.date
    score: int
    comment: str
    version: int


class PerformanceLeaderOut(Schema):
    rank: int | None
    name: str
    total: Decimal
    rewarded: bool
    me: bool


class PerformanceGoalIn(Schema):
    text: str
    deadline: dt.date


class PerformancePlanIn(Schema):
    person_id: int
    scorecard_id: int | None = None
    goals: list[PerformanceGoalIn]


class PerformanceGoalOut(Schema):
    id: int
    text: str
    deadline: dt.date
    status: str
    follow_up: str
    version: int


class PerformancePlanOut(Schema):
    id: int
    person_id: int
    scorecard_id: int | None
    status: str
    goals: list[PerformanceGoalOut]

    @staticmethod
    def resolve_goals(obj: Any) -> list[Any]:
        return list(obj.goals.all())


class PerformanceFollowUpIn(Schema):
    version: int
    note: str
    done: bool = False
