"""The targets spreadsheet: export a plan's cells to XLSX and read them back (openpyxl).

One header row of column keys (``services.importing.COLUMNS``), one row per cell. Text that a
spreadsheet would run as a formula (``= + - @``) is written with a leading apostrophe (R23).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any, BinaryIO

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from salescope.core.errors import ValidationFailed
from salescope.plans.models import Target, from_hundredths
from salescope.plans.services.importing import COLUMNS, _coordinates


def safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_targets(cells: Iterable[Target]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Targets"))
    sheet.append(COLUMNS)
    for cell in cells:
        metric, unit, person, category, customer, start, end = _coordinates(cell)
        draft = from_hundredths(cell.bottom_up)
        sheet.append(
            [
                metric,
                safe(unit),
                safe(person),
                safe(category),
                safe(customer),
                start,
                end,
                str(from_hundredths(cell.value)),
                "" if draft is None else str(draft),
                safe(cell.label),
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_rows(file: BinaryIO) -> list[tuple[int, dict[str, Any]]]:
    """(line, {column: value}) for every non-empty row after the header."""
    try:
        book = load_workbook(file, read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any unreadable upload is the same error to the user
        raise ValidationFailed(fields={"file": [_("This is not an XLSX file.")]}) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, [])]
    missing = [c for c in COLUMNS[:8] if c not in header]
    if missing:
        raise ValidationFailed(fields={"file": [_("Missing columns: %s") % ", ".join(missing)]})
    out = []
    for line, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        out.append((line, dict(zip(header, values, strict=False))))
    return out
