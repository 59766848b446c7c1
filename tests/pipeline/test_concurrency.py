"""R7: two people move the same opportunity from the same version at the same moment: exactly
one wins, the other gets 409 with the current version; one stage change, one audit entry,
one timeline event. Real threads, each with its own connection, on SQLite and PostgreSQL."""

import pytest

from salescope.core.models import AuditEntry
from salescope.pipeline import services
from salescope.pipeline.models import Opportunity, StageChange
from salescope.timeline.models import Event
from tests.pipeline.world import make_customer, make_opportunity, stage
from tests.plans.test_concurrency import _race

ROUNDS = 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_let_exactly_one_win(personas, pipeline):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    targets = [stage(pipeline, "需求确认"), stage(pipeline, "输单")]
    for _round in range(ROUNDS):
        opp = make_opportunity(zhang, pipeline, customer=make_customer(zhang), amount=100)

        # Both people loaded version 1 before either moves it.
        loaded = [
            Opportunity.objects.unrestricted().select_related("stage").get(pk=opp.pk)
            for _n in range(2)
        ]

        def move(actor, target, fresh):
            return services.move_opportunity_to_stage(
                actor=actor,
                opportunity=fresh,
                stage=target,
                expected_version=1,
                lost_reason="price",
            )

        outcomes = _race(
            [
                lambda loaded=loaded: move(zhang, targets[0], loaded[0]),
                lambda loaded=loaded: move(lina, targets[1], loaded[1]),
            ]
        )

        kinds = [kind for kind, _ in outcomes]
        assert sorted(kinds) == ["ok", "stale"], outcomes
        winner = targets[kinds.index("ok")]
        stale = next(error for kind, error in outcomes if kind == "stale")
        opp.refresh_from_db()
        assert opp.stage == winner
        assert stale.status == 409
        assert stale.extra["current_version"] == opp.version == 2
        assert StageChange.objects.unrestricted().filter(opportunity=opp).count() == 2
        moved = AuditEntry.objects.filter(
            object_id=str(opp.pk),
            action__in=["pipeline.opportunity.moved", "pipeline.opportunity.lost"],
        )
        assert moved.count() == 1
        assert Event.objects.unrestricted().filter(subject_id=str(opp.pk)).count() == 2
