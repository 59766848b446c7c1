"""G3/G4: a director publishes a template before the period, the month closes, scorecards are
computed from the facts and the ratings, reviewed, published; the person acknowledges or
appeals; ranks and marks within the unit; improvement plans tracked to done; recomputing an
unchanged month writes nothing; stale writes are refused; every write is audited; each
person sees only what the visibility rule allows."""

import datetime as dt
from decimal import Decimal

import pytest

from salescope.core.audit import AuditEntry
from salescope.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from salescope.performance import queries, services
from salescope.performance.choices import ScorecardStatus
from salescope.performance.models import RatingCriterion, Scorecard
from tests.performance.world import NOV

TODAY = dt.date(2026, 12, 6)
ITEMS = [
    {"kind": "kpi", "code": "sales", "weight": 40, "rule": "capped", "target": "50000", "cap": 120},
    {
        "kind": "kpi",
        "code": "visits_per_day",
        "weight": 20,
        "rule": "threshold",
        "target": "1",
        "threshold": "0.2",
    },
    {"kind": "kpi", "code": "cost_per_visit", "weight": 10, "rule": "capped", "target": "50"},
    {"kind": "rating", "code": "teamwork", "weight": 15, "rule": "linear"},
    {
        "kind": "rating",
        "code": "responsibility",
        "weight": 15,
        "rule": "bands",
        "bands": [[0, 0], [60, 80], [100, 100]],
    },
]


@pytest.fixture
def template(personas):
    services.ensure_default_criteria()
    director = personas["director"]
    draft = services.create_template(
        actor=director, name="业务员月度考核", role="salesperson", effective_from=NOV, items=ITEMS
    )
    return services.publish_template(
        actor=director, template=draft, expected_version=draft.version, today=dt.date(2026, 10, 20)
    )


def test_weights_must_sum_to_100_and_publish_before_the_period(personas):
    services.ensure_default_criteria()
    director = personas["director"]
    with pytest.raises(ValidationFailed):
        services.create_template(
            actor=director, name="x", role="salesperson", effective_from=NOV, items=ITEMS[:2]
        )
    draft = services.create_template(
        actor=director, name="x", role="salesperson", effective_from=NOV, items=ITEMS
    )
    with pytest.raises(ValidationFailed):
        services.publish_template(actor=director, template=draft, expected_version=1, today=NOV)
    with pytest.raises(PermissionDenied):
        services.create_template(
            actor=personas["team_lead"],
            name="x",
            role="salesperson",
            effective_from=NOV,
            items=ITEMS,
        )


def test_the_month_closes_and_each_person_sees_a_score_from_results_activity_and_ratings(
    facts, template, personas
):
    lead, me = personas["team_lead"], personas["salesperson"]
    teamwork = RatingCriterion.objects.unrestricted().get(code="teamwork")
    services.rate(actor=lead, person=me, criterion=teamwork, month=NOV, score=4, comment="配合积极")
    with pytest.raises(PermissionDenied):
        services.rate(actor=me, person=me, criterion=teamwork, month=NOV, score=5)
    with pytest.raises(NotFound):
        services.rate(
            actor=lead,
            person=personas["other_region_salesperson"],
            criterion=teamwork,
            month=NOV,
            score=1,
        )
    with pytest.raises(ValidationFailed):
        services.compute_scorecards(
            actor=personas["director"], template=template, month=NOV, today=dt.date(2026, 11, 20)
        )
    counts = services.compute_scorecards(
        actor=personas["director"], template=template, month=NOV, today=TODAY
    )
    assert counts["created"] >= 3
    card = Scorecard.objects.unrestricted().get(person=me, month=NOV)
    by_code = {line["code"]: line for line in card.lines}
    report = queries.kpi_report(viewer=personas["admin"], month=NOV, person=me)
    sales = report.rows[0].values["sales"]
    assert Decimal(by_code["sales"]["value"]) == sales
    assert Decimal(by_code["sales"]["score"]) == min(
        Decimal(120), (sales / 50000 * 100).quantize(Decimal("0.01"))
    )
    assert by_code["teamwork"]["score"] == "80.00"
    assert by_code["responsibility"]["value"] is None  # not rated: no value, scores 0
    expected = sum(Decimal(x["weight"]) * Decimal(x["score"]) for x in card.lines) / 100
    assert card.total == expected.quantize(Decimal("0.01"))
    # Ranks within the unit, the best marked for reward, the weakest for an improvement plan.
    team = list(Scorecard.objects.unrestricted().filter(month=NOV, unit=me.unit).order_by("rank"))
    assert [c.rank for c in team] == sorted(c.rank for c in team)
    if len(team) > 1:
        assert team[0].rewarded
        assert team[-1].needs_improvement

    # Recomputing an unchanged month changes nothing: no version, no audit row.
    entries = AuditEntry.objects.count()
    versions = dict(Scorecard.objects.unrestricted().values_list("pk", "version"))
    again = services.compute_scorecards(
        actor=personas["director"], template=template, month=NOV, today=TODAY
    )
    assert again["created"] == again["changed"] == 0
    assert AuditEntry.objects.count() == entries
    assert dict(Scorecard.objects.unrestricted().values_list("pk", "version")) == versions

    # Review, publish, appeal, answer, acknowledge; stale writes refused.
    card = services.review_scorecard(
        actor=lead, card=card, expected_version=card.version, comment="不错"
    )
    with pytest.raises(StaleVersion):
        services.publish_scorecard(actor=lead, card=card, expected_version=card.version - 1)
    with pytest.raises(PermissionDenied):
        services.publish_scorecard(actor=me, card=card, expected_version=card.version)
    card = services.publish_scorecard(actor=lead, card=card, expected_version=card.version)
    with pytest.raises(PermissionDenied):
        services.acknowledge_scorecard(actor=lead, card=card, expected_version=card.version)
    with pytest.raises(ValidationFailed):
        services.appeal_scorecard(actor=me, card=card, expected_version=card.version, reason="  ")
    card = services.appeal_scorecard(
        actor=me, card=card, expected_version=card.version, reason="拜访数漏记"
    )
    assert card.status == ScorecardStatus.APPEALED
    card = services.answer_appeal(
        actor=lead, card=card, expected_version=card.version, answer="已核对"
    )
    card = services.acknowledge_scorecard(actor=me, card=card, expected_version=card.version)
    assert card.status == ScorecardStatus.ACKNOWLEDGED
    with pytest.raises(Conflict):
        services.acknowledge_scorecard(actor=me, card=card, expected_version=card.version)
    actions = set(
        AuditEntry.objects.filter(action__startswith="performance.").values_list(
            "action", flat=True
        )
    )
    assert {
        "performance.template.created",
        "performance.template.published",
        "performance.rating.created",
        "performance.scorecard.computed",
        "performance.scorecard.manager_reviewed",
        "performance.scorecard.published",
        "performance.scorecard.appealed",
        "performance.scorecard.appeal_answered",
        "performance.scorecard.acknowledged",
    } <= actions

    # A reviewed or published scorecard is not recomputed.
    assert (
        services.compute_scorecards(
            actor=personas["director"], template=template, month=NOV, today=TODAY
        )["kept"]
        >= 1
    )

    # Visibility: own, the managers' subtree, not another region; the leaderboard shows the team.
    assert list(queries.list_scorecards(viewer=me, month=NOV)) == [card]
    assert card in queries.list_scorecards(viewer=lead, month=NOV)
    other = personas["other_region_salesperson"]
    assert card not in queries.list_scorecards(viewer=other, month=NOV)
    with pytest.raises(NotFound):
        queries.get_scorecard(viewer=other, pk=card.pk)
    board = queries.leaderboard(viewer=me, month=NOV)
    assert [row.me for row in board] == [True]  # only published cards of his team are listed
    assert queries.leaderboard(viewer=other, month=NOV) == []


