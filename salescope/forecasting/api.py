"""Forecasting's JSON API under /api/v1/forecasting/: thin handlers over queries and services."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from pydantic import Field

from salescope.core.api import ErrorOut
from salescope.core.bounds import MAX_OFFSET, Id
from salescope.core.errors import ValidationFailed
from salescope.core.money import from_fen
from salescope.core.periods import month_start
from salescope.forecasting import permissions as perms
from salescope.forecasting import queries, services
from salescope.forecasting.choices import DemandSource, RiskKind, SeriesLevel
from salescope.forecasting.schemas import (
    ForecastingRiskPageOut,
    ForecastingRunIn,
    ForecastingRunOut,
    ForecastingSeriesDetailOut,
    ForecastingSeriesOut,
    ForecastingValueOut,
)
from salescope.ledger.models import from_milli
from salescope.org.permissions import api_permission

router = Router(tags=["forecasting"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get("/forecasting/runs", response=list[ForecastingRunOut])
def list_runs(request: HttpRequest) -> Any:
    return list(queries.list_runs(viewer=request.user)[:50])


@router.post(
    "/forecasting/runs",
    response={202: ForecastingRunOut, **ERRORS},
    openapi_extra=api_permission(perms.RUN.code),
)
def request_run(request: HttpRequest, payload: ForecastingRunIn) -> Any:
    return Status(202, services.request_run(actor=request.user, horizon=payload.horizon))


@router.get("/forecasting/series", response={200: list[ForecastingSeriesOut], **ERRORS})
def list_series(
    request: HttpRequest,
    level: str = SeriesLevel.CATEGORY,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Any:
    if level not in SeriesLevel.values:
        raise ValidationFailed(fields={"level": [", ".join(SeriesLevel.values)]})
    return queries.series_rows(
        viewer=request.user,
        level=level,
        date_from=month_start(date_from) if date_from else None,
        date_to=date_to,
    )


@router.get("/forecasting/series/{pk}", response={200: ForecastingSeriesDetailOut, **ERRORS})
def get_series(request: HttpRequest, pk: int) -> Any:
    series, values = queries.series_values(viewer=request.user, pk=pk)
    return {
        "id": series.pk,
        "model": series.model,
        "wape": series.wape,
        "baseline_wape": series.baseline_wape,
        "values": [
            ForecastingValueOut(
                month=v.month, amount=from_fen(v.amount_fen), quantity=from_milli(v.quantity_milli)
            )
            for v in values
        ],
    }


@router.get("/forecasting/stock-risks", response={200: ForecastingRiskPageOut, **ERRORS})
def stock_risks(  # noqa: PLR0913 - the list's filters and its page
    request: HttpRequest,
    weeks: int = queries.DEFAULT_WEEKS,
    kind: str = "",
    as_of: dt.date | None = None,
    demand: str = DemandSource.FORECAST,
    region: Id | None = None,
    limit: Annotated[int, Field(ge=1, le=500)] = 50,
    offset: Annotated[int, Field(ge=0, le=MAX_OFFSET)] = 0,
) -> Any:
    """Products at risk, a page at a time (``limit``/``offset``; ``count``: rows in all), in
    risk order; ``demand``: ``forecast`` (the newest run, default) or ``targets`` (the
    approved plans' quantity targets per SKU); ``region``: warehouses of that org unit and
    below."""
    if not 1 <= weeks <= 52:
        raise ValidationFailed(fields={"weeks": ["1–52"]})
    if kind and kind not in RiskKind.values:
        raise ValidationFailed(fields={"kind": [", ".join(RiskKind.values)]})
    if demand not in DemandSource.values:
        raise ValidationFailed(fields={"demand": [", ".join(DemandSource.values)]})
    data = queries.demand_vs_stock(
        viewer=request.user,
        as_of=as_of or timezone.localdate(),
        weeks=weeks,
        kind=kind,
        demand=demand,
        region=region,
    )
    risks = data["risks"]
    return {
        "count": len(risks),
        "items": [
            {
                "product": r.product.pk,
                "sku": r.product.sku,
                "product_name": r.product.name,
                "warehouse": r.warehouse.pk,
                "warehouse_code": r.warehouse.code,
                "kind": r.kind,
                "date": r.date,
                "gap": r.gap,
                "weeks_of_cover": r.weeks_of_cover,
                "available": r.available,
                "projection": list(r.projection),
                "weekly_demand": list(r.weekly_demand),
            }
            for r in risks[offset : offset + limit]
        ],
    }
