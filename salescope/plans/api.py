"""Plans and targets over JSON: thin handlers over ``queries`` (visibility) and ``services``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Status
from ninja.files import UploadedFile

from salescope.core.api import ErrorOut
from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.bounds import Id
from salescope.core.errors import NotFound
from salescope.org.permissions import api_permission
from salescope.plans import permissions as perms
from salescope.plans import queries, services
from salescope.plans.models import (
    Acknowledgement,
    ActionStep,
    Plan,
    Target,
    TargetComment,
    from_hundredths,
)
from salescope.plans.schemas import (
    AcknowledgeIn,
    AcknowledgementOut,
    ActionStepIn,
    ActionStepOut,
    ActionStepPatch,
    BottomUpIn,
    CellsIn,
    CommentIn,
    CommentOut,
    DecomposeIn,
    DecomposeOut,
    DiffOut,
    PlanIn,
    PlanOut,
    PlanPatch,
    PlansDecomposePreviewIn,
    PlansDecompositionPreviewOut,
    TargetOut,
    TargetsImportOut,
    TotalIn,
    TransitionIn,
)

router = Router(tags=["plans"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _hundredths(value: Any) -> int | None:
    return None if value is None else int(value * 100)


@router.get("/plans", response=list[PlanOut], summary="Plans I may see")
def list_plans(request: HttpRequest) -> Any:
    return list(queries.list_plans(viewer=request.user)[:500])


@router.post(
    "/plans",
    response={201: PlanOut, **ERRORS},
    summary="Create a plan",
    openapi_extra=api_permission(perms.PLAN_CREATE.code),
)
def create_plan(request: HttpRequest, payload: PlanIn) -> Any:
    unit = queries.get_unit(pk=payload.scope_unit_id)
    data = payload.dict(exclude={"scope_unit_id"})
    return Status(201, services.create_plan(actor=request.user, scope_unit=unit, **data))


@router.get("/plans/{plan_id}", response={200: PlanOut, 404: ErrorOut}, summary="A plan")
def get_plan(request: HttpRequest, plan_id: Id) -> Plan:
    return queries.get_plan(viewer=request.user, pk=plan_id)


@router.patch(
    "/plans/{plan_id}",
    response={200: PlanOut, **ERRORS},
    summary="Edit a plan",
    openapi_extra=api_permission(perms.PLAN_CHANGE.code),
)
def update_plan(request: HttpRequest, plan_id: Id, payload: PlanPatch) -> Plan:
    plan = queries.get_plan(viewer=request.user, pk=plan_id, action="change")
    changes = payload.dict(exclude={"version"}, exclude_unset=True)
    return services.update_plan(
        actor=request.user, plan=plan, expected_version=payload.version, changes=changes
    )


@router.post(
    "/plans/{plan_id}/transition",
    response={200: PlanOut, **ERRORS},
    summary="Submit, review, approve, return or reopen a plan",
    openapi_extra=api_permission(perms.PLAN_CHANGE.code),
)
def transition(request: HttpRequest, plan_id: Id, payload: TransitionIn) -> Plan:
    plan = queries.get_plan(viewer=request.user, pk=plan_id)
    return services.transition_plan(
        actor=request.user,
        plan=plan,
        action=payload.action,
        expected_version=payload.version,
        note=payload.note,
    )


@router.get(
    "/plans/{plan_id}/targets",
    response={200: list[TargetOut], 404: ErrorOut},
    summary="Target cells of a plan (children of parent_id; the roots without it)",
)
def list_targets(request: HttpRequest, plan_id: Id, parent_id: Id | None = None) -> Any:
    plan = queries.get_plan(viewer=request.user, pk=plan_id)
    if parent_id is None:
        return queries.root_targets(viewer=request.user, plan=plan)
    parent = queries.get_target(viewer=request.user, pk=parent_id)
    if parent.plan_id != plan.pk:
        raise NotFound()
    return queries.child_targets(viewer=request.user, parent=parent)


@router.post(
    "/plans/{plan_id}/targets",
    response={200: TargetOut, **ERRORS},
    summary="Set the plan total of a metric",
    openapi_extra=api_permission(perms.TARGET_PLAN.code),
)
def set_total(request: HttpRequest, plan_id: Id, payload: TotalIn) -> Target:
    plan = queries.get_plan(viewer=request.user, pk=plan_id)
    return services.set_plan_target(
        actor=request.user, plan=plan, metric=payload.metric, value=_hundredths(payload.value)
    )


@router.get("/targets/{target_id}", response={200: TargetOut, 404: ErrorOut}, summary="A cell")
def get_target(request: HttpRequest, target_id: Id) -> Target:
    return queries.get_target(viewer=request.user, pk=target_id)


@router.post(
    "/targets/{target_id}/decompose",
    response={200: DecomposeOut, **ERRORS},
    summary="Decompose a cell along a chain of axes in one action",
    description=(
        "Each step (org, product category, brand, SKU, key customer, quarter, month) splits "
        "every cell of the step before by its own method (equal, last year's share, "
        "seasonality, forecast, custom weights). An amount, count or quantity is split so its "
        "parts sum exactly to the cell; locked cells below keep their values. A percentage "
        "(market share, brand awareness) is a level: each part starts at the cell's level, "
        "whatever the method. ``each_child`` keeps the cell's parts and applies the chain to "
        "every one of them."
    ),
    openapi_extra=api_permission(perms.TARGET_PLAN.code),
)
def decompose(request: HttpRequest, target_id: Id, payload: DecomposeIn) -> dict:
    cell = queries.get_target(viewer=request.user, pk=target_id)
    steps = [services.Step(s.axis, s.method, s.weights, s.members) for s in payload.steps]
    created = services.decompose_target(
        actor=request.user,
        target=cell,
        steps=steps,
        expected_version=payload.version,
        each_child=payload.each_child,
    )
    return {"cells_created": created}


@router.post(
    "/targets/{target_id}/decompose/preview",
    response={200: PlansDecompositionPreviewOut, **ERRORS},
    summary="Preview a chained decomposition (nothing is written)",
    openapi_extra=api_permission(perms.TARGET_PLAN.code),
)
def preview_decomposition(
    request: HttpRequest, target_id: Id, payload: PlansDecomposePreviewIn
) -> dict:
    cell = queries.get_target(viewer=request.user, pk=target_id)
    steps = [services.Step(s.axis, s.method, s.weights, s.members) for s in payload.steps]
    preview = services.preview_decomposition(
        actor=request.user, target=cell, steps=steps, each_child=payload.each_child
    )
    money = from_hundredths
    return {
        "cells": preview.cells,
        "leaves_total": money(preview.leaves_total),
        "locks_kept": preview.locks_kept,
        "levels": [
            {
                "axis": level.axis,
                "methods": level.methods,
                "cells": level.cells,
                "total": money(level.total),
                "smallest": money(level.smallest),
                "largest": money(level.largest),
            }
            for level in preview.levels
        ],
        "parts": [
            {"label": p.label, "value": money(p.value), "locked": p.locked} for p in preview.parts
        ],
    }


@router.post(
    "/targets/{target_id}/cells",
    response={200: list[TargetOut], **ERRORS},
    summary="Edit children of a cell (values lock; free cells absorb the difference)",
    description=(
        "For an amount, count or quantity a typed value is locked and the free siblings absorb "
        "the difference, so the parts still sum to the cell; the parts below are re-spread. "
        "For a percentage each part keeps the level typed: no other cell changes and locks "
        "have no effect."
    ),
    openapi_extra=api_permission(perms.TARGET_PLAN.code),
)
def edit_cells(request: HttpRequest, target_id: Id, payload: CellsIn) -> Any:
    parent = queries.get_target(viewer=request.user, pk=target_id)
    edits = [
        services.CellEdit(
            target_id=c.id,
            expected_version=c.version,
            value=_hundredths(c.value),
            locked=c.locked,
            draft_given=c.bottom_up is not None or c.clear_bottom_up,
            bottom_up=_hundredths(c.bottom_up),
        )
        for c in payload.cells
    ]
    return services.edit_cells(actor=request.user, parent=parent, edits=edits)


@router.put(
    "/targets/{target_id}/bottom-up",
    response={200: TargetOut, **ERRORS},
    summary="Set (or clear) the bottom-up draft of a cell",
    openapi_extra=api_permission(perms.TARGET_DRAFT.code),
)
def set_bottom_up(request: HttpRequest, target_id: Id, payload: BottomUpIn) -> Target:
    cell = queries.get_target(viewer=request.user, pk=target_id)
    return services.set_bottom_up(
        actor=request.user,
        target=cell,
        value=_hundredths(payload.bottom_up),
        expected_version=payload.version,
    )


@router.get(
    "/targets/{target_id}/comments",
    response={200: list[CommentOut], 404: ErrorOut},
    summary="The negotiation on a cell",
)
def list_comments(request: HttpRequest, target_id: Id) -> list[TargetComment]:
    cell = queries.get_target(viewer=request.user, pk=target_id)
    return queries.target_comments(viewer=request.user, target=cell)


@router.post(
    "/targets/{target_id}/comments",
    response={201: CommentOut, **ERRORS},
    summary="Comment on a cell",
    openapi_extra=api_permission(perms.TARGET_DRAFT.code),
)
def add_comment(request: HttpRequest, target_id: Id, payload: CommentIn) -> Any:
    cell = queries.get_target(viewer=request.user, pk=target_id)
    return Status(
        201, services.comment_on_target(actor=request.user, target=cell, text=payload.text)
    )


@router.get(
    "/plans/{plan_id}/acknowledgements",
    response={200: list[AcknowledgementOut], 404: ErrorOut},
    summary="Who has acknowledged the current version",
)
def list_acknowledgements(request: HttpRequest, plan_id: Id) -> list[Acknowledgement]:
    plan = queries.get_plan(viewer=request.user, pk=plan_id)
    return queries.acknowledgements(viewer=request.user, plan=plan)


@router.post(
    "/acknowledgements/{ack_id}",
    response={200: AcknowledgementOut, **ERRORS},
    summary="Acknowledge my targets and the plan",
    openapi_extra=api_permission(perms.ACKNOWLEDGE.code),
)
def acknowledge(request: HttpRequest, ack_id: Id, payload: AcknowledgeIn) -> Acknowledgement:
    ack = queries.get_acknowledgement(viewer=request.user, pk=ack_id)
    return services.acknowledge(actor=request.user, acknowledgement=ack, note=payload.note)


@router.get(
    "/plans/{plan_id}/unassigned",
    response={200: dict, 404: ErrorOut},
    summary="Units and salespeople without a sales target (A5)",
)
def unassigned(request: HttpRequest, plan_id: Id) -> dict:
    plan = queries.get_plan(viewer=request.user, pk=plan_id)
    result = queries.unassigned(viewer=request.user, plan=plan)
    return {
        "units": [{"id": u.pk, "code": u.code, "name": u.name} for u in result.units],
        "people": [
            {"id": p.pk, "username": p.username, "name": p.display_name} for p in result.people
        ],
    }


@router.get(
    "/plans/{plan_id}/diff",
    response={200: DiffOut, 404: ErrorOut},
    summary="Changes since an approved version (default: the latest)",
)
def diff(request: HttpRequest, plan_id: Id, from_revision: int | None = None) -> dict:
    plan = queries.get_plan(viewer=request.user, pk=plan_id)
    result = queries.plan_diff(viewer=request.user, plan=plan, from_revision=from_revision)
    return asdict(result)


@router.get(
    "/plans/{plan_id}/steps",
    response={200: list[ActionStepOut], 404: ErrorOut},
    summary="Action steps of a plan",
)
def list_steps(request: HttpRequest, plan_id: Id) -> list[ActionStep]:
    plan = queries.get_plan(viewer=request.user, pk=plan_id)
    return list(queries.list_steps(viewer=request.user, plan=plan))


@router.post(
    "/plans/{plan_id}/steps",
    response={201: ActionStepOut, **ERRORS},
    summary="Add a step",
    openapi_extra=api_permission(perms.STEP_CREATE.code),
)
def create_step(request: HttpRequest, plan_id: Id, payload: ActionStepIn) -> Any:
    plan = queries.get_plan(viewer=request.user, pk=plan_id)
    assignee = queries.get_person(pk=payload.assignee_id)
    data = payload.dict(exclude={"assignee_id"})
    return Status(
        201, services.create_step(actor=request.user, plan=plan, assignee=assignee, **data)
    )


@router.patch(
    "/steps/{step_id}",
    response={200: ActionStepOut, **ERRORS},
    summary="Change a step",
    openapi_extra=api_permission(perms.STEP_CHANGE.code),
)
def update_step(request: HttpRequest, step_id: Id, payload: ActionStepPatch) -> ActionStep:
    step = queries.get_step(viewer=request.user, pk=step_id)
    changes = payload.dict(exclude={"version"}, exclude_unset=True)
    if "assignee_id" in changes:
        changes["assignee"] = queries.get_person(pk=changes.pop("assignee_id"))
    return services.update_step(
        actor=request.user, step=step, expected_version=payload.version, changes=changes
    )


@router.post(
    "/plans/{plan_id}/import",
    response={200: TargetsImportOut, **ERRORS},
    summary="Import target values from the XLSX export format",
    openapi_extra=api_permission(perms.TARGET_PLAN.code),
)
def import_targets(
    request: HttpRequest,
    plan_id: Id,
    file: UploadedFile = File(...),  # noqa: B008 - ninja declares uploads this way
) -> dict:
    plan = queries.get_plan(viewer=request.user, pk=plan_id)
    with audit_source(AuditSource.IMPORT):
        result = services.import_targets(actor=request.user, plan=plan, file=file)
    return result.as_dict()
