"""Import target values into an existing decomposition (the format of the XLSX export).

Rows are matched to cells by their coordinates (metric, unit code, username, category code,
customer code — ``*`` for "other customers" —, period start and end). For an amount, count
or quantity the leaves define the totals: after the values land, every parent is recomputed as
the sum of its children, so the tree still adds up; a parent row whose value disagrees with its
children is reported. A percentage (``METRICS[metric].additive`` False) is a level: every row,
total or leaf, keeps the value imported (a parent's level is not the sum of its parts). Bad
rows are reported with line, column and reason and the good rows land; importing the same file
twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from salescope.core import audit
from salescope.core.errors import ValidationFailed
from salescope.core.formulas import looks_like_formula
from salescope.org.models import User
from salescope.plans.choices import METRICS, Axis, Metric
from salescope.plans.models import Plan, Target
from salescope.plans.services.common import ensure_can_plan_under, ensure_editable, lock_plan
from salescope.plans.services.targets import check_range, parse_value

COLUMNS = [
    "metric",
    "unit",
    "person",
    "category",
    "customer",
    "period_start",
    "period_end",
    "target",
    "bottom_up",
    "label",
]


@dataclass
class ImportResult:
    accepted: int = 0
    rejected: int = 0
    updated: int = 0
    unchanged: int = 0
    recomputed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "rejected": self.rejected,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "recomputed": self.recomputed,
            "errors": self.errors,
        }


def _coordinates(cell: Target) -> tuple:
    rest = cell.axis == Axis.CUSTOMER and cell.customer_id is None
    return (
        cell.metric,
        cell.unit.code if cell.unit else "",
        cell.person.username if cell.person else "",
        cell.category.code if cell.category else "",
        "*" if rest else (cell.customer.code if cell.customer else ""),
        cell.period_start.isoformat(),
        cell.period_end.isoformat(),
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


@transaction.atomic
def import_targets(
    *,
    actor: User,
    plan: Plan,
    rows: list[tuple[int, dict[str, Any]]] | None = None,
    file: Any = None,
) -> ImportResult:
    """``rows``: (line number, {column: value}) as read from the file; or ``file``, an XLSX
    upload, read only once the actor is known to be allowed to import."""
    from salescope.org.permissions import require
    from salescope.plans import permissions as perms

    require(actor, perms.TARGET_PLAN.code)
    if rows is None:
        from salescope.plans.xlsx import read_rows

        rows = read_rows(file)
    plan = lock_plan(plan)
    ensure_editable(plan)
    cells = {
        _coordinates(c): c
        for c in Target.objects.unrestricted()
        .filter(plan=plan)
        .select_related("unit", "person", "category", "customer")
    }
    result = ImportResult()
    wanted: dict[int, tuple[int, int | None, bool, int, bool]] = {}
    checked: set[int] = set()
    for line, row in rows:
        errors = _row_errors(row)
        if errors:
            result.rejected += 1
            result.errors.extend({"line": line, "column": c, "reason": r} for c, r in errors)
            continue
        key = tuple(_text(row.get(c)) for c in COLUMNS[:7])
        cell = cells.get(key)
        if cell is None:
            result.rejected += 1
            result.errors.append(
                {"line": line, "column": "metric", "reason": _("No such target cell in this plan.")}
            )
            continue
        if cell.parent_id and cell.parent_id not in checked:
            ensure_can_plan_under(actor, cell.parent)
            checked.add(cell.parent_id)
        elif cell.parent_id is None and cell.pk not in checked:
            ensure_can_plan_under(actor, cell)
            checked.add(cell.pk)
        value = parse_value(_text(row.get("target")), "target")
        draft_text = _text(row.get("bottom_up"))
        draft = parse_value(draft_text, "bottom_up") if draft_text else None
        wanted[cell.pk] = (value, draft, bool(draft_text), line, cell.is_leaf)
        result.accepted += 1
    _apply(plan, cells, wanted, result)
    audit.record(
        actor=actor,
        action="plans.target.imported",
        obj=plan,
        changes={k: v for k, v in result.as_dict().items() if k != "errors"},
    )
    return result


def _row_errors(row: dict[str, Any]) -> list[tuple[str, str]]:
    """Every fault of a row, each at its column (not only the first)."""
    errors: list[tuple[str, str]] = []
    formulas = {
        column
        for column, value in row.items()
        if isinstance(value, str) and looks_like_formula(value.strip())
    }
    errors += [(c, _("Formulas are not accepted; paste the values.")) for c in sorted(formulas)]
    metric_ok = _text(row.get("metric")) in Metric.values
    if not metric_ok and "metric" not in formulas:
        errors.append(("metric", _("Unknown metric.")))
    for column in ("period_start", "period_end"):
        if column in formulas:
            continue
        try:
            dt.date.fromisoformat(_text(row.get(column)))
        except ValueError:
            errors.append((column, _("Enter a date as YYYY-MM-DD.")))
    for column in ("target", "bottom_up"):
        text = _text(row.get(column))
        if column in formulas or not metric_ok or not (column == "target" or text):
            continue
        try:
            check_range(_text(row.get("metric")), {column: parse_value(text, column)})
        except ValidationFailed as error:
            errors.append((column, error.fields[column][0]))
    return errors


def _apply(
    plan: Plan,
    cells: dict[tuple, Target],
    wanted: dict[int, tuple[int, int | None, bool, int, bool]],
    result: ImportResult,
) -> None:
    by_id = {c.pk: c for c in cells.values()}
    changed: list[Target] = []
    for pk, (value, draft, draft_given, _line, is_leaf) in wanted.items():
        cell = by_id[pk]
        kept = is_leaf or not METRICS[cell.metric].additive  # a level's total is its own figure
        new_value = value if kept else cell.value
        new_draft = draft if draft_given else cell.bottom_up
        if (new_value, new_draft) != (cell.value, cell.bottom_up):
            cell.value, cell.bottom_up = new_value, new_draft
            cell.version += 1
            changed.append(cell)
            result.updated += 1
        elif kept:
            result.unchanged += 1
    Target.objects.bulk_update(changed, ["value", "bottom_up", "version"], batch_size=2000)
    # parents of amounts: the sum of their children, deepest first
    parents = sorted(
        (c for c in by_id.values() if not c.is_leaf and METRICS[c.metric].additive),
        key=lambda c: -c.depth,
    )
    sums = {}
    recomputed: list[Target] = []
    for parent in parents:
        total = (
            Target.objects.unrestricted().filter(parent=parent).aggregate(s=Sum("value"))["s"] or 0
        )
        sums[parent.pk] = total
        if total != parent.value:
            parent.value = total
            parent.version += 1
            recomputed.append(parent)
            Target.objects.unrestricted().filter(pk=parent.pk).update(
                value=total, version=parent.version
            )
    for pk, (value, _draft, _given, line, is_leaf) in wanted.items():
        if is_leaf or pk not in sums:
            continue  # counted above
        if sums[pk] != value:
            result.errors.append(
                {
                    "line": line,
                    "column": "target",
                    "reason": _("A total row: recomputed as the sum of its parts."),
                }
            )
        else:
            result.unchanged += 1
    result.recomputed = len(recomputed)
