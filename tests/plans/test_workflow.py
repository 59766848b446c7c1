"""Approval, versions with differences, acknowledgements, unassigned, action steps (A1–A7)."""

import datetime as dt

import pytest

from salescope.core.errors import Conflict, PermissionDenied, StaleVersion
from salescope.core.models import AuditEntry
from salescope.plans import queries, services
from salescope.plans.choices import Axis, StepStatus
from salescope.plans.models import Acknowledgement, PlanSnapshot, Target
from salescope.plans.services import CellEdit, Step


def _move(plan, actor, *actions):
    for action in actions:
        plan.refresh_from_db()
        services.transition_plan(
            actor=actor, plan=plan, action=action, expected_version=plan.version
        )
    plan.refresh_from_db()
    return plan


def test_plan_moves_draft_submitted_review_approved_and_freezes(decomposed, personas):
    director = personas["director"]
    plan = _move(decomposed, director, "submit", "start_review", "approve")
    assert plan.status == "approved"
    assert PlanSnapshot.objects.unrestricted().filter(plan=plan, revision=1).count() == 1
    root = plan.targets.get(parent=None)
    region = Target.objects.unrestricted().filter(parent=root).first()
    before = list(Target.objects.unrestricted().filter(plan=plan).values_list("pk", "value"))
    with pytest.raises(Conflict) as caught:
        services.edit_cells(
            actor=director, parent=root, edits=[CellEdit(region.pk, region.version, value=1)]
        )
    assert caught.value.code == "plan_frozen"
    assert (
        list(Target.objects.unrestricted().filter(plan=plan).values_list("pk", "value")) == before
    )


def test_a_salesperson_cannot_approve_and_nothing_changes(decomposed, personas):
    plan = _move(decomposed, personas["director"], "submit")
    audits = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        services.transition_plan(
            actor=personas["regional_manager"],
            plan=plan,
            action="approve",
            expected_version=plan.version,
        )
    plan.refresh_from_db()
    assert plan.status == "submitted"
    assert AuditEntry.objects.count() == audits


def test_a_new_version_shows_what_changed_since_approval(decomposed, personas):
    director = personas["director"]
    plan = _move(decomposed, director, "submit", "approve", "new_version")
    assert (plan.status, plan.revision) == ("draft", 2)
    services.update_plan(
        actor=director,
        plan=plan,
        expected_version=plan.version,
        changes={"sections": {"strategy": "深耕华东\n新增：华南渠道下沉"}},
    )
    root = plan.targets.get(parent=None)
    east = Target.objects.unrestricted().get(parent=root, unit__code="EAST")
    services.edit_cells(
        actor=director, parent=root, edits=[CellEdit(east.pk, east.version, value=400_000_000)]
    )
    diff = queries.plan_diff(viewer=director, plan=plan)
    assert diff.from_revision == 1
    assert [s.key for s in diff.sections] == ["strategy"]
    assert ("+", "新增：华南渠道下沉") in diff.sections[0].diff
    changed = {c.label: (c.before, c.after) for c in diff.cells}
    assert changed["华东大区 · 2026-01…2026-12"] == (300_000_000, 400_000_000)
    assert len([c for c in diff.cells if c.label.startswith("华南大区 ·")]) == 1


def test_approval_asks_everyone_concerned_and_tracks_who_acknowledged(decomposed, personas):
    plan = _move(decomposed, personas["director"], "submit", "approve")
    asked = set(
        Acknowledgement.objects.unrestricted()
        .filter(plan=plan)
        .values_list("person__username", flat=True)
    )
    assert {"zhangwei", "chenjing", "lina", "wangqiang", "zhoujianguo"} <= asked
    ack = Acknowledgement.objects.unrestricted().get(plan=plan, person=personas["salesperson"])
    with pytest.raises(PermissionDenied):
        services.acknowledge(actor=personas["team_lead"], acknowledgement=ack)
    services.acknowledge(actor=personas["salesperson"], acknowledgement=ack, note="收到")
    with pytest.raises(Conflict):
        services.acknowledge(actor=personas["salesperson"], acknowledgement=ack)
    rows = queries.acknowledgements(viewer=personas["team_lead"], plan=plan)
    assert {a.person.username: bool(a.acknowledged_at) for a in rows} == {
        "lina": False,
        "yangfan": False,
        "zhangwei": True,
        "zhoulei": False,
    }


def test_unassigned_lists_units_and_people_without_targets(plan, personas):
    root = plan.targets.get(parent=None)
    services.decompose_target(actor=personas["director"], target=root, steps=[Step(Axis.ORG)] * 3)
    result = queries.unassigned(viewer=personas["director"], plan=plan)
    assert result.units == []
    assert len(result.people) == 20  # nobody decomposed to a person yet
    team = Target.objects.unrestricted().get(plan=plan, unit__code="EAST-SH-1", person=None)
    services.decompose_target(actor=personas["team_lead"], target=team, steps=[Step(Axis.ORG)])
    names = {p.username for p in queries.unassigned(viewer=personas["director"], plan=plan).people}
    assert "zhangwei" not in names
    assert len(names) == 17


def test_action_steps_are_assigned_done_by_the_assignee_and_overdue_flagged(plan, personas):
    step = services.create_step(
        actor=personas["director"],
        plan=plan,
        what="召开计划宣讲会",
        assignee=personas["salesperson"],
        due_date=dt.date(2026, 1, 10),
        where="上海",
        how="逐人确认目标",
    )
    assert step.is_overdue(dt.date(2026, 1, 11)) is True
    with pytest.raises(PermissionDenied):
        services.update_step(
            actor=personas["salesperson"],
            step=step,
            expected_version=step.version,
            changes={"what": "x"},
        )
    services.update_step(
        actor=personas["salesperson"],
        step=step,
        expected_version=step.version,
        changes={"status": "done"},
    )
    step.refresh_from_db()
    assert step.status == StepStatus.DONE
    assert step.is_overdue(dt.date(2026, 1, 11)) is False
    assert [
        e.action
        for e in AuditEntry.objects.filter(object_id=str(step.pk), object_type="plans.actionstep")
    ] == [
        "plans.action_step.updated",
        "plans.action_step.created",
    ]


def test_an_edit_that_changes_nothing_writes_no_audit_row(decomposed, personas):
    """Issue 20: a no-op PATCH makes no audit entry and no new version; a stale one is still
    refused."""
    director, plan = personas["director"], decomposed
    plan.refresh_from_db()
    same = {
        "name": plan.name,
        "deadline": plan.deadline,
        "sections": dict(plan.sections),
        "warning_threshold": plan.warning_threshold,
    }
    audits, version = AuditEntry.objects.count(), plan.version
    services.update_plan(actor=director, plan=plan, expected_version=version, changes=same)
    plan.refresh_from_db()
    assert (AuditEntry.objects.count(), plan.version) == (audits, version)
    with pytest.raises(StaleVersion):
        services.update_plan(actor=director, plan=plan, expected_version=version - 1, changes=same)
    services.update_plan(
        actor=director,
        plan=plan,
        expected_version=version,
        changes={"name": f"{plan.name}（修订）"},
    )
    assert AuditEntry.objects.count() == audits + 1
