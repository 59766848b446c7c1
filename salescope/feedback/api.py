"""Feedback's JSON API under /api/v1/feedback/: thin handlers over queries and services."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from salescope.core.api import ErrorOut
from salescope.feedback import permissions as perms
from salescope.feedback import queries, services
from salescope.feedback.schemas import (
    CaseLessonIn,
    CaseReviewIn,
    CaseReviewOut,
    DigestGroupOut,
    GuidanceAcknowledgeIn,
    GuidanceFollowUpIn,
    GuidanceIn,
    GuidanceOut,
    IntelligenceIn,
    IntelligenceOut,
    ProblemIn,
    ProblemOut,
    ProblemResolveIn,
    ProblemUnitOut,
)
from salescope.org.permissions import api_permission, require

router = Router(tags=["feedback"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get("/feedback/intelligence", response=list[IntelligenceOut])
@paginate
def list_intelligence(
    request: HttpRequest,
    q: str = "",
    kind: str = "",
    region: int | None = None,
    product: int | None = None,
    customer: int | None = None,
    competitor: str = "",
) -> Any:
    return queries.list_intelligence(
        viewer=request.user,
        q=q,
        kind=kind,
        region=region,
        product=product,
        customer=customer,
        competitor=competitor,
    )


@router.post(
    "/feedback/intelligence",
    response={201: IntelligenceOut, **ERRORS},
    openapi_extra=api_permission(perms.INTEL_CREATE.code),
)
def create_intelligence(request: HttpRequest, payload: IntelligenceIn) -> Any:
    viewer = request.user
    entry = services.record_intelligence(
        actor=viewer,
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        region=queries.unit_ref(viewer=viewer, pk=payload.region_id),
        product=queries.product_ref(viewer=viewer, pk=payload.product_id),
        customer=queries.customer_ref(viewer=viewer, pk=payload.customer_id),
        competitor=payload.competitor,
        observed_on=payload.observed_on,
    )
    return Status(201, entry)


@router.get("/feedback/intelligence/digest", response=list[DigestGroupOut])
def digest(request: HttpRequest, by: str = "region", week_of: dt.date | None = None) -> Any:
    rows = queries.weekly_digest(
        viewer=request.user, week_of=week_of or timezone.localdate(), by=by
    )
    return [{**row, "entry_ids": [e.pk for e in row["entries"]]} for row in rows]


@router.get("/feedback/intelligence/{entry_id}", response={200: IntelligenceOut, 404: ErrorOut})
def get_intelligence(request: HttpRequest, entry_id: int) -> Any:
    return queries.get_intelligence(viewer=request.user, pk=entry_id)


@router.get("/feedback/problems", response=list[ProblemOut])
@paginate
def list_problems(request: HttpRequest, status: str = "", mine: bool = False) -> Any:
    return queries.list_problems(viewer=request.user, status=status, mine=mine)


@router.get("/feedback/problems/report", response=list[ProblemUnitOut])
def problem_report(request: HttpRequest) -> Any:
    return queries.problem_report(viewer=request.user)


@router.post(
    "/feedback/problems",
    response={201: ProblemOut, **ERRORS},
    openapi_extra=api_permission(perms.PROBLEM_CREATE.code),
)
def create_problem(request: HttpRequest, payload: ProblemIn) -> Any:
    viewer = request.user
    problem = services.raise_problem(
        actor=viewer,
        title=payload.title,
        body=payload.body,
        severity=payload.severity,
        due_on=payload.due_on,
        customer=queries.customer_ref(viewer=viewer, pk=payload.customer_id),
        owner=queries.person_ref(viewer=viewer, pk=payload.owner_id),
    )
    return Status(201, problem)


@router.get("/feedback/problems/{problem_id}", response={200: ProblemOut, 404: ErrorOut})
def get_problem(request: HttpRequest, problem_id: int) -> Any:
    return queries.get_problem(viewer=request.user, pk=problem_id)


@router.post(
    "/feedback/problems/{problem_id}/resolve",
    response={200: ProblemOut, **ERRORS},
    openapi_extra=api_permission(perms.PROBLEM_RESOLVE.code),
)
def resolve_problem(request: HttpRequest, problem_id: int, payload: ProblemResolveIn) -> Any:
    problem = queries.get_problem(viewer=request.user, pk=problem_id, action="change")
    return services.resolve_problem(
        actor=request.user,
        problem=problem,
        expected_version=payload.version,
        resolution=payload.resolution,
    )


@router.get("/feedback/guidance", response=list[GuidanceOut])
@paginate
def list_guidance(request: HttpRequest, scope: str = "") -> Any:
    return queries.list_guidance(viewer=request.user, scope=scope)


@router.post(
    "/feedback/guidance",
    response={201: GuidanceOut, **ERRORS},
    openapi_extra=api_permission(perms.GUIDANCE_CREATE.code),
)
def create_guidance(request: HttpRequest, payload: GuidanceIn) -> Any:
    viewer = request.user
    require(viewer, perms.GUIDANCE_CREATE.code)  # before naming people the caller may not see
    guidance = services.give_guidance(
        actor=viewer,
        person=queries.person_ref(viewer=viewer, pk=payload.person_id),
        body=payload.body,
        kind=payload.kind,
        customer=queries.customer_ref(viewer=viewer, pk=payload.customer_id),
        due_on=payload.due_on,
    )
    return Status(201, guidance)


@router.get("/feedback/guidance/{guidance_id}", response={200: GuidanceOut, 404: ErrorOut})
def get_guidance(request: HttpRequest, guidance_id: int) -> Any:
    return queries.get_guidance(viewer=request.user, pk=guidance_id)


@router.post(
    "/feedback/guidance/{guidance_id}/acknowledge",
    response={200: GuidanceOut, **ERRORS},
    openapi_extra=api_permission(perms.GUIDANCE_ACKNOWLEDGE.code),
)
def acknowledge_guidance(
    request: HttpRequest, guidance_id: int, payload: GuidanceAcknowledgeIn
) -> Any:
    guidance = queries.get_guidance(viewer=request.user, pk=guidance_id, action="change")
    return services.acknowledge_guidance(
        actor=request.user, guidance=guidance, expected_version=payload.version
    )


@router.post(
    "/feedback/guidance/{guidance_id}/follow-up",
    response={200: GuidanceOut, **ERRORS},
    openapi_extra=api_permission(perms.GUIDANCE_FOLLOW_UP.code),
)
def follow_up_guidance(request: HttpRequest, guidance_id: int, payload: GuidanceFollowUpIn) -> Any:
    guidance = queries.get_guidance(viewer=request.user, pk=guidance_id, action="change")
    return services.follow_up_guidance(
        actor=request.user, guidance=guidance, expected_version=payload.version, note=payload.note
    )


@router.get("/feedback/cases", response=list[CaseReviewOut])
@paginate
def list_cases(
    request: HttpRequest,
    q: str = "",
    outcome: str = "",
    tag: str = "",
    customer: int | None = None,
    lessons: bool = False,
) -> Any:
    return queries.list_cases(
        viewer=request.user, q=q, outcome=outcome, tag=tag, customer=customer, lessons=lessons
    )


@router.post(
    "/feedback/cases",
    response={201: CaseReviewOut, **ERRORS},
    openapi_extra=api_permission(perms.CASE_CREATE.code),
)
def create_case(request: HttpRequest, payload: CaseReviewIn) -> Any:
    viewer = request.user
    case = services.write_case_review(
        actor=viewer,
        outcome=payload.outcome,
        title=payload.title,
        body=payload.body,
        lesson=payload.lesson,
        customer=queries.customer_ref(viewer=viewer, pk=payload.customer_id),
        opportunity=queries.opportunity_ref(viewer=viewer, pk=payload.opportunity_id),
        visits=queries.visit_refs(viewer=viewer, pks=payload.visit_ids),
        tags=payload.tags,
        share_with_team=payload.share_with_team,
    )
    return Status(201, case)


@router.get("/feedback/cases/{case_id}", response={200: CaseReviewOut, 404: ErrorOut})
def get_case(request: HttpRequest, case_id: int) -> Any:
    return queries.get_case(viewer=request.user, pk=case_id)


@router.post(
    "/feedback/cases/{case_id}/lesson",
    response={200: CaseReviewOut, **ERRORS},
    openapi_extra=api_permission(perms.CASE_MARK_LESSON.code),
)
def mark_lesson(request: HttpRequest, case_id: int, payload: CaseLessonIn) -> Any:
    case = queries.get_case(viewer=request.user, pk=case_id, action="change")
    return services.mark_lesson(
        actor=request.user,
        case=case,
        expected_version=payload.version,
        is_lesson=payload.is_lesson,
    )
