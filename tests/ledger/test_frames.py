"""Writing a data frame into a table (``ledger/frames.py``) stores exactly the frame's rows, on
either database: every cell, whether bound or (on SQLite, for a column holding one value) written
into the statement as a literal — quotes, question marks, empty texts, nulls and extreme numbers
included — and whatever the number of rows against the rows per statement."""

import polars as pl
import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescope.ledger import frames

TABLE = "test_frame_rows"
SCHEMA = {"n": pl.Int64, "label": pl.String, "flag": pl.Boolean, "amount": pl.Int64}

texts = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            "'",
            "''",
            "O'Brien",
            "?",
            ":name",
            "a'); DROP TABLE x; --",
            "销售",
            "长" * 100,
            "长" * 101,
        ]
    ),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=6),
)
numbers = st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1))
flags = st.one_of(st.none(), st.booleans())


@st.composite
def frames_to_write(draw):
    height = draw(st.sampled_from([1, 2, 99, 100, 101, 250]))
    columns = {}
    for name, values in (("label", texts), ("flag", flags), ("amount", numbers)):
        if draw(st.booleans()):  # one value throughout: a literal on SQLite
            columns[name] = [draw(values)] * height
        else:
            columns[name] = [draw(values) for _ in range(height)]
    return pl.DataFrame({"n": list(range(height)), **columns}, schema=SCHEMA)


@pytest.fixture
def table(db):
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {TABLE} (n bigint PRIMARY KEY, label text, flag boolean, amount bigint)"
        )
    yield TABLE
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {TABLE}")


def stored_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n, label, flag, amount FROM {TABLE} ORDER BY n")  # noqa: S608
        return [
            (n, label, None if flag is None else bool(flag), amount)
            for n, label, flag, amount in cursor.fetchall()
        ]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(frame=frames_to_write())
def test_a_frame_is_stored_cell_for_cell(table, frame):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608

    frames.copy_frame(table, frame)

    assert stored_rows() == list(frame.iter_rows())


def test_a_column_of_one_value_goes_into_the_statement_not_the_parameters(table, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL takes frames through COPY")
    statements = []
    raw = connection.connection

    class Recording:  # the DB-API connection, recording what it is asked to run
        def __getattr__(self, name):
            return getattr(raw, name)

        def executemany(self, sql, rows):
            statements.append(sql)
            return raw.executemany(sql, rows)

        def execute(self, sql, *args):
            statements.append(sql)
            return raw.execute(sql, *args)

    frame = pl.DataFrame(
        {"n": [1, 2, 3], "label": ["O'Brien"] * 3, "flag": [True, False, True], "amount": [0] * 3},
        schema=SCHEMA,
    )

    frames.copy_frame(table, frame, raw=Recording())

    assert statements == [
        f"INSERT INTO {TABLE} (n, label, flag, amount) VALUES (?, 'O''Brien', ?, 0), "  # noqa: S608
        "(?, 'O''Brien', ?, 0), (?, 'O''Brien', ?, 0)"
    ]
    assert stored_rows() == list(frame.iter_rows())


def test_a_frame_of_one_row_repeated_is_stored_as_many_times(db):
    # Every column constant: nothing left to bind.
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TABLE} (label text, amount bigint)")
    frame = pl.DataFrame({"label": ["'"] * 150, "amount": [-(2**63)] * 150})

    frames.copy_frame(TABLE, frame)

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT label, amount, COUNT(*) FROM {TABLE} GROUP BY label, amount")  # noqa: S608
        assert cursor.fetchall() == [("'", -(2**63), 150)]
