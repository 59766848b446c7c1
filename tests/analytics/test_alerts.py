"""Early warnings (B2): raised with a cause, routed to the person and their manager, kept until
resolved, and cleared by the system when the cause goes away."""

import datetime as dt

import pytest

from salescope.analytics import alerts
from salescope.analytics import services as analytics_services
from salescope.analytics.models import Alert
from salescope.core.errors import Conflict, PermissionDenied
from salescope.core.models import AuditEntry
from salescope.ledger import rollups
from salescope.ledger.models import SalesRollup
from salescope.plans import services
from salescope.plans.models import Acknowledgement


def _approve(plan, director):
    for action in ("submit", "approve"):
        plan.refresh_from_db()
        services.transition_plan(
            actor=director, plan=plan, action=action, expected_version=plan.version
        )
    plan.refresh_from_db()
    return plan


@pytest.fixture
def running(decomposed, personas):
    """The decomposed plan approved; 张伟 sold 250,000 by June, 杨帆 nothing."""
    plan = _approve(decomposed, personas["director"])
    for month in range(1, 7):
        SalesRollup.objects.create(
            month=dt.date(2026, month, 1),
            kind="sell_in",
            salesperson=personas["salesperson"],
            amount_fen=250_000_00 // 6,
            lines=1,
        )
    rollups.refresh_coarser()
    return plan


def test_behind_pace_is_routed_to_the_person_and_their_manager(running, personas):
    result = analytics_services.evaluate_alerts(as_of=dt.date(2026, 6, 30))
    behind = Alert.objects.unrestricted().filter(kind="behind_pace")
    yangfan = behind.get(owner__username="yangfan")
    assert yangfan.manager.username == "lina"
    assert yangfan.facts["actual"] == "0.00"
    assert yangfan.facts["pace"] == "125000.02"  # Jan–Jun of 250,000 a year, remainders to Jan–Apr
    assert "落后" in alerts.cause(yangfan) or "behind" in alerts.cause(yangfan)
    assert not behind.filter(owner=personas["salesperson"]).exists()  # 张伟 is ahead
    assert result.raised == Alert.objects.unrestricted().count()
    inbox = alerts.inbox(viewer=personas["team_lead"])
    assert {a.owner.username for a in inbox if a.kind == "behind_pace"} == {"yangfan", "zhoulei"}
    assert (
        not alerts.inbox(viewer=personas["other_region_salesperson"])
        .filter(owner__username="yangfan")
        .exists()
    )


def test_a_warning_is_resolved_once_with_a_note_and_not_raised_again(running, personas):
    analytics_services.evaluate_alerts(as_of=dt.date(2026, 6, 30))
    alert = Alert.objects.unrestricted().get(kind="behind_pace", owner__username="yangfan")
    with pytest.raises(PermissionDenied):
        analytics_services.resolve_alert(
            actor=personas["other_region_salesperson"],
            alert=alert,
            expected_version=alert.version,
            resolution="x",
        )
    analytics_services.resolve_alert(
        actor=personas["team_lead"],
        alert=alert,
        expected_version=alert.version,
        resolution="已辅导，下周补单",
    )
    alert.refresh_from_db()
    assert (alert.status, alert.resolved_by.username) == ("resolved", "lina")
    with pytest.raises(Conflict):
        analytics_services.resolve_alert(
            actor=personas["team_lead"], alert=alert, expected_version=alert.version, resolution=""
        )
    again = analytics_services.evaluate_alerts(as_of=dt.date(2026, 6, 30))
    assert (
        Alert.objects.unrestricted().filter(kind="behind_pace", owner__username="yangfan").count()
        == 1
    )
    assert again.raised == 0
    assert AuditEntry.objects.filter(action="analytics.alert.resolved").count() == 1


def test_overdue_steps_unacknowledged_targets_and_late_plans_are_flagged(running, personas):
    services.create_plan(
        actor=personas["director"],
        name="2027年度销售计划",
        fiscal_year=2027,
        scope_unit=running.scope_unit,
        deadline=dt.date(2026, 6, 1),
    )
    step = services.create_step(
        actor=personas["director"],
        plan=running,
        what="宣讲会",
        assignee=personas["salesperson"],
        due_date=dt.date(2026, 2, 1),
    )
    Acknowledgement.objects.unrestricted().filter(plan=running).update(
        requested_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    )
    analytics_services.evaluate_alerts(as_of=dt.date(2026, 6, 30))
    kinds = set(Alert.objects.unrestricted().values_list("kind", flat=True))
    assert {"step_overdue", "unacknowledged", "plan_not_submitted", "behind_pace"} <= kinds
    services.update_step(
        actor=personas["salesperson"],
        step=step,
        expected_version=step.version,
        changes={"status": "done"},
    )
    result = analytics_services.evaluate_alerts(as_of=dt.date(2026, 6, 30))
    cleared = Alert.objects.unrestricted().get(kind="step_overdue")
    assert cleared.status == "resolved"
    assert result.cleared == 1


@pytest.mark.parametrize("change", ["deactivated", "moved"])
def test_open_warnings_stay_open_when_the_plan_owner_leaves_or_moves(running, personas, change):
    """Evaluation reads as the system: the plan owner's own visibility does not decide what
    is measured, so their leaving (or moving to a post that sees little) clears nothing."""
    first = analytics_services.evaluate_alerts(as_of=dt.date(2026, 6, 30))
    opened = set(Alert.objects.unrestricted().filter(status="open").values_list("key", flat=True))
    assert first.raised == len(opened) > 0
    assert Alert.objects.unrestricted().filter(kind="behind_pace").exists()
    owner = type(running.owner).objects.unrestricted().get(pk=running.owner_id)
    if change == "deactivated":
        owner.is_active = False
    else:  # to a salesperson's post in another region, seeing only their own records
        owner.role = personas["other_region_salesperson"].role
        owner.extra_roles = []
        owner.unit = personas["other_region_salesperson"].unit
    owner.save()
    again = analytics_services.evaluate_alerts(as_of=dt.date(2026, 6, 30))
    assert (again.cleared, again.still_open, again.raised) == (0, len(opened), 0)
    still = set(Alert.objects.unrestricted().filter(status="open").values_list("key", flat=True))
    assert still == opened
    assert (
        not Alert.objects.unrestricted()
        .filter(resolution__isnull=False)
        .exclude(resolution="")
        .exists()
    )
