"""The demo company's expenses: three months of claims (报销单) for the salespeople of each
region, sized against their region's expense budget so that 华东 spends ahead of its budget and
the others within it; the older months paid, last month approved by finance, this month's
claims waiting for the manager (one rejected, one still a draft). Travel records are linked to
the person's visits, so cost per visit shows.

Idempotent: nothing is added once the demo holds any claim. Every record and step goes through
``expenses.services`` (audited), as the person who would have taken it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.ownership import SYSTEM
from salescope.core.periods import add_months, month_end, months_between
from salescope.core.roles import Role
from salescope.expenses import services
from salescope.expenses.budgets import budget_cells
from salescope.expenses.models import Claim, ExpenseCategory
from salescope.org.models import OrgUnit, User

# Spending against the region's monthly budget share, last full month (earlier: 90 % of it).
FACTOR = {"EAST": Decimal("1.15"), "SOUTH": Decimal("0.85"), "NORTH": Decimal("0.6")}
DEFAULT_FACTOR = Decimal("0.9")
PEOPLE_PER_REGION = 4


def load(log: Callable[[str], None]) -> None:
    if Claim.objects.unrestricted().exists():
        log("expenses: demo claims already there")
        return
    finance = User.objects.unrestricted().filter(role=Role.FINANCE, is_active=True).first()
    if finance is None:
        log("expenses: no finance person; no demo claims")
        return
    today = timezone.localdate()
    first = add_months(today.replace(day=1), -2)
    months = months_between(first, today)
    shares = _region_shares(months)
    categories = {c.code: c for c in ExpenseCategory.objects.unrestricted()}
    made = 0
    with audit_source(AuditSource.SYSTEM), transaction.atomic():
        for region in OrgUnit.objects.unrestricted().filter(kind="region").order_by("path"):
            people = list(
                User.objects.unrestricted()
                .filter(role=Role.SALESPERSON, is_active=True, unit__path__startswith=region.path)
                .select_related("unit")
                .order_by("username")[:PEOPLE_PER_REGION]
            )
            if not people:
                continue
            factor = FACTOR.get(region.code, DEFAULT_FACTOR)
            for age, month in enumerate(reversed(months)):  # 0: this month
                share = shares.get((region.pk, month), 0)
                spend = share * factor * (Decimal("0.9") if age > 1 else 1)
                if age == 0:  # this month so far
                    spend = spend * today.day / month_end(month).day
                per_person = int(spend / len(people))  # fen
                for index, person in enumerate(people):
                    made += _claim(person, month, age, index, per_person, categories, finance)
    log(f"expenses: demo claims {made}")


def _region_shares(months: list[dt.date]) -> dict[tuple[int, dt.date], int]:
    """Each region's expense budget per month (fen), from the approved plan's budgets."""
    from salescope.expenses.rules import monthly_budgets

    cells = budget_cells(viewer=SYSTEM, date_from=months[0], date_to=month_end(months[-1]))
    unit_cells = [(c.unit_id, c.start, c.end, c.fen) for c in cells if c.unit_id]
    return monthly_budgets(unit_cells, months)


def _claim(
    person: User,
    month: dt.date,
    age: int,
    index: int,
    fen: int,
    categories: dict[str, ExpenseCategory],
    finance: User,
) -> int:
    """One claim of ``person`` for ``month`` worth about ``fen``: a few travel and entertainment
    records, the rest as promotion or a 进场费; moved as far as its age says."""
    from salescope.activities.choices import VisitStatus
    from salescope.activities.models import Visit

    today = timezone.localdate()
    last_day = min(month_end(month), today)
    if fen < 100_00 or last_day < month:
        return 0
    visits = list(
        Visit.objects.unrestricted()  # the demo links the person's own visits
        .filter(owner=person, status=VisitStatus.DONE, planned_date__range=(month, last_day))
        .order_by("planned_date", "pk")[:3]
    )
    records = []
    small = min(fen // 4, 600_00)
    for n, visit in enumerate(visits):
        records.append(
            services.record_expense(
                actor=person,
                category=categories["travel"],
                spent_on=visit.planned_date,
                amount=Decimal(small // max(len(visits), 1)) / 100 + n,
                visit=visit,
                note="拜访交通费",
            )
        )
    day = min(month + dt.timedelta(days=9), last_day)
    records.append(
        services.record_expense(
            actor=person,
            category=categories["entertainment"],
            spent_on=day,
            amount=Decimal(small) / 100,
            note="客户招待",
        )
    )
    rest = fen - sum(r.amount_fen for r in records)
    if rest > 0:
        code = "listing" if index % 2 == 0 else "promotion"
        records.append(
            services.record_expense(
                actor=person,
                category=categories[code],
                spent_on=min(month + dt.timedelta(days=14), last_day),
                amount=Decimal(rest) / 100,
                note="商超进场费" if code == "listing" else "门店促销活动",
            )
        )
    title = f"{month:%Y年%m月}费用报销"
    claim = services.create_claim(actor=person, title=title, expenses=records)
    if age == 0 and index == 2:  # one of this month's stays a draft
        return 1
    claim = services.submit_claim(actor=person, claim=claim, expected_version=claim.version)
    manager = (services.managers_above(person) or [None])[0]
    if manager is None:
        return 1
    if age == 0:
        if index == 1:
            services.reject_claim(
                actor=manager, claim=claim, expected_version=claim.version, reason="请补充发票"
            )
        return 1
    claim = services.approve_claim(actor=manager, claim=claim, expected_version=claim.version)
    claim = services.approve_claim(actor=finance, claim=claim, expected_version=claim.version)
    if age > 1:
        services.pay_claim(actor=finance, claim=claim, expected_version=claim.version)
    return 1
