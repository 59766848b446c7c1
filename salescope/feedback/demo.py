"""The demo company's feedback: market intelligence from the field in the last weeks, problems
(one already escalated past its due date) and a team lead's guidance to 张伟.

Idempotent: nothing is added once the demo holds any intelligence entry. Every record goes
through ``feedback.services`` (audited), as the person who would have written it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from salescope.catalog.models import Product
from salescope.customers.models import Customer
from salescope.feedback import services
from salescope.feedback.models import CaseReview, Intelligence, Problem
from salescope.org.models import User

# author, days ago, kind, title, body, competitor
INTELLIGENCE = [
    (
        "zhangwei",
        1,
        "competitor",
        "竞品在上海商超做买一送一",
        "连续两周周末促销，堆头位置很好。",
        "蓝月亮",
    ),
    ("zhangwei", 2, "price", "经销商反映终端价格被压低", "部分门店零售价低于建议价 8%。", ""),
    ("zhangwei", 4, "customer_need", "客户希望增加小包装规格", "便利店渠道需要 500ml 装。", ""),
    ("zhangwei", 9, "dealer_request", "经销商要求延长账期到 60 天", "年底资金紧张。", ""),
    ("chenjing", 1, "competitor", "竞品在广州开了新的配送中心", "配送时效提升到次日达。", "立白"),
    ("chenjing", 3, "product_problem", "客户反映瓶盖漏液", "同一批次有三家门店退货。", ""),
]


def load(log: Callable[[str], None]) -> None:
    _case_reviews(log)
    if Intelligence.objects.unrestricted().exists():  # the demo loader reads as the system
        log("feedback: already loaded")
        return
    people = {u.username: u for u in User.objects.unrestricted().select_related("unit")}
    if "zhangwei" not in people:
        return
    today = timezone.localdate()
    product = Product.objects.unrestricted().order_by("pk").first()
    with transaction.atomic():
        for username, days, kind, title, body, competitor in INTELLIGENCE:
            author = people.get(username)
            if author is None:
                continue
            customer = Customer.objects.unrestricted().filter(owner=author).order_by("pk").first()
            services.record_intelligence(
                actor=author,
                kind=kind,
                title=title,
                body=body,
                competitor=competitor,
                product=product if kind in ("price", "product_problem") else None,
                customer=customer if kind in ("customer_need", "dealer_request") else None,
                observed_on=today - dt.timedelta(days=days),
            )
        zhang = people["zhangwei"]
        customer = Customer.objects.unrestricted().filter(owner=zhang).order_by("pk").first()
        late = services.raise_problem(
            actor=zhang,
            title="经销商断货，促销活动无法开展",
            body="请协调仓库本周内补货。",
            severity="high",
            customer=customer,
        )
        # It was raised last week and nobody resolved it: the daily escalation hands it up.
        Problem.objects.unrestricted().filter(pk=late.pk).update(
            due_on=today - dt.timedelta(days=1)
        )
        escalated = services.escalate_overdue(today=today)
        services.raise_problem(actor=zhang, title="促销物料未送达门店", severity="medium")
        done = services.raise_problem(actor=zhang, title="发票抬头错误", severity="low")
        services.resolve_problem(
            actor=people.get("lina", zhang),
            problem=done,
            expected_version=done.version,
            resolution="已联系财务重开发票。",
        )
        if "lina" in people:
            services.give_guidance(
                actor=people["lina"],
                person=zhang,
                kind="instruction",
                body="本周内拜访所有 A 类客户，重点确认春节备货数量。",
                customer=customer,
                due_on=today + dt.timedelta(days=5),
            )
    log(
        f"feedback: {len(INTELLIGENCE)} intelligence entries, "
        f"3 problems ({escalated} escalated), 1 guidance"
    )


# author, outcome, title, what happened, lesson, tags, marked as a lesson by
CASES = [
    (
        "zhangwei",
        "success",
        "连续三次拜访拿下便利店连锁的夏季订单",
        "第一次只见到店长；第二次带了竞品对比和陈列方案；第三次约到采购经理，现场算清毛利。",
        "先算清客户的毛利账，再谈价格；陈列方案比折扣更能打动连锁采购。",
        "便利店,陈列,谈判",
        "lina",
    ),
    (
        "zhangwei",
        "failure",
        "经销商年底压货后回款拖期，订单丢失",
        "为冲季度目标让经销商多进了两个月的货，结果动销慢，回款拖到 90 天，次年订单转给了竞品。",
        "压货换来的销量要用回款还：按动销给货，月底看库存天数。",
        "经销商,回款,压货",
        None,
    ),
]


def _case_reviews(log: Callable[[str], None]) -> None:
    """Two case reviews by 张伟 (a success, marked a lesson by 李娜, and a failure)."""
    if CaseReview.objects.unrestricted().exists():  # the demo loader reads as the system
        return
    people = {u.username: u for u in User.objects.unrestricted().select_related("unit")}
    if "zhangwei" not in people:
        return
    with transaction.atomic():
        for author, outcome, title, body, lesson, tags, marker in CASES:
            writer = people[author]
            customer = Customer.objects.unrestricted().filter(owner=writer).order_by("pk").first()
            case = services.write_case_review(
                actor=writer,
                outcome=outcome,
                title=title,
                body=body,
                lesson=lesson,
                customer=customer,
                tags=tags,
            )
            if marker and marker in people:
                services.mark_lesson(actor=people[marker], case=case, expected_version=case.version)
    log(f"feedback: {len(CASES)} case reviews")
