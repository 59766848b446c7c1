"""The demo company's field activity: coverage rules, checklists, customer locations, a month
of visits with their checklists, and daily reports (most submitted, some commented)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from salescope.activities import rules
from salescope.activities.models import (
    ChecklistAnswer,
    ChecklistItem,
    ChecklistTemplate,
    CoverageRule,
    CustomerLocation,
    Visit,
    WorkReport,
)
from salescope.activities.services import facts_for, manager_of
from salescope.core.roles import Role
from salescope.customers.models import Customer
from salescope.org.models import User

SEED = 20261206
DAYS = 30
CITY = {"SH": (31.2304, 121.4737), "HZ": (30.2741, 120.1551), "GZ": (23.1291, 113.2644),
        "SZ": (22.5431, 114.0579), "BJ": (39.9042, 116.4074), "TJ": (39.3434, 117.3616),
        "CD": (30.5728, 104.0668), "CQ": (29.5630, 106.5516)}  # fmt: skip
CHECKLISTS = {
    "routine": (
        "例行拜访清单",
        [("确认发货数量", "check"), ("张贴海报", "check"), ("检查库存(箱)", "number"),
         ("检查陈列位置", "check"), ("了解竞品动态", "text")],
    ),
    "merchandising": (
        "巡店与陈列清单",
        [("端架陈列到位", "check"), ("价签正确", "check"), ("张贴海报", "check"),
         ("拍照留存", "check")],
    ),
    "order": (
        "订货拜访清单",
        [("确认订单数量", "check"), ("确认送货日期", "check"), ("提醒回款", "check")],
    ),
}  # fmt: skip
OUTCOMES = ["order_taken", "order_taken", "follow_up", "information", "payment", "no_result"]
LINES = [
    "客户反映竞品在做买赠活动",
    "门店要求增加陈列位",
    "库存偏低,建议补货",
    "新品试吃反馈不错",
    "",
]


def _city(person: User) -> tuple[float, float]:
    code = (person.unit.code if person.unit else "") or ""
    return next((pos for key, pos in CITY.items() if f"-{key}-" in f"{code}-"), CITY["SH"])


def load(log: Callable[[str], None]) -> None:
    if ChecklistTemplate.objects.unrestricted().exists():
        log("activities: demo field activity already loaded")
        return
    rng = random.Random(SEED)  # noqa: S311 - seeded demo data, not security
    today = timezone.localdate()
    with transaction.atomic():
        for tier, visits, period in (("A", 1, "week"), ("B", 2, "month"), ("C", 1, "month")):
            CoverageRule.objects.create(tier=tier, visits=visits, period=period)
        items: dict[str, list[ChecklistItem]] = {}
        for visit_type, (name, lines) in CHECKLISTS.items():
            template = ChecklistTemplate.objects.create(visit_type=visit_type, name=name)
            items[visit_type] = [
                ChecklistItem.objects.create(template=template, text=t, kind=k, position=i)
                for i, (t, k) in enumerate(lines)
            ]
        people = list(
            User.objects.unrestricted()
            .filter(role=Role.SALESPERSON, is_active=True)
            .select_related("unit")
            .order_by("username")
        )
        visits = reports = 0
        for person in people:
            made, written = _person(rng, person, today, items)
            visits, reports = visits + made, reports + written
    log(f"activities: {visits} visits and {reports} work reports for {len(people)} salespeople")


def _person(
    rng: random.Random, person: User, today: dt.date, items: dict[str, list[ChecklistItem]]
) -> tuple[int, int]:
    customers = list(
        Customer.live.unrestricted().filter(owner=person, status="active").order_by("code")[:40]
    )
    if not customers:
        return 0, 0
    lat, lon = _city(person)
    places = {}
    for customer in customers:
        places[customer.pk] = (lat + rng.uniform(-0.08, 0.08), lon + rng.uniform(-0.08, 0.08))
        CustomerLocation.objects.create(customer=customer, latitude=places[customer.pk][0],
                                        longitude=places[customer.pk][1])  # fmt: skip
    tz = timezone.get_current_timezone()
    visits: list[Visit] = []
    for offset in range(-DAYS, 2):
        day = today + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for slot, customer in enumerate(rng.sample(customers, min(3, len(customers)))):
            visit_type = rng.choice(["routine", "routine", "merchandising", "order"])
            planned = dt.time(9 + 2 * slot, rng.choice([0, 30]))
            visit = Visit(
                owner=person,
                customer=customer,
                planned_date=day,
                planned_time=planned,
                visit_type=visit_type,
                purpose=rng.choice(["铺货检查", "新品推介", "对账", ""]),
            )
            if offset < 0 and rng.random() < 0.9:
                start = dt.datetime.combine(day, planned, tzinfo=tz) + dt.timedelta(
                    minutes=rng.randint(-10, 25)
                )
                far = rng.random() < 0.06
                pos = places[customer.pk]
                at = (pos[0] + (0.02 if far else rng.uniform(-0.0008, 0.0008)), pos[1])
                visit.status = "done"
                visit.checked_in_at = start
                visit.checked_out_at = start + dt.timedelta(minutes=rng.randint(15, 70))
                visit.checkin_latitude, visit.checkin_longitude = at
                visit.distance_m = rules.distance_m(*pos, *at)
                visit.outcome = rng.choice(OUTCOMES)
                visit.cost_fen = rng.choice([0, 0, 1500, 2500, 4800])
                visit.notes = rng.choice(LINES)
            elif offset < 0:
                visit.status = "cancelled"
            visits.append(visit)
    Visit.objects.bulk_create(visits)
    answers = [
        ChecklistAnswer(
            visit=visit,
            item=item,
            done=rng.random() < 0.8,
            number=rng.randint(5, 120) if item.kind == "number" else None,
            feedback=rng.choice(["", "", "门店配合", "店长不在"]) if item.kind != "number" else "",
        )
        for visit in visits
        if visit.status == "done"
        for item in items.get(visit.visit_type, [])
    ]
    ChecklistAnswer.objects.bulk_create(answers)
    return len(visits), _reports(rng, person, today)


def _reports(rng: random.Random, person: User, today: dt.date) -> int:
    manager = manager_of(person)
    tz = timezone.get_current_timezone()
    count = 0
    for offset in range(-DAYS, 0):
        day = today + dt.timedelta(days=offset)
        if day.weekday() >= 5 or (offset == -1 and rng.random() < 0.4):
            continue  # some leave yesterday's report unwritten: the manager sees who
        submitted = dt.datetime.combine(day, dt.time(18, rng.randint(0, 59)), tzinfo=tz)
        report = WorkReport(
            author=person,
            kind="daily",
            period_start=day,
            period_end=day,
            status="submitted",
            facts=facts_for(person, day, day),
            summary=f"拜访 {rng.randint(2, 3)} 家客户。{rng.choice(LINES)}",
            problems=rng.choice(["", "海报物料不足", "客户压款,回款慢"]),
            next_plan=rng.choice(["继续跟进订单", "明天去仓库对账", "拜访新开门店"]),
            submitted_at=submitted,
        )
        if manager is not None and offset < -2 and rng.random() < 0.6:
            report.status = "reviewed"
            report.reviewer = manager
            report.comment = rng.choice(["记录很具体,继续保持", "注意回款节奏", "陈列照片要补上"])
            report.rating = rng.randint(3, 5)
            report.reviewed_at = submitted + dt.timedelta(hours=15)
        report.save()
        count += 1
    return count
