"""Commissions' JSON API under /api/v1/commissions/: thin handlers over queries and services."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from salescope.commissions import permissions as perms
from salescope.commissions import queries, services
from salescope.commissions.schemas import (
    CommissionAssignIn,
    CommissionAssignmentOut,
    CommissionComputeIn,
    CommissionComputeOut,
    CommissionPlanIn,
    CommissionPlanOut,
    CommissionPlanPatch,
    CommissionStatementDetailOut,
    CommissionStatementOut,
    CommissionVersionIn,
    tiers_bp,
)
from salescope.core import ratelimit
from salescope.core.api import ErrorOut
from salescope.core.errors import ValidationFailed
from salescope.core.money import to_fen
from salescope.org.permissions import api_permission

router = Router(tags=["commissions"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def parse_period(text: str) -> dt.date:
    """``2026-11`` (or a date in it) → the month's first day; 422 otherwise."""
    try:
        return dt.date.fromisoformat(text[:7] + "-01")
    except (TypeError, ValueError):
        raise ValidationFailed(fields={"period": [_("A month as YYYY-MM.")]}) from None


def _tiers(tiers: Any) -> list[tuple[int, int]]:
    try:
        return tiers_bp(tiers)
    except ValueError:
        raise ValidationFailed(fields={"tiers": [_("Percentages with two decimals.")]}) from None


def plan_out(plan: Any) -> dict[str, Any]:
    tiers = [
        {"from_percent": r["from"], "to_percent": r["to"], "rate_percent": r["rate"]}
        for r in plan.tier_rows
    ]
    return {
        **{f: getattr(plan, f) for f in ("id", "name", "base", "attainment_metric", "status")},
        **{f: getattr(plan, f) for f in ("target_plan_id", "valid_from", "valid_to", "version")},
        "tiers": tiers,
        "cap": plan.cap,
    }


@router.get("/commissions/plans", response=list[CommissionPlanOut])
@paginate
def list_plans(request: HttpRequest) -> Any:
    return [plan_out(p) for p in queries.list_plans(viewer=request.user)]


@router.post(
    "/commissions/plans",
    response={201: CommissionPlanOut, **ERRORS},
    openapi_extra=api_permission(perms.PLAN_CREATE.code),
)
def create_plan(request: HttpRequest, payload: CommissionPlanIn) -> Any:
    viewer = request.user
    plan = services.create_plan(
        actor=viewer,
        name=payload.name,
        base=payload.base,
        attainment_metric=payload.attainment_metric,
        target_plan=queries.plan_ref(viewer=viewer, pk=payload.target_plan_id),
        tiers=_tiers(payload.tiers),
        cap_fen=None if payload.cap is None else to_fen(payload.cap),
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
    )
    return Status(201, plan_out(plan))


@router.get("/commissions/plans/{plan_id}", response={200: CommissionPlanOut, 404: ErrorOut})
def get_plan(request: HttpRequest, plan_id: int) -> Any:
    return plan_out(queries.get_plan(viewer=request.user, pk=plan_id))


@router.patch(
    "/commissions/plans/{plan_id}",
    response={200: CommissionPlanOut, **ERRORS},
    openapi_extra=api_permission(perms.PLAN_CHANGE.code),
)
def change_plan(request: HttpRequest, plan_id: int, payload: CommissionPlanPatch) -> Any:
    viewer = request.user
    plan = queries.get_plan(viewer=viewer, pk=plan_id, action="change")
    fields = payload.dict(exclude_unset=True, exclude={"version", "target_plan_id", "cap"})
    if payload.tiers is not None:
        fields["tiers"] = _tiers(payload.tiers)
    if "cap" in payload.model_fields_set:
        fields["cap_fen"] = None if payload.cap is None else to_fen(payload.cap)
    plan = services.change_plan(
        actor=viewer,
        plan=plan,
        expected_version=payload.version,
        target_plan=queries.plan_ref(viewer=viewer, pk=payload.target_plan_id),
        **fields,
    )
    return plan_out(plan)


