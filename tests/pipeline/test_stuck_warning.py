"""B2: a stuck deal raises a warning in the existing inbox, routed to owner and manager."""

import datetime as dt

from django.utils import timezone

from salescope.analytics.alerts import cause
from salescope.analytics.models import Alert
from salescope.analytics.services import evaluate_alerts
from salescope.pipeline import services
from tests.pipeline.world import make_opportunity, stage


def test_stuck_deal_warns_owner_and_manager_and_clears_when_moved(personas, pipeline):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    opp = make_opportunity(zhang, pipeline, created_at=timezone.now() - dt.timedelta(days=20))
    make_opportunity(zhang, pipeline)  # fresh: not stuck

    evaluate_alerts(actor=personas["admin"])

    alert = Alert.objects.unrestricted().get(kind="stuck_deal")
    assert (alert.owner, alert.manager, alert.plan) == (zhang, lina, None)
    assert alert.link == f"/pipeline/{opp.pk}/"
    assert cause(alert) == f"“{opp.name}” has been in stage 初步接洽 for 20 days (limit 14)."
    assert list(Alert.objects.visible_to(lina, "view").filter(kind="stuck_deal")) == [alert]
    assert not Alert.objects.visible_to(personas["other_region_salesperson"], "view").exists()

    services.move_opportunity_to_stage(
        actor=zhang,
        opportunity=opp,
        stage=stage(pipeline, "输单"),
        expected_version=opp.version,
        lost_reason="timing",
    )
    evaluate_alerts(actor=personas["admin"])

    alert.refresh_from_db()
    assert alert.status == "resolved"
