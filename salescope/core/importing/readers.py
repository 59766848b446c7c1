"""Read a CSV or XLSX file as a header and numbered rows, whatever its encoding.

CSV encoding: a UTF-8 BOM wins; otherwise the bytes are checked as UTF-8 in streaming chunks
and, if they are not, read as GB18030 (a superset of GBK and GB2312, what Excel on Chinese
Windows writes). XLSX cells keep their types (dates, numbers); formulas come through as their
text (``=SUM(…)``) so they are reported, not evaluated.
"""

import codecs
import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice, zip_longest
from pathlib import Path
from typing import Any

import polars as pl
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
    read_frames: Callable[[int], Iterator[pl.DataFrame]] | None = None  # the fastest, if any

    def batches(self, size: int) -> Iterator[Batch]:
        """The rows in lists of up to ``size``, for column-wise validation.

        Read either this or ``rows``, not both: they share the file."""
        if self.read_batches is not None:
            yield from self.read_batches(size)
            return
        numbered = iter(self.rows)
        while chunk := list(islice(numbered, size)):
            yield [line for line, _row in chunk], [row for _line, row in chunk]

    def frames(self, size: int) -> Iterator[pl.DataFrame]:
        """The rows as data frames of up to about ``size`` rows: ``line`` (the line in the
        file) and one text column per header, ``c0``, ``c1``…, "" where a cell is blank or
        missing. Blank lines are left out, as ``rows`` leaves them out.

        Read either this, ``batches`` or ``rows``: they share the file."""
        if self.read_frames is not None:
            yield from self.read_frames(size)
            return
        names = column_names(len(self.headers))
        for lines, rows in self.batches(size):
            # One transposition in C; short rows padded, cells past the headers left out.
            columns = list(zip_longest(*rows, fillvalue=""))[: len(names)]
            columns += [("",) * len(rows)] * (len(names) - len(columns))
            if self.encoding == "xlsx":  # typed cells; the csv module's are text already
                columns = [tuple(map(cell_text, column)) for column in columns]
            frame = pl.DataFrame(
                {
                    name: pl.Series(name, column, dtype=pl.String)
                    for name, column in zip(names, columns, strict=True)
                }
            )
            yield frame.with_columns(pl.Series("line", lines, dtype=pl.Int64))


def column_names(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


def cell_text(cell: Any) -> str:
    """A cell as text that converts exactly as the cell does: a float by its shortest repr
    (0.1 stays 0.1), a date or time in ISO form, a blank as ""."""
    if cell is None:
        return ""
    if cell.__class__ is str:
        return cell
    if isinstance(cell, float):
        return repr(cell)
    if isinstance(cell, dt.datetime):
        return cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)  # int, Decimal, bool


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


def _blank_rows(frame: pl.DataFrame, data: bytes, delimiter: str) -> list[int]:
    """Positions of the rows of ``frame`` (parsed from ``data``) whose line holds nothing
    but white space: the csv module gives such a line as one blank cell, and it is skipped.
    A line of empty cells (",,,") is a row, with its errors."""
    names = frame.columns
    empty = frame.select(
        pl.all_horizontal(
            pl.col(names[0]).str.strip_chars() == "", *(pl.col(c) == "" for c in names[1:])
        )
    ).to_series()
    if not empty.any():
        return []
    lines = data.decode("utf-8").split("\n")
    return [
        i for i in empty.arg_true().to_list() if delimiter not in lines[i] and not lines[i].strip()
    ]


def _frame_chunks(
    path: Path, encoding: str, delimiter: str, width: int, size: int
) -> Iterator[pl.DataFrame]:
    """A file with no quote character and no lone carriage return, in chunks of whole lines
    parsed by polars (in Rust): then every line is one record, so a row's line is its
    position. Other files go through the csv module (``Table.frames``)."""
    names = column_names(width)
    schema = dict.fromkeys(names, pl.String)
    chunk_bytes = max(64, size * 80)  # about ``size`` lines of a typical export
    recode = encoding not in {"utf-8", "utf-8-sig"}
    line = 2
    with path.open("rb") as handle:
        handle.readline()  # the header
        rest = b""
        while True:
            data = handle.read(chunk_bytes)
            at_end = not data
            data = rest + data
            cut = len(data) if at_end else data.rfind(b"\n") + 1
            data, rest = data[:cut], data[cut:]
            if data and not data.endswith(b"\n"):
                data += b"\n"
            if recode:
                data = data.decode(encoding).encode("utf-8")
            count = data.count(b"\n")
            if count:
                frame = pl.read_csv(
                    data,
                    has_header=False,
                    separator=delimiter,
                    quote_char=None,
                    schema=schema,
                    truncate_ragged_lines=True,
                    missing_columns="insert",
                    extra_columns="ignore",
                    empty_string_is_null=False,
                    eol_char="\n",
                )
                if frame.height != count:  # never guess a line number
                    raise ValueError(_("the lines of the file cannot be counted"))
                frame = frame.with_columns(
                    pl.col(names).fill_null(""),
                    pl.int_range(line, line + count, dtype=pl.Int64).alias("line"),
                )
                blank = _blank_rows(frame.select(names), data, delimiter)
                if blank:
                    frame = frame.filter(~pl.int_range(0, count).is_in(blank))
                if frame.height:
                    yield frame
            line += count
            if at_end:
                return


def _scan_lines(path: Path) -> tuple[int, bool]:
    """The file's line breaks, and whether no quote character and no lone carriage return
    occurs in it: then each line is one record and polars can read it in chunks
    (``_frame_chunks``). One pass over the bytes."""
    count, plain = 0, True
    with path.open("rb") as handle:
        previous = b""
        while chunk := handle.read(CHUNK):
            count += chunk.count(b"\n")
            if not plain:
                continue
            joined = previous + chunk
            # A "\r" at the very end may be followed by "\n" in the next chunk.
            body = joined[:-1] if joined.endswith(b"\r") else joined
            plain = b'"' not in chunk and body.count(b"\r") == body.count(b"\r\n")
            previous = joined[len(body) :]
        return count, plain and not previous  # not a file that ends in a lone "\r"


def read_csv(path: Path) -> Table:
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        first = handle.readline()
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    headers = next(csv.reader([first], delimiter=delimiter), [])
    headers = [h.strip() for h in headers]
    line_breaks, plain = _scan_lines(path)
    return Table(
        headers=headers,
        rows=_csv_rows(path, encoding, delimiter),
        total_rows=max(0, line_breaks - 1),
        encoding=encoding,
        read_batches=lambda size: _csv_batches(path, encoding, delimiter, size),
        read_frames=(lambda size: _frame_chunks(path, encoding, delimiter, len(headers), size))
        if plain
        else None,
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
