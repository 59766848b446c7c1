"""The commissions routes in the leak and permission matrices (tests/visibility). Records are
built directly for ``owner``."""

import datetime as dt

from django.utils import timezone

from salescope.commissions.models import CommissionAssignment, CommissionPlan, Statement
from tests.visibility.registry import Target, register

MONTH = dt.date(2026, 11, 1)


def make_plan(owner, **fields):
    fields.setdefault("status", "draft")
    return CommissionPlan.objects.create(
        name=f"{owner.username} 的提成方案",
        base="sales_amount",
        tiers=[[0, 100], [8000, 200]],
        valid_from=MONTH,
        owner=owner,
        **fields,
    )


def make_statement(person, plan=None):
    plan = plan or make_plan(person, status="approved")
    return Statement.objects.create(
        person=person,
        period=MONTH,
        plan=plan,
        base_fen=100_000,
        payout_fen=1_000,
        total_fen=1_000,
        computed_at=timezone.now(),
    )


@register(
    "commissions:plan",
    "commissions:plan-approve",
    "commissions:plan-assign",
    "commissions:plan-edit",
    "/api/v1/commissions/plans/{plan_id}",
    "/api/v1/commissions/plans/{plan_id}/approve",
    "/api/v1/commissions/plans/{plan_id}/assignments",
)
def plan(personas, owner):
    made = make_plan(owner)
    return Target(
        params={"pk": made.pk, "plan_id": made.pk},
        obj=made,
        everyone_sees=True,  # a commission plan is published to everyone it may pay
        bodies={"POST": {"version": made.version}, "PATCH": {"version": made.version}},
    )


@register("commissions:assignment-delete", "/api/v1/commissions/assignments/{assignment_id}")
def assignment(personas, owner):
    made = CommissionAssignment.objects.create(plan=make_plan(personas["admin"]), person=owner)
    return Target(params={"pk": made.pk, "assignment_id": made.pk}, obj=made)


@register(
    "commissions:statement",
    "commissions:statement-approve",
    "/api/v1/commissions/statements/{statement_id}",
    "/api/v1/commissions/statements/{statement_id}/approve",
)
def statement(personas, owner):
    made = make_statement(owner)
    return Target(
        params={"pk": made.pk, "statement_id": made.pk},
        obj=made,
        bodies={"POST": {"version": made.version}},
    )
