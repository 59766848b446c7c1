"""The demo company's sales plan for the current year, decomposed, negotiated, approved and
partly acknowledged; a draft for next year past its deadline; action steps; early warnings.

Deterministic and idempotent: keyed by the plan name. Targets follow last year's actual sales
from the ledger demo (plus growth), so people are ahead of and behind pace for real reasons;
without ledger data the split is equal. Market share (市场占有率) is a level each region aims at
for the year (``MARKET_SHARE``), not a quantity split over the regions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.periods import company_calendar
from salescope.org.models import OrgUnit, User
from salescope.plans import rules, services
from salescope.plans.choices import Axis, Method, Metric
from salescope.plans.history import actual_totals
from salescope.plans.models import Acknowledgement, Plan, Target
from salescope.plans.services import CellEdit, Step

SECTIONS = {
    "situation": (
        "去年全国销售额稳中有升，华东、华南贡献超过六成；速冻与休闲食品增长较快，"
        "调味品持平。主要竞争对手在华北加大促销，部分经销商库存偏高，回款周期拉长。"
    ),
    "volume_target": (
        "全年销售额在去年实绩基础上增长约3%，逐级分解到大区、分公司、小组、业务员和月份。"
    ),
    "expense_target": "销售费用率控制在8%以内，费用预算按大区分配，按月跟踪。",
    "regions": "华东、华南、华北、西南四个大区；重点开发杭州、深圳、成都新网点。",
    "deadline": "各大区12月20日前提交自下而上计划草案；1月起按月追踪目标与实绩。",
    "strategy": "深耕重点客户（大客户）和核心经销商；新品速冻水饺在华东、华南先行推广；控制窜货。",
    "organization": "大区经理对本区目标负总责，小组长分解到每位业务员；财务部负责回款跟踪。",
    "action_steps": "见下方行动步骤：谁、做什么、在哪里、什么时间、怎么做。",
    "process_control": "每周看进度：低于进度10%以上自动预警到本人和上级；每月例会复盘。",
    "evaluation": "按季度考核销售额、回款和新增网点，结果与提成挂钩；年底评选优秀团队。",
}

GROWTH = Decimal("1.03")
# Each region's market share target for the year, in hundredths of a percent; the company's is
# their mean. Strong in 华东 and 华南, catching up in 华北 and 西南.
MARKET_SHARE = {"EAST": 19_00, "SOUTH": 17_00, "NORTH": 12_00, "WEST": 14_00}
FALLBACK_TOTAL = 36_000_000_00  # 36 million yuan in fen when the ledger has no history


def _last_year_sales(director: User, year: int) -> int:
    calendar = company_calendar()
    months = calendar.months_of_year(year - 1)
    totals = actual_totals(
        viewer=director,
        metric=Metric.SALES_AMOUNT,
        date_from=months[0],
        date_to=months[-1],
        group_by=(),
    )
    return sum(totals.values())


def load(log: Callable[[str], None]) -> None:
    name = f"{company_calendar().year_of(timezone.localdate())}年度销售计划"
    if Plan.objects.unrestricted().filter(name=name).exists():
        log("plans: demo plan already present")
        return
    users = {u.username: u for u in User.objects.unrestricted().all()}
    if "liuyang" not in users:
        log("plans: demo organisation missing; skipped")
        return
    with audit_source(AuditSource.SYSTEM), transaction.atomic():
        plan = _current_plan(users, name)
        _next_year_draft(users, plan)
    log(f"plans: {name} approved, decomposed into {plan.targets.count()} cells")


def _current_plan(users: dict[str, User], name: str) -> Plan:
    director = users["liuyang"]
    today = timezone.localdate()
    year = company_calendar().year_of(today)
    hq = OrgUnit.objects.unrestricted().get(code="HQ")
    plan = services.create_plan(
        actor=director,
        name=name,
        fiscal_year=year,
        scope_unit=hq,
        deadline=dt.date(year - 1, 12, 20),
        sections=SECTIONS,
    )
    services.update_plan(
        actor=director, plan=plan, expected_version=plan.version, changes={"warning_threshold": 8}
    )
    history = _last_year_sales(director, year)
    total = int(Decimal(history) * GROWTH) // 100_000_00 * 100_000_00 if history else FALLBACK_TOTAL
    method = Method.LAST_YEAR if history else Method.EQUAL
    season = Method.SEASONALITY if history else Method.EQUAL
    sales = services.set_plan_target(
        actor=director, plan=plan, metric=Metric.SALES_AMOUNT, value=total
    )
    services.decompose_target(
        actor=director,
        target=sales,
        steps=[Step(Axis.ORG, method)] * 4 + [Step(Axis.MONTH, season)],
    )
    collections = services.set_plan_target(
        actor=director, plan=plan, metric=Metric.COLLECTIONS, value=total * 9 // 10
    )
    services.decompose_target(
        actor=director,
        target=collections,
        steps=[Step(Axis.ORG, Method.CUSTOM, [Decimal(3), Decimal(3), Decimal(2), Decimal(2)])],
    )
    expense = services.set_plan_target(
        actor=director, plan=plan, metric=Metric.EXPENSE_BUDGET, value=total * 8 // 100
    )
    services.decompose_target(actor=director, target=expense, steps=[Step(Axis.ORG)])
    outlets = services.set_plan_target(
        actor=director, plan=plan, metric=Metric.NEW_OUTLETS, value=120_00
    )
    services.decompose_target(actor=director, target=outlets, steps=[Step(Axis.ORG)])
    _market_share(plan, director)
    _negotiate(plan, sales, users)
    for action in ("submit", "start_review", "approve"):
        plan.refresh_from_db()
        services.transition_plan(
            actor=director, plan=plan, action=action, expected_version=plan.version
        )
    _acknowledge(plan, users)
    _steps(plan, users, today)
    return plan


def _market_share(plan: Plan, director: User) -> None:
    """The company's market share and each region's own level for the year: the target is
    decomposed over the regions (each starts at the company's level, a percentage is not split)
    and each region's level is then typed in, as a planner does in the grid."""
    regions = {
        u.code: u
        for u in OrgUnit.objects.unrestricted().filter(code__in=MARKET_SHARE).order_by("code")
    }
    if not regions:
        return
    levels = {code: MARKET_SHARE[code] for code in regions}
    company = rules.mean_half_up(sum(levels.values()), len(levels))
    root = services.set_plan_target(
        actor=director, plan=plan, metric=Metric.MARKET_SHARE, value=company
    )
    members = [unit.pk for unit in regions.values()]
    services.decompose_target(actor=director, target=root, steps=[Step(Axis.ORG, members=members)])
    codes = {unit.pk: code for code, unit in regions.items()}
    edits = [
        CellEdit(cell.pk, cell.version, value=levels[codes[cell.unit_id]])
        for cell in Target.objects.unrestricted().filter(parent=root)
    ]
    services.edit_cells(actor=director, parent=root, edits=edits)


def _negotiate(plan: Plan, sales: Target, users: dict[str, User]) -> None:
    """Two-way planning: the regions' bottom-up drafts and the talk on 华东's cell."""
    regions = list(Target.objects.unrestricted().filter(parent=sales).order_by("position"))
    factors = [Decimal("0.94"), Decimal("1.02"), Decimal("0.90"), Decimal("0.97")]
    edits = [
        CellEdit(
            r.pk,
            r.version,
            draft_given=True,
            bottom_up=int(Decimal(r.value) * f) // 100 * 100,
        )
        for r, f in zip(regions, factors, strict=False)
    ]
    services.edit_cells(actor=users["liuyang"], parent=sales, edits=edits)
    east = next((r for r in regions if r.unit and r.unit.code == "EAST"), None)
    if east is not None:
        services.comment_on_target(
            actor=users["wangqiang"],
            target=east,
            text="华东今年有两个大经销商调整库存，上半年压力大，建议目标下调6%。",
        )
        services.comment_on_target(
            actor=users["liuyang"],
            target=east,
            text="华东是新品速冻水饺的首发区，公司会加投费用支持，目标维持，下半年发力。",
        )
        services.comment_on_target(
            actor=users["wangqiang"], target=east, text="同意，按公司目标执行，请费用尽早到位。"
        )


def _acknowledge(plan: Plan, users: dict[str, User]) -> None:
    approved = plan.approved_at or timezone.now()
    asked = approved.replace(year=plan.fiscal_year - 1, month=12, day=28)
    Acknowledgement.objects.unrestricted().filter(plan=plan).update(requested_at=asked)
    late = {"zhoulei", "chenjing", "jiangnan", "luxin", "dongjie", "hetao"}
    for ack in Acknowledgement.objects.unrestricted().filter(plan=plan).select_related("person"):
        if ack.person.username in late:
            continue
        services.acknowledge(actor=ack.person, acknowledgement=ack, note="已学习计划，确认目标。")


def _steps(plan: Plan, users: dict[str, User], today: dt.date) -> None:
    steps = [
        (
            "wangqiang",
            "召开华东大区计划宣讲会",
            "上海分公司会议室",
            -300,
            "全员参加，逐人确认目标",
            True,
        ),
        ("lina", "新品速冻水饺进入30家重点门店", "上海", -120, "陈列+试吃，每店拍照回传", True),
        ("zhangwei", "拜访三家大客户商谈年度协议", "上海浦东", -10, "带报价单和促销方案", False),
        ("chenjing", "清理广州经销商超期库存", "广州", -5, "协调退换货，控制窜货", False),
        ("huangfei", "深圳新网点开发（10家）", "深圳", 25, "按网点开发清单执行", False),
        ("zhaomin", "逾期应收专项催收", "财务部", 12, "按账龄分级，逐户电话+上门", False),
    ]
    director = users["liuyang"]
    for username, what, where, offset, how, done in steps:
        step = services.create_step(
            actor=director,
            plan=plan,
            what=what,
            assignee=users[username],
            where=where,
            due_date=today + dt.timedelta(days=offset),
            how=how,
        )
        if done:
            services.update_step(
                actor=users[username],
                step=step,
                expected_version=step.version,
                changes={"status": "done"},
            )


def _next_year_draft(users: dict[str, User], current: Plan) -> None:
    """Next year's plan as the director drafts it in December: this year's plan plus growth,
    split by product category on this year's shares and by month on its seasons, so the
    forecast page has a plan to set next quarter's forecast against while the regions have yet
    to submit theirs."""
    director = users["liuyang"]
    today = timezone.localdate()
    year = company_calendar().year_of(today) + 1
    plan = services.create_plan(
        actor=director,
        name=f"{year}年度销售计划（草案）",
        fiscal_year=year,
        scope_unit=OrgUnit.objects.unrestricted().get(code="HQ"),
        deadline=today - dt.timedelta(days=3),
        sections={"situation": "待各大区提交自下而上草案后汇总。"},
    )
    this_year = (
        Target.objects.unrestricted()
        .get(plan=current, metric=Metric.SALES_AMOUNT, parent=None)
        .value
    )
    sales = services.set_plan_target(
        actor=director,
        plan=plan,
        metric=Metric.SALES_AMOUNT,
        value=int(Decimal(this_year) * GROWTH) // 100_000_00 * 100_000_00,
    )
    if _last_year_sales(director, year):
        services.decompose_target(
            actor=director,
            target=sales,
            steps=[Step(Axis.PRODUCT, Method.LAST_YEAR), Step(Axis.MONTH, Method.SEASONALITY)],
        )
