"""A small pipeline for tests: one product line's four open stages, won and lost."""

import itertools

from salescope.customers.models import Customer
from salescope.pipeline import services
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
