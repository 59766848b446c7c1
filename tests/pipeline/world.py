"""A small pipeline for tests: one product line's four open stages, won and lost."""

import datetime as dt
import itertools

from django.utils import timezone

from salescope.customers.models import Customer
from salescope.pipeline import services
from salescope.pipeline.choices import LostReason
from salescope.pipeline.models import Opportunity

_serial = itertools.count(1)

STAGES = [
    {"name": "初步接洽", "probability": 10, "rotting_days": 14},
    {
        "name": "需求确认",
        "probability": 30,
        "required_fields": ["customer", "amount"],
        "checklist": ["确认采购预算"],
        "guidance": "找到采购负责人，确认预算和时间。",
        "risks": "预算未落实",
        "rotting_days": 21,
    },
    {
        "name": "方案报价",
        "probability": 60,
        "forecast_category": "best_case",
        "required_fields": ["decision_maker"],
        "rotting_days": 30,
    },
    {"name": "谈判签约", "probability": 80, "forecast_category": "commit"},
    {"name": "赢单", "probability": 100, "kind": "won", "forecast_category": "closed"},
    {"name": "输单", "probability": 0, "kind": "lost", "forecast_category": "omitted"},
]


def make_pipeline(admin, name="饮料渠道"):
    return services.create_pipeline(actor=admin, name=name, stages=[dict(s) for s in STAGES])


def stage(pipeline, name):
    return pipeline.stages.get(name=name)


def make_customer(owner):
    customer = Customer(code=f"PL-C{next(_serial)}", name=f"{owner.username} 的客户", owner=owner)
    customer.save()
    return customer


def make_opportunity(owner, pipeline, *, actor=None, **fields) -> Opportunity:
    fields.setdefault("name", f"{owner.username} 的商机 {next(_serial)}")
    return services.create_opportunity(
        actor=actor or owner, owner=owner, pipeline=pipeline, **fields
    )


OPEN = ["初步接洽", "需求确认", "方案报价", "谈判签约"]


def closed_history(personas, pipeline, count):
    """``count`` deals closed over a year: the further a deal got, the likelier it was won
    (one in five against the trend, so both outcomes occur at every stage)."""
    zhang, lina = personas["salesperson"], personas["team_lead"]
    customer = make_customer(zhang)
    start = timezone.now() - dt.timedelta(days=400)
    for i in range(count):
        at = start + dt.timedelta(days=9 * i)
        opp = make_opportunity(
            zhang,
            pipeline,
            customer=customer,
            amount=1000 * (i + 1),
            created_at=at,
            source=["展会", "官网"][i % 2],
        )
        reached = i % 4
        for name in OPEN[1 : reached + 1]:
            at += dt.timedelta(days=5)
            opp = services.move_opportunity_to_stage(
                actor=lina,
                opportunity=opp,
                stage=stage(pipeline, name),
                expected_version=opp.version,
                override_reason="测试",
                at=at,
            )
        won = (reached >= 2) != (i % 5 == 0)
        opp = services.move_opportunity_to_stage(
            actor=lina,
            opportunity=opp,
            stage=stage(pipeline, "赢单" if won else "输单"),
            expected_version=opp.version,
            override_reason="测试",
            lost_reason="" if won else LostReason.values[0],
            at=at + dt.timedelta(days=3),
        )
