"""Writing polars data frames into tables on the current connection, in its transaction.

PostgreSQL takes the frame as CSV written by polars (``COPY``): a null is an empty field, an
empty text is ``""``. SQLite takes its rows through ``executemany``, one C call per frame.
"""

from typing import Any

import polars as pl
from django.db import connection


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
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as copy,
        ):
            copy.write(frame.write_csv(include_header=False))
    else:
        marks = ", ".join("?" * frame.width)
        raw.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - our own names
            frame.iter_rows(),
        )
