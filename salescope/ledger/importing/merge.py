"""Writing validated sales lines into the ledger, batch by batch, while the next batch is read.

Each batch goes into a temporary staging table and is compared with the ledger by its natural
key in one join: new, changed or unchanged (a batch whose keys all sort after the ledger's
last key before the import is new without it). New lines are inserted, changed ones updated,
unchanged ones not touched. What the new and changed lines do to the rollups (new − old) is
noted at the lines' full grain into a temporary delta table, by the database from the staged
batch (a first load's batches, never staged, are summed in polars and copied there every few
batches), and applied once at the end (``rollups.apply_delta``), so a month's rollup rows are
rewritten once per import, not once per batch, and the explorer's rollup rows only where the
import's lines fall. The delta stays in the database: at the lines' full grain it is about as
long as the file, and held here it made an import's memory grow with its file (issue 20: a
120 MB file took 800 MB more); the sums a first load keeps in polars are copied out before
they pass ``SUMS_KEPT_ROWS``.

Reading and validating a file is Python; merging is the database's work. A writer thread
merges on the import's own connection, inside its transaction, while the main thread validates
and stages the next batch into the other of two staging tables: on two cores an import takes
about the longer of the two instead of their sum (SQLite and psycopg release the GIL while a
statement runs, and serialise the two threads' statements on the connection). Staging stays on
the main thread because it is a Python step per row: on the writer thread those steps fought
the validating thread for the GIL (PostgreSQL, 950k lines: staging took 8.6 s instead of 2 s).
Measured on 950k lines: SQLite 21 s inline, 18 s so; PostgreSQL 24 s inline, 17–18 s so. An
import that creates master data as it goes (``--create-missing``) writes inline.

A bulk load — a file of at least ``BULK_MIN_ROWS`` lines into a ledger holding fewer than half
as many lines (a first load, a migration of history) — drops the ledger's secondary indexes
for the load and rebuilds them from their own definitions before the transaction commits:
building an index once from sorted rows is cheaper than growing it line by line (PostgreSQL,
950k lines: 10–12 s inserting with every index, 3.6 s with only the key indexes + 1.5 s
rebuilding the others). The natural-key index stays, the new lines' key is checked against
it — except in a first load into an empty ledger on PostgreSQL, whose lines are all new and
unique within the file: there the key's constraint is added back after the load too (950k
lines: 7.4–8.2 s to ``COPY`` with it, 3.8–4.3 s without, plus 1.1 s to add it). On
PostgreSQL dropping an index locks the ledger until the import commits, so readers of the
(small) ledger wait for a bulk load; an everyday import never defers. A failed load rolls back
with the indexes in place. A bulk load also skips the delta: it re-aggregates the months it
changed once, at the end (``rollups.rebuild_months``).
"""

import datetime as dt
import queue
import sys
import threading
import time
from typing import Any

import polars as pl
from django.db import connection
from django.db.models import UniqueConstraint

from salescope.ledger import rollups
from salescope.ledger.frames import copy_frame, defer_indexes
from salescope.ledger.models import SalesLine

STAGE_COLUMNS = (
    "line_key",
    "line_id",
    "document",
    "line_no",
    "date",
    "month",
    "kind",
    "customer_id",
    "product_id",
    "brand_id",
    "category_id",
    "salesperson_id",
    "region_id",
    "channel",
    "sale_location",
    "quantity_milli",
    "unit_price_fen",
    "amount_fen",
    "cost_fen",
    "gross_profit_fen",
    "discount_fen",
    "cross_territory",
)
_PG_TYPES = {
    "line_no": "integer",
    "date": "date",
    "month": "date",
    "cross_territory": "boolean",
    "line_key": "varchar(140)",
    "line_id": "varchar(80)",
    "document": "varchar(80)",
    "kind": "varchar(14)",
    "channel": "varchar(40)",
    "sale_location": "varchar(60)",
}
# A staged batch as a data frame: the staging table's columns (text for varchar and for dates,
# as ISO text), then ``src_line``, the line in the file.
_FRAME_TYPES = {"boolean": pl.Boolean, "integer": pl.Int64, "bigint": pl.Int64}
STAGE_SCHEMA = {
    **{c: _FRAME_TYPES.get(_PG_TYPES.get(c, "bigint"), pl.String) for c in STAGE_COLUMNS},
    "src_line": pl.Int64,
}
_DATA_COLUMNS = [c for c in STAGE_COLUMNS if c != "line_key"]
_ROLLUP_KEYS = rollups.DELTA_KEYS  # the lines' full grain: every rollup's keys
_ROLLUP_MEASURES = ("amount_fen", "quantity_milli", "cost_fen", "gross_profit_fen")


