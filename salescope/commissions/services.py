"""Commissions' writes (提成, G5): plans, assignments, statements. Each keyword-only, in one
transaction, audited, version-checked where another person may have changed the record
(R7 → 409). Approved plans and statements are frozen: a recomputation that finds other
figures for an approved statement writes its next revision instead."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.commissions import permissions as perms
from salescope.commissions import queries, rules
from salescope.commissions.choices import (
    Base,
    CommissionErrorCode,
    PlanStatus,
    StatementStatus,
)
from salescope.commissions.models import (
    Clawback,
    CommissionAssignment,
    CommissionPlan,
    Statement,
)
from salescope.core import audit
from salescope.core.concurrency import update_versioned
from salescope.core.errors import Conflict, ValidationFailed
from salescope.core.ownership import SYSTEM
from salescope.core.periods import month_end, month_start
from salescope.ledger.choices import InvoiceStatus
from salescope.ledger.models import Invoice
from salescope.org.models import OrgUnit, User
from salescope.org.permissions import require
from salescope.plans.models import Plan

PLAN_FIELDS = ["name", "base", "attainment_metric", "target_plan_id", "tiers", "cap_fen"]
PLAN_FIELDS += ["valid_from", "valid_to", "status"]
STATEMENT_FIGURES = [
    "plan_id",
    "base_fen",
    "sales_fen",
    "target",
    "actual",
    "attainment_bp",
    "rate_bp",
    "uncapped_fen",
    "payout_fen",
    "clawback_fen",
    "total_fen",
]


# --- plans -----------------------------------------------------------------------------------


def _tiers(tiers: Any) -> list[list[int]]:
    try:
        return [list(t) for t in rules.validate_tiers(tiers)]
    except (rules.TierError, TypeError, ValueError) as error:
        raise ValidationFailed(fields={"tiers": [_("Invalid tiers: %s") % error]}) from None


def _plan_values(
    *,
    name: str,
    base: str,
    attainment_metric: str,
    tiers: Any,
    cap_fen: int | None,
    valid_from: dt.date,
    valid_to: dt.date | None,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    if base not in Base.values:
        errors["base"] = [_("Choose sales amount, gross profit or collections.")]
    if attainment_metric not in Base.values:
        errors["attainment_metric"] = [_("Choose sales amount, gross profit or collections.")]
    if cap_fen is not None and cap_fen < 0:
        errors["cap"] = [_("The cap cannot be negative.")]
    valid_from = month_start(valid_from)
    valid_to = month_start(valid_to) if valid_to else None
    if valid_to and valid_to < valid_from:
        errors["valid_to"] = [_("The end is before the start.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return {
        "name": name[:200],
        "base": base,
        "attainment_metric": attainment_metric,
        "tiers": _tiers(tiers),
        "cap_fen": cap_fen,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


@transaction.atomic
def create_plan(
    *,
    actor: User,
    name: str,
    base: str,
    tiers: Any,
    valid_from: dt.date,
    attainment_metric: str = Base.SALES_AMOUNT,
    target_plan: Plan | None = None,
    cap_fen: int | None = None,
    valid_to: dt.date | None = None,
) -> CommissionPlan:
    """A draft commission plan."""
    require(actor, perms.PLAN_CREATE.code)
    values = _plan_values(
        name=name,
        base=base,
        attainment_metric=attainment_metric,
        tiers=tiers,
        cap_fen=cap_fen,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    plan = CommissionPlan.objects.create(owner=actor, target_plan=target_plan, **values)
    audit.record(
        actor=actor,
        action="commissions.plan.created",
        obj=plan,
        changes=audit.snapshot(plan, PLAN_FIELDS),
    )
    return plan


def _refuse_frozen_plan(plan: CommissionPlan) -> None:
    if plan.is_frozen:
        raise Conflict(
            _("An approved commission plan cannot change."),
            code=CommissionErrorCode.PLAN_FROZEN,
        )


@transaction.atomic
def change_plan(
    *,
    actor: User,
    plan: CommissionPlan,
    expected_version: int,
    target_plan: Plan | None = None,
    **changes: Any,
) -> CommissionPlan:
    """Change a draft plan (``name``, ``base``, ``attainment_metric``, ``tiers``, ``cap_fen``,
    ``valid_from``, ``valid_to``, and ``target_plan`` when given)."""
    require(actor, perms.PLAN_CHANGE.code)
    _refuse_frozen_plan(plan)
    before = audit.snapshot(plan, PLAN_FIELDS)
    current = {
        "name": plan.name,
        "base": plan.base,
        "attainment_metric": plan.attainment_metric,
        "tiers": plan.tiers,
        "cap_fen": plan.cap_fen,
        "valid_from": plan.valid_from,
        "valid_to": plan.valid_to,
    }
    unknown = set(changes) - set(current)
    if unknown:
        raise ValidationFailed(fields={name: [_("Unknown field.")] for name in sorted(unknown)})
    values = _plan_values(**{**current, **changes})
    if target_plan is not None:
        values["target_plan_id"] = target_plan.pk
    update_versioned(plan, expected_version=expected_version, changes=values)
    changed = audit.diff(before, audit.snapshot(plan, PLAN_FIELDS))
    if changed:
        audit.record(actor=actor, action="commissions.plan.changed", obj=plan, changes=changed)
    return plan


@transaction.atomic
def approve_plan(*, actor: User, plan: CommissionPlan, expected_version: int) -> CommissionPlan:
    """Approve a draft plan: from now on it pays its assignees and cannot change."""
    require(actor, perms.PLAN_APPROVE.code)
    _refuse_frozen_plan(plan)
    update_versioned(
        plan,
        expected_version=expected_version,
        changes={
            "status": PlanStatus.APPROVED,
            "approved_by": actor,
            "approved_at": timezone.now(),
        },
    )
    audit.record(
        actor=actor,
        action="commissions.plan.approved",
        obj=plan,
        changes={"status": [PlanStatus.DRAFT, PlanStatus.APPROVED]},
    )
    return plan


def _overlaps(plan: CommissionPlan) -> Any:
    from django.db.models import Q

    overlap = Q(valid_to__isnull=True) | Q(valid_to__gte=plan.valid_from)
    if plan.valid_to is not None:
        overlap &= Q(valid_from__lte=plan.valid_to)
    return overlap


@transaction.atomic
def assign(
    *,
    actor: User,
    plan: CommissionPlan,
    person: User | None = None,
    unit: OrgUnit | None = None,
) -> CommissionAssignment:
    """Pay ``person`` (or everyone in ``unit``'s subtree) by ``plan``. A person or unit is on
    at most one plan at a time."""
    require(actor, perms.PLAN_ASSIGN.code)
    if (person is None) == (unit is None):
        raise ValidationFailed(fields={"person": [_("Choose a person or a unit.")]})
    # visibility: the system checks the one-plan-at-a-time rule across every plan
    plans = CommissionPlan.objects.unrestricted().filter(_overlaps(plan))
    taken = CommissionAssignment.objects.unrestricted().filter(plan__in=plans)
    taken = taken.filter(person=person) if person is not None else taken.filter(unit=unit)
    if taken.exists():
        raise Conflict(
            _("Already assigned to a commission plan for these months."),
            code=CommissionErrorCode.ASSIGNED_TWICE,
        )
    assignment = CommissionAssignment.objects.create(plan=plan, person=person, unit=unit)
    audit.record(
        actor=actor,
        action="commissions.assignment.created",
        obj=assignment,
        changes={
            "plan_id": plan.pk,
            "person_id": getattr(person, "pk", None),
            "unit_id": getattr(unit, "pk", None),
        },
    )
    return assignment


@transaction.atomic
def unassign(*, actor: User, assignment: CommissionAssignment) -> None:
    require(actor, perms.PLAN_ASSIGN.code)
    changes = {
        "plan_id": assignment.plan_id,
        "person_id": assignment.person_id,
        "unit_id": assignment.unit_id,
    }
    audit.record(
        actor=actor, action="commissions.assignment.deleted", obj=assignment, changes=changes
    )
    assignment.delete()


# --- statements ------------------------------------------------------------------------------


@dataclass
class Figures:
    """A person's computed statement for a month (what ``Statement`` stores)."""

    plan_id: int
    base_fen: int = 0
    sales_fen: int = 0
    target: int = 0
    actual: int = 0
    attainment_bp: int | None = None
    rate_bp: int = 0
    uncapped_fen: int = 0
    payout_fen: int = 0
    clawback_fen: int = 0
    total_fen: int = 0
    clawbacks: dict[int, tuple[dt.date, int, int]] = field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in STATEMENT_FIGURES}


