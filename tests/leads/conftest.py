import pytest

from salescope.leads import services
from salescope.leads.models import Criterion, CriterionOption


@pytest.fixture
def world(personas):
    """A general evaluation model (threshold 60), a campaign, and two rules: 上海 → 张伟,
    广东 → 陈静."""
    admin = personas["admin"]
    model = services.create_evaluation_model(
        actor=admin,
        name="通用评估模型",
        threshold=60,
        criteria=[
            {
                "name": "需求紧迫度",
                "weight": 3,
                "kind": "options",
                "options": [{"label": "急", "points": 10}, {"label": "不急", "points": 2}],
            },
            {"name": "采购预算", "weight": 2, "kind": "scale", "min": 0, "max": 100000},
        ],
    )
    criteria = list(Criterion.objects.unrestricted().filter(model=model))
    options = {o.label: o.pk for o in CriterionOption.objects.unrestricted()}
    campaign = services.create_campaign(
        actor=personas["marketing"], code="EXPO", name="食品展", budget=10000, actual_cost=8000
    )
    east = services.create_distribution_rule(
        actor=admin, name="华东", priority=1, provinces="上海", members=[personas["salesperson"]]
    )
    south = services.create_distribution_rule(
        actor=admin,
        name="华南",
        priority=2,
        provinces="广东",
        members=[personas["other_region_salesperson"]],
    )

    def hot():
        return {str(criteria[0].pk): options["急"], str(criteria[1].pk): "100000"}

    def cold():
        return {str(criteria[0].pk): options["不急"], str(criteria[1].pk): "0"}

    return {
        "model": model,
        "criteria": criteria,
        "options": options,
        "campaign": campaign,
        "east": east,
        "south": south,
        "hot": hot,
        "cold": cold,
    }


def lead_data(**fields):
    return {"contact_name": "王先生", "company": "某公司", "phone": "13800000000", **fields}
