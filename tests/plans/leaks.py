"""The plan and tracking routes in the leak and permission matrices (tests/visibility).

Each factory builds the record for ``owner`` directly (the services would refuse a salesperson
a plan of their own, which is the point of the permission matrix, not of the factory)."""

import datetime as dt
import itertools

from salescope.analytics.models import Alert
from salescope.plans.models import Acknowledgement, ActionStep, Plan, Target
from tests.visibility.registry import Target as Made
from tests.visibility.registry import register

_serial = itertools.count(1)


def _plan(owner):
    return Plan.objects.create(
        name=f"{owner.username} 的计划",
        fiscal_year=2026,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        scope_unit=owner.unit,
        owner=owner,
    )


def _cell(owner, plan=None):
    return Target.objects.create(
        plan=plan or _plan(owner),
        metric="sales_amount",
        person=owner,
        unit=owner.unit,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        grain="year",
        value=100_000_00,
    )


@register(
    "plans:detail",
    "plans:edit",
    "plans:transition",
    "plans:set-total",
    "plans:acknowledgements",
    "plans:unassigned",
    "plans:steps",
    "plans:diff",
    "plans:export",
    "plans:import",
)
def plan_page(personas, owner):
    plan = _plan(owner)
    return Made(params={"pk": plan.pk}, obj=plan)


@register(
    "/api/v1/plans/{plan_id}",
    "/api/v1/plans/{plan_id}/transition",
    "/api/v1/plans/{plan_id}/targets",
    "/api/v1/plans/{plan_id}/acknowledgements",
    "/api/v1/plans/{plan_id}/unassigned",
    "/api/v1/plans/{plan_id}/diff",
    "/api/v1/plans/{plan_id}/steps",
    "/api/v1/plans/{plan_id}/import",
    "/api/v1/plans/{plan_id}/target-variance",
)
def plan_api(personas, owner):
    plan = _plan(owner)
    return Made(params={"plan_id": plan.pk}, obj=plan)


@register("plans:grid", "plans:decompose", "plans:bottom-up", "plans:comments")
def target_page(personas, owner):
    cell = _cell(owner)
    return Made(params={"pk": cell.pk}, obj=cell)


@register(
    "/api/v1/targets/{target_id}",
    "/api/v1/targets/{target_id}/decompose",
    "/api/v1/targets/{target_id}/decompose/preview",
    "/api/v1/targets/{target_id}/cells",
    "/api/v1/targets/{target_id}/bottom-up",
    "/api/v1/targets/{target_id}/comments",
)
def target_api(personas, owner):
    cell = _cell(owner)
    return Made(params={"target_id": cell.pk}, obj=cell)


def _ack(owner):
    return Acknowledgement.objects.create(plan=_plan(owner), person=owner, revision=1)


@register("plans:acknowledgement")
def ack_page(personas, owner):
    ack = _ack(owner)
    return Made(params={"pk": ack.pk}, obj=ack)


@register("/api/v1/acknowledgements/{ack_id}")
def ack_api(personas, owner):
    ack = _ack(owner)
    return Made(params={"ack_id": ack.pk}, obj=ack)


def _step(owner):
    return ActionStep.objects.create(
        plan=_plan(owner), what="拜访大客户", assignee=owner, due_date=dt.date(2026, 6, 30)
    )


@register("plans:step-status")
def step_page(personas, owner):
    step = _step(owner)
    return Made(params={"pk": step.pk}, obj=step)


@register("/api/v1/steps/{step_id}")
def step_api(personas, owner):
    step = _step(owner)
    return Made(params={"step_id": step.pk}, obj=step)


def _alert(owner):
    return Alert.objects.create(
        key=f"leak:{owner.pk}:{next(_serial)}",
        kind="behind_pace",
        owner=owner,
        plan=_plan(owner),
        link="/tracking/my/",
    )


@register("analytics:resolve")
def alert_page(personas, owner):
    alert = _alert(owner)
    return Made(params={"pk": alert.pk}, obj=alert)


@register("/api/v1/warnings/{alert_id}/resolve")
def alert_api(personas, owner):
    alert = _alert(owner)
    return Made(params={"alert_id": alert.pk}, obj=alert)
