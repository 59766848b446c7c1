"""Imports move the rollups by the difference they make; the rollups — the report's three and
the explorer's product, brand, customer and yearly pair rollups — must always equal a full
re-aggregation of the lines, whatever sequence of new, changed, moved and repeated lines."""

import csv
from collections import defaultdict

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescope.core.db import for_one_query
from salescope.ledger import rollups
from salescope.ledger.importing import merge, sales_lines
from salescope.ledger.importing.sales_lines import ImportOptions, import_sales_lines
from salescope.ledger.models import (
    BrandRollup,
    CustomerRollup,
    PairRollup,
    PersonRollup,
    ProductRollup,
    RegionRollup,
    SalesLine,
    SalesRollup,
)
from tests.ledger.world import write_csv

BATCH = sales_lines.BATCH
BULK_MIN_ROWS = merge.BULK_MIN_ROWS
HEADER = ["单号", "行号", "日期", "客户编码", "产品编码", "数量", "金额", "业务员", "类型"]
DATES = ["2024-12-31", "2025-01-15", "2025-01-31", "2025-02-01", "2025-03-10"]
CUSTOMERS = ["C-EAST-1", "C-EAST-2", "C-SOUTH-1"]
PRODUCTS = ["P-JUICE-1L", "P-COLA", "P-CHIPS"]
PEOPLE = ["", "zhangwei", "chenjing"]
KINDS = ["进货", "流向"]
CHANNELS = ["", "商超", "电商"]

line = st.tuples(
    st.integers(1, 6),  # the line number within one document: few keys, so lines get revised
    st.sampled_from(DATES),
    st.sampled_from(CUSTOMERS),
    st.sampled_from(PRODUCTS),
    st.integers(0, 50),
    st.integers(0, 100_000),  # fen
    st.sampled_from(PEOPLE),
    st.sampled_from(KINDS),
    st.sampled_from(CHANNELS),  # a correction may move a line to another channel
)
# A file holds each line key once (a repeated key in one file is a reported duplicate).
files = st.lists(st.lists(line, max_size=8, unique_by=lambda row: row[0]), min_size=1, max_size=4)


# Each rollup's keys, as ``SalesLine`` fields.
GRAINS = {
    SalesRollup: ("month", "kind", "salesperson_id", "region_id", "category_id"),
    RegionRollup: ("month", "kind", "region_id", "category_id"),
    PersonRollup: ("month", "kind", "salesperson_id", "region_id"),
    ProductRollup: ("month", "kind", "region_id", "category_id", "brand_id", "product_id"),
    BrandRollup: ("month", "kind", "region_id", "category_id", "brand_id"),
    CustomerRollup: ("month", "kind", "salesperson_id", "region_id", "customer_id", "channel"),
    PairRollup: ("year", "kind", "salesperson_id", "product_id", "customer_id"),
}
MEASURES = ("amount_fen", "quantity_milli", "cost_fen", "gross_profit_fen")


def expected_rollups():
    """Every rollup recomputed in Python from the lines as stored: {model: {keys: sums}}."""
    sums: dict = {model: defaultdict(lambda: [0, 0, 0, 0, 0]) for model in GRAINS}
    fields = sorted({f for keys in GRAINS.values() for f in keys} - {"year"})
    for row in SalesLine.objects.unrestricted().values(*fields, *MEASURES):
        row["year"] = row["month"].replace(month=1)  # the pair rollup's period
        for model, keys in GRAINS.items():
            bucket = sums[model][tuple(row[k] for k in keys)]
            for i, value in enumerate([*(row[m] for m in MEASURES), 1]):
                bucket[i] += value
    return {model: {k: tuple(v) for k, v in d.items()} for model, d in sums.items()}


def stored_rollups():
    return {
        model: {
            tuple(row[: len(keys)]): tuple(row[len(keys) :])
            for row in model.objects.unrestricted().values_list(*keys, *MEASURES, "lines")
        }
        for model, keys in GRAINS.items()
    }