def _rollup_sums(frame: pl.DataFrame) -> pl.DataFrame:
    """A batch's lines summed by the rollup's keys."""
    return frame.group_by(_ROLLUP_KEYS).agg(
        *(pl.col(m).sum() for m in _ROLLUP_MEASURES), pl.len().cast(pl.Int64).alias("lines")
    )


# The constraint that makes a line's key unique (the import itself refuses repeated keys).
KEY_CONSTRAINTS = tuple(
    c.name
    for c in SalesLine._meta.constraints
    if isinstance(c, UniqueConstraint) and tuple(c.fields) == ("line_key",)
)
BULK_MIN_ROWS = 100_000  # smaller files always insert into the indexes as they are
SUMS_FOLDED_EVERY = 16  # batches' rollup sums kept before they are summed into one frame
# A first load's sums kept in this process before they go to the delta table: about 100 bytes
# a row, so at most some 20 MB, whatever the file's size.
SUMS_KEPT_ROWS = 200_000

BATCH_TABLES = ("ledger_batch", "ledger_batch_2")  # one is staged while the other merges
CHANGES_TABLE = "ledger_changes"
DELTA_TABLE = "ledger_delta"

_DONE = object()


def _changed(left: str, right: str) -> str:
    return (
        "(" + " OR ".join(f"{left}.{c} IS DISTINCT FROM {right}.{c}" for c in _DATA_COLUMNS) + ")"
    )


def _signed(table: str, sign: str) -> str:
    """The rollup keys and measures of the lines in ``table``, negated by ``sign`` "-"."""
    keys = ", ".join(f"{table}.{k} AS {k}" for k in _ROLLUP_KEYS)
    measures = ", ".join(f"{sign}{table}.{m} AS {m}" for m in _ROLLUP_MEASURES)
    return f"{keys}, {measures}, {sign}1 AS lines"


