"""Commissions' reads, always as a viewer: a person sees their own statements, managers their
subtree, finance and the company-wide roles everyone's (``org.visibility``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from salescope.analytics.targets.basis import MonthWeights
from salescope.commissions import rules
from salescope.commissions.choices import StatementStatus
from salescope.commissions.models import (
    Clawback,
    CommissionAssignment,
    CommissionPlan,
    Statement,
)
from salescope.core.money import from_fen
from salescope.core.periods import month_start, months_between
from salescope.org.models import OrgUnit, User
from salescope.plans import rules as plan_rules
from salescope.plans.models import Dim, Plan, Target


def list_plans(*, viewer: User) -> QuerySet[CommissionPlan]:
    return CommissionPlan.objects.visible_to(viewer, "view").select_related("target_plan")


def get_plan(*, viewer: User, pk: Any, action: str = "view") -> CommissionPlan:
    return CommissionPlan.objects.get_visible(viewer, pk, action)


def list_assignments(*, viewer: User, plan: CommissionPlan) -> QuerySet[CommissionAssignment]:
    return (
        CommissionAssignment.objects.visible_to(viewer, "view")
        .filter(plan=plan)
        .select_related("person", "unit")
        .order_by("unit__path", "person__username", "id")
    )


def get_assignment(*, viewer: User, pk: Any, action: str = "view") -> CommissionAssignment:
    return CommissionAssignment.objects.get_visible(viewer, pk, action)


def list_statements(
    *,
    viewer: User,
    period: dt.date | None = None,
    person: int | None = None,
    status: str = "",
    with_superseded: bool = False,
) -> QuerySet[Statement]:
    """Statements the viewer may see, newest month first; superseded revisions only if asked."""
    qs = Statement.objects.visible_to(viewer, "view").select_related(
        "person", "person__unit", "plan", "previous"
    )
    if period is not None:
        qs = qs.filter(period=month_start(period))
    if person is not None:
        qs = qs.filter(person_id=person)
    if status:
        qs = qs.filter(status=status)
    elif not with_superseded:
        qs = qs.exclude(status=StatementStatus.SUPERSEDED)
    return qs.order_by("-period", "person__username", "-revision")


def get_statement(*, viewer: User, pk: Any, action: str = "view") -> Statement:
    return Statement.objects.get_visible(viewer, pk, action)


def revisions(*, viewer: User, statement: Statement) -> list[Statement]:
    """Every revision of the statement's person and month, oldest first."""
    return list(
        Statement.objects.visible_to(viewer, "view")
        .filter(person_id=statement.person_id, period=statement.period)
        .order_by("revision")
    )


def clawbacks(*, viewer: User, statement: Statement) -> list[Clawback]:
    return list(
        Clawback.objects.visible_to(viewer, "view")
        .filter(statement=statement)
        .select_related("invoice")
        .order_by("month", "invoice__number")
    )


def differences(statement: Statement) -> list[dict[str, Any]]:
    """What changed from the revision this one replaces: one row per figure that differs."""
    previous = statement.previous
    if previous is None:
        return []
    rows = []
    for name, label, kind in FIGURES:
        old, new = getattr(previous, name), getattr(statement, name)
        if old != new:
            rows.append(
                {
                    "field": name,
                    "label": label,
                    "old": _shown(old, kind),
                    "new": _shown(new, kind),
                    "change": _shown((new or 0) - (old or 0), kind),
                }
            )
    return rows


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "bp":
        return rules.percent_text(value)
    if kind == "hundredths":
        return str((Decimal(value) / 100).quantize(Decimal("0.01")))
    return str(from_fen(value))


def _figures() -> list[tuple[str, Any, str]]:
    from django.utils.translation import gettext_lazy as _

    return [
        ("base_fen", _("Base"), "fen"),
        ("target", _("Target"), "hundredths"),
        ("actual", _("Actual"), "hundredths"),
        ("attainment_bp", _("Attainment %"), "bp"),
        ("rate_bp", _("Rate %"), "bp"),
        ("payout_fen", _("Commission"), "fen"),
        ("clawback_fen", _("Clawback"), "fen"),
        ("total_fen", _("Total"), "fen"),
    ]


FIGURES = _figures()


def statement_row(statement: Statement) -> dict[str, Any]:
    """A statement as plain values (API, CLI, export)."""
    person = statement.person
    previous = statement.previous
    return {
        "id": statement.pk,
        "person_id": statement.person_id,
        "username": person.username,
        "person": person.display_name,
        "unit": str(person.unit) if person.unit_id else "",
        "period": statement.period.strftime("%Y-%m"),
        "plan": statement.plan.name,
        "revision": statement.revision,
        "status": statement.status,
        "base": str(from_fen(statement.base_fen)),
        "target": _shown(statement.target, "hundredths"),
        "actual": _shown(statement.actual, "hundredths"),
        "attainment": rules.percent_text(statement.attainment_bp) or None,
        "rate": rules.percent_text(statement.rate_bp),
        "commission": str(from_fen(statement.payout_fen)),
        "capped": statement.payout_fen < statement.uncapped_fen,
        "clawback": str(from_fen(statement.clawback_fen)),
        "total": str(from_fen(statement.total_fen)),
        "previous_total": str(from_fen(previous.total_fen)) if previous else None,
        "difference": str(from_fen(statement.total_fen - previous.total_fen)) if previous else None,
        "version": statement.version,
    }


