import datetime as dt

from ninja import Schema


class IntelligenceIn(Schema):
    kind: str
    title: str
    body: str = ""
    region_id: int | None = None
    product_id: int | None = None
    customer_id: int | None = None
    competitor: str = ""
    observed_on: dt.date | None = None


class IntelligenceOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    author_id: int
    region_id: int | None
    product_id: int | None
    category_id: int | None
    customer_id: int | None
    competitor: str
    observed_on: dt.date
    version: int


class DigestGroupOut(Schema):
    label: str
    total: int
    counts: dict[str, int]
    entry_ids: list[int]


class ProblemIn(Schema):
    title: str
    body: str = ""
    severity: str = "medium"
    due_on: dt.date | None = None
    customer_id: int | None = None
    owner_id: int | None = None


class ProblemOut(Schema):
    id: int
    title: str
    body: str
    severity: str
    status: str
    due_on: dt.date
    raised_by_id: int
    owner_id: int
    unit_id: int | None
    customer_id: int | None
    escalation_level: int
    resolution: str
    resolved_at: dt.datetime | None
    version: int


class ProblemResolveIn(Schema):
    version: int
    resolution: str


class ProblemUnitOut(Schema):
    unit_id: int | None
    unit: str
    open: int
    overdue: int
    escalated: int
    resolved: int
    hours_to_resolve: float | None


class GuidanceIn(Schema):
    person_id: int
    body: str
    kind: str = "coaching"
    customer_id: int | None = None
    due_on: dt.date | None = None


class GuidanceOut(Schema):
    id: int
    author_id: int
    person_id: int
    kind: str
    body: str
    customer_id: int | None
    due_on: dt.date | None
    status: str
    acknowledged_at: dt.datetime | None
    follow_up: str
    version: int


class GuidanceAcknowledgeIn(Schema):
    version: int


class GuidanceFollowUpIn(Schema):
    version: int
    note: str


class CaseReviewIn(Schema):
    outcome: str
    title: str
    body: str = ""
    lesson: str = ""
    customer_id: int | None = None
    opportunity_id: int | None = None
    visit_ids: list[int] = []
    tags: list[str] = []
    share_with_team: bool = True


class CaseReviewOut(Schema):
    id: int
    outcome: str
    title: str
    body: str
    lesson: str
    author_id: int
    customer_id: int | None
    opportunity_id: int | None
    tags: list[str]
    is_lesson: bool
    created_at: dt.datetime
    version: int

    @staticmethod
    def resolve_tags(obj: object) -> list[str]:
        return list(getattr(obj, "tag_list", []))


class CaseLessonIn(Schema):
    version: int
    is_lesson: bool = True