class LineWriter:
    """Stages and merges batches of staging tuples (``STAGE_COLUMNS`` plus the row's line in
    the file, which identifies a staged row); then :meth:`finish` moves the rollups.

    Use as a context manager: leaving it stops the writer thread, also on an error, before the
    caller's transaction is rolled back."""

    def __init__(self, *, threaded: bool, expected_rows: int = 0) -> None:
        connection.ensure_connection()
        self.postgres = connection.vendor == "postgresql"
        self.raw = connection.connection  # the DB-API connection, in the caller's transaction
        self.deferred_indexes: list[tuple[str, str]] = []  # (name, CREATE INDEX …) to rebuild
        self.created = self.updated = self.unchanged = 0
        self.staging = 0.0  # seconds the caller spent staging
        self.merging = 0.0  # seconds the writer spent merging
        self.waited = 0.0  # seconds the caller waited for the writer or staged
        self.finish_seconds: dict[str, float] = {}  # the steps of ``finish``
        self._batches = 0
        self._error: BaseException | None = None
        self._queue: queue.Queue = queue.Queue()
        self._free_tables = threading.Semaphore(len(BATCH_TABLES))
        self._thread: threading.Thread | None = None
        self._create_tables()
        # Rebuilding the indexes costs in proportion to the whole ledger, growing them to the
        # new lines: only worth it while the ledger is small beside the file. At half the
        # file's size, a re-import of a file the ledger already holds keeps the indexes and
        # does not lock the ledger for readers (unless over half the file was refused).
        self.bulk = self.first_load = False
        if expected_rows >= BULK_MIN_ROWS:
            held = self._lines_held(-(-expected_rows // 2))  # as far as the rule needs
            self.bulk = held * 2 < expected_rows
            # A first load writes its lines straight into the empty ledger: all are new.
            self.first_load = self.bulk and held == 0
        self.bulk_months: set[Any] = set()  # months a bulk load changed, re-aggregated at the end
        # A first load's rollup sums, taken from its frames (its lines are never staged):
        # summed in polars, copied to the delta table when they grow (``_add_sums``).
        self._sums: list[pl.DataFrame] = []
        self._sums_rows = 0
        self._sort_by_key = False  # a first load's batches, in the order of the key's index
        self._cache_size = None
        if not self.postgres:
            # An everyday import gets a larger page cache (DESIGN.md): 256 MB, for the index
            # pages its lines update here and there in a large ledger. A bulk load gets 64 MB
            # (the connection's own): it appends its lines in key order and rebuilds the other
            # indexes from sorted rows, and a larger cache only held the pages it dirtied
            # until the commit (issue 20: a 120 MB first load grew by 684 MB in 59.0 s with
            # 256 MB, by 512 MB in 42.6 s with 64 MB). Set back by ``finish``.
            (self._cache_size,) = self._execute("PRAGMA cache_size").fetchone()
            self._execute(f"PRAGMA cache_size = {-65536 if self.bulk else -262144}")
        if self.bulk:
            self._drop_secondary_indexes()
            deferred = {name for name, _statement in self.deferred_indexes}
            self._sort_by_key = self.first_load and not deferred & set(KEY_CONSTRAINTS)
        # The greatest key before this import, read from the key's index (for _after_last_key).
        (self._last_key,) = self._execute(
            f"SELECT MAX(line_key) FROM {SalesLine._meta.db_table}"  # noqa: S608
        ).fetchone()
        if threaded:
            # The writer waits on the database, then needs the GIL back for a moment: with
            # the default 5 ms switch interval each of its statements would cost ≥ 5 ms.
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(0.0005)
            self._thread = threading.Thread(target=self._run, name="ledger-writer", daemon=True)
            self._thread.start()

    def __enter__(self) -> "LineWriter":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._stop()

    # The caller's side.

    def write(self, rows: list[tuple]) -> None:
        """Rows of ``STAGE_COLUMNS`` plus the line in the file (dates as ISO text)."""
        if rows:
            self.write_frame(pl.DataFrame(rows, schema=STAGE_SCHEMA, orient="row"))

    def write_frame(self, frame: pl.DataFrame) -> None:
        """A batch as a data frame of ``STAGE_SCHEMA``."""
        if list(frame.columns) != list(STAGE_SCHEMA):
            raise ValueError("a staged batch must have the columns of STAGE_SCHEMA, in order")
        count = frame.height
        if not count:
            return
        started = time.perf_counter()
        if self.first_load:
            self._add_sums(frame)
        if self._sort_by_key:  # (PostgreSQL drops the key's index and builds it afterwards)
            frame = frame.sort("line_key")
        # A bulk load's months, for when every line of the batch is new (see _note_bulk_months).
        months = set()
        if self.bulk and not self.first_load:
            months = set(frame["month"].unique().to_list())
        if self._thread is None and self.first_load:
            self._insert_new(frame)
            self.waited += time.perf_counter() - started
            return
        if self._thread is None:
            self._stage(frame, BATCH_TABLES[0])
            self.staging += time.perf_counter() - started
            self._merge(BATCH_TABLES[0], frame, months)
            self.waited += time.perf_counter() - started
            return
        self._raise_error()
        self._free_tables.acquire()  # a staging table whose batch has been merged
        table = BATCH_TABLES[self._batches % len(BATCH_TABLES)]
        self._batches += 1
        staged = time.perf_counter()
        if self.first_load:  # the writer inserts it
            self._queue.put((self._insert_new, (frame,)))
            self.waited += time.perf_counter() - started
            return
        try:
            self._stage(frame, table)
        except Exception:
            self._free_tables.release()
            self._raise_error()  # the writer's failure, which aborted the transaction
            raise
        self._queue.put((self._merge, (table, frame, months)))
        self.staging += time.perf_counter() - staged
        self.waited += time.perf_counter() - started

    @property
    def busy(self) -> float:
        """Seconds spent staging and merging."""
        return self.staging + self.merging

    def finish(self) -> set[dt.date]:
        """Wait for the writer, apply the summed rollup delta, drop the temporary tables.
        Returns the months whose figures changed."""
        started = time.perf_counter()
        self._stop()
        self.waited += time.perf_counter() - started
        self.finish_seconds["wait_for_writer"] = time.perf_counter() - started
        self._raise_error()
        started = time.perf_counter()
        for _name, definition in self.deferred_indexes:
            self._execute(definition)
        self.finish_seconds["indexes"] = time.perf_counter() - started
        started = time.perf_counter()
        months: set[dt.date] | None = None
        if self.first_load:
            # The new lines' sums, taken from the batches as they were written: the rollups
            # of months that have none yet, else a delta like any import's.
            self._spill_sums()
            months = rollups.write_new_months(DELTA_TABLE)
        elif self.bulk:
            months = {rollups.as_date(month) for month in self.bulk_months}
            rollups.rebuild_months(months)
        if months is None and (self.created or self.updated):
            months = rollups.apply_delta(DELTA_TABLE)
        for table in (*BATCH_TABLES, CHANGES_TABLE, DELTA_TABLE):
            self._execute(f"DROP TABLE IF EXISTS {table}")
        if self._cache_size is not None:
            self._execute(f"PRAGMA cache_size = {int(self._cache_size)}")
        self.finish_seconds["rollups"] = time.perf_counter() - started
        return months or set()

    # The writer's side.

    def _stop(self) -> None:
        if self._thread is not None:
            self._queue.put(_DONE)
            self._thread.join()
            self._thread = None
            sys.setswitchinterval(self._switch_interval)

    def _raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _run(self) -> None:
        while (item := self._queue.get()) is not _DONE:
            try:
                if self._error is None:  # after an error, only drain the queue
                    work, args = item
                    work(*args)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                self._error = exc
            finally:
                self._free_tables.release()

    def _execute(self, sql: str) -> Any:
        return self.raw.execute(sql)

    def _lines_held(self, limit: int) -> int:
        """The ledger's lines, counted up to ``limit`` (at least one): bounded, whatever the
        ledger's size."""
        (held,) = self._execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {SalesLine._meta.db_table} "  # noqa: S608
            f"LIMIT {max(1, int(limit))}) held"
        ).fetchone()
        return held

    def _drop_secondary_indexes(self) -> None:
        """Drop the ledger's indexes that back no constraint, keeping their definitions; a
        first load on PostgreSQL drops the key's constraint too (every line is new, and
        unique within the file)."""
        self.deferred_indexes = defer_indexes(
            SalesLine._meta.db_table,
            raw=self.raw,
            unique=KEY_CONSTRAINTS if self.first_load else (),
        )

    def _create_tables(self) -> None:
        if self.postgres:
            typed = ", ".join(f"{c} {_PG_TYPES.get(c, 'bigint')}" for c in STAGE_COLUMNS)
            measures = ", ".join(f"{m} bigint" for m in (*_ROLLUP_MEASURES, "lines"))
            tables = {
                **dict.fromkeys(BATCH_TABLES, f"{typed}, src_line bigint"),
                CHANGES_TABLE: "src_line bigint, old_id bigint",
                DELTA_TABLE: "month date, kind varchar(14), salesperson_id bigint, "
                "region_id bigint, category_id bigint, brand_id bigint, product_id bigint, "
                f"customer_id bigint, channel varchar(40), {measures}",
            }
            for name, columns in tables.items():
                self._execute(f"DROP TABLE IF EXISTS {name}")
                self._execute(f"CREATE TEMP TABLE {name} ({columns}) ON COMMIT DROP")
            return
        staged = f"{', '.join(STAGE_COLUMNS)}, src_line INTEGER PRIMARY KEY"
        tables = {
            **dict.fromkeys(BATCH_TABLES, staged),
            CHANGES_TABLE: "src_line INTEGER PRIMARY KEY, old_id INTEGER",
            DELTA_TABLE: ", ".join((*_ROLLUP_KEYS, *_ROLLUP_MEASURES, "lines")),
        }
        for name, columns in tables.items():
            self._execute(f"DROP TABLE IF EXISTS temp.{name}")
            self._execute(f"CREATE TEMP TABLE {name} ({columns})")

    def _stage(self, frame: pl.DataFrame, table: str) -> None:
        self._execute(f"TRUNCATE {table}" if self.postgres else f"DELETE FROM temp.{table}")  # noqa: S608
        self._copy_into(table, frame)

    def _copy_into(self, table: str, frame: pl.DataFrame) -> None:
        copy_frame(table, frame, raw=self.raw)

    def _insert_new(self, frame: pl.DataFrame) -> None:
        """A first load's batch, straight into the ledger."""
        started = time.perf_counter()
        self._copy_into(SalesLine._meta.db_table, frame.drop("src_line"))
        self.created += frame.height
        self.merging += time.perf_counter() - started

    def _note_bulk_months(self, batch: str, all_new: bool, updated: int, months: set) -> None:
        """A bulk load re-aggregates the months it changes once at the end instead of
        summing a delta batch by batch: with about one rollup row per two lines (1M lines,
        500 people × 50 categories × 24 months) the delta was as large as the load. When
        every line of the batch is new, its ``months`` are those; else the database says."""
        if all_new:
            self.bulk_months.update(months)
            return
        touched = (
            f"SELECT DISTINCT s.month FROM {batch} s "  # noqa: S608
            f"JOIN {CHANGES_TABLE} c ON c.src_line = s.src_line"
        )
        if updated:  # and the months the changed lines leave
            touched += (
                f" UNION SELECT l.month FROM {CHANGES_TABLE} c "  # noqa: S608
                f"JOIN {SalesLine._meta.db_table} l ON l.id = c.old_id"
            )
        self.bulk_months.update(month for (month,) in self._execute(touched).fetchall())

    def _add_sums(self, frame: pl.DataFrame) -> None:
        """Keep ``frame``'s rollup sums, folded every few batches, and copied to the delta
        table once they pass ``SUMS_KEPT_ROWS``: a long file's sums stay the size of the
        rollups it touches or of that limit, not of the file."""
        sums = _rollup_sums(frame)
        self._sums.append(sums)
        self._sums_rows += sums.height
        if len(self._sums) >= SUMS_FOLDED_EVERY or self._sums_rows > SUMS_KEPT_ROWS:
            self._sums = [self._summed()]
            self._sums_rows = self._sums[0].height
            if self._sums_rows > SUMS_KEPT_ROWS // 2:
                self._spill_sums()

    def _summed(self) -> pl.DataFrame:
        sums = pl.concat(self._sums).group_by(_ROLLUP_KEYS).sum()
        return sums.select(*_ROLLUP_KEYS, *_ROLLUP_MEASURES, "lines")

    def _spill_sums(self) -> None:
        """The kept sums into the delta table."""
        if self._sums:
            self._copy_into(DELTA_TABLE, self._summed())
        self._sums, self._sums_rows = [], 0

    def _after_last_key(self, batch: str) -> bool:
        """Whether every key staged in ``batch`` sorts after the greatest key the ledger held
        before this import (in the key index's own order): then none of them is in the
        ledger, the import's own earlier batches included, as a file holds each key once."""
        if self._last_key is None:  # an empty ledger: every line is new
            return True
        # Both columns compare in the database's default collation, the key's index's order:
        # the staging column is created without one, and so is ``SalesLine.line_key``.
        mark = "%s" if self.postgres else "?"
        (after,) = self.raw.execute(
            f"SELECT (SELECT MIN(line_key) FROM {batch}) > {mark}",  # noqa: S608
            (self._last_key,),
        ).fetchone()
        return bool(after)

    def _probe(self, batch: str) -> tuple[int, int]:
        """Note in the changes table each staged line that is new (no ``old_id``) or differs
        from the ledger's line of its key (that line's id). Returns (changes, updated)."""
        lines = SalesLine._meta.db_table
        self._execute(
            f"TRUNCATE {CHANGES_TABLE}" if self.postgres else f"DELETE FROM {CHANGES_TABLE}"  # noqa: S608
        )
        if self.postgres:
            # Probe the ledger's key index once per staged line (OFFSET 0 keeps the planner
            # from turning it into a hash join that reads the whole 10M-line ledger).
            ledger = (
                f"LEFT JOIN LATERAL (SELECT * FROM {lines} l "  # noqa: S608
                "WHERE l.line_key = s.line_key OFFSET 0) l ON true"
            )
        else:
            ledger = f"LEFT JOIN {lines} l ON l.line_key = s.line_key"
        self._execute(
            f"INSERT INTO {CHANGES_TABLE} (src_line, old_id) "  # noqa: S608
            f"SELECT s.src_line, l.id FROM {batch} s {ledger} "
            f"WHERE l.id IS NULL OR {_changed('l', 's')}"
        )
        return self._execute(
            f"SELECT COUNT(*), COUNT(old_id) FROM {CHANGES_TABLE}"  # noqa: S608
        ).fetchone()

    def _merge(self, batch: str, frame: pl.DataFrame, months: set) -> None:
        """Merge ``frame``, staged in the table ``batch`` (its lines of ``months``), into the
        ledger."""
        started = time.perf_counter()
        rows = frame.height
        lines = SalesLine._meta.db_table
        if self._after_last_key(batch):
            # Every key of the batch sorts after the ledger's last one (documents numbered
            # upward, as an ERP numbers them): all its lines are new, and the key's index need
            # not be probed line by line (a day's 100k lines: 0.15 s of the writer's time).
            changes, updated = rows, 0
            new_lines = f"{batch} s"
        else:
            changes, updated = self._probe(batch)
            new_lines = (
                f"{batch} s JOIN {CHANGES_TABLE} c ON c.src_line = s.src_line "
                "WHERE c.old_id IS NULL"
            )
        self.created += changes - updated
        self.updated += updated
        self.unchanged += rows - changes
        all_new = changes == rows and not updated
        if changes and self.bulk:
            self._note_bulk_months(batch, all_new, updated, months)
        elif all_new:  # the batch's lines, straight from the staged rows
            names = ", ".join((*_ROLLUP_KEYS, *_ROLLUP_MEASURES, "lines"))
            self._execute(
                f"INSERT INTO {DELTA_TABLE} ({names}) SELECT {_signed(batch, '')} "  # noqa: S608
                f"FROM {batch}"
            )
        elif changes:
            # Not summed here: at the lines' full grain a batch's lines barely share a key
            # (realistic daily file: 29,225 rows summed to 29,224), and ``rollups.apply_delta``
            # sums the whole delta anyway (PostgreSQL, 10M lines, realistic daily import: the
            # three batches' delta 0.33–0.36 → 0.21 s of the database's CPU).
            signed = (
                f"SELECT {_signed('s', '')} FROM {batch} s "  # noqa: S608
                f"JOIN {CHANGES_TABLE} c ON c.src_line = s.src_line"
            )
            if updated:
                signed += (
                    f" UNION ALL SELECT {_signed('l', '-')} FROM {CHANGES_TABLE} c "  # noqa: S608
                    f"JOIN {lines} l ON l.id = c.old_id WHERE c.old_id IS NOT NULL"
                )
            names = ", ".join((*_ROLLUP_KEYS, *_ROLLUP_MEASURES, "lines"))
            self._execute(f"INSERT INTO {DELTA_TABLE} ({names}) {signed}")  # noqa: S608
        if changes:
            # In customer order: that index is the one new lines land in at random, and in its
            # order a batch touches each of its leaf pages once (PostgreSQL, 100k lines into a
            # 10M-line ledger: the insert took 1.5–1.8 s instead of 1.9–2.4 s). In a bulk load
            # that index is rebuilt afterwards: in key order, for the key's index.
            order = "s.line_key" if self.bulk else "s.customer_id"
            names = ", ".join(STAGE_COLUMNS)
            self._execute(
                f"INSERT INTO {lines} ({names}) "  # noqa: S608
                f"SELECT {', '.join('s.' + c for c in STAGE_COLUMNS)} FROM {new_lines} "
                f"ORDER BY {order}"
            )
        if updated:
            assignments = ", ".join(f"{c} = s.{c}" for c in _DATA_COLUMNS)
            self._execute(
                f"UPDATE {lines} SET {assignments} FROM {batch} s "  # noqa: S608
                f"JOIN {CHANGES_TABLE} c ON c.src_line = s.src_line WHERE {lines}.id = c.old_id "
                "AND c.old_id IS NOT NULL"
            )
        self.merging += time.perf_counter() - started