@dataclass
class ComputeResult:
    period: dt.date
    created: int = 0
    updated: int = 0
    revised: int = 0
    unchanged: int = 0
    people: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.isoformat(),
            "people": self.people,
            "created": self.created,
            "updated": self.updated,
            "revised": self.revised,
            "unchanged": self.unchanged,
        }


def plans_in_force(period: dt.date) -> list[CommissionPlan]:
    """The approved plans that pay for ``period``."""
    from django.db.models import Q

    # visibility: the system computes statements for everyone
    return list(
        CommissionPlan.objects.unrestricted()
        .filter(status=PlanStatus.APPROVED, valid_from__lte=period)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period))
        .order_by("id")
    )


def plan_of_people(plans: list[CommissionPlan]) -> dict[int, int]:
    """``{person id: plan id}`` for the active people the plans pay: a person's own assignment,
    else their nearest unit's (the deepest unit of their chain that is assigned)."""
    by_id = {p.pk: p for p in plans}
    rows = list(
        # visibility: the system resolves who each plan pays
        CommissionAssignment.objects.unrestricted()
        .filter(plan_id__in=by_id)
        .values_list("plan_id", "person_id", "unit__path")
        .order_by("plan_id")
    )
    direct = {person: plan for plan, person, _path in rows if person is not None}
    units = sorted(
        ((path, plan) for plan, person, path in rows if person is None),
        key=lambda row: len(row[0]),
    )
    people = (
        # visibility: as above
        User.objects.unrestricted().filter(is_active=True).values_list("id", "unit__path")
    )
    found: dict[int, int] = {}
    for person_id, path in people:
        if person_id in direct:
            found[person_id] = direct[person_id]
            continue
        for unit_path, plan_id in units:  # shortest first: the deepest match wins
            if path and path.startswith(unit_path):
                found[person_id] = plan_id
    return found


