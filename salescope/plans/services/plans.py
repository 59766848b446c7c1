"""Writes to plans: create, edit the document, the approval workflow, versions (A1, A4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.core import audit
from salescope.core.concurrency import update_versioned
from salescope.core.errors import Conflict, PermissionDenied, StaleVersion, ValidationFailed
from salescope.core.periods import company_calendar, month_end
from salescope.org.models import OrgUnit, User
from salescope.org.permissions import require
from salescope.org.visibility import can
from salescope.plans import permissions as perms
from salescope.plans.choices import SECTION_KEYS, PaceBasis, PlanStatus
from salescope.plans.models import Acknowledgement, Plan, PlanSnapshot, Target
from salescope.plans.services.common import (
    PlanErrorCode,
    ensure_can_change_plan,
    ensure_editable,
    manages_unit,
)

PLAN_FIELDS = [
    "name",
    "fiscal_year",
    "quarter",
    "scope_unit",
    "owner",
    "status",
    "deadline",
    "sections",
    "revision",
    "pace_basis",
    "warning_threshold",
]
EDITABLE = {"name", "deadline", "sections", "pace_basis", "warning_threshold"}


def plan_period(fiscal_year: int, quarter: int | None) -> tuple[dt.date, dt.date]:
    calendar = company_calendar()
    months = (
        calendar.months_of_quarter(fiscal_year, quarter)
        if quarter
        else calendar.months_of_year(fiscal_year)
    )
    return months[0], month_end(months[-1])


def _clean_sections(sections: dict[str, Any] | None) -> dict[str, str]:
    sections = sections or {}
    unknown = set(sections) - set(SECTION_KEYS)
    if unknown:
        raise ValidationFailed(
            fields={"sections": [_("Unknown section: %s") % ", ".join(sorted(unknown))]}
        )
    return {key: str(sections[key] or "").strip() for key in SECTION_KEYS if key in sections}


@transaction.atomic
def create_plan(
    *,
    actor: User,
    name: str,
    fiscal_year: int,
    scope_unit: OrgUnit,
    quarter: int | None = None,
    deadline: dt.date | None = None,
    sections: dict[str, Any] | None = None,
    pace_basis: str = PaceBasis.CALENDAR,
) -> Plan:
    require(actor, perms.PLAN_CREATE.code)
    if not (can(actor, Plan, "change") or manages_unit(actor, scope_unit.pk)):
        raise PermissionDenied(_("Only a sales director or the unit's manager may plan for it."))
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the plan a name.")]
    if quarter is not None and not 1 <= quarter <= 4:
        errors["quarter"] = [_("A quarter is 1 to 4.")]
    if not 2000 <= fiscal_year <= 2100:
        errors["fiscal_year"] = [_("Enter a fiscal year such as 2026.")]
    if pace_basis not in PaceBasis.values:
        errors["pace_basis"] = [_("Unknown pace basis.")]
    if errors:
        raise ValidationFailed(fields=errors)
    start, end = plan_period(fiscal_year, quarter)
    plan = Plan.objects.create(
        name=name.strip(),
        fiscal_year=fiscal_year,
        quarter=quarter,
        period_start=start,
        period_end=end,
        scope_unit=scope_unit,
        owner=actor,
        deadline=deadline,
        sections=_clean_sections(sections),
        pace_basis=pace_basis,
    )
    audit.record(
        actor=actor,
        action="plans.plan.created",
        obj=plan,
        changes=audit.diff({}, audit.snapshot(plan, PLAN_FIELDS)),
    )
    return plan


@transaction.atomic
def update_plan(*, actor: User, plan: Plan, expected_version: int, changes: dict[str, Any]) -> Plan:
    """Edit the plan's name, deadline, document sections, pace basis or warning threshold."""
    require(actor, perms.PLAN_CHANGE.code)
    ensure_can_change_plan(actor, plan)
    ensure_editable(plan)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationFailed(
            fields={name: [_("This field cannot be changed here.")] for name in sorted(unknown)}
        )
    values = dict(changes)
    if "sections" in values:
        values["sections"] = {**plan.sections, **_clean_sections(values["sections"])}
    if "name" in values and not str(values["name"]).strip():
        raise ValidationFailed(fields={"name": [_("Give the plan a name.")]})
    if "pace_basis" in values and values["pace_basis"] not in PaceBasis.values:
        raise ValidationFailed(fields={"pace_basis": [_("Unknown pace basis.")]})
    if "warning_threshold" in values and not 0 <= int(values["warning_threshold"]) <= 100:
        raise ValidationFailed(fields={"warning_threshold": [_("Between 0 and 100.")]})
    before = audit.snapshot(plan, PLAN_FIELDS)
    if all(audit.json_value(v) == audit.snapshot(plan, [k])[k] for k, v in values.items()):
        # nothing changes: no write, no audit row (issue 20), but a stale version still says so
        if plan.version != expected_version:
            raise StaleVersion(extra={"current_version": plan.version})
        return plan
    update_versioned(plan, expected_version=expected_version, changes=values)
    audit.record(
        actor=actor,
        action="plans.plan.updated",
        obj=plan,
        changes=audit.diff(before, audit.snapshot(plan, PLAN_FIELDS)),
    )
    return plan