@router.post(
    "/commissions/plans/{plan_id}/approve",
    response={200: CommissionPlanOut, **ERRORS},
    openapi_extra=api_permission(perms.PLAN_APPROVE.code),
)
def approve_plan(request: HttpRequest, plan_id: int, payload: CommissionVersionIn) -> Any:
    plan = queries.get_plan(viewer=request.user, pk=plan_id, action="approve")
    plan = services.approve_plan(actor=request.user, plan=plan, expected_version=payload.version)
    return plan_out(plan)


@router.get(
    "/commissions/plans/{plan_id}/assignments",
    response={200: list[CommissionAssignmentOut], 404: ErrorOut},
)
def list_assignments(request: HttpRequest, plan_id: int) -> Any:
    plan = queries.get_plan(viewer=request.user, pk=plan_id)
    return list(queries.list_assignments(viewer=request.user, plan=plan))


@router.post(
    "/commissions/plans/{plan_id}/assignments",
    response={201: CommissionAssignmentOut, **ERRORS},
    openapi_extra=api_permission(perms.PLAN_ASSIGN.code),
)
def assign(request: HttpRequest, plan_id: int, payload: CommissionAssignIn) -> Any:
    viewer = request.user
    plan = queries.get_plan(viewer=viewer, pk=plan_id)
    made = services.assign(
        actor=viewer,
        plan=plan,
        person=queries.person_ref(viewer=viewer, pk=payload.person_id),
        unit=queries.unit_ref(viewer=viewer, pk=payload.unit_id),
    )
    return Status(201, made)


@router.delete(
    "/commissions/assignments/{assignment_id}",
    response={204: None, **ERRORS},
    openapi_extra=api_permission(perms.PLAN_ASSIGN.code),
)
def unassign(request: HttpRequest, assignment_id: int) -> Any:
    made = queries.get_assignment(viewer=request.user, pk=assignment_id, action="delete")
    services.unassign(actor=request.user, assignment=made)
    return Status(204, None)


@router.get("/commissions/statements", response=list[CommissionStatementOut])
@paginate
def list_statements(
    request: HttpRequest, period: str = "", person: int | None = None, status: str = ""
) -> Any:
    rows = queries.list_statements(
        viewer=request.user,
        period=parse_period(period) if period else None,
        person=person,
        status=status,
    )
    return [queries.statement_row(s) for s in rows]


@router.post(
    "/commissions/statements/compute",
    response={200: CommissionComputeOut, **ERRORS},
    openapi_extra=api_permission(perms.STATEMENT_COMPUTE.code),
)
def compute(request: HttpRequest, payload: CommissionComputeIn) -> Any:
    period = parse_period(payload.period)
    return services.compute_statements(actor=request.user, period=period).as_dict()


@router.get("/commissions/statements/export", response={200: None, 422: ErrorOut})
def export(request: HttpRequest, period: str) -> HttpResponse:
    from salescope.ledger.export import download

    ratelimit.spend(request.user, "export")
    month = parse_period(period)
    rows = queries.export_rows(viewer=request.user, period=month)
    return download("xlsx", f"commissions-{month:%Y-%m}", queries.export_headers(), rows)


@router.get(
    "/commissions/statements/{statement_id}",
    response={200: CommissionStatementDetailOut, 404: ErrorOut},
)
def get_statement(request: HttpRequest, statement_id: int) -> Any:
    statement = queries.get_statement(viewer=request.user, pk=statement_id)
    return queries.statement_detail(viewer=request.user, statement=statement)


@router.post(
    "/commissions/statements/{statement_id}/approve",
    response={200: CommissionStatementOut, **ERRORS},
    openapi_extra=api_permission(perms.STATEMENT_APPROVE.code),
)
def approve_statement(request: HttpRequest, statement_id: int, payload: CommissionVersionIn) -> Any:
    statement = queries.get_statement(viewer=request.user, pk=statement_id, action="approve")
    statement = services.approve_statement(
        actor=request.user, statement=statement, expected_version=payload.version
    )
    return queries.statement_row(statement)
