"""Field activity over the JSON API: visits (plan, check in/out, offline, checklist), work
reports (draft, write, submit, review) and uncovered customers."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from salescope.activities import permissions as perms
from salescope.activities import queries, services
from salescope.activities.schemas import (
    AnswerIn,
    CheckInIn,
    ChecklistRowOut,
    CheckOutIn,
    OfflineVisitIn,
    ReportDraftIn,
    ReportOut,
    ReportPatch,
    ReviewIn,
    UncoveredOut,
    VisitIn,
    VisitOut,
)
from salescope.core.api import ErrorOut
from salescope.core.permissions import api_permission

router = Router(tags=["activities"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get("/visits", response=list[VisitOut], summary="Visits I may see (D1, D2)")
@paginate
def list_visits(
    request: HttpRequest,
    start: dt.date | None = None,
    end: dt.date | None = None,
    owner: int | None = None,
    customer: int | None = None,
) -> Any:
    return queries.list_visits(
        viewer=request.user, start=start, end=end, owner=owner, customer=customer
    )


@router.post(
    "/visits",
    response={201: VisitOut, **ERRORS},
    openapi_extra=api_permission(perms.VISIT_PLAN.code),
)
def plan_visit(request: HttpRequest, payload: VisitIn) -> Any:
    data = payload.dict()
    visit = services.plan_visit(actor=request.user, customer=data.pop("customer_id"), **data)
    return Status(201, visit)


@router.post(
    "/visits/offline",
    response={200: VisitOut, 201: VisitOut, **ERRORS},
    summary="A visit recorded offline on the phone: stored once by its client_id",
    openapi_extra=api_permission(perms.VISIT_RECORD.code),
)
def offline_visit(request: HttpRequest, payload: OfflineVisitIn) -> Any:
    data = payload.dict()
    planned = data.pop("visit_id")
    visit = queries.get_visit(viewer=request.user, pk=planned, action="change") if planned else None
    stored, created = services.record_offline_visit(
        actor=request.user, customer=data.pop("customer_id"), visit=visit, **data
    )
    return Status(201 if created else 200, stored)


@router.get("/visits/{visit_id}", response={200: VisitOut, 404: ErrorOut})
def get_visit(request: HttpRequest, visit_id: int) -> Any:
    return queries.get_visit(viewer=request.user, pk=visit_id)


@router.post(
    "/visits/{visit_id}/check-in",
    response={200: VisitOut, **ERRORS},
    openapi_extra=api_permission(perms.VISIT_RECORD.code),
)
def check_in(request: HttpRequest, visit_id: int, payload: CheckInIn) -> Any:
    visit = queries.get_visit(viewer=request.user, pk=visit_id, action="change")
    return services.check_in(actor=request.user, visit=visit, **payload.dict())


@router.post(
    "/visits/{visit_id}/check-out",
    response={200: VisitOut, **ERRORS},
    openapi_extra=api_permission(perms.VISIT_RECORD.code),
)
def check_out(request: HttpRequest, visit_id: int, payload: CheckOutIn) -> Any:
    visit = queries.get_visit(viewer=request.user, pk=visit_id, action="change")
    return services.check_out(actor=request.user, visit=visit, **payload.dict())


@router.get("/visits/{visit_id}/checklist", response={200: list[ChecklistRowOut], 404: ErrorOut})
def checklist(request: HttpRequest, visit_id: int) -> Any:
    visit = queries.get_visit(viewer=request.user, pk=visit_id)
    return [
        {
            "item_id": row["item"].pk,
            "text": row["item"].text,
            "kind": row["item"].kind,
            "done": row["answer"].done if row["answer"] else None,
            "feedback": row["answer"].feedback if row["answer"] else "",
            "number": row["answer"].number if row["answer"] else None,
        }
        for row in queries.checklist_of(viewer=request.user, visit=visit)
    ]


@router.post(
    "/visits/{visit_id}/checklist/{item_id}",
    response={200: list[ChecklistRowOut], **ERRORS},
    openapi_extra=api_permission(perms.CHECKLIST_ANSWER.code),
)
def answer(request: HttpRequest, visit_id: int, item_id: int, payload: AnswerIn) -> Any:
    visit = queries.get_visit(viewer=request.user, pk=visit_id, action="change")
    services.answer_item(actor=request.user, visit=visit, item=item_id, **payload.dict())
    return checklist(request, visit_id)


@router.get("/work-reports", response=list[ReportOut], summary="Work reports I may read (D4)")
@paginate
def list_reports(request: HttpRequest, kind: str | None = None, author: int | None = None) -> Any:
    return queries.list_reports(viewer=request.user, kind=kind, author=author)


@router.post(
    "/work-reports",
    response={200: ReportOut, **ERRORS},
    summary="My report for the period holding a day, drafted from the recorded facts",
    openapi_extra=api_permission(perms.REPORT_WRITE.code),
)
def draft_report(request: HttpRequest, payload: ReportDraftIn) -> Any:
    return services.draft_report(actor=request.user, kind=payload.kind, day=payload.day)


@router.get("/work-reports/{report_id}", response={200: ReportOut, 404: ErrorOut})
def get_report(request: HttpRequest, report_id: int) -> Any:
    return queries.get_report(viewer=request.user, pk=report_id)


@router.patch(
    "/work-reports/{report_id}",
    response={200: ReportOut, **ERRORS},
    openapi_extra=api_permission(perms.REPORT_WRITE.code),
)
def write_report(request: HttpRequest, report_id: int, payload: ReportPatch) -> Any:
    report = queries.get_report(viewer=request.user, pk=report_id, action="change")
    data = payload.dict()
    return services.write_report(
        actor=request.user, report=report, expected_version=data.pop("version"), **data
    )


@router.post(
    "/work-reports/{report_id}/review",
    response={200: ReportOut, **ERRORS},
    summary="A manager's comment and rating (点评)",
    openapi_extra=api_permission(perms.REPORT_REVIEW.code),
)
def review_report(request: HttpRequest, report_id: int, payload: ReviewIn) -> Any:
    report = queries.get_report(viewer=request.user, pk=report_id, action="change")
    return services.review_report(
        actor=request.user,
        report=report,
        expected_version=payload.version,
        comment=payload.comment,
        rating=payload.rating,
    )


@router.get("/visit-coverage/uncovered", response=list[UncoveredOut])
def uncovered(request: HttpRequest, day: dt.date | None = None) -> Any:
    rows = queries.uncovered_customers(viewer=request.user, day=day or timezone.localdate())
    return [
        {
            "customer": {"id": r["customer"].pk, "name": r["customer"].name},
            "tier": r["tier"],
            "required": r["required"],
            "planned": r["planned"],
        }
        for r in rows
    ]
