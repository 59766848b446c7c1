"""The pipeline's JSON API under /api/v1/pipeline/… (and a customer's timeline)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from salescope.core.api import ErrorOut
from salescope.core.importing.uploads import mapping_from_json, uploaded_path
from salescope.customers.queries import get_customer, get_person
from salescope.ledger import permissions as ledger_perms
from salescope.org.permissions import api_permission
from salescope.pipeline import permissions as perms
from salescope.pipeline import queries, services, winmodel
from salescope.pipeline.schemas import (
    AdjustIn,
    AdjustOut,
    ColumnOut,
    EventOut,
    ForecastMonthOut,
    NoteIn,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
    PipelineImportOut,
    PipelineOut,
    StageChangeOut,
    StageMoveIn,
    StuckOut,
    WinProbabilityOut,
    WonOrderIn,
    WonOrderOut,
)
from salescope.timeline.queries import events_for

router = Router(tags=["pipeline"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get("/pipeline/pipelines", response=list[PipelineOut], summary="Pipelines and stages")
def list_pipelines(request: HttpRequest) -> Any:
    return [
        {
            **vars(p),
            "product_line": p.product_line,
            "stages": queries.stages_of(viewer=request.user, pipeline=p),
        }
        for p in queries.list_pipelines(viewer=request.user)
    ]


@router.get("/pipeline/opportunities", response=list[OpportunityOut], summary="Opportunities")
@paginate
def list_opportunities(
    request: HttpRequest, scope: str = "", search: str = "", open_only: bool = False
) -> Any:
    return queries.list_opportunities(
        viewer=request.user, scope=scope, search=search, open_only=open_only
    )


@router.post(
    "/pipeline/opportunities",
    response={201: OpportunityOut, **ERRORS},
    summary="Open an opportunity",
    openapi_extra=api_permission(perms.OPPORTUNITY_CREATE.code),
)
def create_opportunity(request: HttpRequest, payload: OpportunityIn) -> tuple[int, Any]:
    data = payload.dict()
    pipeline = queries.get_pipeline(viewer=request.user, pk=data.pop("pipeline_id"))
    customer_id, owner_id = data.pop("customer_id"), data.pop("owner_id")
    customer = get_customer(viewer=request.user, pk=customer_id) if customer_id else None
    owner = get_person(viewer=request.user, pk=owner_id) if owner_id else request.user
    opportunity = services.create_opportunity(
        actor=request.user, pipeline=pipeline, customer=customer, owner=owner, **data
    )
    return Status(201, opportunity)


@router.get(
    "/pipeline/opportunities/{opportunity_id}", response={200: OpportunityOut, 404: ErrorOut}
)
def get_opportunity(request: HttpRequest, opportunity_id: int) -> Any:
    return queries.get_opportunity(viewer=request.user, pk=opportunity_id)


@router.patch(
    "/pipeline/opportunities/{opportunity_id}",
    response={200: OpportunityOut, **ERRORS},
    summary="Change an opportunity's fields",
    openapi_extra=api_permission(perms.OPPORTUNITY_CHANGE.code),
)
def update_opportunity(request: HttpRequest, opportunity_id: int, payload: OpportunityPatch) -> Any:
    opportunity = queries.get_opportunity(viewer=request.user, pk=opportunity_id, action="change")
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    return services.update_opportunity(
        actor=request.user, opportunity=opportunity, expected_version=version, changes=changes
    )


@router.post(
    "/pipeline/opportunities/{opportunity_id}/move",
    response={200: OpportunityOut, **ERRORS},
    summary="Move to a stage (through the gate; a manager may override with a reason)",
    openapi_extra=api_permission(perms.OPPORTUNITY_MOVE.code),
)
def move(request: HttpRequest, opportunity_id: int, payload: StageMoveIn) -> Any:
    opportunity = queries.get_opportunity(viewer=request.user, pk=opportunity_id, action="change")
    stage = queries.get_stage(viewer=request.user, pk=payload.stage_id)
    return services.move_opportunity_to_stage(
        actor=request.user,
        opportunity=opportunity,
        stage=stage,
        expected_version=payload.version,
        override_reason=payload.override_reason,
        lost_reason=payload.lost_reason,
        lost_note=payload.lost_note,
    )


@router.get(
    "/pipeline/opportunities/{opportunity_id}/win-probability",
    response={200: WinProbabilityOut, 404: ErrorOut},
    summary="Learnt win probability beside the stage default",
)
def win_probability(request: HttpRequest, opportunity_id: int) -> Any:
    opportunity = queries.get_opportunity(viewer=request.user, pk=opportunity_id)
    return winmodel.win_probability(opportunity)


@router.post(
    "/pipeline/opportunities/{opportunity_id}/order",
    response={201: WonOrderOut, **ERRORS},
    summary="Create the ledger order of a won opportunity (once)",
    openapi_extra=api_permission(ledger_perms.ORDER_CREATE.code),
)
def create_order(request: HttpRequest, opportunity_id: int, payload: WonOrderIn) -> tuple[int, Any]:
    opportunity = queries.get_opportunity(viewer=request.user, pk=opportunity_id, action="change")
    order = services.create_order_from_opportunity(
        actor=request.user,
        opportunity=opportunity,
        lines=[line.dict() for line in payload.lines],
        date=payload.date,
        confirm=payload.confirm,
    )
    return Status(201, order)


@router.post(
    "/pipeline/opportunities/{opportunity_id}/notes",
    response={201: EventOut, **ERRORS},
    summary="Log a note",
    openapi_extra=api_permission(perms.OPPORTUNITY_NOTE.code),
)
def add_note(request: HttpRequest, opportunity_id: int, payload: NoteIn) -> tuple[int, Any]:
    opportunity = queries.get_opportunity(viewer=request.user, pk=opportunity_id, action="change")
    return Status(
        201, services.add_note(actor=request.user, opportunity=opportunity, text=payload.text)
    )


@router.get(
    "/pipeline/opportunities/{opportunity_id}/history",
    response={200: list[StageChangeOut], 404: ErrorOut},
    summary="Stage history with time in stage",
)
def history(request: HttpRequest, opportunity_id: int) -> Any:
    opportunity = queries.get_opportunity(viewer=request.user, pk=opportunity_id)
    return list(queries.stage_history(viewer=request.user, opportunity=opportunity))


@router.get(
    "/pipeline/opportunities/{opportunity_id}/timeline",
    response={200: list[EventOut], 404: ErrorOut},
    summary="The opportunity's timeline, newest first",
)
@paginate
def opportunity_timeline(request: HttpRequest, opportunity_id: int) -> Any:
    opportunity = queries.get_opportunity(viewer=request.user, pk=opportunity_id)
    return events_for(request.user, subject=opportunity)


@router.get(
    "/timeline/customers/{customer_id}/events",
    response={200: list[EventOut], 404: ErrorOut},
    summary="A customer's timeline, newest first",
)
@paginate
def customer_timeline(request: HttpRequest, customer_id: int) -> Any:
    customer = get_customer(viewer=request.user, pk=customer_id)
    return events_for(request.user, customer=customer)


@router.get("/pipeline/board", response={200: list[ColumnOut], 404: ErrorOut}, summary="Kanban")
def board(request: HttpRequest, pipeline_id: int, scope: str = "") -> Any:
    pipeline = queries.get_pipeline(viewer=request.user, pk=pipeline_id)
    columns = queries.board(viewer=request.user, pipeline=pipeline, scope=scope)
    return [{**c, "opportunities": c["cards"]} for c in columns]


@router.get("/pipeline/forecast", response=list[ForecastMonthOut], summary="Forecast by month")
def forecast(
    request: HttpRequest, start: dt.date | None = None, months: int = 6, scope: str = ""
) -> Any:
    data = queries.forecast(
        viewer=request.user,
        start=start or timezone.localdate(),
        months=min(max(months, 1), 24),
        scope=scope,
    )
    out = []
    for m in data["months"]:
        row, adj = m["row"], m["adjustment"]
        out.append(
            {
                "month": m["month"],
                "deals": row.deals,
                "amount": row.amount,
                "weighted": row.weighted,
                "pipeline": row.pipeline,
                "best_case": row.best_case,
                "commit": row.commit,
                "closed": row.closed,
                "adjustment": adj.amount if adj else None,
                "adjustment_version": adj.version if adj else None,
            }
        )
    return out


@router.post(
    "/pipeline/forecast/adjustments",
    response={200: AdjustOut, **ERRORS},
    summary="The manager's adjustment for a month",
    openapi_extra=api_permission(perms.FORECAST_ADJUST.code),
)
def adjust(request: HttpRequest, payload: AdjustIn) -> Any:
    return services.adjust_forecast(
        actor=request.user,
        month=payload.month,
        amount=payload.amount,
        note=payload.note,
        expected_version=payload.version,
    )


@router.get("/pipeline/report", response={200: dict, 422: ErrorOut}, summary="Pipeline report")
def report(
    request: HttpRequest,
    group_by: str = "stage",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    scope: str = "",
) -> Any:
    result = queries.pipeline_report(
        viewer=request.user, group_by=group_by, date_from=date_from, date_to=date_to, scope=scope
    )
    return queries.report_json(result)


@router.get("/pipeline/stuck", response=list[StuckOut], summary="Stuck deals")
def stuck(request: HttpRequest) -> Any:
    now = timezone.now()
    return [
        {
            "opportunity": o,
            "days_in_stage": queries.days_stuck(o, now),
            "rotting_days": o.stage.rotting_days,
        }
        for o in queries.stuck_deals(viewer=request.user, as_of=now)[:500]
    ]


@router.post(
    "/pipeline/imports/opportunities",
    response={200: PipelineImportOut, **ERRORS},
    summary="Import opportunities from another CRM's CSV/XLSX export (idempotent by external id)",
    openapi_extra=api_permission(perms.OPPORTUNITY_IMPORT.code),
)
def import_opportunities(
    request: HttpRequest,
    file: File[UploadedFile],
    mapping: Form[str] = "{}",
    dry_run: Form[bool] = False,
    date_format: Form[str] = "auto",
) -> Any:
    columns = mapping_from_json(mapping)
    with uploaded_path(file, "opportunities") as path:
        result = services.import_opportunities(
            actor=request.user, path=path, dry_run=dry_run, mapping=columns, date_format=date_format
        )
    return result.as_dict()
