"""Target vs actual and early warnings over JSON (B1, B2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from salescope.analytics import alerts, saved_tracking, services
from salescope.analytics import permissions as perms
from salescope.analytics.choices import AlertKind
from salescope.analytics.targets import target_variance
from salescope.core.api import ErrorOut, InputSchema
from salescope.core.bounds import Id, Version
from salescope.org.permissions import api_permission
from salescope.plans import queries as plan_queries
from salescope.plans.choices import Metric

router = Router(tags=["tracking"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class VarianceOut(Schema):
    plan: Id
    metric: str
    group_by: list[str]
    as_of: dt.date
    basis: str
    rows: list[dict[str, Any]]
    total: dict[str, Any] | None


class AlertOut(Schema):
    id: int
    kind: str
    status: str
    owner_id: Id
    manager_id: Id | None
    plan_id: Id | None
    cause: str
    link: str
    facts: dict
    raised_at: dt.datetime
    resolved_at: dt.datetime | None
    resolution: str
    version: Version


class ResolveIn(InputSchema):
    version: Version
    resolution: str = Field("", max_length=2000)


class EvaluationOut(Schema):
    raised: int
    still_open: int
    cleared: int


@router.get(
    "/plans/{plan_id}/target-variance",
    response={200: VarianceOut, **ERRORS},
    summary="Target vs actual: target, actual, variance (actual − target), attainment %, "
    "pace, projection — by any of salesperson, unit, region, category, customer, month, quarter",
)
def variance(
    request: HttpRequest,
    plan_id: Id,
    metric: Metric = Metric.SALES_AMOUNT,
    group_by: str = "salesperson,month",
    as_of: dt.date | None = None,
    basis: str | None = None,
    unit: Id | None = None,
    person: Id | None = None,
    month_from: dt.date | None = None,
    month_to: dt.date | None = None,
) -> dict:
    """``unit`` (its subtree), ``person`` and ``month_from``/``month_to`` narrow the rows, as a
    drill-down on the tracking page does (a region's teams, a quarter's months)."""
    plan = plan_queries.get_plan(viewer=request.user, pk=plan_id)
    filters: dict[str, Any] = {"unit": unit, "person": person}
    if month_from or month_to:
        filters["months"] = (
            (month_from or dt.date(1900, 1, 1)).replace(day=1),
            (month_to or dt.date(9999, 12, 1)).replace(day=1),
        )
    report = target_variance(
        viewer=request.user,
        plan=plan,
        metric=metric,
        group_by=group_by,
        as_of=as_of,
        basis=basis,
        filters={k: v for k, v in filters.items() if v},
    )
    return {
        "plan": plan.pk,
        "metric": report.metric,
        "group_by": report.group_by,
        "as_of": report.as_of,
        "basis": report.basis,
        "rows": report.dicts(),
        "total": report.total.as_dict() if report.total else None,
    }


def _alert_out(alert: Any) -> dict:
    return {
        **{f: getattr(alert, f) for f in AlertOut.model_fields if f != "cause"},
        "cause": alerts.cause(alert),
        "resolution": alerts.resolution_text(alert),
    }


@router.get("/warnings", response=list[AlertOut], summary="My early-warning inbox")
def inbox(
    request: HttpRequest,
    status: str = "open",
    everything: bool = False,
    kind: AlertKind | None = None,
) -> list[dict]:
    items = alerts.inbox(
        viewer=request.user, status=status, routed_only=not everything, kind=kind or ""
    )
    return [_alert_out(a) for a in items[:500]]


@router.post(
    "/warnings/{alert_id}/resolve",
    response={200: AlertOut, **ERRORS},
    summary="Resolve a warning with what was done",
    openapi_extra=api_permission(perms.ALERT_RESOLVE.code),
)
def resolve(request: HttpRequest, alert_id: Id, payload: ResolveIn) -> dict:
    alert = alerts.get_alert(viewer=request.user, pk=alert_id)
    alert = services.resolve_alert(
        actor=request.user,
        alert=alert,
        expected_version=payload.version,
        resolution=payload.resolution,
    )
    return _alert_out(alert)


@router.post(
    "/warnings/evaluate",
    response={200: EvaluationOut, **ERRORS},
    summary="Check now for new warnings (directors)",
    openapi_extra=api_permission(perms.ALERT_EVALUATE.code),
)
def evaluate(request: HttpRequest) -> dict:
    services.ensure_may_evaluate(request.user)
    return services.evaluate_alerts(actor=request.user).as_dict()


# --- saved tracking views ------------------------------------------------------------------


class AnalyticsTrackingViewOut(Schema):
    id: int
    name: str
    plan_id: Id | None
    metric: str
    group_by: str
    basis: str
    version: Version


class AnalyticsTrackingViewIn(InputSchema):
    name: str = Field(..., max_length=80)
    plan_id: Id | None = None
    metric: Metric = Metric.SALES_AMOUNT
    group_by: str = Field("region", max_length=60)
    basis: str = Field("", max_length=20)


@router.get(
    "/tracking-views", response=list[AnalyticsTrackingViewOut], summary="My saved tracking views"
)
def list_views(request: HttpRequest) -> Any:
    return list(saved_tracking.saved_views(viewer=request.user))


@router.post(
    "/tracking-views",
    response={201: AnalyticsTrackingViewOut, **ERRORS},
    summary="Save a tracking view (plan, metric, grouping, basis); the same name replaces it",
    openapi_extra=api_permission(perms.SAVED_VIEW.code),
)
def save_view(request: HttpRequest, payload: AnalyticsTrackingViewIn) -> Any:
    view = saved_tracking.save_view(
        actor=request.user,
        name=payload.name,
        plan_id=payload.plan_id,
        metric=payload.metric,
        group_by=payload.group_by,
        basis=payload.basis,
    )
    return Status(201, view)


@router.delete(
    "/tracking-views/{view_id}",
    response={204: None, **ERRORS},
    summary="Delete one of my saved tracking views",
    openapi_extra=api_permission(perms.SAVED_VIEW.code),
)
def delete_view(request: HttpRequest, view_id: Id, version: int) -> Any:
    view = saved_tracking.get_saved_view(viewer=request.user, pk=view_id)
    saved_tracking.delete_view(actor=request.user, view=view, expected_version=version)
    return Status(204, None)
