"""Analytics' writes: early warnings raised, refreshed and resolved (B2), and manual actuals
entered, changed and deleted (实绩录入). Reads and wording stay in ``alerts`` and ``manual``.

Warnings
    :func:`evaluate_alerts` (the page button, ``salescope evaluate_alerts``, or a nightly job)
    raises new warnings, refreshes open ones and resolves those whose cause has cleared; it
    reads as the system (``core.ownership.SYSTEM``), never as a person, so a plan owner who
    leaves or moves does not make every warning look cleared (issue 20, item 1).
    :func:`resolve_alert` lets the owner, their manager or anyone who may change a warning close
    it with a note.

Manual actuals
    :func:`enter_manual_actual`, :func:`update_manual_actual`, :func:`delete_manual_actual`:
    permission ``analytics.manual_actual.*``, then the record must be one the actor may change
    (their own, their subtree's, or company-wide for the sales-wide roles, finance and
    marketing); one transaction, audited, a stale version is refused with 409.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.analytics import alert_checks, alert_inbox, alerts
from salescope.analytics.actuals import has_actuals
from salescope.analytics.choices import AlertKind, AlertStatus, AnalyticsErrorCode
from salescope.analytics.manual import FIELDS, MANUAL_METRICS, parse_value
from salescope.analytics.models import Alert, ManualActual
from salescope.analytics.permissions import (
    ALERT_EVALUATE,
    ALERT_RESOLVE,
    MANUAL_CHANGE,
    MANUAL_CREATE,
    MANUAL_DELETE,
)
from salescope.analytics.targets import target_variance
from salescope.core import audit
from salescope.core.concurrency import update_versioned
from salescope.core.errors import Conflict, PermissionDenied, StaleVersion, ValidationFailed
from salescope.core.importing.bulk import insert_rows
from salescope.core.ownership import SYSTEM
from salescope.core.periods import month_start
from salescope.org import permissions, visibility
from salescope.org.models import OrgUnit, User
from salescope.pipeline.queries import days_stuck, stuck_deals
from salescope.plans import rules
from salescope.plans.choices import METRICS, Metric, PlanStatus, StepStatus
from salescope.plans.models import Acknowledgement, ActionStep, Plan, Target, from_hundredths

ACK_GRACE_DAYS = 3


def manager_of(person: User, units: dict[int, OrgUnit] | None = None) -> User | None:
    """The nearest manager above a person (their unit's, or the parent unit's when they
    manage their own unit)."""
    units = units or {u.pk: u for u in OrgUnit.objects.unrestricted().select_related("manager")}
    unit = units.get(person.unit_id or 0)
    while unit is not None:
        if unit.manager_id and unit.manager_id != person.pk:
            return unit.manager
        unit = units.get(unit.parent_id or 0)
    return None


@dataclass
class Evaluation:
    raised: int = 0
    still_open: int = 0
    cleared: int = 0
    unrouted: int = 0  # found, but with nobody to send it to (a customer without an owner)
    seen: set[str] = field(default_factory=set)
    by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {"raised": self.raised, "still_open": self.still_open, "cleared": self.cleared}


@dataclass(slots=True)
class NewAlert:
    """A warning raised by this evaluation, as :meth:`_Raiser.flush` writes it and the inbox
    words it: no model instance per warning (175k of them cost seconds to build)."""

    key: str
    kind: str
    owner: User
    manager: User | None
    plan_id: int | None
    target_id: int | None
    step_id: int | None
    link: str
    facts: dict[str, Any]
    checked_at: dt.datetime | None = None


class _Raiser:
    """Collects what one evaluation finds and writes it set-based at the end (:meth:`flush`):
    new warnings in bulk, open ones refreshed only where their facts or routing changed,
    cleared ones with the facts of what changed."""

    def __init__(self, result: Evaluation) -> None:
        self.result = result
        self.units = {u.pk: u for u in OrgUnit.objects.unrestricted().select_related("manager")}
        # Every open warning is compared with what the checks find; its dates and resolution
        # are only written, never read here (at 100k customers that is 10⁵ datetimes parsed).
        self.open = {
            a.key: a
            for a in Alert.objects.unrestricted()
            .filter(status=AlertStatus.OPEN)
            .defer("raised_at", "checked_at", "resolved_at", "resolution")
        }
        self.by_subject = {
            (a.kind, a.facts.get("subject")): a
            for a in self.open.values()
            if isinstance(a.facts, dict) and a.facts.get("subject")
        }
        # resolved warnings: by a person (not raised again) or by the system (reopened)
        self.closed = dict(
            Alert.objects.unrestricted()
            .filter(status=AlertStatus.RESOLVED)
            .values_list("key", "resolved_by_id")
        )
        self._people: dict[int, User] | None = None
        self._managers: dict[int, User | None] = {}
        self.new: list[NewAlert] = []
        self.changed: dict[int, Alert] = {}
        self.reopened: list[str] = []
        self.to_clear: dict[int, tuple[Alert, dict[str, Any]]] = {}

    def person(self, pk: int | None) -> User | None:
        if self._people is None:
            self._people = {u.pk: u for u in User.objects.unrestricted().select_related("unit")}
        return self._people.get(pk or 0)

    def manager(self, owner: User) -> User | None:
        """The owner's manager (:func:`manager_of`), looked up once per person."""
        if owner.pk not in self._managers:
            self._managers[owner.pk] = manager_of(owner, self.units)
        return self._managers[owner.pk]

    def raise_(  # noqa: PLR0913 - one warning's whole context
        self,
        *,
        key: str,
        kind: str,
        owner: User | None,
        plan: Plan | None,
        link: str,
        subject: str | None = None,
        **extra: Any,
    ) -> None:
        facts = extra.get("facts", {})
        alert = self.open.get(key) or (self.by_subject.get((kind, subject)) if subject else None)
        if alert is not None:
            self.result.seen.add(alert.key)
            self._refresh(alert, facts, owner, link)
            self.result.still_open += 1
            return
        self.result.seen.add(key)
        if key in self.closed:
            if self.closed[key] is None and owner is not None:
                self.reopened.append(key)  # cleared by the system, and back: open again
                self._reopen(key, facts, owner, link)
            return  # resolved by a person: not raised again for the same episode
        if owner is None:
            self.result.unrouted += 1
            return
        target, step = extra.get("target"), extra.get("step")
        self.new.append(
            NewAlert(
                key=key,
                kind=kind,
                owner=owner,
                manager=self.manager(owner),
                plan_id=plan.pk if plan is not None else None,
                target_id=target.pk if target is not None else None,
                step_id=step.pk if step is not None else None,
                link=link,
                facts=facts,
            )
        )
        self.result.raised += 1
        self.result.by_kind[kind] = self.result.by_kind.get(kind, 0) + 1

    def _refresh(self, alert: Alert, facts: dict, owner: User | None, link: str) -> None:
        changed = alert.facts != facts or alert.link != link
        alert.facts, alert.link = facts, link
        if owner is not None and alert.owner_id != owner.pk:  # handed over: follows the owner
            alert.owner = owner
            alert.manager = self.manager(owner)
            changed = True
        if changed:
            self.changed[alert.pk] = alert

    def _reopen(self, key: str, facts: dict, owner: User, link: str) -> None:
        Alert.objects.unrestricted().filter(key=key).update(
            status=AlertStatus.OPEN,
            facts=facts,
            owner=owner,
            manager=self.manager(owner),
            link=link,
            resolved_at=None,
            resolution="",
            raised_at=timezone.now(),
        )
        self.result.raised += 1

    def keep(self, alert: Alert) -> None:
        """An open warning its check could not decide on: it stays open as it is."""
        self.result.seen.add(alert.key)
        self.result.still_open += 1

    def clear(self, alert: Alert, cleared: dict[str, Any]) -> None:
        """Its check found the cause gone: resolved with the facts of what changed."""
        self.result.seen.add(alert.key)
        self.to_clear[alert.pk] = (alert, cleared)

    def _insert_new(self, now: dt.datetime) -> None:
        """The new warnings in one bulk insert (COPY on PostgreSQL): only the fields that vary
        are prepared per warning (``core.importing.bulk.insert_rows``); 175k warnings through
        ``bulk_create`` cost more than every check's read together. Raised and checked now."""
        stamp = Alert._meta.get_field("raised_at").get_db_prep_save(now, connection)
        varying = ["key", "kind", "owner_id", "manager_id", "plan_id", "target_id", "step_id"]
        varying += ["link", "facts", "raised_at", "checked_at"]

        def row(a: NewAlert) -> tuple[Any, ...]:
            # the facts as the JSON field stores them: Django's json.dumps, no encoder
            manager = a.manager.pk if a.manager is not None else None
            ids = (a.owner.pk, manager, a.plan_id, a.target_id, a.step_id)
            return (a.key, a.kind, *ids, a.link, json.dumps(a.facts), stamp, stamp)

        # in key order: the unique index on the key is filled in order
        insert_rows(Alert, Alert(), varying, map(row, sorted(self.new, key=lambda a: a.key)))
        for alert in self.new:
            alert.checked_at = now

    def flush(self, now: dt.datetime) -> list[NewAlert | Alert]:
        """Write what was found; the warnings raised (new or reopened), for the inbox."""
        self._insert_new(now)
        for alert in self.changed.values():
            alert.checked_at = now
        Alert.objects.unrestricted().bulk_update(
            list(self.changed.values()),
            ["facts", "link", "owner", "manager", "checked_at"],
            batch_size=500,
        )
        for alert, cleared in self.to_clear.values():
            alert.facts = {**alert.facts, "cleared": cleared}
            alert.status = AlertStatus.RESOLVED
            alert.resolved_at = now
            alert.resolution = alerts.clearance(alert)
        Alert.objects.unrestricted().bulk_update(
            [a for a, _c in self.to_clear.values()],
            ["facts", "status", "resolved_at", "resolution"],
            batch_size=500,
        )
        self.result.cleared += len(self.to_clear)
        reopened = list(
            Alert.objects.unrestricted()
            .filter(key__in=self.reopened)
            .select_related("owner", "manager")
        )
        return [*self.new, *reopened]


