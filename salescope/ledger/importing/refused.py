"""The refused lines of a sales-line import, held by a bound, not by the file (issue 20).

Each batch's refused lines (``line``, ``field``, ``reason``, ``value``) come after every
earlier batch's, in the file's order; they go to a temporary file as they come. This process
keeps only their count, the first ``KEPT`` of them (what the job's row, its page and the API
show) and one row per distinct problem for the summary (an unknown value counts once, however
many lines name it). The job's error report and the command's ``--errors-file`` read every
refused line back from the file. Kept in memory as dictionaries until the end, a 200 MB file's
142k refused lines (5 %) took some 60 MB.
"""

import csv
import tempfile
from collections.abc import Iterator
from typing import Any

import polars as pl

KEPT = 1000  # refused lines kept in memory, in line order: as many as the job's row keeps
PROBLEMS_SHOWN = 50
FIRST_LINES = 5
_PROBLEM = ("field", "reason", "value")


class RefusedLines:
    """Every refused line of one import, as ``{"line", "column", "reason"}`` in line order:
    ``len()`` counts them, iterating reads them back; ``kept`` holds the first ``KEPT``."""

    def __init__(self, header_of: dict[str, str]) -> None:
        self.header_of = header_of  # field → the column's header in the file
        self.kept: list[dict[str, Any]] = []
        self.count = 0
        self._problems: pl.DataFrame | None = None
        # Deleted when closed, or when this object is collected.
        self._file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - lives as long as self
            "w+", encoding="utf-8", newline="", prefix="salescope-refused-", suffix=".csv"
        )
        self._writer = csv.writer(self._file)

    def add(self, refused: pl.DataFrame) -> None:
        """A batch's refused lines (``line``, ``field``, ``reason``, ``value``), each line after
        every line of the batches added before."""
        if not refused.height:
            return
        refused = refused.sort("line", maintain_order=True)
        header_of = self.header_of
        rows = [
            (line, header_of.get(name, name), reason)
            for line, name, reason in refused.select("line", "field", "reason").iter_rows()
        ]
        room = KEPT - len(self.kept)
        if room > 0:
            self.kept.extend(
                {"line": line, "column": column, "reason": reason}
                for line, column, reason in rows[:room]
            )
        self._writer.writerows(rows)
        self.count += len(rows)
        self._fold(refused)

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self.count <= len(self.kept):
            yield from self.kept
            return
        self._file.flush()
        with open(self._file.name, encoding="utf-8", newline="") as handle:  # noqa: PTH123
            for line, column, reason in csv.reader(handle):
                yield {"line": int(line), "column": column, "reason": reason}

    def close(self) -> None:
        self._file.close()

    def _fold(self, refused: pl.DataFrame) -> None:
        """The batch's problems added to the ones seen so far, in the order each first
        occurred, with their lines counted and their first ``FIRST_LINES`` lines."""
        problems = refused.group_by(*_PROBLEM, maintain_order=True).agg(
            pl.len().cast(pl.Int64).alias("lines"),
            pl.col("line").head(FIRST_LINES).alias("first_lines"),
        )
        if self._problems is not None:
            problems = (
                pl.concat([self._problems, problems])
                .group_by(*_PROBLEM, maintain_order=True)
                .agg(
                    pl.col("lines").sum(),
                    pl.col("first_lines")
                    .list.explode(keep_nulls=False, empty_as_null=False)
                    .head(FIRST_LINES),
                )
            )
        self._problems = problems

    def problems(self) -> list[dict[str, Any]]:
        """One entry per distinct problem — most lines first, then in the order they first
        occurred: ``{"column", "reason", "value", "lines", "first_lines"}``."""
        if self._problems is None:
            return []
        top = self._problems.sort("lines", descending=True, maintain_order=True).head(
            PROBLEMS_SHOWN
        )
        return [
            {
                "column": self.header_of.get(name, name),
                "reason": reason,
                "value": value,
                "lines": lines,
                "first_lines": first,
            }
            for name, reason, value, lines, first in top.iter_rows()
        ]
