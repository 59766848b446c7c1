"""The pipeline report's sums, grouped by stage, are the deals' own figures: counts, amounts,
win rate, the average cycle of won deals to the day's tenth (times to the microsecond), and
each pipeline's funnel from the furthest stage every deal reached."""

import datetime as dt
from decimal import Decimal

from salescope.pipeline import queries, rules
from salescope.pipeline.models import Opportunity
from tests.pipeline.world import closed_history, make_opportunity, make_pipeline


def test_report_by_stage_matches_the_deals(personas, pipeline):
    closed_history(personas, pipeline, 12)
    other = make_pipeline(personas["admin"], name="设备渠道")  # same stage names: one row each
    closed_history(personas, other, 5)
    make_opportunity(personas["salesperson"], pipeline, amount=500)
    # won deals whose times differ below the second
    for deal in Opportunity.objects.unrestricted().filter(stage__kind="won")[:3]:
        Opportunity.objects.unrestricted().filter(pk=deal.pk).update(
            closed_at=deal.closed_at + dt.timedelta(microseconds=987_654),
            created_at=deal.created_at + dt.timedelta(microseconds=123_457),
        )
    report = queries.pipeline_report(viewer=personas["director"], group_by="stage")

    deals = list(Opportunity.objects.unrestricted().select_related("stage", "pipeline"))
    rows = {r["stage"]: r for r in report["rows"]}
    won = [d for d in deals if d.stage.kind == "won"]
    assert rows["赢单"]["won"] == len(won)
    assert rows["赢单"]["won_amount_fen"] == sum(d.amount_fen for d in won)
    assert rows["赢单"]["average_cycle_days"] == rules.average_days(
        [sum((d.closed_at - d.created_at for d in won), dt.timedelta(0)) / len(won)]
    )
    assert rows["赢单"]["average_cycle_days"] > Decimal(0)
    lost = [d for d in deals if d.stage.kind == "lost"]
    assert rows["输单"]["lost"] == len(lost)
    assert sum(rows["输单"]["lost_reasons"].values()) == len(lost)
    assert [r["stage"] for r in report["rows"]] == ["初步接洽", "赢单", "输单"]  # stage order
    assert sum(r["count"] for r in report["rows"]) == len(deals)

    funnels = {f["pipeline"]: f["steps"] for f in report["funnels"]}
    assert set(funnels) == {pipeline.name, other.name}
    for line in (pipeline, other):
        mine = [d for d in deals if d.pipeline_id == line.pk]
        counts: dict[int, int] = {}
        for d in mine:
            counts[d.furthest_order] = counts.get(d.furthest_order, 0) + 1
        orders = [s.order for s in line.stages.filter(kind="open").order_by("order")]
        expected = rules.funnel_from_counts(orders, counts)
        assert [(s["reached"], s["conversion"]) for s in funnels[line.name]] == [
            (step.reached, step.conversion) for step in expected
        ]


def test_the_report_answers_before_any_pipeline_has_a_won_stage(personas):
    """A fresh install (no pipeline, so no won stage): no cycle to time, not a database error
    (PostgreSQL refused the untyped ``SUM(NULL)`` the empty won-stage list left)."""
    report = queries.pipeline_report(viewer=personas["director"], group_by="stage")
    assert report["rows"] == []
