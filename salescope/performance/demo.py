"""The demo company's evaluation: a published scorecard template for salespeople, last month's
scorecards computed from the demo facts and the team lead's ratings, 上海一组's reviewed and
published, 张伟's appeal, and an improvement plan for the team's weakest.

Idempotent: nothing is added once a template exists. Every write goes through
``performance.services`` (audited), as the person who would have made it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from salescope.core.periods import add_months, month_start
from salescope.org.models import User
from salescope.performance import services
from salescope.performance.models import Scorecard, ScorecardTemplate

ITEMS = [
    {"kind": "kpi", "code": "sales", "weight": 30, "rule": "capped", "target": "80000", "cap": 120},
    {"kind": "kpi", "code": "collections", "weight": 15, "rule": "capped", "target": "60000"},
    {
        "kind": "kpi",
        "code": "visits_per_day",
        "weight": 15,
        "rule": "threshold",
        "target": "3",
        "threshold": "1",
    },
    {"kind": "kpi", "code": "cost_per_visit", "weight": 10, "rule": "capped", "target": "80"},
    {
        "kind": "kpi",
        "code": "new_customers",
        "weight": 10,
        "rule": "bands",
        "bands": [["1", "60"], ["2", "80"], ["3", "100"]],
    },
    {"kind": "rating", "code": "teamwork", "weight": 7, "rule": "linear"},
    {"kind": "rating", "code": "enthusiasm", "weight": 7, "rule": "linear"},
    {"kind": "rating", "code": "responsibility", "weight": 6, "rule": "linear"},
]
RATINGS = {
    "zhangwei": (4, 5, 4, "拜访扎实，回款跟进及时"),
    "yangfan": (3, 3, 4, "新客户开发需加强"),
}


def load(log: Callable[[str], None]) -> None:
    if ScorecardTemplate.objects.unrestricted().exists():  # the demo loader reads as the system
        log("performance: already loaded")
        return
    people = {u.username: u for u in User.objects.unrestricted().select_related("unit")}
    if not {"liuyang", "lina", "zhangwei"} <= set(people):
        return
    director, lead, me = people["liuyang"], people["lina"], people["zhangwei"]
    last = add_months(month_start(timezone.localdate()), -1)
    with transaction.atomic():
        criteria = {c.code: c for c in services.ensure_default_criteria()}
        draft = services.create_template(
            actor=director,
            name="业务员月度考核（结果 + 过程 + 评价）",
            role="salesperson",
            effective_from=last,
            items=ITEMS,
        )
        template = services.publish_template(
            actor=director,
            template=draft,
            expected_version=draft.version,
            today=last - dt.timedelta(days=5),
        )
        for username, (team, keen, duty, comment) in RATINGS.items():
            person = people.get(username)
            if person is None:
                continue
            for code, score in (("teamwork", team), ("enthusiasm", keen), ("responsibility", duty)):
                services.rate(
                    actor=lead,
                    person=person,
                    criterion=criteria[code],
                    month=last,
                    score=score,
                    comment=comment if code == "teamwork" else "",
                )
        services.compute_scorecards(actor=director, template=template, month=last)
        team = (
            Scorecard.objects.unrestricted()
            .filter(month=last, unit=me.unit)
            .select_related("person")
        )
        for card in team:
            card = services.review_scorecard(
                actor=lead, card=card, expected_version=card.version, comment="已核对拜访与回款数据"
            )
            services.publish_scorecard(actor=lead, card=card, expected_version=card.version)
        mine = Scorecard.objects.unrestricted().get(month=last, person=me)
        services.appeal_scorecard(
            actor=me,
            card=mine,
            expected_version=mine.version,
            reason="月底两次拜访因系统故障未签退，时长少算",
        )
        weakest = (
            Scorecard.objects.unrestricted()
            .filter(month=last, unit=me.unit)
            .exclude(person=me)
            .select_related("person")
            .order_by("-rank")
            .first()
        )
        if weakest is not None:
            today = timezone.localdate()
            services.create_improvement_plan(
                actor=lead,
                person=weakest.person,
                scorecard=weakest,
                goals=[
                    ("每个工作日拜访不少于 3 家客户", today + dt.timedelta(days=14)),
                    ("本月新开发 2 家客户", today + dt.timedelta(days=30)),
                ],
            )
    log(f"performance: template, {team.count()} scorecards for {last:%Y-%m}, appeal, plan")
