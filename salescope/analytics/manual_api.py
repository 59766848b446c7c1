"""实绩录入 over JSON: figures the ledger does not hold, and their totals by dimension."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from salescope.analytics import manual, services
from salescope.analytics.models import ManualActual
from salescope.analytics.permissions import MANUAL_CHANGE, MANUAL_CREATE, MANUAL_DELETE
from salescope.core.api import ErrorOut, InputSchema
from salescope.core.bounds import MAX_AMOUNT, Id, Version
from salescope.org.permissions import api_permission
from salescope.org.visibility import CHANGE
from salescope.plans.choices import Metric

router = Router(tags=["tracking"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ManualActualOut(Schema):
    id: int
    metric: str
    month: dt.date
    person_id: Id | None
    unit_id: Id | None
    category_id: Id | None
    value: Decimal = Field(..., description="As typed: yuan, a count, or a percentage 0–100")
    value_hundredths: int
    note: str
    entered_by_id: Id
    entered_at: dt.datetime
    version: Version

    @staticmethod
    def resolve_value(obj: ManualActual) -> Decimal:
        return obj.display

    @staticmethod
    def resolve_value_hundredths(obj: ManualActual) -> int:
        return obj.value


class ManualActualIn(InputSchema):
    metric: Metric
    month: dt.date = Field(..., description="Any day of the month; stored as its first day")
    person_id: Id | None = None
    unit_id: Id | None = None
    category_id: Id | None = None
    value: Decimal = Field(..., ge=0, le=MAX_AMOUNT, decimal_places=2)
    note: str = Field("", max_length=2000)


class ManualActualPatch(InputSchema):
    version: Version
    value: Decimal | None = Field(None, ge=0, le=MAX_AMOUNT, decimal_places=2)
    note: str | None = Field(None, max_length=2000)


class ManualTotalOut(Schema):
    key: dict[str, Any]
    value_hundredths: int


@router.get("/manual-actuals", response=list[ManualActualOut], summary="Figures entered by hand")
@paginate
def list_actuals(
    request: HttpRequest,
    metric: Metric | None = None,
    month: dt.date | None = None,
    person: Id | None = None,
    unit: Id | None = None,
) -> QuerySet:
    return manual.list_manual_actuals(
        viewer=request.user, metric=metric, month=month, person=person, unit=unit
    )


@router.get(
    "/manual-actuals/totals",
    response={200: list[ManualTotalOut], **ERRORS},
    summary="Manual actuals (and new customers counted) by month, salesperson, unit, region, "
    "category — in hundredths, as the tracking reads them",
)
def totals(
    request: HttpRequest,
    metric: Metric,
    date_from: dt.date,
    date_to: dt.date,
    group_by: str = "salesperson,month",
) -> list[dict]:
    dims = [d for d in group_by.split(",") if d]
    rows = manual.manual_totals_for_api(
        viewer=request.user, metric=metric, date_from=date_from, date_to=date_to, group_by=dims
    )
    return [{"key": dict(zip(dims, key, strict=True)), "value_hundredths": v} for key, v in rows]


@router.get(
    "/manual-actuals/{actual_id}",
    response={200: ManualActualOut, 404: ErrorOut},
    summary="One figure",
)
def get_actual(request: HttpRequest, actual_id: Id) -> ManualActual:
    return manual.get_manual_actual(viewer=request.user, pk=actual_id)


@router.post(
    "/manual-actuals",
    response={201: ManualActualOut, **ERRORS},
    summary="Enter a figure (409 if one is already entered for the cell)",
    openapi_extra=api_permission(MANUAL_CREATE.code),
)
def enter(request: HttpRequest, payload: ManualActualIn) -> Status:
    refs = manual.resolve_cell(
        viewer=request.user,
        person_id=payload.person_id,
        unit_id=payload.unit_id,
        category_id=payload.category_id,
    )
    actual = services.enter_manual_actual(
        actor=request.user,
        metric=payload.metric,
        month=payload.month,
        value=payload.value,
        note=payload.note,
        **refs,
    )
    return Status(201, actual)


@router.patch(
    "/manual-actuals/{actual_id}",
    response={200: ManualActualOut, **ERRORS},
    summary="Correct a figure (409 if someone changed it since you loaded it)",
    openapi_extra=api_permission(MANUAL_CHANGE.code),
)
def correct(request: HttpRequest, actual_id: Id, payload: ManualActualPatch) -> ManualActual:
    actual = manual.get_manual_actual(viewer=request.user, pk=actual_id, action=CHANGE)
    changes = payload.dict(include={"value", "note"}, exclude_none=True)
    return services.update_manual_actual(
        actor=request.user, actual=actual, expected_version=payload.version, **changes
    )


@router.delete(
    "/manual-actuals/{actual_id}",
    response={204: None, **ERRORS},
    summary="Delete a figure (409 if someone changed it since you loaded it)",
    openapi_extra=api_permission(MANUAL_DELETE.code),
)
def delete(request: HttpRequest, actual_id: Id, version: Version) -> Status:
    actual = manual.get_manual_actual(viewer=request.user, pk=actual_id, action=CHANGE)
    services.delete_manual_actual(actor=request.user, actual=actual, expected_version=version)
    return Status(204, None)