def test_improvement_plan_is_tracked_to_done(personas):
    lead, me = personas["team_lead"], personas["salesperson"]
    plan = services.create_improvement_plan(
        actor=lead,
        person=me,
        goals=[("每日拜访 4 家", dt.date(2026, 12, 31)), ("回款率 95%", dt.date(2027, 1, 31))],
    )
    goals = list(plan.goals.order_by("deadline"))
    services.follow_up_goal(
        actor=me, goal=goals[0], expected_version=1, note="本周已达成", done=True
    )
    plan.refresh_from_db()
    assert plan.status == "open"
    services.follow_up_goal(actor=lead, goal=goals[1], expected_version=1, note="跟进中")
    goals[1].refresh_from_db()
    services.follow_up_goal(
        actor=me, goal=goals[1], expected_version=goals[1].version, note="完成", done=True
    )
    plan.refresh_from_db()
    assert plan.status == "done"
    assert list(queries.improvement_plans(viewer=personas["other_region_salesperson"])) == []
    assert list(queries.improvement_plans(viewer=me)) == [plan]
    with pytest.raises(PermissionDenied):
        services.create_improvement_plan(actor=me, person=me, goals=[("x", dt.date(2027, 1, 1))])


def test_computing_in_bulk_audits_every_card_written_and_only_those(facts, template, personas):
    """The month's cards are written in bulk: still one audit entry per card created, and on
    a recomputation one per card that changed (with what changed), none for the others."""
    director, lead, me = personas["director"], personas["team_lead"], personas["salesperson"]
    counts = services.compute_scorecards(actor=director, template=template, month=NOV, today=TODAY)
    cards = {c.pk: c for c in Scorecard.objects.unrestricted().filter(month=NOV)}
    assert counts["created"] == len(cards) >= 3
    computed = AuditEntry.objects.filter(action="performance.scorecard.computed")
    assert sorted(computed.values_list("object_id", flat=True)) == sorted(map(str, cards))
    mine = next(c for c in cards.values() if c.person_id == me.pk)
    entry = computed.get(object_id=str(mine.pk))
    assert (entry.actor_id, entry.object_type) == (director.pk, "performance.scorecard")
    assert entry.changes["total"] == str(mine.total)

    teamwork = RatingCriterion.objects.unrestricted().get(code="teamwork")
    services.rate(actor=lead, person=me, criterion=teamwork, month=NOV, score=5)
    again = services.compute_scorecards(actor=director, template=template, month=NOV, today=TODAY)
    after = {c.pk: c for c in Scorecard.objects.unrestricted().filter(month=NOV)}
    moved = {pk for pk in cards if after[pk].version != cards[pk].version}
    assert mine.pk in moved
    assert again["changed"] == len(moved)
    assert all(after[pk].version == cards[pk].version + 1 for pk in moved)
    recomputed = AuditEntry.objects.filter(action="performance.scorecard.recomputed")
    assert sorted(recomputed.values_list("object_id", flat=True)) == sorted(map(str, moved))
    assert recomputed.get(object_id=str(mine.pk)).changes["total"] == [
        str(mine.total),
        str(after[mine.pk].total),
    ]
