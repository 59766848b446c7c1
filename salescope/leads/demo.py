"""Demo data of marketing (孙丽): campaigns with costs, evaluation models, distribution rules,
and leads in every state — assigned and contacted, overdue, nurtured, in the pool (公海)."""

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from salescope.catalog.models import Category
from salescope.leads import services
from salescope.leads.choices import LeadStatus
from salescope.leads.models import Campaign, Criterion, Lead
from salescope.org.models import User
from salescope.pipeline import services as pipeline_services
from salescope.pipeline.models import Pipeline, Stage

SEED = 2015
CAMPAIGNS = [
    # code, name, source, medium, days ago started, length, budget, actual cost
    ("2026-EXPO", "2026 春季糖酒会", "exhibition", "展位", 120, 4, 80000, 76500),
    ("2026-WEB", "官网新品推广", "website", "搜索广告", 90, 60, 30000, 27800),
    ("2026-DEALER", "经销商招商大会", "event", "线下会议", 45, 2, 50000, 52300),
    ("2026-WECHAT", "微信公众号投放", "social", "公众号", 30, 30, 15000, 9000),
]
URGENCY = [("急需", 10), ("一般", 6), ("不急", 2)]
TIMING = [("1个月内", 10), ("3个月内", 6), ("半年以上", 2)]
CYCLE = [("短（一次决策）", 8), ("中（需比价）", 5), ("长（需招标）", 2)]
OWNER = [("已接触决策人", 10), ("接触到影响人", 5), ("未知", 0)]


def _criteria() -> list[dict]:
    def options(pairs: list[tuple[str, int]]) -> list[dict]:
        return [{"label": label, "points": points} for label, points in pairs]

    return [
        {"name": "需求紧迫度", "weight": 3, "kind": "options", "options": options(URGENCY)},
        {"name": "采购时间", "weight": 2, "kind": "options", "options": options(TIMING)},
        {"name": "采购周期", "weight": 1, "kind": "options", "options": options(CYCLE)},
        {"name": "客户负责人", "weight": 2, "kind": "options", "options": options(OWNER)},
        {"name": "采购预算", "weight": 2, "kind": "scale", "min": 0, "max": 500000},
    ]


RULES = [
    # name, priority, provinces, salespeople
    ("华东：上海", 10, "上海", ["zhangwei", "yangfan", "zhoulei", "wuxia", "zhuhao"]),
    ("华东：江浙", 20, "江苏 浙江", ["linfeng", "heli"]),
    ("华南：广东", 30, "广东", ["chenjing", "gaoyang", "liangyu", "xieqiang", "caimin"]),
    ("华北：京津", 40, "北京 天津 河北", ["panwen", "dongjie", "yuanhong", "jiangtao"]),
    ("西南：川渝", 50, "四川 重庆", ["caoying", "pengbo", "luxin", "jiangnan"]),
]
COMPANIES = [
    ("上海", "上海", "联华便利", "超市"),
    ("上海", "上海", "申城餐饮管理", "餐饮"),
    ("上海", "上海", "浦东员工食堂", "团餐"),
    ("浙江", "杭州", "西湖连锁超市", "超市"),
    ("江苏", "南京", "金陵便利店", "超市"),
    ("广东", "广州", "羊城茶餐厅", "餐饮"),
    ("广东", "深圳", "鹏城便利", "超市"),
    ("北京", "北京", "京华商贸", "批发"),
    ("天津", "天津", "津门食品批发", "批发"),
    ("四川", "成都", "蓉城火锅", "餐饮"),
    ("重庆", "重庆", "山城超市", "超市"),
    ("新疆", "乌鲁木齐", "天山商贸", "批发"),
    ("云南", "昆明", "春城便利", "超市"),
]
NAMES = ["王先生", "李女士", "张经理", "刘总", "陈主管", "杨采购", "赵店长", "黄经理"]


def load(log: Callable[[str], None]) -> None:
    if Campaign.objects.unrestricted().filter(code=CAMPAIGNS[0][0]).exists():
        log("leads: demo campaigns already loaded")
        return
    people = {u.username: u for u in User.objects.unrestricted()}
    admin, sunli = people.get("admin"), people.get("sunli")
    if admin is None or sunli is None:
        log("leads: demo people missing, leads skipped")
        return
    rng = random.Random(SEED)  # noqa: S311 - seeded demo data, not security
    today = timezone.localdate()
    with transaction.atomic():
        campaigns = [_campaign(sunli, today, *spec) for spec in CAMPAIGNS]
        lines = {c.name: c for c in Category.objects.unrestricted().filter(parent__isnull=True)}
        services.create_evaluation_model(
            actor=admin, name="通用线索评估", threshold=60, criteria=_criteria()
        )
        for line_name in ("饮料", "休闲食品"):
            if line_name in lines:
                services.create_evaluation_model(
                    actor=admin,
                    name=f"{line_name}线索评估",
                    threshold=65 if line_name == "饮料" else 55,
                    criteria=_criteria(),
                    product_line=lines[line_name],
                )
        for name, priority, provinces, usernames in RULES:
            members = [people[u] for u in usernames if u in people]
            if members:
                services.create_distribution_rule(
                    actor=admin,
                    name=name,
                    priority=priority,
                    provinces=provinces,
                    members=members,
                    strategy="workload" if priority % 20 else "round_robin",
                )
        leads = [_lead(rng, sunli, campaigns, list(lines.values()), n) for n in range(48)]
        _age(rng, leads, people)
        recycled = services.recycle_stale_leads(actor=None)
        converted = _convert(rng, today)
    counts = {
        status: Lead.objects.unrestricted().filter(status=status).count()
        for status in LeadStatus.values
    }
    log(
        f"leads: {len(campaigns)} campaigns, {len(leads)} leads "
        f"({counts['assigned'] + counts['working']} with sales, {counts['nurture']} nurtured, "
        f"{counts['pool']} in the pool, {recycled} returned by the daily check, "
        f"{converted} converted into opportunities)"
    )


