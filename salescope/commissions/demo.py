"""The demo company's commissions (提成): an approved plan paying every salesperson on sales,
tiered by attainment of the year's sales plan (below 80 % 1 %, 80–100 % 2 %, from 100 % 3 %,
at most ¥30,000 a month), and last month's statements — approved, except 华南's, still
waiting for approval.

Idempotent: nothing is added once the plan exists. Every write goes through
``commissions.services`` (audited), as the sales director and finance would.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from salescope.commissions import services
from salescope.commissions.choices import Base, StatementStatus
from salescope.commissions.models import CommissionPlan, Statement
from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.periods import add_months, month_start
from salescope.org.models import OrgUnit, User
from salescope.plans.choices import PlanStatus
from salescope.plans.models import Plan

NAME = "业务员销售提成方案"


def load(log: Callable[[str], None]) -> None:
    if CommissionPlan.objects.unrestricted().filter(name=NAME).exists():
        log("commissions: already loaded")
        return
    people = {u.username: u for u in User.objects.unrestricted().all()}
    if "liuyang" not in people or "zhaomin" not in people:
        log("commissions: demo organisation missing; skipped")
        return
    today = timezone.localdate()
    last_month = add_months(month_start(today), -1)
    sales_plan = (
        Plan.objects.unrestricted()
        .filter(status=PlanStatus.APPROVED, period_start__lte=last_month)
        .filter(period_end__gte=last_month)
        .order_by("pk")
        .first()
    )
    director, finance = people["liuyang"], people["zhaomin"]
    with audit_source(AuditSource.SYSTEM), transaction.atomic():
        plan = services.create_plan(
            actor=director,
            name=NAME,
            base=Base.SALES_AMOUNT,
            attainment_metric=Base.SALES_AMOUNT,
            target_plan=sales_plan,
            tiers=[(0, 100), (8000, 200), (10000, 300)],
            cap_fen=30_000_00,
            valid_from=month_start(today.replace(month=1)),
        )
        plan = services.approve_plan(actor=director, plan=plan, expected_version=plan.version)
        for code in ("EAST", "SOUTH", "NORTH", "WEST"):
            unit = OrgUnit.objects.unrestricted().filter(code=code).first()
            if unit is not None:
                services.assign(actor=director, plan=plan, unit=unit)
        result = services.compute_statements(actor=finance, period=last_month)
        south = OrgUnit.objects.unrestricted().filter(code="SOUTH").first()
        drafts = Statement.objects.unrestricted().filter(
            period=last_month, status=StatementStatus.DRAFT
        )
        if south is not None:
            drafts = drafts.exclude(person__unit__path__startswith=south.path)
        for statement in drafts.order_by("pk"):
            services.approve_statement(
                actor=finance, statement=statement, expected_version=statement.version
            )
    log(f"commissions: {NAME}, {result.people} statements for {last_month:%Y-%m}")
