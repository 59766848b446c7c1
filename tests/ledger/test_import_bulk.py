"""A bulk load (a large file into a ledger under half its size) drops the ledger's secondary
indexes for the load and rebuilds them before commit: afterwards the ledger has exactly the
indexes it had, the lines and rollups are what an ordinary import stores, and a failed load
leaves the indexes as they were. The size rule is lowered here so a few lines make a "bulk"
load."""

import pytest
from django.db import connection

from salescope.ledger.importing import merge, sales_lines
from salescope.ledger.importing.merge import LineWriter
from salescope.ledger.importing.sales_lines import ImportOptions, import_sales_lines
from salescope.ledger.models import PersonRollup, RegionRollup, SalesLine, SalesRollup
from tests.ledger.test_import_sales_lines import BAD, GOOD, HEADER, stored
from tests.ledger.test_rollup_delta import expected_rollups, stored_rollups
from tests.ledger.world import write_csv


def ledger_indexes() -> dict[str, tuple]:
    """The ledger's indexes and constraints as the database describes them."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, SalesLine._meta.db_table)
    return {
        name: (tuple(c["columns"]), c["unique"], c["primary_key"], c["index"])
        for name, c in found.items()
        if c["index"] or c["unique"] or c["primary_key"]
    }


@pytest.fixture
def drops(monkeypatch):
    """Bulk loads from one line on; records the indexes each import dropped."""
    monkeypatch.setattr(merge, "BULK_MIN_ROWS", 1)
    dropped: list[list[str]] = []
    drop = LineWriter._drop_secondary_indexes

    def recording(self):  # noqa: ANN001, ANN202
        drop(self)
        dropped.append(sorted(name for name, _sql in self.deferred_indexes))

    monkeypatch.setattr(LineWriter, "_drop_secondary_indexes", recording)
    return dropped


def run(path, actor):  # noqa: ANN001, ANN201
    return import_sales_lines(actor=actor, path=path, options=ImportOptions())


def rollup_indexes() -> dict[str, dict[str, tuple]]:
    with connection.cursor() as cursor:
        return {
            model._meta.db_table: {
                name: (tuple(c["columns"]), c["unique"], c["index"])
                for name, c in connection.introspection.get_constraints(
                    cursor, model._meta.db_table
                ).items()
            }
            for model in (SalesRollup, RegionRollup, PersonRollup)
        }


def test_a_first_load_rebuilds_the_ledgers_indexes_as_they_were(world, tmp_path, drops):
    before, rollups_before = ledger_indexes(), rollup_indexes()
    secondary = {"salesline_month", "salesline_customer", "salesline_person_date"}

    result = run(write_csv(tmp_path / "f.csv", HEADER, GOOD), world.personas["admin"])

    assert len(drops) == 1
    assert secondary <= set(drops[0])  # the reports' indexes went
    # Into an empty ledger every line is new: PostgreSQL adds the key's constraint back after
    # the load (SQLite cannot drop it). The primary key always stays.
    assert ("salesline_line_key" in drops[0]) == (connection.vendor == "postgresql")
    assert not any("pkey" in name for name in drops[0])
    assert ledger_indexes() == before
    assert rollup_indexes() == rollups_before  # SQLite: written into empty rollups, indexed after
    assert (result.created, result.rejected) == (3, 0)
    assert stored() == [
        ("SO-1#1", 8500, 10000),
        ("SO-1#2", 1700, 2000),
        ("SO-2#1", 30000, 100000),
    ]
    assert stored_rollups() == expected_rollups()


def test_an_import_smaller_than_the_ledger_keeps_its_indexes(world, tmp_path, drops):
    admin = world.personas["admin"]
    run(write_csv(tmp_path / "first.csv", HEADER, GOOD), admin)  # 3 lines into an empty ledger
    revised = [["SO-1", "1", "2025-03-01", "C-EAST-1", "P-JUICE-1L", "12", "8.50", "102.00"]]

    result = run(
        write_csv(tmp_path / "next.csv", HEADER, [r + ["", "进货", ""] for r in revised]), admin
    )

    assert len(drops) == 1  # only the first load dropped anything
    assert (result.created, result.updated) == (0, 1)
    assert stored_rollups() == expected_rollups()


def test_a_bulk_load_into_a_smaller_ledger_keeps_the_keys_index(world, tmp_path, drops):
    admin = world.personas["admin"]
    run(write_csv(tmp_path / "first.csv", HEADER, GOOD[:1]), admin)  # one line, a first load
    before = ledger_indexes()

    # Three lines into a ledger of one: a bulk load, but not every line may be new.
    result = run(write_csv(tmp_path / "f.csv", HEADER, GOOD), admin)

    assert len(drops) == 2
    assert "salesline_month" in drops[1]
    assert not any("line_key" in name or "pkey" in name for name in drops[1])
    assert ledger_indexes() == before
    assert (result.created, result.unchanged) == (2, 1)
    assert stored_rollups() == expected_rollups()


def test_a_reimport_of_a_file_with_bad_lines_keeps_the_indexes(world, tmp_path, drops):
    # The file has more lines than the ledger (its bad lines never landed), but the ledger
    # already holds most of it: nothing to gain from rebuilding the indexes.
    admin = world.personas["admin"]
    path = write_csv(tmp_path / "f.csv", HEADER, GOOD + BAD[:2])
    run(path, admin)  # a first load: 3 lines land, 2 are refused

    again = run(path, admin)

    assert len(drops) == 1  # only the first load dropped anything
    assert (again.created, again.unchanged, again.rejected) == (0, 3, 2)
    assert stored_rollups() == expected_rollups()


def test_a_first_load_with_a_repeated_line_stores_it_once_under_the_rebuilt_key(
    world, tmp_path, drops
):
    before = ledger_indexes()
    rows = [*GOOD, GOOD[0]]  # line 5 repeats line 2's key

    result = run(write_csv(tmp_path / "f.csv", HEADER, rows), world.personas["admin"])

    assert (result.created, result.rejected) == (3, 1)
    assert result.errors[0]["line"] == 5
    assert ledger_indexes() == before
    assert SalesLine.objects.unrestricted().filter(line_key="SO-1#1").count() == 1
    assert stored_rollups() == expected_rollups()


def test_a_failed_bulk_load_leaves_the_indexes_and_nothing_else(
    world, tmp_path, drops, monkeypatch
):
    before = ledger_indexes()
    copy_into = LineWriter._copy_into
    batches = []

    def fail_on_second(self, *batch):  # noqa: ANN001, ANN202 - a first load's second batch
        batches.append(batch)
        if len(batches) == 2:
            raise RuntimeError("connection lost")
        copy_into(self, *batch)

    monkeypatch.setattr(sales_lines, "BATCH", 1)
    monkeypatch.setattr(LineWriter, "_copy_into", fail_on_second)
    with pytest.raises(RuntimeError, match="connection lost"):
        run(write_csv(tmp_path / "f.csv", HEADER, GOOD), world.personas["admin"])

    assert len(drops) == 1
    assert ledger_indexes() == before
    assert SalesLine.objects.unrestricted().count() == 0


def test_a_first_load_into_months_with_rollup_rows_adds_its_sums_to_them(world, tmp_path, drops):
    # Rollup rows with no lines behind them (as a hand edit or a repair might leave): a first
    # load's sums are then a delta on top of them, never written beside or over them.
    admin = world.personas["admin"]
    run(write_csv(tmp_path / "f.csv", HEADER, GOOD), admin)
    once = stored_rollups()
    SalesLine.objects.unrestricted().all().delete()  # the lines go, their rollup rows stay

    run(write_csv(tmp_path / "f.csv", HEADER, GOOD), admin)

    twice = {
        model: {key: tuple(2 * v for v in values) for key, values in rollup.items()}
        for model, rollup in once.items()
    }
    assert stored_rollups() == twice


def test_a_first_load_whose_every_line_is_refused_lists_them_and_stores_nothing(
    world, tmp_path, drops
):
    # Nothing new to sum: no rollup is written, on PostgreSQL no "IN ()" is sent (a syntax
    # error there, and the refused lines were never listed).
    result = run(write_csv(tmp_path / "f.csv", HEADER, BAD[:4]), world.personas["admin"])

    assert (result.created, result.rejected) == (0, 4)
    assert SalesLine.objects.unrestricted().count() == 0
    assert stored_rollups() == {model: {} for model in stored_rollups()}
