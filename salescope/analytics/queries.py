"""Reads for the tracking pages: which plans a person tracks, their own cells, drill-down."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone

from salescope.analytics.models import ManualActual
from salescope.core.periods import company_calendar, month_end, month_start
from salescope.core.roles import Role, viewer_roles
from salescope.org.models import OrgUnit, User
from salescope.org.visibility import own_records, visible
from salescope.plans.choices import Metric, PlanStatus
from salescope.plans.models import Plan, Target


def trackable_plans(*, viewer: User) -> QuerySet[Plan]:
    """Plans whose targets the viewer can see, approved first, newest first."""
    from salescope.plans.queries import list_plans

    return list_plans(viewer=viewer).order_by("status", "-fiscal_year", "-pk")


def default_plan(
    *, viewer: User, plans: Iterable[Plan] | None = None, today: dt.date | None = None
) -> Plan | None:
    """The plan the tracking pages (目标与实绩, 我的目标) open on when none is asked for.

    Among the approved plans the viewer may track: the one whose period holds today (local
    date); failing that, the one that started most recently; only then the one that starts
    soonest. A plan approved ahead of time for a later year must not hide the running one.
    With no approved plan, the same rule picks among the others. Ties keep the order of
    ``trackable_plans`` (newest fiscal year, then newest plan). ``plans`` is the viewer's
    ``trackable_plans`` when the caller already has them (the page's plan picker).
    """
    today = today or timezone.localdate()
    candidates = list(trackable_plans(viewer=viewer) if plans is None else plans)
    approved = [p for p in candidates if p.status == PlanStatus.APPROVED]
    for pool in (approved, candidates):
        current = [p for p in pool if p.period_start <= today <= p.period_end]
        if current:
            return current[0]
        started = [p for p in pool if p.period_start <= today]
        if started:
            return max(started, key=lambda p: p.period_start)  # first of equals wins
        if pool:
            return min(pool, key=lambda p: p.period_start)
    return None


# Roles that read more than their own figures whatever units they manage.
_WIDE_READERS = frozenset(
    {Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.FINANCE, Role.MARKETING}
)


def default_grouping(*, viewer: User) -> str:
    """How the tracking page groups when nothing is asked: by region for managers and
    company-wide readers; by month for someone who sees only their own figures (a row
    labelled with their region's name would read as the region's figure)."""
    if viewer_roles(viewer) & _WIDE_READERS:
        return "region"
    if OrgUnit.objects.visible_to(viewer).filter(manager=viewer).exists():
        return "region"
    return "month"


def my_scope(*, viewer: User) -> dict[str, Any]:
    """What "my targets" shows: the person's own cells, or the unit a manager leads."""
    unit = OrgUnit.objects.visible_to(viewer).filter(manager=viewer).order_by("path").first()
    if unit is not None and not own_records(Target.objects.all(), viewer=viewer).exists():
        return {"unit": unit.pk, "label": unit.name}
    return {"person": viewer.pk, "label": viewer.display_name}


def drill_lines(
    *,
    viewer: User,
    person_id: int | None,
    month: dt.date,
    category_id: int | None = None,
    last_month: dt.date | None = None,
) -> QuerySet:
    """The ledger lines behind one actual (a person's month; a category's months up to
    ``last_month``), through the ledger's query."""
    from salescope.ledger import queries as ledger

    filters: dict[str, Any] = {"kind": "sell_in"}
    if person_id:
        filters["salesperson"] = person_id
    if category_id:
        filters["category"] = category_id
    return ledger.list_lines(
        viewer=viewer, date_from=month, date_to=month_end(last_month or month), filters=filters
    )


def drill_total(lines: QuerySet) -> int:
    """The amount (fen) of all the rows of a drill-down (lines, collections, expense records),
    not only of the page shown."""
    return lines.order_by().aggregate(total=Sum("amount_fen"))["total"] or 0


def drill_collections(*, viewer: User, person_id: int | None, month: dt.date) -> QuerySet:
    """The collections (回款) behind a person's month of the collections actual: those credited
    to the person (the customer's owner when recorded) in that month."""
    from salescope.ledger import queries as ledger

    rows = ledger.list_collections(viewer=viewer).filter(month=month_start(month))
    return rows.filter(owner_id=person_id or -1).order_by("date", "number")


def drill_expenses(*, viewer: User, person_id: int | None, month: dt.date) -> QuerySet:
    """The approved expense records behind a person's month of spending."""
    from salescope.expenses.queries import spent_records

    return spent_records(viewer=viewer, person=person_id or -1, month=month).order_by(
        "spent_on", "pk"
    )


def drill_manual(
    *, viewer: User, metric: str, person_id: int | None, month: dt.date
) -> ManualActual | None:
    """A figure entered by hand for the person's month: it replaces what the records add up to
    (see ``manual.manual_actuals``), so the drill-down shows it instead."""
    return (
        visible(ManualActual.objects.all(), viewer=viewer)
        .filter(
            metric=metric,
            person_id=person_id or -1,
            month=month_start(month),
            unit__isnull=True,
            category__isnull=True,
        )
        .select_related("entered_by")
        .first()
    )


def quarter_outlook(
    *, viewer: User, plan: Plan, as_of: dt.date | None = None, filters: dict[str, Any]
) -> dict[str, Any] | None:
    """本季度展望 (H5): the current fiscal quarter of the plan's sales — target, actual so far and
    the actual carried to the quarter's end at the current run rate — beside what the pipeline
    promises (won in the quarter + open deals closing in it × probability), narrowed like the
    tracking page (a person, a unit's subtree) and to what the viewer may see. None when the
    plan has no sales target in the quarter."""
    from salescope.analytics.targets import target_variance
    from salescope.pipeline.queries import quarter_forecast

    day = as_of or timezone.localdate()
    label = company_calendar().label(day)
    report = target_variance(
        viewer=viewer,
        plan=plan,
        metric=Metric.SALES_AMOUNT,
        group_by=["quarter"],
        as_of=day,
        filters=filters,
    )
    row = next((r for r in report.rows if str(r.keys.get("quarter")) == label), None)
    if row is None or not row.target:
        return None
    unit = None
    if filters.get("unit"):
        unit = OrgUnit.objects.visible_to(viewer, "view").filter(pk=filters["unit"]).first()
    if filters.get("unit") and unit is None:
        pipeline: dict[str, Any] = {"won_fen": 0, "weighted_fen": 0, "expected_fen": 0}
        pipeline.update(open_count=0, learnt_expected_fen=None)
    else:
        pipeline = quarter_forecast(viewer, as_of=day, owner=filters.get("person"), unit=unit)
    return {
        "label": label,
        "target": row.target,
        "actual": row.actual,
        "run_rate": row.tracking.projection,
        "won": pipeline["won_fen"],
        "weighted": pipeline["weighted_fen"],
        "expected": pipeline["expected_fen"],
        "learnt_expected": pipeline["learnt_expected_fen"],
        "open_deals": pipeline["open_count"],
    }


def drill_labels(*, viewer: User, filters: dict[str, Any]) -> list[str]:
    """What a drilled-down tracking view is narrowed to, in words (the unit and person as the
    viewer may see them; "—" for one they may not)."""
    from salescope.org.models import OrgUnit
    from salescope.org.models import User as Person

    labels = []
    if filters.get("unit"):
        unit = OrgUnit.objects.visible_to(viewer, "view").filter(pk=filters["unit"]).first()
        labels.append(str(unit) if unit else "—")
    if filters.get("person"):
        person = Person.objects.visible_to(viewer, "view").filter(pk=filters["person"]).first()
        labels.append(str(person) if person else "—")
    if filters.get("months"):
        first, last = filters["months"]
        labels.append(f"{first:%Y-%m}" if first == last else f"{first:%Y-%m} – {last:%Y-%m}")
    return labels
