"""Evaluation's JSON API under /api/v1/performance/: thin handlers over queries and services."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from salescope.core.api import ErrorOut
from salescope.performance import queries
from salescope.performance.schemas import PerformanceDrillOut, PerformanceKpiReportOut

router = Router(tags=["performance"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get("/performance/kpis", response={200: PerformanceKpiReportOut, **ERRORS})
def kpis(
    request: HttpRequest,
    period: str,
    group_by: str = "salesperson",
    unit: int | None = None,
    person: int | None = None,
) -> Any:
    viewer = request.user
    report = queries.kpi_report(
        viewer=viewer,
        month=queries.parse_period(period),
        group_by=group_by,
        unit=queries.unit_ref(viewer=viewer, pk=unit),
        person=queries.person_ref(viewer=viewer, pk=person),
    )
    return queries.report_json(report)


@router.get("/performance/kpis/{person_id}/{kpi}", response={200: PerformanceDrillOut, **ERRORS})
def drill(request: HttpRequest, person_id: int, kpi: str, period: str) -> Any:
    viewer = request.user
    person = queries.person_ref(viewer=viewer, pk=person_id)
    facts = queries.drill(viewer=viewer, person=person, month=queries.parse_period(period), kpi=kpi)
    return queries.drill_json(facts)