def _money(value: int | None) -> str | None:
    return None if value is None else str(from_hundredths(value))


SPENDING_METRICS = frozenset({Metric.EXPENSE_BUDGET})


def _pace_alerts(raiser: _Raiser, plan: Plan, as_of: dt.date) -> None:
    metrics = (
        Target.objects.unrestricted()
        .filter(plan=plan, parent=None)
        .values_list("metric", flat=True)
        .distinct()
    )
    threshold = Decimal(plan.warning_threshold)
    for metric in metrics:
        if not has_actuals(metric):
            continue
        if metric in SPENDING_METRICS:
            _spending_alerts(raiser, plan, metric, as_of, threshold)
            continue
        # A percentage is mostly set and measured per region, not per person (a market
        # share): its rows without a person are the regions' own levels.
        level = not METRICS[metric].additive
        group_by = ["region", "salesperson"] if level else ["salesperson"]
        report = target_variance(
            viewer=SYSTEM, plan=plan, metric=metric, group_by=group_by, as_of=as_of
        )
        people = {
            p.pk: p
            for p in User.objects.unrestricted().filter(
                pk__in=[r.keys["salesperson"] for r in report.rows]
            )
        }
        region_link = (
            reverse("analytics:tracking") + f"?plan={plan.pk}&metric={metric}&group_by=region"
        )
        for row in report.rows:
            person = people.get(row.keys["salesperson"])
            unit = raiser.units.get(row.keys.get("region") or 0)
            if person is not None:
                link = reverse("analytics:my-targets") + f"?plan={plan.pk}&person={person.pk}"
                subject: dict[str, Any] = {"owner": person, "subject": person.pk, "link": link}
            elif level and row.keys["salesperson"] is None and unit is not None:
                # the region's manager answers for it (else the plan's owner)
                owner = unit.manager or plan.owner
                subject = {"owner": owner, "subject": f"unit{unit.pk}", "link": region_link}
                subject["unit"] = unit.name
            else:
                continue
            _raise_pace(raiser, plan, metric, row, as_of, threshold, **subject)


