import datetime as dt
from decimal import Decimal

from ninja import Schema


class ExpenseCategoryOut(Schema):
    id: int
    code: str
    name: str
    active: bool
    position: int
    version: int


class ExpenseCategoryIn(Schema):
    code: str
    name: str
    active: bool = True
    position: int = 0


class ExpenseRecordIn(Schema):
    category_id: int
    spent_on: dt.date
    amount: Decimal
    customer_id: int | None = None
    visit_id: int | None = None
    opportunity_id: int | None = None
    note: str = ""


class ExpenseRecordOut(Schema):
    id: int
    person_id: int
    category_id: int
    spent_on: dt.date
    month: dt.date
    amount: Decimal
    customer_id: int | None
    visit_id: int | None
    opportunity_id: int | None
    note: str
    claim_id: int | None
    version: int


class ExpenseReceiptOut(Schema):
    id: int
    expense_id: int
    content_type: str
    size: int
    created_at: dt.datetime


class ExpenseClaimIn(Schema):
    title: str
    record_ids: list[int]


class ExpenseClaimOut(Schema):
    id: int
    claimant_id: int
    unit_id: int | None
    title: str
    status: str
    total: Decimal
    submitted_at: dt.datetime | None
    manager_approver_id: int | None
    finance_approver_id: int | None
    rejected_by_id: int | None
    rejection_reason: str
    paid_at: dt.datetime | None
    version: int


class ExpenseClaimStepIn(Schema):
    version: int


class ExpenseClaimRejectIn(Schema):
    version: int
    reason: str


class ExpenseMonthOut(Schema):
    month: dt.date
    budget: Decimal | None
    spend: Decimal
    over: bool


class ExpenseBudgetRowOut(Schema):
    id: int
    label: str
    budget: Decimal
    spend: Decimal
    used_percent: Decimal | None
    over: bool
    months: list[ExpenseMonthOut]


class ExpenseRatioOut(Schema):
    id: int
    label: str
    spend: Decimal
    sales: Decimal
    ratio_percent: Decimal | None
    visits: int
    visit_spend: Decimal
    cost_per_visit: Decimal | None