def _metric_totals(metric: str, period: dt.date) -> dict[int, int]:
    from salescope.analytics.actuals import actual_totals

    totals = actual_totals(
        viewer=SYSTEM,
        metric=metric,
        date_from=period,
        date_to=month_end(period),
        group_by=["salesperson"],
    )
    return {key[0]: value for key, value in totals.items() if key[0] is not None}


def _already_clawed(period: dt.date) -> set[int]:
    """Invoices whose commission a statement of another month already takes back."""
    # visibility: the system computes statements for everyone
    return set(
        Clawback.objects.unrestricted()
        .exclude(statement__period=period)
        .exclude(statement__status=StatementStatus.SUPERSEDED)
        .values_list("invoice_id", flat=True)
    )


def _paid_months(people: set[int], months: set[dt.date]) -> dict[tuple[int, dt.date], tuple]:
    """``{(person, month): (payout, sales)}`` of each person's current statement per month."""
    if not people or not months:
        return {}
    rows = (
        # visibility: as above
        Statement.objects.unrestricted()
        .filter(person_id__in=people, period__in=months)
        .exclude(status=StatementStatus.SUPERSEDED)
        .order_by("person_id", "period", "revision")
        .values_list("person_id", "period", "payout_fen", "sales_fen")
    )
    return {(p, m): (paid, sales) for p, m, paid, sales in rows}  # the last revision wins


def compute_figures(period: dt.date) -> dict[int, Figures]:
    """Every assigned person's figures for ``period``, set-based: one read per metric for all
    people, one read of each sales plan's month targets (``queries.month_targets``: the
    targets only, not analytics' whole target-vs-actual report), one read of written-off
    invoices."""
    period = month_start(period)
    plans = plans_in_force(period)
    plan_of = plan_of_people(plans)
    if not plan_of:
        return {}
    by_id = {p.pk: p for p in plans}
    metrics = {Base.SALES_AMOUNT} | {p.base for p in plans} | {p.attainment_metric for p in plans}
    totals = {metric: _metric_totals(metric, period) for metric in metrics}
    targets: dict[tuple[int, str], dict[int, int]] = {}
    for plan in plans:
        key = (plan.target_plan_id or 0, plan.attainment_metric)
        if plan.target_plan is not None and key not in targets:
            targets[key] = queries.month_targets(
                viewer=SYSTEM, plan=plan.target_plan, metric=plan.attainment_metric, period=period
            )
    ladders = {p.pk: [(int(t), int(r)) for t, r in p.tiers] for p in plans}
    figures: dict[int, Figures] = {}
    for person, plan_id in plan_of.items():
        plan = by_id[plan_id]
        tiers = ladders[plan_id]
        target = targets.get((plan.target_plan_id or 0, plan.attainment_metric), {}).get(person, 0)
        actual = totals[plan.attainment_metric].get(person, 0)
        base = totals[plan.base].get(person, 0)
        attainment = rules.attainment_bp(actual, target)
        paid = rules.payout(base_fen=base, attainment=attainment, tiers=tiers, cap_fen=plan.cap_fen)
        figures[person] = Figures(
            plan_id=plan_id,
            base_fen=base,
            sales_fen=totals[Base.SALES_AMOUNT].get(person, 0),
            target=target,
            actual=actual,
            attainment_bp=attainment,
            rate_bp=paid.rate_bp,
            uncapped_fen=paid.uncapped_fen,
            payout_fen=paid.payout_fen,
            clawback_fen=rules.return_clawback(base_fen=base, tiers=tiers),
        )
    _add_clawbacks(period, figures, by_id)
    for f in figures.values():
        f.clawback_fen += sum(amount for _m, _lost, amount in f.clawbacks.values())
        f.total_fen = f.payout_fen + f.clawback_fen
    return figures


