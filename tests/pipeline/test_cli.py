import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from salescope.pipeline import services
from tests.pipeline.world import make_customer, make_opportunity, stage


def test_report_pipeline_json_by_stage_and_owner(personas, pipeline):
    zhang, chen = personas["salesperson"], personas["other_region_salesperson"]
    won = make_opportunity(zhang, pipeline, customer=make_customer(zhang), amount=1000)
    services.move_opportunity_to_stage(
        actor=personas["team_lead"],
        opportunity=won,
        stage=stage(pipeline, "赢单"),
        expected_version=1,
        override_reason="客户已签约",
    )
    make_opportunity(zhang, pipeline, amount=200)
    make_opportunity(chen, pipeline, amount=300, actor=personas["admin"])
    out = StringIO()

    call_command(
        "report_pipeline", "--group-by", "stage,owner", "--json", "--as", "lina", stdout=out
    )

    data = json.loads(out.getvalue())
    rows = [(r["stage"], r["owner"], r["count"], r["open_amount"], r["won"]) for r in data["rows"]]
    assert rows == [("初步接洽", "张伟", 1, "200.00", 0), ("赢单", "张伟", 1, "0.00", 1)]
    assert data["rows"][1]["win_rate"] == "1.000"


def test_report_pipeline_refuses_an_unknown_grouping(personas):
    with pytest.raises(CommandError, match="colour"):
        call_command("report_pipeline", "--group-by", "colour")


def test_funnel_counts_the_furthest_stage_a_deal_reached(personas, pipeline):
    from salescope.pipeline.queries import pipeline_report

    zhang, lina = personas["salesperson"], personas["team_lead"]
    back_and_lost = make_opportunity(zhang, pipeline)
    for name, version in (("方案报价", 1), ("初步接洽", 2)):
        services.move_opportunity_to_stage(
            actor=lina,
            opportunity=back_and_lost,
            stage=stage(pipeline, name),
            expected_version=version,
            override_reason="测试",
        )
    services.move_opportunity_to_stage(
        actor=zhang,
        opportunity=back_and_lost,
        stage=stage(pipeline, "输单"),
        expected_version=3,
        lost_reason="price",
    )
    won = make_opportunity(zhang, pipeline)
    services.move_opportunity_to_stage(
        actor=lina,
        opportunity=won,
        stage=stage(pipeline, "赢单"),
        expected_version=1,
        override_reason="测试",
    )
    make_opportunity(zhang, pipeline)

    report = pipeline_report(viewer=lina, group_by="stage")

    steps = [(s["stage"], s["reached"], s["conversion"]) for s in report["funnels"][0]["steps"]]
    assert [(name, reached) for name, reached, _c in steps] == [
        ("初步接洽", 3),
        ("需求确认", 2),
        ("方案报价", 2),
        ("谈判签约", 1),
    ]
    assert str(steps[1][2]) == "0.667"