def import_each(world, tmp_path, files, check, *, batch=None, bulk=False):
    """Import ``files`` (of the ``files`` strategy) one after the other into the ledger as it
    is, each refusing no line, and ``check(result)`` after each; the writer takes ``batch``
    lines at a time, and with ``bulk`` any file is a bulk load."""
    old_batch, old_bulk = sales_lines.BATCH, merge.BULK_MIN_ROWS
    sales_lines.BATCH = batch or old_batch
    merge.BULK_MIN_ROWS = 1 if bulk else old_bulk
    try:
        for number, lines in enumerate(files):
            rows = [
                [
                    *("SO-1", no, date, customer, product, qty, f"{fen / 100:.2f}"),
                    *(person, kind, channel),
                ]
                for no, date, customer, product, qty, fen, person, kind, channel in lines
            ]
            path = write_csv(tmp_path / f"day-{number}.csv", [*HEADER, "渠道"], rows)
            result = import_sales_lines(
                actor=world.personas["admin"], path=path, options=ImportOptions()
            )
            assert result.rejected == 0, result.errors
            check(result)
    finally:
        sales_lines.BATCH, merge.BULK_MIN_ROWS = old_batch, old_bulk


def import_all(world, tmp_path, files):
    SalesLine.objects.unrestricted().all().delete()
    for model in GRAINS:
        model.objects.unrestricted().all().delete()
    before = ledger_state()

    def check(result) -> None:  # noqa: ANN001
        nonlocal before
        assert stored_rollups() == expected_rollups()
        # The months reported are those whose figures changed: where a line came, left or
        # changed, in its old month and its new one.
        after = ledger_state()
        changed = {
            state[0].strftime("%Y-%m")
            for key in before.keys() | after.keys()
            if before.get(key) != after.get(key)
            for state in (before.get(key), after.get(key))
            if state is not None
        }
        assert result.months == sorted(changed)
        before = after

    import_each(world, tmp_path, files, check)