# Allowed moves: from → (to, permission needed)
TRANSITIONS = {
    "submit": ({PlanStatus.DRAFT}, PlanStatus.SUBMITTED, "change"),
    "start_review": ({PlanStatus.SUBMITTED}, PlanStatus.UNDER_REVIEW, "approve"),
    "return": ({PlanStatus.SUBMITTED, PlanStatus.UNDER_REVIEW}, PlanStatus.DRAFT, "approve"),
    "approve": ({PlanStatus.SUBMITTED, PlanStatus.UNDER_REVIEW}, PlanStatus.APPROVED, "approve"),
    "new_version": ({PlanStatus.APPROVED}, PlanStatus.DRAFT, "change"),
}


@transaction.atomic
def transition_plan(
    *, actor: User, plan: Plan, action: str, expected_version: int, note: str = ""
) -> Plan:
    """Move the plan through draft → submitted → under review → approved.

    ``return`` sends it back to draft with a note; ``new_version`` reopens an approved plan as
    the next version (the approved one stays frozen as a snapshot to compare with).
    """
    require(actor, perms.PLAN_CHANGE.code)
    if action not in TRANSITIONS:
        raise ValidationFailed(fields={"action": [_("Unknown action.")]})
    sources, target_status, permission = TRANSITIONS[action]
    if permission == "approve" and not can(actor, Plan, "approve"):
        raise PermissionDenied(_("Only a sales director or an executive may do this."))
    if permission == "change":
        ensure_can_change_plan(actor, plan)
    if plan.status not in sources:
        raise Conflict(
            _("The plan is %(status)s; this step is not possible now.")
            % {"status": PlanStatus(plan.status).label},
            code=PlanErrorCode.WRONG_STATUS,
        )
    before = audit.snapshot(plan, PLAN_FIELDS)
    now = timezone.now()
    changes: dict[str, Any] = {"status": target_status}
    if action == "submit":
        changes["submitted_at"] = now
    if action == "approve":
        changes.update(approved_at=now, approved_by=actor)
    if action == "new_version":
        changes.update(revision=plan.revision + 1, approved_at=None, approved_by=None)
    update_versioned(plan, expected_version=expected_version, changes=changes)
    extra: dict[str, Any] = {}
    if action == "approve":
        extra["acknowledgements_requested"] = _freeze(plan, actor)
    if note.strip():
        extra["note"] = note.strip()
    audit.record(
        actor=actor,
        action=f"plans.plan.{_PAST[action]}",
        obj=plan,
        changes={**audit.diff(before, audit.snapshot(plan, PLAN_FIELDS)), **extra},
    )
    return plan


_PAST = {
    "submit": "submitted",
    "start_review": "review_started",
    "return": "returned",
    "approve": "approved",
    "new_version": "reopened",
}


def _freeze(plan: Plan, actor: User) -> int:
    """Snapshot the approved version and ask everyone concerned to acknowledge it (A7)."""
    cells = (
        Target.objects.unrestricted()
        .filter(plan=plan)
        .select_related("unit", "person", "category", "customer")
    )
    targets = {}
    people: set[int] = set()
    units: set[int] = set()
    for cell in cells.iterator(chunk_size=5000):
        targets[cell.key()] = [cell.label, cell.metric, cell.value, cell.bottom_up]
        if cell.person_id:
            people.add(cell.person_id)
        elif cell.unit_id:
            units.add(cell.unit_id)
    PlanSnapshot.objects.create(
        plan=plan,
        revision=plan.revision,
        sections=dict(plan.sections),
        targets=targets,
        approved_at=plan.approved_at,
        approved_by=actor,
    )
    managers = (
        OrgUnit.objects.unrestricted()
        .filter(pk__in=units, manager__isnull=False)
        .values_list("manager_id", flat=True)
    )
    people.update(m for m in managers if m is not None)
    Acknowledgement.objects.bulk_create(
        [Acknowledgement(plan=plan, person_id=pk, revision=plan.revision) for pk in sorted(people)],
        ignore_conflicts=True,
    )
    return len(people)


@transaction.atomic
def acknowledge(
    *, actor: User, acknowledgement: Acknowledgement, note: str = ""
) -> Acknowledgement:
    """The person confirms they have read the plan and accept their targets (A7)."""
    require(actor, perms.ACKNOWLEDGE.code)
    if acknowledgement.person_id != actor.pk:
        raise PermissionDenied(_("Only the person asked may acknowledge."))
    if acknowledgement.acknowledged_at is not None:
        raise Conflict(
            _("You have already acknowledged this plan."), code=PlanErrorCode.ALREADY_ACKNOWLEDGED
        )
    if acknowledgement.superseded:
        raise Conflict(
            _(
                "Version %(old)s of this plan has been replaced by version %(new)s: you will be "
                "asked to acknowledge the new version once it is approved."
            )
            % {"old": acknowledgement.revision, "new": acknowledgement.plan.revision},
            code=PlanErrorCode.ACKNOWLEDGEMENT_SUPERSEDED,
        )
    now = timezone.now()
    updated = (
        Acknowledgement.objects.unrestricted()
        .filter(pk=acknowledgement.pk, acknowledged_at__isnull=True)
        .update(acknowledged_at=now, note=note.strip())
    )
    if updated != 1:
        raise Conflict(
            _("You have already acknowledged this plan."), code=PlanErrorCode.ALREADY_ACKNOWLEDGED
        )
    acknowledgement.refresh_from_db()
    audit.record(
        actor=actor,
        action="plans.acknowledgement.given",
        obj=acknowledgement,
        changes={"acknowledged_at": [None, audit.json_value(now)], "note": [None, note.strip()]},
    )
    return acknowledgement