def _raise_pace(  # noqa: PLR0913 - one warning's whole context
    raiser: _Raiser,
    plan: Plan,
    metric: str,
    row: Any,
    as_of: dt.date,
    threshold: Decimal,
    *,
    owner: User,
    subject: Any,
    link: str,
    unit: str = "",
) -> None:
    """Behind pace and projection short for one row of a target-vs-actual report."""
    t = row.tracking
    if row.target <= 0:
        return
    level = not METRICS[metric].additive
    if level and t.projection is None:
        return  # a percentage with no figure yet is unknown, not behind
    facts = {
        "metric": metric,
        "level": level,
        "unit": unit,
        "target": _money(t.target),
        "actual": _money(t.actual),
        "pace": _money(t.pace),
        "projection": _money(t.projection),
        "attainment": None if t.attainment is None else str(t.attainment),
        "threshold": str(threshold),
        "as_of": as_of.isoformat(),
    }
    kinds = []
    if rules.behind_pace(t, threshold):
        kinds.append(AlertKind.BEHIND_PACE)
    if rules.projected_short(t) and as_of >= plan.period_start + dt.timedelta(days=30):
        kinds.append(AlertKind.PROJECTION_SHORT)
    month = as_of.strftime("%Y-%m")
    for kind in kinds:
        raiser.raise_(
            key=f"{kind}:{plan.pk}:{metric}:{subject}:{month}",
            kind=kind,
            owner=owner,
            plan=plan,
            link=link,
            facts=facts,
        )


