import datetime as dt

from django.utils import timezone

from salescope.core.ownership import SYSTEM
from salescope.pipeline import queries, services
from salescope.pipeline.models import Opportunity
from salescope.timeline import services as timeline_services
from salescope.timeline.queries import events_for
from tests.pipeline.world import make_customer, make_opportunity, stage


def _aged(owner, pipeline, days):
    opp = make_opportunity(owner, pipeline, created_at=timezone.now() - dt.timedelta(days=days))
    return Opportunity.objects.unrestricted().get(pk=opp.pk)


def test_a_deal_past_its_stage_threshold_is_stuck_for_owner_and_managers(personas, pipeline):
    zhang = personas["salesperson"]
    stuck = _aged(zhang, pipeline, 20)  # 初步接洽 rots after 14 days
    _aged(zhang, pipeline, 10)
    _aged(personas["other_region_salesperson"], pipeline, 40)

    assert list(queries.stuck_deals(viewer=zhang)) == [stuck]
    assert list(queries.stuck_deals(viewer=personas["team_lead"])) == [stuck]
    assert queries.stuck_deals(viewer=SYSTEM).count() == 2  # the system (warnings) sees all


def test_a_closed_or_moved_deal_is_no_longer_stuck(personas, pipeline):
    zhang = personas["salesperson"]
    stuck = _aged(zhang, pipeline, 20)
    services.move_opportunity_to_stage(
        actor=personas["team_lead"],
        opportunity=stuck,
        stage=stage(pipeline, "需求确认"),
        expected_version=1,
        override_reason="",
    )
    assert list(queries.stuck_deals(viewer=zhang)) == []


def test_manager_sees_subtree_deals_but_not_sibling_region(personas, pipeline):
    mine = make_opportunity(personas["salesperson"], pipeline)
    theirs = make_opportunity(personas["other_region_salesperson"], pipeline)

    regional = set(queries.list_opportunities(viewer=personas["regional_manager"]))
    director = set(queries.list_opportunities(viewer=personas["director"]))
    finance = set(queries.list_opportunities(viewer=personas["finance"]))

    assert regional == {mine}
    assert director == {mine, theirs}
    assert finance == set()


def test_customer_timeline_hides_events_of_opportunities_the_viewer_cannot_see(personas, pipeline):
    zhang, chen = personas["salesperson"], personas["other_region_salesperson"]
    customer = make_customer(zhang)
    make_opportunity(zhang, pipeline, customer=customer, name="张伟的")
    make_opportunity(chen, pipeline, customer=customer, name="陈静的", actor=personas["admin"])
    timeline_services.record_event(
        actor=zhang, customer=customer, kind="note", summary="客户换了采购经理"
    )

    seen = [e.summary for e in events_for(zhang, customer=customer)]
    director_sees = events_for(personas["director"], customer=customer).count()

    assert seen == ["客户换了采购经理", "Opportunity 张伟的 opened at 初步接洽"]
    assert director_sees == 3