def _campaign(
    sunli: User,
    today: dt.date,
    code: str,
    name: str,
    source: str,
    medium: str,
    ago: int,
    length: int,
    budget: int,
    cost: int,
) -> Campaign:
    start = today - dt.timedelta(days=ago)
    return services.create_campaign(
        actor=sunli,
        code=code,
        name=name,
        source=source,
        medium=medium,
        starts_on=start,
        ends_on=start + dt.timedelta(days=length),
        budget=budget,
        actual_cost=cost,
    )


def _lead(rng: random.Random, sunli: User, campaigns: list, lines: list, number: int) -> Lead:
    province, city, company, industry = rng.choice(COMPANIES)
    campaign = rng.choice([*campaigns, None])
    data = {
        "contact_name": rng.choice(NAMES),
        "company": f"{company}{number + 1:02d}",
        "phone": f"139{rng.randrange(10**7, 10**8)}",
        "province": province,
        "city": city,
        "industry": industry,
        "product_line": rng.choice([*lines, None]) if lines else None,
        "source": campaign.source if campaign else rng.choice(["referral", "phone", "website"]),
        "medium": campaign.medium if campaign else "",
        "campaign": campaign,
        "need": rng.choice(["新品进场", "年度供货", "节日礼盒采购", "门店陈列合作", "询价"]),
    }
    lead = services.create_lead(actor=sunli, data=data)
    if number % 8 == 7:  # a few stay new, waiting for marketing's evaluation
        return lead
    model = services.model_for(lead)
    answers = {}
    for criterion in (
        Criterion.objects.unrestricted().filter(model=model).prefetch_related("options")
    ):
        if criterion.kind == "scale":
            answers[str(criterion.pk)] = str(rng.randrange(0, 500) * 1000)
        else:
            options = list(criterion.options.all())
            # Warmer leads more often than cold ones, so most reach sales.
            answers[str(criterion.pk)] = str(rng.choice([options[0], options[0], *options]).pk)
    services.evaluate_lead(actor=sunli, lead=lead, expected_version=lead.version, answers=answers)
    lead.refresh_from_db()
    return lead


def _age(rng: random.Random, leads: list[Lead], people: dict[str, User]) -> None:
    """Spread the leads over the last weeks: most contacted, some overdue, some idle long
    enough to go back to the pool."""
    now = timezone.now()
    for lead in leads:
        lead.refresh_from_db()
        created = now - dt.timedelta(days=rng.randrange(1, 60), hours=rng.randrange(0, 24))
        Lead.objects.unrestricted().filter(pk=lead.pk).update(created_at=created)
        if lead.owner_id is None:
            continue
        assigned = created + dt.timedelta(hours=rng.randrange(1, 12))
        fate = rng.random()
        changes: dict = {"assigned_at": assigned, "sla_due_at": assigned + dt.timedelta(hours=48)}
        if fate < 0.55:  # contacted in time and worked recently
            worked = min(now, assigned + dt.timedelta(days=rng.randrange(0, 10)))
            changes |= {
                "status": LeadStatus.WORKING,
                "contacted_at": assigned + dt.timedelta(hours=rng.randrange(1, 40)),
                "last_worked_at": max(worked, now - dt.timedelta(days=rng.randrange(0, 10))),
            }
        elif fate < 0.8:  # assigned recently, not contacted yet: overdue once past 48 hours
            recent = now - dt.timedelta(days=rng.randrange(0, 6), hours=rng.randrange(1, 24))
            changes |= {"assigned_at": recent, "sla_due_at": recent + dt.timedelta(hours=48)}
        # else: nobody worked it since it was assigned; old ones go back to the pool.
        Lead.objects.unrestricted().filter(pk=lead.pk).update(**changes)


def _convert(rng: random.Random, today: dt.date) -> int:
    """Some contacted leads became opportunities; a few of those are already won."""
    pipelines = list(Pipeline.objects.unrestricted().filter(is_active=True).order_by("name"))
    if not pipelines:
        return 0
    won = {
        p.pk: Stage.objects.unrestricted().filter(pipeline=p, kind="won").first() for p in pipelines
    }
    working = list(
        Lead.objects.unrestricted()
        .filter(status=LeadStatus.WORKING, qualified=True)
        .select_related("owner")
        .order_by("pk")
    )
    converted = 0
    for lead in working[: max(1, len(working) * 2 // 3)]:
        pipeline = services.pipeline_for(lead) or rng.choice(pipelines)
        opportunity = services.convert_lead(
            actor=lead.owner,
            lead=lead,
            expected_version=lead.version,
            amount=rng.randrange(20, 300) * 1000,
            expected_close=today + dt.timedelta(days=rng.randrange(20, 120)),
            pipeline=pipeline,
        )
        converted += 1
        if converted % 3 == 0 and won.get(pipeline.pk) is not None:
            # A deal already won (its manager vouches for the gates), so the report's won
            # value and return on cost have data.
            admin = User.objects.unrestricted().filter(username="admin").first()
            pipeline_services.move_opportunity_to_stage(
                actor=admin,
                opportunity=opportunity,
                stage=won[pipeline.pk],
                expected_version=opportunity.version,
                override_reason="演示：已签约",
            )
    return converted