def _spending_alerts(
    raiser: _Raiser, plan: Plan, metric: str, as_of: dt.date, threshold: Decimal
) -> None:
    """Budgets are kept per region (费用 is entered for a unit, not a person): a region
    spending ahead of its budget's pace warns the region's manager (else the plan's owner)."""
    report = target_variance(
        viewer=SYSTEM, plan=plan, metric=metric, group_by=["region"], as_of=as_of
    )
    month = as_of.strftime("%Y-%m")
    link = reverse("analytics:tracking") + f"?plan={plan.pk}&metric={metric}&group_by=region"
    for row in report.rows:
        unit = raiser.units.get(row.keys.get("region") or 0)
        if unit is None or row.target <= 0 or not rules.over_budget(row.tracking, threshold):
            continue
        t = row.tracking
        raiser.raise_(
            key=f"over_budget:{plan.pk}:{metric}:{unit.pk}:{month}",
            kind=AlertKind.OVER_BUDGET,
            owner=unit.manager or plan.owner,
            plan=plan,
            link=link,
            facts={
                "metric": metric,
                "unit": unit.name,
                "target": _money(t.target),
                "actual": _money(t.actual),
                "pace": _money(t.pace),
                "projection": _money(t.projection),
                "threshold": str(threshold),
                "as_of": as_of.isoformat(),
            },
        )


def _plan_alerts(raiser: _Raiser, as_of: dt.date) -> None:
    late = (
        Plan.objects.unrestricted()
        .filter(status=PlanStatus.DRAFT, deadline__lt=as_of)
        .select_related("owner")
    )
    for plan in late:
        raiser.raise_(
            key=f"plan_not_submitted:{plan.pk}:{plan.revision}",
            kind=AlertKind.PLAN_NOT_SUBMITTED,
            owner=plan.owner,
            plan=plan,
            link=reverse("plans:detail", args=[plan.pk]),
            facts={"deadline": plan.deadline.isoformat(), "plan": plan.name},
        )
    cutoff = timezone.make_aware(dt.datetime.combine(as_of, dt.time.min)) - dt.timedelta(
        days=ACK_GRACE_DAYS
    )
    pending = (
        Acknowledgement.objects.unrestricted()
        .filter(acknowledged_at=None, requested_at__lt=cutoff)
        .select_related("plan", "person")
    )
    for ack in pending:
        if ack.revision != ack.plan.revision:
            continue
        raiser.raise_(
            key=f"unacknowledged:{ack.pk}",
            kind=AlertKind.UNACKNOWLEDGED,
            owner=ack.person,
            plan=ack.plan,
            link=reverse("plans:acknowledgement", args=[ack.pk]),
            facts={"plan": ack.plan.name, "requested": ack.requested_at.date().isoformat()},
        )
    overdue = (
        ActionStep.objects.unrestricted()
        .filter(status=StepStatus.OPEN, due_date__lt=as_of)
        .select_related("plan", "assignee")
    )
    for step in overdue:
        raiser.raise_(
            key=f"step_overdue:{step.pk}",
            kind=AlertKind.STEP_OVERDUE,
            owner=step.assignee,
            plan=step.plan,
            link=reverse("plans:detail", args=[step.plan_id]),
            step=step,
            facts={"what": step.what, "due": step.due_date.isoformat()},
        )


def _stuck_deal_alerts(raiser: _Raiser, as_of: dt.date) -> None:
    """A deal sitting in its stage past the stage's rotting threshold (B2), to its owner and
    their manager. Keyed by the stage stay, so a deal stuck again later is warned again; it
    clears when the deal moves or closes."""
    now = timezone.make_aware(dt.datetime.combine(as_of, dt.time.max))
    for opp in stuck_deals(viewer=SYSTEM, as_of=now):
        raiser.raise_(
            key=f"stuck_deal:{opp.pk}:{opp.stage_id}:{opp.stage_entered_at:%Y%m%d%H%M%S}",
            kind=AlertKind.STUCK_DEAL,
            owner=opp.owner,
            plan=None,
            link=reverse("pipeline:detail", args=[opp.pk]),
            facts={
                "opportunity": opp.name,
                "stage": opp.stage.name,
                "days": days_stuck(opp, now),
                "limit": opp.stage.rotting_days,
            },
        )


