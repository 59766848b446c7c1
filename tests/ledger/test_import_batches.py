"""The batch helpers of the sales-line import: the column-wise shortcuts must give what a
row-by-row check gives (R12: every duplicate reported against its first line), and a file
read by polars must give the rows the csv module gives, on the same lines."""

from unittest import mock

import polars as pl
import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescope.core.importing.readers import read_csv
from salescope.ledger.importing import sightings
from salescope.ledger.importing.sightings import FirstSightings

batches = st.lists(st.lists(st.sampled_from("abcdefg"), max_size=8), max_size=6)


@given(batches)
def test_duplicates_are_found_as_a_row_by_row_check_finds_them(batches):
    check_against_a_row_by_row_check(batches, FirstSightings())


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches)
def test_keys_past_the_kept_ones_are_checked_in_the_database_as_row_by_row(batches):
    # Past ``KEPT_KEYS`` the keys seen go to a table of the import's transaction (issue 20).
    with mock.patch.object(sightings, "KEPT_KEYS", 3), transaction.atomic():
        connection.ensure_connection()
        seen = FirstSightings(raw=connection.connection, expected_rows=100)
        check_against_a_row_by_row_check(batches, seen)
        seen.close()


def check_against_a_row_by_row_check(batches, seen):
    naive: dict[str, int] = {}
    line = 1
    for keys in batches:
        lines = list(range(line + 1, line + 1 + len(keys)))
        line += len(keys)
        expected_fresh, expected_duplicates = [], []
        for key, number in zip(keys, lines, strict=True):
            first = naive.setdefault(key, number)
            if first == number:
                expected_fresh.append(number)
            else:
                expected_duplicates.append((number, first))
        staged = pl.DataFrame(
            {"line_key": keys, "src_line": lines},
            schema={"line_key": pl.String, "src_line": pl.Int64},
        )
        fresh, duplicates = seen.split(staged)
        assert fresh["src_line"].to_list() == expected_fresh
        assert list(duplicates.iter_rows()) == expected_duplicates
    assert len(seen) == len(naive)


cell = st.text(alphabet="ab 1.-\u3000\t", max_size=4)
row = st.lists(cell, min_size=0, max_size=5)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(row, max_size=12),
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
    st.sampled_from([",", "\t"]),
)
def test_polars_reads_the_rows_and_lines_the_csv_module_reads(
    tmp_path_factory, rows, eol, encoding, delimiter
):
    path = tmp_path_factory.mktemp("csv") / "lines.csv"
    body = [delimiter.join(["编号", "日期", "数量", "金额"])]
    body += [delimiter.join(r) for r in rows]
    path.write_bytes(eol.join(body).encode(encoding) + eol.encode())
    table = read_csv(path)
    assert table.read_frames is not None  # no quotes: the polars path
    fast = list(table.frames(3))
    slow = list(read_csv_module_frames(path))  # the csv module's path, from a fresh table

    def as_rows(frames):
        return [r for f in frames for r in f.select("line", "c0", "c1", "c2", "c3").iter_rows()]

    assert as_rows(fast) == as_rows(slow)


def read_csv_module_frames(path):
    table = read_csv(path)
    table.read_frames = None
    return table.frames(3)
