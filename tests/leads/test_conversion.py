"""A qualified lead becomes an opportunity for its owner; the lead keeps the link, and the
source/campaign report counts the opportunity, its pipeline value and, once won, its value
against the campaign's cost. Open opportunities weigh in the workload rule."""

from decimal import Decimal

import pytest

from salescope.core.errors import Conflict, StaleVersion
from salescope.leads import queries, services
from salescope.leads.choices import LeadStatus
from salescope.leads.models import Lead
from salescope.pipeline import services as pipeline_services
from salescope.pipeline.models import Opportunity, Stage
from tests.leads.conftest import lead_data

STAGES = [
    {"name": "初步接洽", "probability": 10},
    {"name": "赢单", "probability": 100, "kind": "won", "forecast_category": "closed"},
    {"name": "输单", "probability": 0, "kind": "lost", "forecast_category": "omitted"},
]


@pytest.fixture
def pipeline(personas):
    return pipeline_services.create_pipeline(
        actor=personas["admin"], name="通用流程", product_line=None, stages=STAGES
    )


def _assigned(personas, world, **fields):
    lead = services.create_lead(
        actor=personas["marketing"],
        data=lead_data(province="上海", campaign=world["campaign"], **fields),
        answers=world["hot"](),
    )
    lead.refresh_from_db()
    return lead


def test_the_owner_converts_a_qualified_lead_into_an_opportunity(personas, world, pipeline):
    lead = _assigned(personas, world, need="年度供货")
    zhangwei = personas["salesperson"]

    opportunity = services.convert_lead(
        actor=zhangwei, lead=lead, expected_version=lead.version, amount="120000"
    )

    assert opportunity.owner == zhangwei
    assert opportunity.pipeline == pipeline
    assert opportunity.amount_fen == 12_000_000
    assert opportunity.campaign == "食品展"
    assert opportunity.name == "某公司 年度供货"
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED
    assert lead.opportunity == opportunity
    with pytest.raises(Conflict):
        services.convert_lead(actor=zhangwei, lead=lead, expected_version=lead.version)


def test_a_stale_or_unqualified_conversion_creates_nothing(personas, world, pipeline):
    lead = _assigned(personas, world)
    with pytest.raises(StaleVersion):
        services.convert_lead(
            actor=personas["salesperson"], lead=lead, expected_version=lead.version - 1
        )
    Lead.objects.unrestricted().filter(pk=lead.pk).update(qualified=False)
    lead.refresh_from_db()
    with pytest.raises(Conflict):
        services.convert_lead(
            actor=personas["salesperson"], lead=lead, expected_version=lead.version
        )
    assert Opportunity.objects.unrestricted().count() == 0


def test_the_report_counts_opportunities_pipeline_and_won_value(personas, world, pipeline):
    won_lead, open_lead = _assigned(personas, world), _assigned(personas, world)
    _assigned(personas, world)  # a third lead, not converted
    zhangwei = personas["salesperson"]
    won = services.convert_lead(
        actor=zhangwei, lead=won_lead, expected_version=won_lead.version, amount="20000"
    )
    services.convert_lead(
        actor=zhangwei, lead=open_lead, expected_version=open_lead.version, amount="5000"
    )
    won_stage = Stage.objects.unrestricted().get(pipeline=pipeline, name="赢单")
    Opportunity.objects.unrestricted().filter(pk=won.pk).update(stage=won_stage)

    rows = queries.source_report(viewer=personas["marketing"])
    row = next(r for r in rows if r.key == f"c{world['campaign'].pk}").as_money()
    assert (row["leads"], row["qualified"], row["opportunities"]) == (3, 3, 2)
    assert row["pipeline_value"] == Decimal("5000.00")
    assert row["won_value"] == Decimal("20000.00")
    assert row["cost"] == Decimal("8000.00")
    assert row["cost_per_lead"] == Decimal("2666.67")
    assert row["cost_per_won_deal"] == Decimal("8000.00")
    assert row["return_on_cost"] == Decimal("2.50")


def test_open_opportunities_count_in_the_workload(personas, world, pipeline):
    zhangwei, colleague = personas["salesperson"], personas["team_lead"]
    world["east"].members.add(colleague)
    for _ in range(2):
        pipeline_services.create_opportunity(
            actor=personas["admin"], name="在跟", owner=zhangwei, pipeline=pipeline
        )
    lead = _assigned(personas, world)
    assert lead.owner == colleague
    assert "0" in lead.assignment_reason


def test_converting_on_the_page_links_the_opportunity(personas, world, pipeline, login_client):
    lead = _assigned(personas, world)
    client = login_client(personas["salesperson"])
    response = client.post(
        f"/leads/{lead.pk}/convert/",
        {"version": lead.version, "amount": "8000", "pipeline": pipeline.pk},
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert f"/opportunities/{lead.opportunity_id}/" in page or str(lead.opportunity_id) in page
    assert 'data-testid="lead-opportunity"' in page