def export_rows(*, viewer: User, period: dt.date) -> Iterator[list[Any]]:
    """The approved statements of ``period`` the viewer may see, for payroll (XLSX)."""
    qs = list_statements(viewer=viewer, period=period, status=StatementStatus.APPROVED)
    for s in qs:
        row = statement_row(s)
        previous = s.previous
        yield [
            row["username"],
            row["person"],
            row["unit"],
            row["period"],
            row["plan"],
            row["revision"],
            from_fen(s.base_fen),
            row["attainment"] or "",
            row["rate"],
            from_fen(s.payout_fen),
            from_fen(s.clawback_fen),
            from_fen(s.total_fen),
            from_fen(previous.total_fen) if previous else "",
            from_fen(s.total_fen - previous.total_fen) if previous else "",
        ]


def export_headers() -> list[str]:
    from django.utils.translation import gettext as _

    return [
        _("Username"),
        _("Person"),
        _("Unit"),
        _("Month"),
        _("Commission plan"),
        _("Revision"),
        _("Base"),
        _("Attainment %"),
        _("Rate %"),
        _("Commission"),
        _("Clawback"),
        _("Total"),
        _("Previous total"),
        _("Difference"),
    ]


def period_total(*, viewer: User, period: dt.date) -> dict[str, Any]:
    """Count and sums of the viewer's visible current statements for a month."""
    from django.db.models import Count, Sum

    sums = list_statements(viewer=viewer, period=period).aggregate(
        count=Count("id"), total=Sum("total_fen"), clawback=Sum("clawback_fen")
    )
    return {
        "count": sums["count"] or 0,
        "total": from_fen(int(sums["total"] or 0)),
        "clawback": from_fen(int(sums["clawback"] or 0)),
    }


def sales_plans(*, viewer: User) -> QuerySet[Plan]:
    from salescope.plans.queries import list_plans as plans

    return plans(viewer=viewer)


def plan_ref(*, viewer: User, pk: int | None) -> Plan | None:
    if pk is None:
        return None
    from salescope.plans.queries import get_plan as plan

    return plan(viewer=viewer, pk=pk)


def person_ref(*, viewer: User, pk: int | None) -> User | None:
    if pk is None:
        return None
    return User.objects.get_visible(viewer, pk)


def unit_ref(*, viewer: User, pk: int | None) -> OrgUnit | None:
    if pk is None:
        return None
    return OrgUnit.objects.get_visible(viewer, pk)


def statement_detail(*, viewer: User, statement: Statement) -> dict[str, Any]:
    """A statement with its clawbacks and what changed from the revision it replaces."""
    return {
        **statement_row(statement),
        "clawbacks": [
            {
                "invoice": c.invoice.number,
                "month": c.month.strftime("%Y-%m"),
                "written_off": str(c.lost),
                "clawback": str(c.amount),
            }
            for c in clawbacks(viewer=viewer, statement=statement)
        ],
        "differences": [{**d, "label": str(d["label"])} for d in differences(statement)],
    }


def assignable_people(*, viewer: User) -> QuerySet[User]:
    return User.objects.visible_to(viewer, "view").filter(is_active=True).order_by("username")


def assignable_units(*, viewer: User) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.visible_to(viewer, "view").order_by("path")


def month_targets(*, viewer: Any, plan: Plan, metric: str, period: dt.date) -> dict[int, int]:
    """``{person id: target in hundredths}`` of ``metric`` for the month ``period`` in the
    sales plan ``plan``, as ``viewer`` may see them (statements read as the system): the same
    figures as analytics' target vs actual
    by salesperson × month (``analytics.targets``), without its actuals, pace and labels.

    The plan's cells that fix both the person and the month while their parent does not
    (one grouped query by person and level over the cells covering the month), plus the
    leaves coarser than a person × month (a person's year, quarter…) split over their months
    by the plan's pace basis as the report does (``plans.rules.allocate`` over days, working
    days or last year's season); cells without a person pay nobody and are left out.
    Only additive metrics (sums): the commission bases."""
    period = month_start(period)
    mask = Dim.PERSON | Dim.MONTH
    cells = Target.objects.visible_to(viewer).filter(
        plan=plan,
        metric=metric,
        person__isnull=False,
        period_start__lte=period,
        period_end__gte=period,
    )
    levels = (
        cells.values_list("person_id", "dims", "parent_dims", "is_leaf")
        .annotate(total=Sum("value"))
        .order_by()
    )
    found: dict[int, int] = {}
    loose: set[tuple[int, int]] = set()
    for person, dims, parent_dims, is_leaf, total in levels:
        if dims & mask == mask and parent_dims & mask != mask:
            found[person] = found.get(person, 0) + int(total)
        elif is_leaf and dims & mask != mask:
            loose.add((dims, parent_dims))
    if loose:
        either = Q()
        for dims, parent_dims in sorted(loose):
            either |= Q(dims=dims, parent_dims=parent_dims)
        rows = cells.filter(either, is_leaf=True).values_list(
            "person_id", "period_start", "period_end", "value"
        )
        weights = MonthWeights(viewer, plan, metric)
        for person, start, end, value in rows.order_by():
            months = months_between(start, end)
            if period in months:
                parts = plan_rules.allocate(int(value), weights.of(months))
                found[person] = found.get(person, 0) + parts[months.index(period)]
    return found