def _add_clawbacks(
    period: dt.date, figures: dict[int, Figures], plans: dict[int, CommissionPlan]
) -> None:
    """Take back, in ``period``, the commission paid on invoices written off (void) by then:
    for a plan paid on sales or gross profit, the share of the invoice's month's commission
    that its amount was of that month's sales (on collections nothing was paid for them)."""
    on_sales = {p for p, plan in plans.items() if plan.base != Base.COLLECTIONS}
    people = {person for person, f in figures.items() if f.plan_id in on_sales}
    if not people:
        return
    # Few invoices are ever written off: read them all and keep the people's (an IN list of
    # 2,000 ids costs Django more to build than the whole read).
    clawed = _already_clawed(period)
    voided = [
        row
        for row in (
            # visibility: the system computes statements for everyone
            Invoice.objects.unrestricted()
            .filter(status=InvoiceStatus.VOID, month__lte=period)
            .values_list("pk", "owner_id", "month", "amount_fen")
        )
        if row[1] in people and row[0] not in clawed
    ]
    paid = _paid_months({o for _i, o, _m, _a in voided}, {m for _i, _o, m, _a in voided})
    for invoice, owner, month, amount in voided:
        if month == period:
            f = figures[owner]
            paid_fen, paid_on = f.payout_fen, f.sales_fen
        else:
            paid_fen, paid_on = paid.get((owner, month), (0, 0))
        taken = rules.clawback(lost_fen=amount, paid_fen=paid_fen, paid_on_fen=paid_on)
        if taken:
            figures[owner].clawbacks[invoice] = (month, amount, taken)


@transaction.atomic
def compute_statements(*, actor: Any, period: dt.date) -> ComputeResult:
    """Compute every assigned person's statement for ``period``: new people get a draft, a
    draft takes the new figures, an approved statement whose figures changed gets a new draft
    revision (the approved one stays as it was). Unchanged figures write nothing."""
    if actor is not None:
        require(actor, perms.STATEMENT_COMPUTE.code)
    period = month_start(period)
    figures = compute_figures(period)
    result = ComputeResult(period=period, people=len(figures))
    current = _current_statements(period)
    claws = _stored_clawbacks(period)
    now = timezone.now()
    to_create: list[tuple[Statement, Figures]] = []
    to_update: list[tuple[int, int, Figures]] = []  # (draft id, its next version, figures)
    for person, f in figures.items():
        stored = current.get(person)
        if (
            stored is not None
            and stored.figures == f.values()
            and (claws.get(stored.pk, {}) == f.clawbacks)
        ):
            result.unchanged += 1
        elif stored is None or stored.status != StatementStatus.DRAFT:
            made = Statement(
                person_id=person,
                period=period,
                revision=stored.revision + 1 if stored is not None else 1,
                previous_id=stored.pk if stored is not None else None,
                computed_at=now,
                **f.values(),
            )
            to_create.append((made, f))
            result.revised += stored is not None
            result.created += stored is None
        else:
            to_update.append((stored.pk, stored.version + 1, f))
            result.updated += 1
    Statement.objects.bulk_create([s for s, _f in to_create], batch_size=500)
    if to_update:
        _update_drafts(to_update, computed_at=now)
        # visibility: the system rewrites the clawbacks of the drafts it recomputed
        Clawback.objects.unrestricted().filter(
            statement_id__in=[pk for pk, _v, f in to_update if f.clawbacks or pk in claws]
        ).delete()
    Clawback.objects.bulk_create(
        [
            Clawback(statement_id=pk, invoice_id=i, month=m, lost_fen=lost, amount_fen=amount)
            for pk, f in [*((s.pk, f) for s, f in to_create), *((p, f) for p, _v, f in to_update)]
            for i, (m, lost, amount) in f.clawbacks.items()
        ],
        batch_size=500,
    )
    if to_create or to_update:
        audit.record(
            actor=actor,
            action="commissions.statements.computed",
            object_type="commissions.statement",
            object_id=period.isoformat(),
            object_repr=f"{period:%Y-%m}",
            changes=result.as_dict(),
        )
    return result


