"""Evaluation's JSON API under /api/v1/performance/: thin handlers over queries and services."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from salescope.core.api import ErrorOut
from salescope.org.permissions import api_permission
from salescope.performance import permissions as perms
from salescope.performance import queries, services
from salescope.performance.schemas import (
    PerformanceComputeIn,
    PerformanceCriterionIn,
    PerformanceCriterionOut,
    PerformanceDrillOut,
    PerformanceFollowUpIn,
    PerformanceGoalOut,
    PerformanceKpiReportOut,
    PerformanceLeaderOut,
    PerformancePlanIn,
    PerformancePlanOut,
    PerformanceRatingIn,
    PerformanceRatingOut,
    PerformanceScorecardOut,
    PerformanceTemplateIn,
    PerformanceTemplateOut,
    PerformanceVersionIn,
)

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
def drill(request: HttpRequest, person_id: int, kpi: str, period: str = "") -> Any:
    viewer = request.user
    person = queries.person_ref(viewer=viewer, pk=person_id)
    month = queries.parse_period(period) if period else queries.last_month()
    facts = queries.drill(viewer=viewer, person=person, month=month, kpi=kpi)
    return queries.drill_json(facts)


# ---- scorecards, ratings, leaderboards, improvement plans (G3, G4) -------------------------


@router.get("/performance/templates", response=list[PerformanceTemplateOut])
def list_templates(request: HttpRequest) -> Any:
    return queries.templates(viewer=request.user)


@router.get("/performance/criteria", response={200: list[PerformanceCriterionOut], **ERRORS})
def list_criteria(request: HttpRequest) -> Any:
    """The rating criteria in use (团队协作, 工作热情, 责任心 and those the company added)."""
    return list(queries.criteria(viewer=request.user))


@router.post(
    "/performance/criteria",
    response={201: PerformanceCriterionOut, **ERRORS},
    openapi_extra=api_permission(perms.CRITERION_MANAGE.code),
)
def create_criterion(request: HttpRequest, payload: PerformanceCriterionIn) -> Any:
    criterion = services.add_criterion(
        actor=request.user,
        code=payload.code,
        name=payload.name,
        scale_max=payload.scale_max,
        description=payload.description,
    )
    return Status(201, criterion)


@router.post(
    "/performance/templates",
    response={201: PerformanceTemplateOut, **ERRORS},
    openapi_extra=api_permission(perms.TEMPLATE_MANAGE.code),
)
def create_template(request: HttpRequest, payload: PerformanceTemplateIn) -> Any:
    template = services.create_template(
        actor=request.user,
        name=payload.name,
        role=payload.role,
        effective_from=payload.effective_from,
        reward_top=payload.reward_top,
        improve_bottom=payload.improve_bottom,
        items=[item.dict() for item in payload.items],
    )
    return Status(201, template)


@router.post(
    "/performance/templates/{template_id}/publish",
    response={200: PerformanceTemplateOut, **ERRORS},
    openapi_extra=api_permission(perms.TEMPLATE_MANAGE.code),
)
def publish_template(request: HttpRequest, template_id: int, payload: PerformanceVersionIn) -> Any:
    template = queries.get_template(viewer=request.user, pk=template_id)
    return services.publish_template(
        actor=request.user, template=template, expected_version=payload.version
    )


@router.post(
    "/performance/scorecards/compute",
    response={200: dict[str, int], **ERRORS},
    openapi_extra=api_permission(perms.SCORECARD_COMPUTE.code),
)
def compute(request: HttpRequest, payload: PerformanceComputeIn) -> Any:
    template = queries.get_template(viewer=request.user, pk=payload.template_id)
    return services.compute_scorecards(
        actor=request.user, template=template, month=queries.parse_period(payload.period)
    )


@router.get("/performance/scorecards", response=list[PerformanceScorecardOut])
@paginate
def list_scorecards(request: HttpRequest, period: str = "", unit: int | None = None) -> Any:
    viewer = request.user
    return queries.list_scorecards(
        viewer=viewer,
        month=queries.parse_period(period) if period else None,
        unit=queries.unit_ref(viewer=viewer, pk=unit),
    )


@router.get("/performance/scorecards/{card_id}", response={200: PerformanceScorecardOut, **ERRORS})
def get_scorecard(request: HttpRequest, card_id: int) -> Any:
    return queries.get_scorecard(viewer=request.user, pk=card_id)


def _step(request: HttpRequest, card_id: int, payload: PerformanceVersionIn, step: str) -> Any:
    viewer = request.user
    card = queries.get_scorecard(viewer=viewer, pk=card_id)
    version = payload.version
    if step == "review":
        return services.review_scorecard(
            actor=viewer, card=card, expected_version=version, comment=payload.text
        )
    if step == "publish":
        return services.publish_scorecard(actor=viewer, card=card, expected_version=version)
    if step == "acknowledge":
        return services.acknowledge_scorecard(actor=viewer, card=card, expected_version=version)
    if step == "appeal":
        return services.appeal_scorecard(
            actor=viewer, card=card, expected_version=version, reason=payload.text
        )
    return services.answer_appeal(
        actor=viewer, card=card, expected_version=version, answer=payload.text
    )


@router.post(
    "/performance/scorecards/{card_id}/review",
    response={200: PerformanceScorecardOut, **ERRORS},
    openapi_extra=api_permission(perms.SCORECARD_REVIEW.code),
)
def review(request: HttpRequest, card_id: int, payload: PerformanceVersionIn) -> Any:
    return _step(request, card_id, payload, "review")


@router.post(
    "/performance/scorecards/{card_id}/publish",
    response={200: PerformanceScorecardOut, **ERRORS},
    openapi_extra=api_permission(perms.SCORECARD_REVIEW.code),
)
def publish(request: HttpRequest, card_id: int, payload: PerformanceVersionIn) -> Any:
    return _step(request, card_id, payload, "publish")


@router.post(
    "/performance/scorecards/{card_id}/answer",
    response={200: PerformanceScorecardOut, **ERRORS},
    openapi_extra=api_permission(perms.SCORECARD_REVIEW.code),
)
def answer(request: HttpRequest, card_id: int, payload: PerformanceVersionIn) -> Any:
    return _step(request, card_id, payload, "answer")


@router.post(
    "/performance/scorecards/{card_id}/acknowledge",
    response={200: PerformanceScorecardOut, **ERRORS},
    openapi_extra=api_permission(perms.SCORECARD_RESPOND.code),
)
def acknowledge(request: HttpRequest, card_id: int, payload: PerformanceVersionIn) -> Any:
    return _step(request, card_id, payload, "acknowledge")


@router.post(
    "/performance/scorecards/{card_id}/appeal",
    response={200: PerformanceScorecardOut, **ERRORS},
    openapi_extra=api_permission(perms.SCORECARD_RESPOND.code),
)
def appeal(request: HttpRequest, card_id: int, payload: PerformanceVersionIn) -> Any:
    return _step(request, card_id, payload, "appeal")


@router.get("/performance/ratings", response=list[PerformanceRatingOut])
def list_ratings(request: HttpRequest, person: int, period: str) -> Any:
    viewer = request.user
    who = queries.person_ref(viewer=viewer, pk=person)
    return queries.ratings_of(viewer=viewer, person=who, month=queries.parse_period(period))


@router.post(
    "/performance/ratings",
    response={200: PerformanceRatingOut, **ERRORS},
    openapi_extra=api_permission(perms.RATE.code),
)
def rate(request: HttpRequest, payload: PerformanceRatingIn) -> Any:
    viewer = request.user
    return services.rate(
        actor=viewer,
        person=queries.person_ref(viewer=viewer, pk=payload.person_id),
        criterion=queries.criterion_ref(viewer=viewer, code=payload.criterion),
        month=queries.parse_period(payload.period),
        score=payload.score,
        comment=payload.comment,
        expected_version=payload.version,
    )


@router.get("/performance/leaderboard", response=list[PerformanceLeaderOut])
def leaderboard(request: HttpRequest, period: str, unit: int | None = None) -> Any:
    viewer = request.user
    return queries.leaderboard(
        viewer=viewer,
        month=queries.parse_period(period),
        unit=queries.unit_ref(viewer=viewer, pk=unit),
    )


@router.get("/performance/improvement-plans", response=list[PerformancePlanOut])
def list_plans(request: HttpRequest) -> Any:
    return queries.improvement_plans(viewer=request.user)


@router.post(
    "/performance/improvement-plans",
    response={201: PerformancePlanOut, **ERRORS},
    openapi_extra=api_permission(perms.IMPROVEMENT_MANAGE.code),
)
def create_plan(request: HttpRequest, payload: PerformancePlanIn) -> Any:
    viewer = request.user
    plan = services.create_improvement_plan(
        actor=viewer,
        person=queries.person_ref(viewer=viewer, pk=payload.person_id),
        scorecard=queries.get_scorecard(viewer=viewer, pk=payload.scorecard_id)
        if payload.scorecard_id
        else None,
        goals=[(g.text, g.deadline) for g in payload.goals],
    )
    return Status(201, plan)


@router.post(
    "/performance/improvement-goals/{goal_id}/follow-up",
    response={200: PerformanceGoalOut, **ERRORS},
    openapi_extra=api_permission(perms.IMPROVEMENT_FOLLOW.code),
)
def follow_up(request: HttpRequest, goal_id: int, payload: PerformanceFollowUpIn) -> Any:
    viewer = request.user
    goal = queries.get_goal(viewer=viewer, pk=goal_id)
    return services.follow_up_goal(
        actor=viewer,
        goal=goal,
        expected_version=payload.version,
        note=payload.note,
        done=payload.done,
    )