def ensure_may_evaluate(actor: User) -> None:
    permissions.require(actor, ALERT_EVALUATE.code)


NEW_KIND_CHECKS = (
    alert_checks.check_sales_history,
    alert_checks.check_visits,
    alert_checks.check_receivables,
    alert_checks.check_credit,
    alert_checks.check_cross_territory,
)
# Kinds settled by their own checks (cleared with what changed, or kept open); the others are
# cleared when not found again.
SETTLED_KINDS = alerts.CUSTOMER_KINDS


@transaction.atomic
def evaluate_alerts(*, actor: User | None = None, as_of: dt.date | None = None) -> Evaluation:
    """Raise new warnings, refresh open ones, and resolve those whose cause has cleared."""
    as_of = as_of or timezone.localdate()
    result = Evaluation()
    raiser = _Raiser(result)
    running = (
        Plan.objects.unrestricted()
        .filter(status=PlanStatus.APPROVED, period_start__lte=as_of, period_end__gte=as_of)
        .select_related("owner", "scope_unit")
    )
    for plan in running:
        _pace_alerts(raiser, plan, as_of)
    _plan_alerts(raiser, as_of)
    _stuck_deal_alerts(raiser, as_of)
    limits = alert_checks.thresholds()
    customers = alert_checks.Customers()
    for check in NEW_KIND_CHECKS:
        check(raiser, customers, as_of, limits)
    if not alert_checks.check_stock(raiser, as_of, limits):
        for alert in raiser.open.values():  # not evaluated: nothing of it may clear
            if alert.kind == AlertKind.STOCK_OUT:
                raiser.keep(alert)
    now = timezone.now()
    raised = raiser.flush(now)
    cleared = [
        a
        for key, a in raiser.open.items()
        if key not in result.seen and a.kind not in SETTLED_KINDS
    ]
    for chunk in alert_checks.chunks([a.pk for a in cleared]):
        Alert.objects.unrestricted().filter(pk__in=chunk).update(
            status=AlertStatus.RESOLVED,
            resolved_at=now,
            resolution=_("The cause has cleared."),
        )
    result.cleared += len(cleared)
    # checked now: the rest of the open warnings (the new and the changed were written so)
    Alert.objects.unrestricted().filter(status=AlertStatus.OPEN).exclude(checked_at=now).update(
        checked_at=now
    )
    alert_inbox.deliver(raised)
    audit.record(
        actor=actor,
        action="analytics.alerts.evaluated",
        object_type="analytics.alert",
        object_repr=as_of.isoformat(),
        changes={**result.as_dict(), "unrouted": result.unrouted, "new_by_kind": result.by_kind},
    )
    return result


@transaction.atomic
def resolve_alert(*, actor: User, alert: Alert, expected_version: int, resolution: str) -> Alert:
    """The owner, their manager (or anyone who may change it) closes a warning with a note."""
    permissions.require(actor, ALERT_RESOLVE.code)
    if (
        actor.pk not in (alert.owner_id, alert.manager_id)
        and not visibility.visible(
            Alert.objects.filter(pk=alert.pk), viewer=actor, action="change"
        ).exists()
    ):
        raise PermissionDenied()
    if alert.status == AlertStatus.RESOLVED:
        raise Conflict(
            _("This warning is already resolved."), code=AnalyticsErrorCode.ALERT_ALREADY_RESOLVED
        )
    update_versioned(
        alert,
        expected_version=expected_version,
        changes={
            "status": AlertStatus.RESOLVED,
            "resolved_at": timezone.now(),
            "resolved_by": actor,
            "resolution": resolution.strip()[:2000],
        },
    )
    audit.record(
        actor=actor,
        action="analytics.alert.resolved",
        obj=alert,
        changes={
            "status": [AlertStatus.OPEN, AlertStatus.RESOLVED],
            "resolution": [None, alert.resolution],
        },
    )
    return alert


# --- manual actuals


