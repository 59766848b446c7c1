"""Where expense budgets come from: the registration point for the app that holds them.

Budgets are targets of the expense-budget metric (``plans``, above this app). ``plans``
installs its reader when it loads (``plans/expense_budget.py``), so this app reads budgets
without importing the app above it. Without a reader there are no budgets (spend still shows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, NamedTuple


class BudgetCell(NamedTuple):
    """One budget: a person's (``person_id``) or a unit's (``unit_id``, no person) amount in
    fen for the months from ``start`` to ``end``."""

    person_id: int | None
    unit_id: int | None
    start: dt.date
    end: dt.date
    fen: int


Reader = Callable[..., list[BudgetCell]]
_reader: Reader | None = None


def install_budget_reader(reader: Reader) -> None:
    """``reader(*, viewer, date_from, date_to) -> list[BudgetCell]``, as the viewer may see."""
    global _reader  # noqa: PLW0603 - one reader per process, set when the apps load
    _reader = reader


def budget_cells(*, viewer: Any, date_from: dt.date, date_to: dt.date) -> list[BudgetCell]:
    if _reader is None:
        return []
    return _reader(viewer=viewer, date_from=date_from, date_to=date_to)
