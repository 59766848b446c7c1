"""Expenses' JSON API under /api/v1/expenses/: thin handlers over queries and services."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from salescope.core.api import ErrorOut
from salescope.core.errors import ValidationFailed
from salescope.core.money import from_fen
from salescope.expenses import permissions as perms
from salescope.expenses import queries, services
from salescope.expenses.schemas import (
    ExpenseBudgetRowOut,
    ExpenseCategoryIn,
    ExpenseCategoryOut,
    ExpenseClaimIn,
    ExpenseClaimOut,
    ExpenseClaimRejectIn,
    ExpenseClaimStepIn,
    ExpenseRatioOut,
    ExpenseReceiptOut,
    ExpenseRecordIn,
    ExpenseRecordOut,
)
from salescope.org.permissions import api_permission

router = Router(tags=["expenses"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _period(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    date_from = date_from or today.replace(month=1, day=1)
    date_to = date_to or today.replace(month=12, day=31)
    if date_to < date_from or (date_to - date_from).days > 3 * 366:
        raise ValidationFailed(fields={"date_to": ["date_to: after date_from, within 3 years"]})
    return date_from, date_to


@router.get("/expenses/categories", response=list[ExpenseCategoryOut])
def list_categories(request: HttpRequest) -> Any:
    return list(queries.categories(viewer=request.user, active_only=False))


@router.post(
    "/expenses/categories",
    response={201: ExpenseCategoryOut, **ERRORS},
    openapi_extra=api_permission(perms.CATEGORY_EDIT.code),
)
def create_category(request: HttpRequest, payload: ExpenseCategoryIn) -> Any:
    made = services.save_category(actor=request.user, **payload.dict())
    return Status(201, made)


@router.get("/expenses/records", response=list[ExpenseRecordOut])
@paginate
def list_records(request: HttpRequest, person: int | None = None, unclaimed: bool = False) -> Any:
    return queries.list_expenses(viewer=request.user, person=person, unclaimed=unclaimed)


@router.post(
    "/expenses/records",
    response={201: ExpenseRecordOut, **ERRORS},
    openapi_extra=api_permission(perms.RECORD.code),
)
def create_record(request: HttpRequest, payload: ExpenseRecordIn) -> Any:
    viewer = request.user
    expense = services.record_expense(
        actor=viewer,
        category=queries.category_ref(viewer=viewer, pk=payload.category_id),
        spent_on=payload.spent_on,
        amount=payload.amount,
        customer=queries.customer_ref(viewer=viewer, pk=payload.customer_id),
        visit=queries.visit_ref(viewer=viewer, pk=payload.visit_id),
        opportunity=queries.opportunity_ref(viewer=viewer, pk=payload.opportunity_id),
        note=payload.note,
    )
    return Status(201, expense)


@router.get("/expenses/records/{record_id}", response={200: ExpenseRecordOut, 404: ErrorOut})
def get_record(request: HttpRequest, record_id: int) -> Any:
    return queries.get_expense(viewer=request.user, pk=record_id)


@router.get(
    "/expenses/records/{record_id}/receipts",
    response={200: list[ExpenseReceiptOut], 404: ErrorOut},
)
def list_receipts(request: HttpRequest, record_id: int) -> Any:
    expense = queries.get_expense(viewer=request.user, pk=record_id)
    return queries.receipts_of(viewer=request.user, expense=expense)


@router.post(
    "/expenses/records/{record_id}/receipts",
    response={201: ExpenseReceiptOut, **ERRORS},
    openapi_extra=api_permission(perms.RECORD_CHANGE.code),
)
def add_receipt(request: HttpRequest, record_id: int, file: File[UploadedFile]) -> Any:
    expense = queries.get_expense(viewer=request.user, pk=record_id, action="change")
    data = file.read(services.RECEIPT_MAX_BYTES + 1)
    return Status(201, services.add_receipt(actor=request.user, expense=expense, data=data))


@router.get("/expenses/claims", response=list[ExpenseClaimOut])
@paginate
def list_claims(request: HttpRequest, mine: bool = False, status: str = "") -> Any:
    return queries.list_claims(viewer=request.user, mine=mine, status=status)


@router.get("/expenses/approvals", response=list[ExpenseClaimOut])
@paginate
def approvals(request: HttpRequest) -> Any:
    return queries.approvals_inbox(viewer=request.user)


@router.post(
    "/expenses/claims",
    response={201: ExpenseClaimOut, **ERRORS},
    openapi_extra=api_permission(perms.CLAIM.code),
)
def create_claim(request: HttpRequest, payload: ExpenseClaimIn) -> Any:
    viewer = request.user
    records = [queries.get_expense(viewer=viewer, pk=pk) for pk in payload.record_ids[:500]]
    return Status(201, services.create_claim(actor=viewer, title=payload.title, expenses=records))


@router.get("/expenses/claims/{claim_id}", response={200: ExpenseClaimOut, 404: ErrorOut})
def get_claim(request: HttpRequest, claim_id: int) -> Any:
    return queries.get_claim(viewer=request.user, pk=claim_id)


@router.post(
    "/expenses/claims/{claim_id}/submit",
    response={200: ExpenseClaimOut, **ERRORS},
    openapi_extra=api_permission(perms.CLAIM_SUBMIT.code),
)
def submit_claim(request: HttpRequest, claim_id: int, payload: ExpenseClaimStepIn) -> Any:
    claim = queries.get_claim(viewer=request.user, pk=claim_id, action="change")
    return services.submit_claim(actor=request.user, claim=claim, expected_version=payload.version)


@router.post(
    "/expenses/claims/{claim_id}/approve",
    response={200: ExpenseClaimOut, **ERRORS},
    openapi_extra=api_permission(perms.CLAIM_APPROVE.code),
)
def approve_claim(request: HttpRequest, claim_id: int, payload: ExpenseClaimStepIn) -> Any:
    claim = queries.get_claim(viewer=request.user, pk=claim_id, action="change")
    return services.approve_claim(actor=request.user, claim=claim, expected_version=payload.version)


@router.post(
    "/expenses/claims/{claim_id}/reject",
    response={200: ExpenseClaimOut, **ERRORS},
    openapi_extra=api_permission(perms.CLAIM_REJECT.code),
)
def reject_claim(request: HttpRequest, claim_id: int, payload: ExpenseClaimRejectIn) -> Any:
    claim = queries.get_claim(viewer=request.user, pk=claim_id, action="change")
    return services.reject_claim(
        actor=request.user, claim=claim, expected_version=payload.version, reason=payload.reason
    )


@router.post(
    "/expenses/claims/{claim_id}/pay",
    response={200: ExpenseClaimOut, **ERRORS},
    openapi_extra=api_permission(perms.CLAIM_PAY.code),
)
def pay_claim(request: HttpRequest, claim_id: int, payload: ExpenseClaimStepIn) -> Any:
    claim = queries.get_claim(viewer=request.user, pk=claim_id, action="change")
    return services.pay_claim(actor=request.user, claim=claim, expected_version=payload.version)


@router.get("/expenses/budget-vs-spend", response={200: list[ExpenseBudgetRowOut], 422: ErrorOut})
def budget_vs_spend(
    request: HttpRequest,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    by: str = "person",
) -> Any:
    date_from, date_to = _period(date_from, date_to)
    report = queries.budget_vs_spend(
        viewer=request.user, date_from=date_from, date_to=date_to, by=by
    )
    return [
        {
            "id": row.key,
            "label": row.label,
            "budget": row.budget_amount,
            "spend": row.spend_amount,
            "used_percent": row.used,
            "over": row.over,
            "months": [
                {
                    "month": m.month,
                    "budget": None if m.budget is None else from_fen(m.budget),
                    "spend": from_fen(m.spend),
                    "over": m.over,
                }
                for m in row.months
            ],
        }
        for row in report.rows
    ]


@router.get("/expenses/ratios", response={200: list[ExpenseRatioOut], 422: ErrorOut})
def ratios(
    request: HttpRequest,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    by: str = "person",
) -> Any:
    date_from, date_to = _period(date_from, date_to)
    rows = queries.expense_ratios(viewer=request.user, date_from=date_from, date_to=date_to, by=by)
    return [
        {
            "id": r.key,
            "label": r.label,
            "spend": from_fen(r.spend),
            "sales": from_fen(r.sales),
            "ratio_percent": r.ratio,
            "visits": r.visits,
            "visit_spend": from_fen(r.visit_spend),
            "cost_per_visit": r.cost_per_visit,
        }
        for r in rows
    ]
