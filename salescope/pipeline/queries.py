"""Reads of pipelines and opportunities, always for a viewer (the one rule)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from salescope.org.models import User
from salescope.pipeline.choices import StageKind
from salescope.pipeline.models import ForecastAdjustment, Opportunity, Pipeline, Stage, StageChange


def list_pipelines(*, viewer: User) -> QuerySet[Pipeline]:
    return (
        Pipeline.objects.visible_to(viewer, "view")
        .filter(is_active=True)
        .select_related("product_line")
    )


def get_pipeline(*, viewer: User, pk: Any) -> Pipeline:
    return Pipeline.objects.get_visible(viewer, pk)


def stages_of(*, viewer: User, pipeline: Pipeline) -> list[Stage]:
    return list(
        Stage.objects.visible_to(viewer, "view").filter(pipeline=pipeline).order_by("order")
    )


def get_stage(*, viewer: User, pk: Any) -> Stage:
    return Stage.objects.get_visible(viewer, pk)


def list_opportunities(
    *,
    viewer: User,
    scope: str = "",
    customer: Any = None,
    pipeline: Any = None,
    stage: Any = None,
    open_only: bool = False,
    search: str = "",
) -> QuerySet[Opportunity]:
    """Opportunities the viewer may see; ``scope="mine"`` only their own."""
    opportunities = Opportunity.objects.visible_to(viewer, "view").select_related(
        "stage", "owner", "customer", "pipeline"
    )
    if scope == "mine":
        opportunities = opportunities.filter(owner=viewer)
    if customer is not None:
        opportunities = opportunities.filter(customer=customer)
    if pipeline is not None:
        opportunities = opportunities.filter(pipeline=pipeline)
    if stage is not None:
        opportunities = opportunities.filter(stage=stage)
    if open_only:
        opportunities = opportunities.filter(stage__kind=StageKind.OPEN)
    if search:
        opportunities = opportunities.filter(
            Q(name__icontains=search) | Q(customer__name__icontains=search)
        )
    return opportunities.order_by("expected_close", "id")


def get_opportunity(*, viewer: User, pk: Any, action: str = "view") -> Opportunity:
    queryset = Opportunity.objects.select_related("stage", "owner", "customer", "pipeline")
    return queryset.get_visible(viewer, pk, action)


def stage_history(*, viewer: User, opportunity: Opportunity) -> QuerySet[StageChange]:
    return (
        StageChange.objects.visible_to(viewer, "view")
        .filter(opportunity=opportunity)
        .select_related("from_stage", "to_stage", "actor")
        .order_by("at", "id")
    )


def forecast_adjustments(
    *, viewer: User, months: list[dt.date]
) -> dict[dt.date, ForecastAdjustment]:
    """The viewer's own adjustments for ``months``."""
    rows = ForecastAdjustment.objects.visible_to(viewer, "view").filter(
        manager=viewer, month__in=months
    )
    return {row.month: row for row in rows}
