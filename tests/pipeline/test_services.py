import datetime as dt
from decimal import Decimal

import pytest

from salescope.core.audit import AuditEntry
from salescope.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from salescope.pipeline import services
from salescope.pipeline.models import Opportunity, StageChange
from salescope.timeline.models import Event
from tests.pipeline.world import make_customer, make_opportunity, stage


def test_create_opportunity_opens_at_first_stage_with_its_defaults(personas, pipeline):
    zhang = personas["salesperson"]
    customer = make_customer(zhang)

    opp = services.create_opportunity(
        actor=personas["marketing"],
        customer=customer,
        name="联华超市 夏季饮料",
        owner=zhang,
        pipeline=pipeline,
        amount=Decimal("120000.50"),
        expected_close=dt.date(2027, 3, 31),
        source="展会",
        campaign="2026 秋季糖酒会",
    )

    assert opp.stage.name == "初步接洽"
    assert (opp.probability, opp.forecast_category) == (10, "pipeline")
    assert opp.amount_fen == 12000050
    assert (opp.source, opp.campaign, opp.owner) == ("展会", "2026 秋季糖酒会", zhang)
    first = StageChange.objects.unrestricted().get(opportunity=opp)
    assert (first.from_stage, first.to_stage) == (None, opp.stage)
    entry = AuditEntry.objects.get(action="pipeline.opportunity.created", object_id=str(opp.pk))
    assert entry.actor == personas["marketing"]
    event = Event.objects.unrestricted().get(subject_id=str(opp.pk))
    assert (event.customer, event.owner, event.kind) == (customer, zhang, "opportunity_created")


def test_finance_may_not_create_and_nothing_is_written(personas, pipeline):
    with pytest.raises(PermissionDenied):
        make_opportunity(personas["salesperson"], pipeline, actor=personas["finance"])
    assert not Opportunity.objects.unrestricted().exists()
    assert not AuditEntry.objects.filter(action__startswith="pipeline.opportunity").exists()


def test_moving_forward_checks_the_gate_and_changes_nothing_when_refused(personas, pipeline):
    zhang = personas["salesperson"]
    opp = make_opportunity(zhang, pipeline)
    services.move_opportunity_to_stage(
        actor=zhang, opportunity=opp, stage=stage(pipeline, "需求确认"), expected_version=1
    )

    with pytest.raises(ValidationFailed) as refused:
        services.move_opportunity_to_stage(
            actor=zhang, opportunity=opp, stage=stage(pipeline, "方案报价"), expected_version=2
        )

    assert refused.value.code == "gate_not_met"
    assert set(refused.value.fields) == {"customer", "amount", "checklist"}
    opp.refresh_from_db()
    assert (opp.stage.name, opp.version) == ("需求确认", 2)
    assert StageChange.objects.unrestricted().filter(opportunity=opp).count() == 2


def test_gate_passes_once_fields_are_filled_and_items_ticked(personas, pipeline):
    zhang = personas["salesperson"]
    opp = make_opportunity(zhang, pipeline, customer=make_customer(zhang), amount=5000)
    services.move_opportunity_to_stage(
        actor=zhang, opportunity=opp, stage=stage(pipeline, "需求确认"), expected_version=1
    )
    services.update_opportunity(
        actor=zhang,
        opportunity=opp,
        expected_version=2,
        changes={"checklist_done": ["确认采购预算"]},
    )

    services.move_opportunity_to_stage(
        actor=zhang, opportunity=opp, stage=stage(pipeline, "方案报价"), expected_version=3
    )

    opp.refresh_from_db()
    assert (opp.stage.name, opp.probability, opp.forecast_category) == ("方案报价", 60, "best_case")
    change = StageChange.objects.unrestricted().filter(opportunity=opp).last()
    assert change.from_stage.name == "需求确认"
    assert change.override_reason == ""


def test_only_a_manager_overrides_a_gate_with_a_reason(personas, pipeline):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    opp = make_opportunity(zhang, pipeline)
    target = stage(pipeline, "方案报价")

    with pytest.raises(PermissionDenied):
        services.move_opportunity_to_stage(
            actor=zhang, opportunity=opp, stage=target, expected_version=1, override_reason="急"
        )
    services.move_opportunity_to_stage(
        actor=lina,
        opportunity=opp,
        stage=target,
        expected_version=1,
        override_reason="客户口头确认预算",
    )

    opp.refresh_from_db()
    assert opp.stage == target
    change = StageChange.objects.unrestricted().filter(opportunity=opp).last()
    assert change.override_reason == "客户口头确认预算"
    entry = AuditEntry.objects.get(action="pipeline.opportunity.moved", object_id=str(opp.pk))
    assert entry.changes["override_reason"] == ["", "客户口头确认预算"]


def test_a_stale_move_is_a_conflict_and_writes_nothing(personas, pipeline):
    zhang = personas["salesperson"]
    opp = make_opportunity(zhang, pipeline)
    with pytest.raises(StaleVersion):
        services.move_opportunity_to_stage(
            actor=zhang, opportunity=opp, stage=stage(pipeline, "需求确认"), expected_version=7
        )
    assert StageChange.objects.unrestricted().filter(opportunity=opp).count() == 1
    assert not AuditEntry.objects.filter(action="pipeline.opportunity.moved").exists()


def test_lost_needs_a_reason_and_closes_the_deal(personas, pipeline):
    zhang = personas["salesperson"]
    opp = make_opportunity(zhang, pipeline, customer=make_customer(zhang))
    lost = stage(pipeline, "输单")
    with pytest.raises(ValidationFailed):
        services.move_opportunity_to_stage(
            actor=zhang, opportunity=opp, stage=lost, expected_version=1
        )
    services.move_opportunity_to_stage(
        actor=zhang, opportunity=opp, stage=lost, expected_version=1, lost_reason="price"
    )
    opp.refresh_from_db()
    assert (opp.probability, opp.lost_reason, opp.forecast_category) == (0, "price", "omitted")
    assert opp.closed_at is not None
    assert Event.objects.unrestricted().filter(subject_id=str(opp.pk), kind="lost").count() == 1


def test_forecast_adjustment_is_versioned(personas):
    lina = personas["team_lead"]
    first = services.adjust_forecast(actor=lina, month=dt.date(2027, 1, 15), amount=80000)
    assert (first.month, first.amount_fen) == (dt.date(2027, 1, 1), 8000000)
    with pytest.raises(StaleVersion):
        services.adjust_forecast(
            actor=lina, month=dt.date(2027, 1, 1), amount=1, expected_version=9
        )
    again = services.adjust_forecast(
        actor=lina, month=dt.date(2027, 1, 1), amount=90000, expected_version=1
    )
    assert (again.amount_fen, again.version) == (9000000, 2)
    with pytest.raises(PermissionDenied):
        services.adjust_forecast(actor=personas["salesperson"], month=dt.date(2027, 1, 1), amount=1)
