"""Demo data of the pipeline: two product lines' pipelines with stages, guidance and gates;
opportunities in every stage for each salesperson (some stuck), and a year of won and lost
deals so reports, conversion and win rates have history. Goes through the services, so stage
history, audit and the customers' timelines are filled as a user would fill them.

Deterministic (seeded) and idempotent: nothing happens when the demo pipelines exist.
"""

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from salescope.catalog.models import Category
from salescope.customers.models import Customer
from salescope.org.choices import Role
from salescope.org.models import User
from salescope.pipeline import services
from salescope.pipeline.choices import LostReason, StageKind
from salescope.pipeline.models import Opportunity, Pipeline, Stage

SEED = 2027
OPEN_STAGES = [
    {
        "name": "初步接洽",
        "probability": 10,
        "rotting_days": 14,
        "guidance": (
            "了解客户现有渠道和采购方式，约见采购负责人。\n记录客户的需求紧迫度和采购时间。"
        ),
        "risks": "只接触到基层人员，找不到决策人。",
    },
    {
        "name": "需求确认",
        "probability": 25,
        "required_fields": ["customer", "amount"],
        "checklist": ["确认采购预算", "找到客户负责人"],
        "rotting_days": 21,
        "guidance": "确认采购预算、采购周期和决策流程；估算金额和预计成交日期。",
        "risks": "预算未落实；需求只是询价比价。",
    },
    {
        "name": "方案报价",
        "probability": 50,
        "forecast_category": "best_case",
        "required_fields": ["decision_maker", "expected_close"],
        "checklist": ["提交书面方案", "报价经经理审批"],
        "rotting_days": 30,
        "guidance": "按客户渠道给出陈列、促销和供货方案；报价前与经理确认折扣。",
        "risks": "竞争对手低价；方案没有打动决策人。",
    },
    {
        "name": "商务谈判",
        "probability": 75,
        "forecast_category": "commit",
        "checklist": ["合同条款确认"],
        "rotting_days": 21,
        "guidance": "谈判付款条件和信用额度，确认首批订货量和到货时间。",
        "risks": "账期要求超出信用政策；拖延签约。",
    },
]
CLOSED_STAGES = [
    {"name": "赢单", "probability": 100, "kind": StageKind.WON, "forecast_category": "closed"},
    {"name": "输单", "probability": 0, "kind": StageKind.LOST, "forecast_category": "omitted"},
]
PIPELINES = [("饮料渠道拓展", "饮料"), ("休闲食品大客户", "休闲食品")]
DEALS = ["夏季铺货", "新品进场", "年度供货", "促销专柜", "节日礼盒", "渠道扩展", "门店陈列"]


def load(log: Callable[[str], None]) -> None:
    if Pipeline.objects.unrestricted().filter(name=PIPELINES[0][0]).exists():
        log("pipeline: demo pipelines already loaded")
        return
    admin = User.objects.unrestricted().filter(role=Role.ADMINISTRATOR).order_by("pk").first()
    if admin is None:
        log("pipeline: no administrator, demo pipelines skipped")
        return
    rng = random.Random(SEED)  # noqa: S311 - seeded demo data, not security
    now = timezone.now()
    with transaction.atomic():
        pipelines = [_pipeline(admin, name, line) for name, line in PIPELINES]
        opened = closed = 0
        for person in _salespeople():
            customers = list(Customer.objects.unrestricted().filter(owner=person)[:8])
            for _n in range(5):
                _open_deal(rng, person, rng.choice(pipelines), customers, now)
                opened += 1
            for _n in range(8):
                _closed_deal(rng, person, rng.choice(pipelines), customers, now)
                closed += 1
        model = services.refit_win_model(actor=None)  # the history is there: learn from it
    log(f"pipeline: {len(pipelines)} pipelines, {opened} open and {closed} closed opportunities")
    log(f"pipeline: win probability learnt from {model.closed_deals} closed deals")


def _salespeople() -> list[User]:
    return list(
        User.objects.unrestricted()
        .filter(role=Role.SALESPERSON, is_active=True)
        .order_by("username")
    )


def _pipeline(admin: User, name: str, line: str) -> Pipeline:
    category = Category.objects.unrestricted().filter(name=line, parent=None).first()
    stages = [dict(s) for s in OPEN_STAGES + CLOSED_STAGES]
    return services.create_pipeline(actor=admin, name=name, product_line=category, stages=stages)


def _stages(pipeline: Pipeline) -> list[Stage]:
    return list(Stage.objects.unrestricted().filter(pipeline=pipeline).order_by("order"))


def _new(
    rng: random.Random, person: User, pipeline: Pipeline, customers: list, at: dt.datetime
) -> Opportunity:
    customer = rng.choice(customers) if customers else None
    amount = rng.randrange(20, 400) * 1000
    close = (at + dt.timedelta(days=rng.randrange(30, 150))).date()
    name = f"{customer.name if customer else person.display_name} {rng.choice(DEALS)}"
    opportunity = services.create_opportunity(
        actor=person,
        customer=customer,
        name=name[:200],
        owner=person,
        pipeline=pipeline,
        amount=amount,
        expected_close=close,
        source=rng.choice(["展会", "老客户推荐", "官网", "电话营销", "经销商"]),
        created_at=at,
    )
    every_item = [item for stage in _stages(pipeline) for item in stage.checklist]
    return services.update_opportunity(
        actor=person,
        opportunity=opportunity,
        expected_version=opportunity.version,
        changes={"decision_maker": "采购经理", "checklist_done": every_item},
    )


def _walk(person: User, opportunity: Opportunity, stages: list[Stage], at: dt.datetime) -> None:
    for stage in stages:
        opportunity.refresh_from_db()
        services.move_opportunity_to_stage(
            actor=person,
            opportunity=opportunity,
            stage=stage,
            expected_version=opportunity.version,
            at=at,
        )
        at += dt.timedelta(days=7)


def _open_deal(
    rng: random.Random, person: User, pipeline: Pipeline, customers: list, now: dt.datetime
) -> None:
    open_stages = [s for s in _stages(pipeline) if s.kind == StageKind.OPEN]
    target = rng.randrange(len(open_stages))
    stuck = rng.random() < 0.2
    age = rng.randrange(50, 90) if stuck else rng.randrange(3, 10)
    start = now - dt.timedelta(days=age + 7 * target)
    opportunity = _new(rng, person, pipeline, customers, start)
    _walk(person, opportunity, open_stages[1 : target + 1], start + dt.timedelta(days=7))


def _closed_deal(
    rng: random.Random, person: User, pipeline: Pipeline, customers: list, now: dt.datetime
) -> None:
    stages = _stages(pipeline)
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    won, lost = (next(s for s in stages if s.kind == kind) for kind in ("won", "lost"))
    start = now - dt.timedelta(days=rng.randrange(60, 365))
    opportunity = _new(rng, person, pipeline, customers, start)
    reached = rng.randrange(len(open_stages))
    _walk(person, opportunity, open_stages[1 : reached + 1], start + dt.timedelta(days=7))
    closing = start + dt.timedelta(days=7 * (reached + 1) + rng.randrange(0, 20))
    opportunity.refresh_from_db()
    if rng.random() < 0.35 + 0.15 * reached:
        services.move_opportunity_to_stage(
            actor=person,
            opportunity=opportunity,
            stage=won,
            expected_version=opportunity.version,
            at=closing,
        )
    else:
        services.move_opportunity_to_stage(
            actor=person,
            opportunity=opportunity,
            stage=lost,
            expected_version=opportunity.version,
            lost_reason=rng.choice(LostReason.values),
            at=closing,
        )