def _check_coordinates(*, metric: str, month: Any, person: Any, unit: Any) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if metric not in MANUAL_METRICS:
        errors["metric"] = [_("This metric comes from the ledger; it is not entered by hand.")]
    if not isinstance(month, dt.date):
        errors["month"] = [_("Enter a month.")]
    if person is None and unit is None:
        errors["person"] = [_("Choose a person, a unit or both.")]
    return errors


def _in_scope(actor: Any, actual: ManualActual) -> None:
    """The written record must be one the actor may change; otherwise the write is undone."""
    mine = visibility.visible(
        ManualActual.objects.filter(pk=actual.pk), viewer=actor, action=visibility.CHANGE
    )
    if not mine.exists():
        raise PermissionDenied(
            _("You may enter figures only for yourself and the people and units you manage.")
        )


def _cell_taken(existing_id: int | None) -> Conflict:
    return Conflict(
        _("A figure for this metric, month and cell is already entered; change that one."),
        fields={"month": [_("Already entered for this cell.")]},
        extra={"existing_id": existing_id},
    )


@transaction.atomic
def enter_manual_actual(
    *,
    actor: Any,
    metric: str,
    month: dt.date,
    value: Any,
    person: User | None = None,
    unit: OrgUnit | None = None,
    category: Any = None,
    note: str = "",
) -> ManualActual:
    permissions.require(actor, MANUAL_CREATE.code)
    errors = _check_coordinates(metric=metric, month=month, person=person, unit=unit)
    try:
        hundredths = parse_value(metric, value)
    except ValidationFailed as error:
        errors.update(error.fields)
    if errors:
        raise ValidationFailed(fields=errors)
    month = month_start(month)
    existing = (
        ManualActual.objects.unrestricted()
        .filter(metric=metric, month=month, person=person, unit=unit, category=category)
        .values_list("pk", flat=True)
    )
    if existing:
        raise _cell_taken(existing.first())
    try:
        with transaction.atomic():
            actual = ManualActual.objects.create(
                metric=metric,
                month=month,
                person=person,
                unit=unit,
                category=category,
                value=hundredths,
                note=str(note or "").strip(),
                entered_by=actor,
            )
    except IntegrityError:  # the same cell entered at the same moment by someone else
        raise _cell_taken(None) from None
    _in_scope(actor, actual)
    audit.record(
        actor=actor,
        action="analytics.manual_actual.entered",
        obj=actual,
        changes=audit.diff({}, audit.snapshot(actual, FIELDS)),
    )
    return actual


@transaction.atomic
def update_manual_actual(
    *, actor: Any, actual: ManualActual, expected_version: int, **values: Any
) -> ManualActual:
    """Change a figure's value or note (its cell stays: delete and enter again to move it)."""
    permissions.require(actor, MANUAL_CHANGE.code)
    _in_scope(actor, actual)
    unknown = set(values) - {"value", "note"}
    if unknown:
        raise ValidationFailed(
            fields={name: [_("This field cannot be changed here.")] for name in sorted(unknown)}
        )
    changes: dict[str, Any] = {"entered_by": actor, "entered_at": timezone.now()}
    if "value" in values:
        changes["value"] = parse_value(actual.metric, values["value"])
    if "note" in values:
        changes["note"] = str(values["note"] or "").strip()
    before = audit.snapshot(actual, FIELDS)
    update_versioned(actual, expected_version=expected_version, changes=changes)
    audit.record(
        actor=actor,
        action="analytics.manual_actual.changed",
        obj=actual,
        changes=audit.diff(before, audit.snapshot(actual, FIELDS)),
    )
    return actual


@transaction.atomic
def delete_manual_actual(*, actor: Any, actual: ManualActual, expected_version: int) -> None:
    permissions.require(actor, MANUAL_DELETE.code)
    _in_scope(actor, actual)
    before = audit.snapshot(actual, FIELDS)
    pk, label = actual.pk, str(actual)
    deleted, _rows = (
        ManualActual.objects.unrestricted().filter(pk=pk, version=expected_version).delete()
    )
    if deleted != 1:
        current = (
            ManualActual.objects.unrestricted()
            .filter(pk=pk)
            .values_list("version", flat=True)
            .first()
        )
        raise StaleVersion(extra={"current_version": current})
    audit.record(
        actor=actor,
        action="analytics.manual_actual.deleted",
        object_type=ManualActual._meta.label_lower,
        object_id=pk,
        object_repr=label,
        changes=audit.diff(before, {}),
    )