def ledger_state() -> dict[str, tuple]:
    fields = [f.attname for f in SalesLine._meta.concrete_fields if f.attname != "id"]
    return {
        row[1]: (row[0], *row[1:])
        for row in SalesLine.objects.unrestricted().values_list("month", *fields)
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(files=files, batch=st.sampled_from([2, 3, 20_000]), bulk=st.booleans())
def test_rollups_equal_a_full_reaggregation_after_any_imports(world, tmp_path, files, batch, bulk):
    # Small batches: a file's lines reach the ledger writer in several batches. ``bulk``: a
    # file larger than the ledger is loaded with its secondary indexes dropped and rebuilt.
    sales_lines.BATCH = batch
    merge.BULK_MIN_ROWS = 1 if bulk else BULK_MIN_ROWS
    try:
        import_all(world, tmp_path, files)
    finally:
        sales_lines.BATCH = BATCH
        merge.BULK_MIN_ROWS = BULK_MIN_ROWS
    # And a rebuild from scratch changes nothing.
    rollups.rebuild_all()
    assert stored_rollups() == expected_rollups()


def test_a_line_moved_to_another_month_leaves_no_empty_rollup_row(world, tmp_path):
    admin = world.personas["admin"]
    first = [["SO-9", 1, "2025-01-10", "C-EAST-1", "P-COLA", 2, "6.00", "", "进货"]]
    moved = [["SO-9", 1, "2025-02-10", "C-EAST-1", "P-COLA", 2, "6.00", "", "进货"]]
    import_sales_lines(
        actor=admin, path=write_csv(tmp_path / "a.csv", HEADER, first), options=ImportOptions()
    )
    result = import_sales_lines(
        actor=admin, path=write_csv(tmp_path / "b.csv", HEADER, moved), options=ImportOptions()
    )
    assert (result.created, result.updated) == (0, 1)
    assert result.months == ["2025-01", "2025-02"]
    months = sorted(
        str(m)[:7] for m in SalesRollup.objects.unrestricted().values_list("month", flat=True)
    )
    assert months == ["2025-02"]
    assert stored_rollups() == expected_rollups()


def test_a_bulk_load_reports_and_reaggregates_exactly_the_months_it_changes(
    world, tmp_path, monkeypatch
):
    # A bulk load re-aggregates its months at the end instead of moving the rollups by a
    # delta; a line it moves still leaves its old month, and a line it repeats unchanged
    # changes no month.
    admin = world.personas["admin"]
    held = [
        ["SO-1", 1, "2025-01-10", "C-EAST-1", "P-COLA", 2, "6.00", "", "进货"],
        ["SO-1", 2, "2025-02-10", "C-EAST-2", "P-CHIPS", 1, "3.00", "", "进货"],
    ]
    import_sales_lines(
        actor=admin, path=write_csv(tmp_path / "a.csv", HEADER, held), options=ImportOptions()
    )
    monkeypatch.setattr(merge, "BULK_MIN_ROWS", 3)
    monkeypatch.setattr(sales_lines, "BATCH", 2)
    rebuilt = []
    rebuild = rollups.rebuild_months
    monkeypatch.setattr(
        rollups, "rebuild_months", lambda months: rebuilt.append(months) or rebuild(months)
    )
    load = [  # five lines into a ledger of two: a bulk load
        held[1],  # unchanged: February is not touched by it
        ["SO-1", 1, "2025-03-05", "C-EAST-1", "P-COLA", 2, "6.00", "", "进货"],  # Jan → Mar
        ["SO-1", 3, "2025-04-01", "C-SOUTH-1", "P-JUICE-1L", 5, "20.00", "", "进货"],
        ["SO-1", 4, "2025-04-02", "C-SOUTH-1", "P-COLA", 1, "3.00", "", "流向"],
        ["SO-1", 5, "2025-04-03", "C-SOUTH-1", "P-CHIPS", 2, "3.00", "", "进货"],
    ]
    result = import_sales_lines(
        actor=admin, path=write_csv(tmp_path / "b.csv", HEADER, load), options=ImportOptions()
    )
    assert len(rebuilt) == 1  # the bulk path's re-aggregation, once
    assert (result.created, result.updated, result.unchanged) == (3, 1, 1)
    assert result.months == ["2025-01", "2025-03", "2025-04"]
    assert stored_rollups() == expected_rollups()
    months = sorted(
        {str(m)[:7] for m in SalesRollup.objects.unrestricted().values_list("month", flat=True)}
    )
    assert months == ["2025-02", "2025-03", "2025-04"]


def test_a_file_whose_keys_all_sort_after_the_ledgers_is_not_probed_line_by_line(
    world, tmp_path, monkeypatch
):
    # Documents numbered upward: a batch whose keys all sort after the ledger's last key
    # (before the import) is new without probing the key's index line by line; any other
    # batch is probed. Either way the same lines land, counted the same, and the rollups
    # follow, also when one import sums some batches in polars and others in SQL.
    admin = world.personas["admin"]
    monkeypatch.setattr(sales_lines, "BATCH", 2)
    monkeypatch.setattr(merge, "SUMS_FOLDED_EVERY", 2)  # the sums of new lines folded, too
    probed = []
    probe = merge.LineWriter._probe
    monkeypatch.setattr(
        merge.LineWriter, "_probe", lambda self, batch: probed.append(batch) or probe(self, batch)
    )

    def day(name, rows):
        # Every cell quoted: read by the csv module, in batches of exactly two lines.
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
            writer.writerows([HEADER, *rows])
        probed.clear()
        return import_sales_lines(actor=admin, path=path, options=ImportOptions())

    def line(document, amount, date="2025-01-10"):
        return [document, 1, date, "C-EAST-1", "P-COLA", 2, amount, "", "进货"]

    first = day("1.csv", [line("SO-2", "2.00"), line("SO-3", "3.00")])
    assert (first.created, probed) == (2, [])  # an empty ledger: every line is new
    # Batches in descending order, all after "SO-3#1": each is checked against the ledger as
    # it was before the import, not against the batches just written.
    later = day("2.csv", [line(f"SO-{n}", f"{n}.00") for n in (9, 8, 6, 5, 4)])
    assert (later.created, probed) == (5, [])
    mixed = day(
        "3.csv",
        [
            line("SO-1", "1.00"),  # new, below the ledger's last key "SO-9#1": probed
            line("SO-3", "30.00", "2025-02-03"),  # changed, and moved to February
            line("SO-9", "9.00"),  # unchanged, and equal to the last key: probed
            line("SO-91", "91.00"),  # new
            line("SO-5", "5.00"),  # unchanged: a batch straddling the last key is probed
            line("SO-95", "95.00"),  # new
            line("SO-97", "97.00", "2025-03-01"),  # a batch all after the last key:
            line("SO-98", "98.00"),  # not probed, summed in polars
        ],
    )
    assert len(probed) == 3
    assert (mixed.created, mixed.updated, mixed.unchanged) == (5, 1, 2)
    assert mixed.months == ["2025-01", "2025-02", "2025-03"]
    amounts = {1: 1, 2: 2, 3: 30, 4: 4, 5: 5, 6: 6, 8: 8, 9: 9, 91: 91, 95: 95, 97: 97, 98: 98}
    assert stored() == sorted((f"SO-{n}#1", fen * 100) for n, fen in amounts.items())
    assert stored_rollups() == expected_rollups()


def stored():
    return sorted(SalesLine.objects.unrestricted().values_list("line_key", "amount_fen"))


def test_the_explorer_moves_probe_the_rollups_index_also_when_the_rollup_is_small(world):
    # PostgreSQL moves each explorer rollup in one MERGE (a period with no rows yet: one
    # INSERT). Planned over a rollup without statistics (a first load's), a scan of the whole
    # table for each key would read again every row the MERGE had inserted so far: at 10M
    # lines the pair rollup's first load ran for minutes instead of seconds. The rows are
    # found through the rollup's (period, key) index, however few it holds.
    if connection.vendor != "postgresql":
        pytest.skip("SQLite stages the moves (rollups._stage_moves)")
    names = ", ".join((*rollups.DELTA_KEYS, *rollups._MEASURE_LIST))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE test_delta AS SELECT month, kind, salesperson_id, region_id, "
            "category_id, brand_id, product_id, customer_id, channel, amount_fen, "
            "quantity_milli, cost_fen, gross_profit_fen, 1::bigint AS lines "
            "FROM ledger_salesline WHERE false"
        )
        cursor.execute(
            f"INSERT INTO test_delta ({names}) VALUES "  # noqa: S608 - our own column names
            "('2025-01-01', 'sell_in', NULL, NULL, NULL, NULL, 1, 1, '', 100, 1000, 60, 40, 1)"
        )
        for model, names_of in (*rollups._MONTHLY_EXPLORER, rollups._PAIRS):
            assert not model.objects.unrestricted().exists()
            rollups._move_explorer("test_delta", ((model, names_of),))  # new: inserted
            with CaptureQueriesContext(connection) as queries:
                rollups._move_explorer("test_delta", ((model, names_of),))  # moved
            (merge_sql,) = [q["sql"] for q in queries if q["sql"].startswith("MERGE")]
            with for_one_query(**rollups.MERGE_PLAN):
                cursor.execute("EXPLAIN " + merge_sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            assert f"Seq Scan on {model._meta.db_table}" not in plan, plan
            rows = list(model.objects.unrestricted().values_list("amount_fen", "lines"))
            assert rows == [(200, 2)]
        cursor.execute("DROP TABLE test_delta")
