"""The demo company's manual actuals (实绩录入) for this year's approved plan.

For every target the plan sets on a metric entered by hand (``plans.choices.METRICS`` with
source ``"manual"``; new customers are counted from the customers app instead), the figures of
the months from the start of the plan to this month (this month in part), so the tracking shows
some regions ahead and some behind:

* expense spending (销售费用) — per target cell (a region), entered by the unit's manager;
* new outlets (新增网点) — spread over the salespeople of the target's unit, entered by the
  unit's manager (the regional manager);
* percentages (市场占有率, 品牌知名度) — per target cell, entered by marketing (孙丽).

Deterministic (no randomness: the spread follows the unit's code) and idempotent: a cell that
already holds a figure is left as it is, so a second run adds nothing and edits survive. Every
figure goes through :func:`salescope.analytics.services.enter_manual_actual` (audited).
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import transaction
from django.utils import timezone

from salescope.analytics import manual, services
from salescope.analytics.models import ManualActual
from salescope.analytics.services import evaluate_alerts
from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.models import AuditEntry
from salescope.core.periods import company_calendar, month_end, months_between
from salescope.org.choices import Role
from salescope.org.models import OrgUnit, User
from salescope.plans.choices import METRICS, Metric, PlanStatus, Unit
from salescope.plans.models import Plan, Target

# How each region runs against its targets: > 1 is ahead (for expense: over budget).
PACE = {
    Metric.EXPENSE_BUDGET: {"EAST": "1.10", "SOUTH": "0.96", "NORTH": "0.87", "WEST": "1.02"},
    Metric.NEW_OUTLETS: {"EAST": "1.15", "SOUTH": "1.05", "NORTH": "0.62", "WEST": "0.85"},
    Metric.MARKET_SHARE: {"EAST": "1.04", "SOUTH": "1.01", "NORTH": "0.90", "WEST": "0.97"},
    Metric.BRAND_AWARENESS: {"EAST": "1.02", "SOUTH": "0.98", "NORTH": "0.93", "WEST": "0.95"},
}
NOTES = {
    Metric.EXPENSE_BUDGET: "按月费用报销汇总",
    Metric.NEW_OUTLETS: "新开网点（门店已拍照回传）",
    Metric.MARKET_SHARE: "第三方零售监测数据",
    Metric.BRAND_AWARENESS: "季度消费者调研",
}
MARKETING_METRICS = {Metric.MARKET_SHARE, Metric.BRAND_AWARENESS}


def load(log: Callable[[str], None]) -> None:
    today = timezone.localdate()
    year = company_calendar().year_of(today)
    plan = (
        Plan.objects.unrestricted()
        .filter(fiscal_year=year, status=PlanStatus.APPROVED)
        .order_by("scope_unit__path", "id")
        .first()
    )
    if plan is None:
        log("analytics: no approved plan for this year; no manual actuals")
        return
    leaves = list(
        Target.objects.unrestricted()
        .filter(
            plan=plan,
            metric__in=[m for m in manual.MANUAL_METRICS if m != Metric.NEW_CUSTOMERS],
            is_leaf=True,
            category__isnull=True,
            customer__isnull=True,
        )
        .select_related("unit", "unit__manager", "person", "person__unit__manager")
        .order_by("metric", "unit__path", "person__username", "period_start", "id")
    )
    if not leaves:
        log("analytics: the plan has no target on a metric entered by hand")
        return
    marketing = (
        User.objects.unrestricted()
        .filter(role=Role.MARKETING, is_active=True)
        .order_by("username")
        .first()
    )
    created = kept = 0
    with audit_source(AuditSource.SYSTEM), transaction.atomic():
        for target in leaves:
            for figure in _figures(target, today, marketing):
                if _exists(figure):
                    kept += 1
                    continue
                services.enter_manual_actual(**figure)
                created += 1
    log(f"analytics: manual actuals entered {created}, already there {kept}")
    # The warnings are evaluated once the plan, the sales and these figures all exist; a second
    # run of the demo with nothing new changes nothing.
    if not created and AuditEntry.objects.filter(action="analytics.alerts.evaluated").exists():
        return
    with audit_source(AuditSource.SYSTEM):
        result = evaluate_alerts(actor=None)
    log(f"analytics: early warnings raised {result.raised}")


def _figures(target: Target, today: dt.date, marketing: User | None) -> list[dict]:
    """The figures of one target cell: one per month (or per salesperson and month)."""
    last = min(target.period_end, today)
    if last < target.period_start:
        return []
    months = months_between(target.period_start, last)
    info = METRICS[target.metric]
    code = target.unit.code if target.unit else target.person.username
    region = code.split("-")[0]
    pace = Decimal(PACE.get(target.metric, {}).get(region, "1.00"))
    enterer = _enterer(target, marketing)
    if enterer is None:
        return []
    common = {"actor": enterer, "metric": target.metric, "note": NOTES.get(target.metric, "")}
    span = len(months_between(target.period_start, target.period_end))
    if info.unit == Unit.PERCENT:
        # A share is a level, not a flow: each month near the target, times the region's pace.
        return [
            {
                **common,
                "month": m,
                "person": target.person,
                "unit": target.unit,
                "value": _yuan(Decimal(target.value) * pace * _wobble(code, m, 3)),
            }
            for m in months
        ]
    monthly = Fraction(target.value, span)
    if target.metric == Metric.NEW_OUTLETS and target.unit is not None and target.person is None:
        return [{**common, **f} for f in _outlets(target, months, monthly, pace, today)]
    figures = []
    for m in months:
        amount = _decimal(monthly * _elapsed(m, today)) * pace
        amount *= _wobble(code, m, 5)
        if info.unit == Unit.COUNT:
            amount = amount.quantize(Decimal(100), rounding=ROUND_HALF_UP)
        if amount > 0:
            value = _yuan(amount)
            figures.append(
                {**common, "month": m, "person": target.person, "unit": target.unit, "value": value}
            )
    return figures


def _outlets(
    target: Target, months: list[dt.date], monthly: Fraction, pace: Decimal, today: dt.date
) -> list[dict]:
    """New outlets of a unit's target, opened by its salespeople in turn: the running total
    follows target × pace, so the whole count is right while single months vary."""
    unit = target.unit
    assert unit is not None
    people = list(
        User.objects.unrestricted()
        .filter(role=Role.SALESPERSON, is_active=True, unit__path__startswith=unit.path)
        .order_by("username")
    )
    if not people:
        return [
            {"month": m, "person": None, "unit": unit, "value": str(n)}
            for m, n in _counts(unit.code, months, monthly, pace, today)
            if n
        ]
    turn = zlib.crc32(unit.code.encode()) % len(people)
    figures = []
    for month, count in _counts(unit.code, months, monthly, pace, today):
        opened: dict[int, int] = {}
        for _n in range(count):
            person = people[turn % len(people)]
            opened[person.pk] = opened.get(person.pk, 0) + 1
            turn += 1 + zlib.crc32(f"{unit.code}{month}{_n}".encode()) % 2
        for person in people:
            if opened.get(person.pk):
                figures.append(
                    {
                        "month": month,
                        "person": person,
                        "unit": None,
                        "value": str(opened[person.pk]),
                    }
                )
    return figures


def _counts(
    code: str, months: list[dt.date], monthly: Fraction, pace: Decimal, today: dt.date
) -> list[tuple[dt.date, int]]:
    """Whole counts per month whose running total is the (hundredths) target × pace."""
    counts, running, done = [], Fraction(0), 0
    for m in months:
        step = monthly * Fraction(pace) * Fraction(_wobble(code, m, 40)) * _elapsed(m, today)
        running += step
        total = int(
            Decimal(running.numerator) / Decimal(running.denominator) / 100 + Decimal("0.5")
        )
        counts.append((m, max(total - done, 0)))
        done = max(done, total)
    return counts


def _enterer(target: Target, marketing: User | None) -> User | None:
    """Marketing enters the percentages; the unit's (or person's unit's) manager the rest."""
    if target.metric in MARKETING_METRICS and marketing is not None:
        return marketing
    unit: OrgUnit | None = target.unit or (target.person.unit if target.person else None)
    while unit is not None:
        if unit.manager_id and unit.manager_id != getattr(target.person, "pk", None):
            return unit.manager
        unit = unit.parent
    return None


def _exists(figure: dict) -> bool:
    return (
        ManualActual.objects.unrestricted()
        .filter(
            metric=figure["metric"],
            month=figure["month"],
            person=figure["person"],
            unit=figure["unit"],
            category=None,
        )
        .exists()
    )


def _elapsed(month: dt.date, today: dt.date) -> Fraction:
    """The share of ``month`` gone by ``today``: 1 for a past month, part of the current one."""
    end = month_end(month)
    if today >= end:
        return Fraction(1)
    return Fraction(today.day, end.day)


def _wobble(code: str, month: dt.date, percent: int) -> Decimal:
    """A steady month-to-month variation of ±``percent``, the same on every run."""
    spread = zlib.crc32(f"{code}:{month:%Y-%m}".encode()) % (2 * percent + 1) - percent
    return Decimal(100 + spread) / 100


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _yuan(hundredths: Decimal) -> str:
    """Hundredths → the figure as typed (yuan, a count, a percentage), two places."""
    return str((hundredths / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