def _update_drafts(drafts: list[tuple[int, int, Figures]], computed_at: dt.datetime) -> None:
    """Write the drafts' new figures, version and time of computing: ``(id, version,
    figures)`` each (``bulk_update``'s CASE per column grows with the batch: 70 s for 2,000
    drafts). PostgreSQL: one ``UPDATE … FROM unnest(arrays)``, a parameter per column (a
    statement per row, or a VALUES list of 28,000 parameters, cost seconds on a loaded
    machine); elsewhere one parameterised UPDATE run for every row (SQLite has no round
    trips). The figures are plain integers: no per-value conversion."""
    from django.db import connection

    quote = connection.ops.quote_name
    table = quote(Statement._meta.db_table)
    when = Statement._meta.get_field("computed_at").get_db_prep_save(computed_at, connection)
    columns = [*STATEMENT_FIGURES, "version"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            fields = [Statement._meta.get_field(c) for c in [*columns, "id"]]
            arrays = [f"CAST(%s AS {f.db_type(connection)}[])" for f in fields]
            sets = ", ".join(f"{quote(c)} = v.{quote(c)}" for c in columns)
            names = ", ".join([*(quote(c) for c in columns), "id"])
            sql = (
                f"UPDATE {table} SET {sets}, {quote('computed_at')} = %s "  # noqa: S608 - names from the model
                f"FROM unnest({', '.join(arrays)}) AS v({names}) WHERE {table}.id = v.id"
            )
            figures = [f.values() for _pk, _v, f in drafts]
            values = [[row[c] for row in figures] for c in STATEMENT_FIGURES]
            versions = [version for _pk, version, _f in drafts]
            ids = [pk for pk, _v, _f in drafts]
            cursor.execute(sql, [when, *values, versions, ids])
            return
        sets = ", ".join(f"{quote(c)} = %s" for c in [*columns, "computed_at"])
        sql = f"UPDATE {table} SET {sets} WHERE id = %s"  # noqa: S608 - names from the model
        rows = [[*f.values().values(), version, when, pk] for pk, version, f in drafts]
        cursor.executemany(sql, rows)


@dataclass(frozen=True)
class _Stored:
    pk: int
    revision: int
    status: str
    version: int
    figures: dict[str, Any]


def _current_statements(period: dt.date) -> dict[int, _Stored]:
    """Each person's latest revision for ``period``, as plain values (no model objects: 2,000
    of them cost more than the month's whole computation)."""
    found: dict[int, _Stored] = {}
    rows = (
        # visibility: the system computes statements for everyone
        Statement.objects.unrestricted()
        .filter(period=period)
        .order_by("person_id", "revision")
        .values_list("pk", "person_id", "revision", "status", "version", *STATEMENT_FIGURES)
    )
    for pk, person, revision, status, version, *figures in rows:
        found[person] = _Stored(
            pk, revision, status, version, dict(zip(STATEMENT_FIGURES, figures, strict=True))
        )
    return found


def _stored_clawbacks(period: dt.date) -> dict[int, dict[int, tuple]]:
    found: dict[int, dict[int, tuple]] = {}
    # visibility: as above
    rows = Clawback.objects.unrestricted().filter(statement__period=period)
    for sid, invoice, month, lost, amount in rows.values_list(
        "statement_id", "invoice_id", "month", "lost_fen", "amount_fen"
    ):
        found.setdefault(sid, {})[invoice] = (month, lost, amount)
    return found


@transaction.atomic
def approve_statement(*, actor: User, statement: Statement, expected_version: int) -> Statement:
    """Approve a draft statement; it is frozen from then on and the revision it replaces (if
    any) is superseded."""
    require(actor, perms.STATEMENT_APPROVE.code)
    if statement.status != StatementStatus.DRAFT:
        raise Conflict(
            _("An approved statement cannot change; recompute to start a new revision."),
            code=CommissionErrorCode.STATEMENT_FROZEN,
        )
    update_versioned(
        statement,
        expected_version=expected_version,
        changes={
            "status": StatementStatus.APPROVED,
            "approved_by": actor,
            "approved_at": timezone.now(),
        },
    )
    if statement.previous_id:
        # visibility: the revision this one replaces, reached through it
        Statement.objects.unrestricted().filter(pk=statement.previous_id).update(
            status=StatementStatus.SUPERSEDED
        )
    audit.record(
        actor=actor,
        action="commissions.statement.approved",
        obj=statement,
        changes={
            "status": [StatementStatus.DRAFT, StatementStatus.APPROVED],
            "total_fen": statement.total_fen,
        },
    )
    return statement
