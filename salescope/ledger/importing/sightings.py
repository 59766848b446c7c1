"""The first line of each line key across a file's batches (R12: a later line with a key
already seen is refused as a duplicate of that first line), held by a bound, not by the file.

The keys seen stay in this process up to ``KEPT_KEYS`` (about 24 bytes each): a day's file
never leaves it. Past that they go to a temporary table of the import's transaction, keyed by
the line key, and each later batch's keys are checked against it in one statement (issue 20:
held here, a 200 MB file's 2.85M keys took 57 MB more than a 40 MB file's).
"""

from typing import Any

import polars as pl
from django.db import connection

from salescope.ledger.frames import copy_frame

KEPT_KEYS = 500_000
SEEN_TABLE = "ledger_seen_keys"  # every key seen so far, with its first line
BATCH_TABLE = "ledger_batch_keys"  # one batch's distinct keys, with their first line
_SCHEMA = {"line_key": pl.String, "first": pl.Int64}


class FirstSightings:
    """``raw``: the import's DB-API connection, in its transaction, for the keys past
    ``KEPT_KEYS``; without one they all stay here."""

    def __init__(self, raw: Any = None, expected_rows: int = 0) -> None:
        self.seen = pl.DataFrame(schema=_SCHEMA)
        self.count = 0
        self._in_database = False
        # The tables are made now, before any batch, so that no table is created or dropped
        # while the import's writer thread may be running a statement on the connection. A
        # file of fewer rows cannot hold more keys (``expected_rows`` counts its line breaks).
        self._raw = raw if expected_rows > KEPT_KEYS else None
        if self._raw is not None:
            self._create_tables()

    def __len__(self) -> int:
        return self.count

    def split(self, staged: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(The rows of ``staged`` whose key is new, in order; the others as ``src_line`` and
        ``first``.) ``staged`` holds ``line_key`` and ``src_line``, in file order."""
        firsts = staged.select("line_key", pl.col("src_line").min().over("line_key").alias("first"))
        keys = firsts.unique("line_key", maintain_order=True)
        again = self._earlier(keys)
        earlier = firsts.join(again, on="line_key", how="left", maintain_order="left")
        first = earlier["first_right"].fill_null(earlier["first"])
        new = first == staged["src_line"]
        fresh = staged.filter(new)
        self.count += fresh.height
        duplicates = pl.DataFrame({"src_line": staged["src_line"], "first": first}).filter(~new)
        return fresh, duplicates

    def close(self) -> None:
        """Drop the temporary tables, once the writer thread is done (a rolled-back import
        loses them with its transaction)."""
        if self._raw is not None:
            for table in (SEEN_TABLE, BATCH_TABLE):
                self._raw.execute(f"DROP TABLE IF EXISTS {table}")
            self._raw = None
        self._in_database = False

    def _earlier(self, keys: pl.DataFrame) -> pl.DataFrame:
        """Of a batch's distinct ``keys`` (``line_key``, ``first``), those seen in an earlier
        batch, with the line they were first seen on; the others are noted as seen."""
        if self._in_database:
            return self._earlier_in_database(keys)
        # A semi join: its hash table holds the batch's keys, not every key seen so far.
        again = self.seen.join(keys.select("line_key"), on="line_key", how="semi")
        self.seen = pl.concat([self.seen, keys.join(again, on="line_key", how="anti")])
        if self._raw is not None and self.seen.height > KEPT_KEYS:
            self._to_database()
        return again

    def _create_tables(self) -> None:
        postgres = connection.vendor == "postgresql"
        for table in (SEEN_TABLE, BATCH_TABLE):
            self._raw.execute(f"DROP TABLE IF EXISTS {table}")
        text, number, rowid = (
            ("text", "bigint", "") if postgres else ("TEXT", "INTEGER", " WITHOUT ROWID")
        )
        self._raw.execute(
            f"CREATE TEMP TABLE {SEEN_TABLE} (line_key {text} PRIMARY KEY, first_line {number})"
            + rowid
        )
        self._raw.execute(f"CREATE TEMP TABLE {BATCH_TABLE} (line_key {text}, first_line {number})")

    def _to_database(self) -> None:
        self._in_database = True
        # In key order: the key's index grows at its end.
        copy_frame(SEEN_TABLE, _as_stored(self.seen.sort("line_key")), raw=self._raw)
        self.seen = pl.DataFrame(schema=_SCHEMA)

    def _earlier_in_database(self, keys: pl.DataFrame) -> pl.DataFrame:
        raw = self._raw
        postgres = connection.vendor == "postgresql"
        raw.execute(f"TRUNCATE {BATCH_TABLE}" if postgres else f"DELETE FROM {BATCH_TABLE}")  # noqa: S608
        copy_frame(BATCH_TABLE, _as_stored(keys), raw=raw)
        if postgres:
            # One probe of the key's index per key: the insert's; the keys it did not add
            # were seen before, and their first line is read as the table was before it.
            rows = raw.execute(
                f"WITH added AS (INSERT INTO {SEEN_TABLE} (line_key, first_line) "  # noqa: S608
                f"SELECT line_key, first_line FROM {BATCH_TABLE} "
                "ON CONFLICT (line_key) DO NOTHING RETURNING line_key) "
                f"SELECT b.line_key, (SELECT s.first_line FROM {SEEN_TABLE} s "
                "WHERE s.line_key = b.line_key) "
                f"FROM {BATCH_TABLE} b WHERE NOT EXISTS "
                "(SELECT 1 FROM added a WHERE a.line_key = b.line_key)"
            ).fetchall()
        else:
            # CROSS JOIN keeps the batch's keys as the outer loop (probes of the key's index).
            rows = raw.execute(
                f"SELECT b.line_key, s.first_line FROM {BATCH_TABLE} b "  # noqa: S608
                f"CROSS JOIN {SEEN_TABLE} s WHERE s.line_key = b.line_key"
            ).fetchall()
            raw.execute(
                f"INSERT OR IGNORE INTO {SEEN_TABLE} (line_key, first_line) "  # noqa: S608
                f"SELECT line_key, first_line FROM {BATCH_TABLE}"
            )
        return pl.DataFrame(rows, schema=_SCHEMA, orient="row")


def _as_stored(keys: pl.DataFrame) -> pl.DataFrame:
    return keys.select("line_key", pl.col("first").alias("first_line"))
