"""Read a CSV or XLSX file as a header and numbered rows, whatever its encoding.

CSV encoding: a UTF-8 BOM wins; otherwise the bytes are checked as UTF-8 in streaming chunks
and, if they are not, read as GB18030 (a superset of GBK and GB2312, what Excel on Chinese
Windows writes). XLSX cells keep their types (dates, numbers); formulas come through as their
text (``=SUM(…)``) so they are reported, not evaluated.
"""

import codecs
import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from salescope.core.errors import ValidationFailed

CHUNK = 1 << 20


Batch = tuple[list[int], list[list[Any]]]  # (line numbers in the file, rows of cells)


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]  # (line number in the file, cells)
    total_rows: int
    encoding: str
    read_batches: Callable[[int], Iterator[Batch]] | None = None  # a faster reader, if any

    def batches(self, size: int) -> Iterator[Batch]:
        """The rows in lists of up to ``size``, for column-wise validation.

        Read either this or ``rows``, not both: they share the file."""
        if self.read_batches is not None:
            yield from self.read_batches(size)
            return
        numbered = iter(self.rows)
        while chunk := list(islice(numbered, size)):
            yield [line for line, _row in chunk], [row for _line, row in chunk]


def detect_encoding(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _contains(path: Path, needle: bytes) -> bool:
    with path.open("rb") as handle:
        tail = b""
        while chunk := handle.read(CHUNK):
            if needle in tail + chunk[: len(needle) - 1] or needle in chunk:
                return True
            tail = chunk[-(len(needle) - 1) :] if len(needle) > 1 else b""
    return False


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            count += chunk.count(b"\n")
    return count


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[int, list[Any]]]:
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        next(reader, None)
        for row in reader:
            if row and (len(row) > 1 or row[0].strip()):
                yield reader.line_num, row


def _csv_batches(path: Path, encoding: str, delimiter: str, size: int) -> Iterator[Batch]:
    """``_csv_rows`` in lists: one comprehension per batch instead of a generator step per row."""
    # Without quotes no record spans lines, so a row's line is its position: no per-row
    # bookkeeping (a quoted cell may hold a line break, and then the reader counts).
    one_line_records = not _contains(path, b'"')
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        next(reader, None)
        while True:
            lines: list[int] = []
            if one_line_records:
                first = reader.line_num + 1
                rows = list(islice(reader, size))
                lines = list(range(first, first + len(rows)))
            else:
                note = lines.append
                rows = [row for row in islice(reader, size) if note(reader.line_num) or True]
            if not rows:
                return
            if min(map(len, rows)) >= 2:
                yield lines, rows
                continue
            blank = {
                i for i, row in enumerate(rows) if len(row) < 2 and not (row and row[0].strip())
            }
            if blank:
                lines = [line for i, line in enumerate(lines) if i not in blank]
                rows = [row for i, row in enumerate(rows) if i not in blank]
            yield lines, rows


def read_csv(path: Path) -> Table:
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        first = handle.readline()
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    headers = next(csv.reader([first], delimiter=delimiter), [])
    return Table(
        headers=[h.strip() for h in headers],
        rows=_csv_rows(path, encoding, delimiter),
        total_rows=max(0, _count_lines(path) - 1),
        encoding=encoding,
        read_batches=lambda size: _csv_batches(path, encoding, delimiter, size),
    )


def read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=False)
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    headers = [str(h).strip() if h is not None else "" for h in next(rows, ())]

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        for number, row in enumerate(rows, start=2):
            cells = list(row)
            if any(c is not None and str(c).strip() for c in cells):
                yield number, cells
        workbook.close()

    return Table(
        headers=headers,
        rows=numbered(),
        total_rows=max(0, (sheet.max_row or 1) - 1),
        encoding="xlsx",
    )


def read_table(path: Path | str) -> Table:
    path = Path(path)
    if not path.exists():
        raise ValidationFailed(fields={"file": [_("The file does not exist.")]})
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm"}:
            return read_xlsx(path)
        return read_csv(path)
    except (OSError, ValueError, KeyError) as exc:
        raise ValidationFailed(
            _("The file cannot be read: %(error)s") % {"error": exc},
            fields={"file": [str(exc)]},
        ) from None
