"""Expense budgets for the expenses app: the expense-budget targets of approved plans, read as
the viewer may see them (installed by ``PlansConfig.ready`` at ``expenses.budgets``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from salescope.expenses.budgets import BudgetCell
from salescope.expenses.queries import as_text, plain_rows
from salescope.expenses.rules import as_date
from salescope.plans.choices import Metric, PlanStatus
from salescope.plans.models import Target


def expense_budget_cells(*, viewer: Any, date_from: dt.date, date_to: dt.date) -> list[BudgetCell]:
    """The person and unit cells (no product, no customer) of approved plans' expense budgets
    overlapping the months asked."""
    rows = (
        Target.objects.visible_to(viewer)
        .filter(
            metric=Metric.EXPENSE_BUDGET,
            plan__status=PlanStatus.APPROVED,
            category__isnull=True,
            customer__isnull=True,
            period_start__lte=date_to,
            period_end__gte=date_from,
        )
        .exclude(person__isnull=True, unit__isnull=True)
        .annotate(start_text=as_text("period_start"), end_text=as_text("period_end"))
        .values_list("person_id", "unit_id", "start_text", "end_text", "value")
        .order_by()
    )
    found = plain_rows(rows)
    dates = {text: as_date(text) for text in {t for row in found for t in row[2:4]}}
    return [BudgetCell(p, None if p else u, dates[s], dates[e], int(v)) for p, u, s, e, v in found]
