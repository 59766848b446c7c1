"""Writing polars data frames into tables on the current connection, in its transaction.

PostgreSQL takes the frame as CSV written by polars (``COPY``): a null is an empty field, an
empty text is ``""``. SQLite takes it through ``executemany`` of a multi-row ``INSERT``.
"""

import sqlite3
from collections.abc import Sequence
from typing import Any

import polars as pl
from django.db import connection

# SQLite: rows per INSERT statement. Binding a hundred rows per statement spares the
# statement's per-row overhead (950k ledger lines of 22 columns: 7.2 s one row per statement,
# 5.4 s so); past a hundred it gains nothing more.
ROWS_PER_INSERT = 100
# Longer texts are bound even when a whole column holds them: repeated in each of a
# statement's rows, they would swell it (the rows per statement also stay within SQLite's
# limit on a statement's length).
_LITERAL_TEXT_MAX = 100


def copy_frame(table: str, frame: pl.DataFrame, *, raw: Any = None) -> None:
    """Append ``frame``'s rows to ``table``, whose columns the frame's columns name.

    ``raw`` is a DB-API connection to use instead of this thread's (Django's connections are
    per thread: the import's writer thread passes the import's own)."""
    if not frame.height:
        return
    if raw is None:
        connection.ensure_connection()
        raw = connection.connection
    names = ", ".join(frame.columns)
    if connection.vendor == "postgresql":
        # Written before the COPY starts: the import's writer thread shares the connection.
        data = frame.write_csv(include_header=False)
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as copy,
        ):
            copy.write(data)
        return
    _insert_rows(raw, table, frame)


def _sql_literal(value: Any) -> str | None:
    """``value`` as an SQLite literal, or ``None`` to bind it as a parameter instead."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int) and -(2**63) <= value < 2**63:  # else SQLite would read a REAL
        return str(value)
    if isinstance(value, str) and len(value) <= _LITERAL_TEXT_MAX and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"  # SQLite's only escape in a string literal
    return None


def _insert_rows(raw: Any, table: str, frame: pl.DataFrame) -> None:
    """SQLite: the frame through ``executemany`` of a multi-row ``INSERT``.

    A column holding one value throughout the frame (a kind, an empty line id, a zero
    discount) is written into the statement as a literal instead of bound row by row: binding
    is most of the cost (950k ledger lines with seven such columns of 22: 6.0 s → 4.0 s; the
    bench's 1M-line import, with five, is about a tenth faster)."""
    constant: dict[str, str] = {}
    if frame.height > 1:
        distinct = frame.select(pl.all().n_unique()).row(0, named=True)
        for name, count in distinct.items():
            literal = _sql_literal(frame[name][0]) if count == 1 else None
            if literal is not None:
                constant[name] = literal
    bound = [name for name in frame.columns if name not in constant]
    width = len(bound)
    row = "(" + ", ".join(constant.get(name, "?") for name in frame.columns) + ")"
    insert = f"INSERT INTO {table} ({', '.join(frame.columns)}) VALUES "  # noqa: S608
    if not width:  # every column constant: the same row, height times
        raw.executemany(insert + row, [()] * frame.height)
        return
    # The bound cells row by row in one flat list, filled column by column (slice
    # assignment, in C: no tuple per row), then handed over a statement's rows at a time.
    cells: list[Any] = [None] * (frame.height * width)
    for position, name in enumerate(bound):
        cells[position::width] = frame[name].to_list()
    variables = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    length = raw.getlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH) - len(insert.encode())
    per_insert = max(1, min(ROWS_PER_INSERT, variables // width, length // (len(row.encode()) + 2)))
    step = per_insert * width
    whole = len(cells) - len(cells) % step
    if whole:
        raw.executemany(
            insert + ", ".join([row] * per_insert),
            (cells[start : start + step] for start in range(0, whole, step)),
        )
    if whole < len(cells):
        raw.execute(insert + ", ".join([row] * ((len(cells) - whole) // width)), cells[whole:])


def defer_indexes(
    table: str, *, raw: Any = None, unique: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """Drop ``table``'s indexes that back no constraint, for a bulk write; returns them as
    ``(name, statement that builds it again)``, to run before the transaction commits.

    Building an index once from the finished table is cheaper than growing it row by row.
    ``unique`` names unique constraints to drop too, on PostgreSQL (950k ledger lines: 7.4–8.2 s
    to ``COPY`` with the key's index, 3.8–4.3 s without, 1.1 s to add it back): only for rows
    known to be unique among themselves and new to the table. SQLite cannot drop a
    constraint's index. On PostgreSQL dropping locks the table until the transaction ends."""
    if raw is None:
        connection.ensure_connection()
        raw = connection.connection
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        rows = raw.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
            "ORDER BY i.relname",
            [table],
        ).fetchall()
        constraints = []
        if unique:
            constraints = raw.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'u' AND conname = ANY(%s) "
                "ORDER BY conname",
                [table, list(unique)],
            ).fetchall()
    else:  # an index behind a constraint (sqlite_autoindex_…) has no SQL of its own
        rows = raw.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL ORDER BY name",
            [table],
        ).fetchall()
        constraints = []
    deferred = []
    for name, definition in rows:
        raw.execute(f"DROP INDEX {quote(name)}")
        deferred.append((name, definition))
    for name, definition in constraints:
        raw.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        deferred.append(
            (name, f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        )
    return deferred
