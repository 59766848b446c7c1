"""Target vs actual and early warnings over JSON (B1, B2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from salescope.analytics import alerts, services
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
) -> dict:
    plan = plan_queries.get_plan(viewer=request.user, pk=plan_id)
    report = target_variance(
        viewer=request.user,
        plan=plan,
        metric=metric,
        group_by=group_by,
        as_of=as_of,
        basis=basis,
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
