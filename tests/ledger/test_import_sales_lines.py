"""Sales-line import: bad rows reported, good rows land, re-import changes nothing (R12, R13)."""

import datetime as dt
import json
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from openpyxl import Workbook

from salescope.core import audit
from salescope.core.errors import ValidationFailed
from salescope.core.models import AuditEntry
from salescope.ledger.importing import sales_lines
from salescope.ledger.importing.merge import LineWriter
from salescope.ledger.importing.sales_lines import ImportOptions, import_sales_lines
from salescope.ledger.models import RegionRollup, SalesLine, SalesRollup
from tests.ledger.world import write_csv

HEADER = [
    "单号",
    "行号",
    "日期",
    "客户编码",
    "产品编码",
    "数量",
    "单价",
    "金额",
    "业务员",
    "类型",
    "城市",
]
GOOD = [
    ["SO-1", "1", "2025-03-01", "C-EAST-1", "P-JUICE-1L", "10", "8.50", "85.00", "", "进货", ""],
    ["SO-1", "2", "2025/3/2", "C-EAST-1", "P-JUICE-1L", "2", "8.50", "17.00", "", "进货", ""],
    ["SO-2", "1", "3/15/2025", "C-SOUTH-1", "P-COLA", "100", "3", "300", "chenjing", "进货", ""],
]
BAD = [
    ["SO-3", "1", "2025-02-30", "C-EAST-1", "P-COLA", "1", "3", "3", "", "进货", ""],
    ["SO-3", "2", "2025-03-03", "C-NOPE", "P-COLA", "1", "3", "3", "", "进货", ""],
    ["SO-3", "3", "2025-03-03", "C-EAST-1", "P-COLA", "-4", "3", "-12", "", "进货", ""],
    ["SO-3", "4", "2025-03-03", "C-EAST-1", "P-COLA", "三", "3", "9", "", "进货", ""],
    ["SO-1", "1", "2025-03-05", "C-EAST-1", "P-COLA", "1", "3", "3", "", "进货", ""],
    ["SO-3", "5", "2025-03-03", "C-EAST-1", "P-COLA", "1", "3", '=HYPERLINK("x")', "", "进货", ""],
    ["SO-3", "6", "2025-03-03", "C-EAST-1", "P-NOPE", "1", "3", "3", "", "进货", ""],
]


def run(path, actor, **options):
    return import_sales_lines(actor=actor, path=path, options=ImportOptions(**options))


def stored():
    return sorted(
        SalesLine.objects.unrestricted().values_list("line_key", "amount_fen", "quantity_milli")
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_bad_rows_are_reported_with_line_column_and_reason(world, tmp_path, encoding):
    path = write_csv(tmp_path / "sales.csv", HEADER, GOOD + BAD, encoding=encoding)
    result = run(path, world.personas["admin"])
    assert result.errors == [
        {"line": 5, "column": "日期", "reason": "not a calendar date"},
        {"line": 6, "column": "客户编码", "reason": "unknown customer"},
        {"line": 7, "column": "数量", "reason": "negative quantity"},
        {"line": 8, "column": "数量", "reason": "not a number"},
        {"line": 9, "column": "行号", "reason": "duplicate of line 2"},
        {"line": 10, "column": "金额", "reason": "formula or text where a number is expected"},
        {"line": 11, "column": "产品编码", "reason": "unknown product"},
    ]
    assert (result.accepted, result.rejected, result.created) == (3, 7, 3)
    assert stored() == [("SO-1#1", 8500, 10000), ("SO-1#2", 1700, 2000), ("SO-2#1", 30000, 100000)]


@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted-line-break"])
def test_error_lines_are_the_files_lines_across_blank_lines_and_quoted_line_breaks(
    world, tmp_path, quoted
):
    city = '"上海市\n浦东新区"' if quoted else "上海市"
    text = "\n".join(
        [
            ",".join(HEADER),
            ",".join(GOOD[0][:-1] + [city]),  # lines 2 (and 3 when the city holds a break)
            "",  # a blank line
            ",".join(BAD[0]),
            ",".join(GOOD[1]),
            ",".join(BAD[1]),
        ]
    )
    path = tmp_path / "sales.csv"
    path.write_text(text + "\n", encoding="utf-8")
    result = run(path, world.personas["admin"])
    shift = 1 if quoted else 0
    assert [(e["line"], e["column"]) for e in result.errors] == [
        (4 + shift, "日期"),
        (6 + shift, "客户编码"),
    ]
    assert (result.accepted, result.rejected) == (2, 2)


def test_counts_reported_equal_rows_stored_and_reimport_changes_nothing(world, tmp_path):
    path = write_csv(tmp_path / "sales.csv", HEADER, GOOD + BAD)
    first = run(path, world.personas["admin"])
    before = stored()
    audits = AuditEntry.objects.count()
    second = run(path, world.personas["admin"])
    assert first.accepted == len(before) == SalesLine.objects.unrestricted().count()
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert stored() == before
    assert AuditEntry.objects.count() == audits + 1  # the re-import itself is on record


def test_changed_line_is_updated_and_its_old_and_new_months_are_rebuilt(world, tmp_path):
    run(write_csv(tmp_path / "a.csv", HEADER, GOOD), world.personas["admin"])
    moved = [row[:] for row in GOOD]
    moved[0][2], moved[0][7] = "2025-04-01", "90.00"
    result = run(write_csv(tmp_path / "b.csv", HEADER, moved), world.personas["admin"])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert result.months == ["2025-03", "2025-04"]
    by_month: dict[dt.date, int] = {}
    for month, fen in RegionRollup.objects.unrestricted().values_list("month", "amount_fen"):
        by_month[month] = by_month.get(month, 0) + fen
    assert by_month == {dt.date(2025, 3, 1): 1700 + 30000, dt.date(2025, 4, 1): 9000}


def test_lines_sharing_a_document_and_product_stay_separate(world, tmp_path):
    rows = [
        ["SO-9", "1", "2025-03-01", "C-EAST-1", "P-COLA", "1", "3", "3", "", "", ""],
        ["SO-9", "2", "2025-03-01", "C-EAST-1", "P-COLA", "1", "3", "3", "", "", ""],
    ]
    result = run(write_csv(tmp_path / "s.csv", HEADER, rows), world.personas["admin"])
    assert result.created == 2
    assert SalesLine.objects.unrestricted().filter(document="SO-9").count() == 2


def test_amounts_with_more_decimals_are_rounded_half_up_and_counted(world, tmp_path):
    rows = [
        ["R-1", "1", "2025-03-01", "C-EAST-1", "P-COLA", "1", "3", "2.345", "", "", ""],
        ["R-1", "2", "2025-03-01", "C-EAST-1", "P-COLA", "1", "3", "2.355", "", "", ""],
        ["R-1", "3", "2025-03-01", "C-EAST-1", "P-COLA", "1", "3", "2.35", "", "", ""],
    ]
    result = run(write_csv(tmp_path / "r.csv", HEADER, rows), world.personas["admin"])
    assert result.rounded == 2
    assert [a for _k, a, _q in stored()] == [235, 236, 235]


def test_missing_required_columns_refuse_the_file_and_store_nothing(world, tmp_path):
    path = write_csv(tmp_path / "m.csv", ["单号", "行号", "客户编码"], [["A", "1", "C-EAST-1"]])
    with pytest.raises(ValidationFailed) as caught:
        run(path, world.personas["admin"])
    assert set(caught.value.fields) == {"date", "product_sku", "quantity", "amount"}
    assert SalesLine.objects.unrestricted().count() == 0


def test_explicit_map_wins_over_guessed_headers(world, tmp_path):
    header = ["No", "When", "Cust", "Item", "Units", "Money"]
    rows = [["X-1", "2025-05-06", "C-EAST-2", "P-CHIPS", "2", "12"]]
    mapping = {
        "No": "line_id",
        "When": "date",
        "Cust": "customer_code",
        "Item": "product_sku",
        "Units": "quantity",
        "Money": "amount",
    }
    result = run(
        write_csv(tmp_path / "e.csv", header, rows), world.personas["admin"], mapping=mapping
    )
    assert (result.accepted, result.rejected) == (1, 0)
    line = SalesLine.objects.unrestricted().get()
    assert (line.line_key, line.unit_price_fen, line.cost_fen, line.gross_profit_fen) == (
        "X-1",
        600,
        700,
        500,
    )


def test_dry_run_stores_nothing_but_reports_what_would_land(world, tmp_path):
    path = write_csv(tmp_path / "d.csv", HEADER, GOOD + BAD)
    result = run(path, world.personas["admin"], dry_run=True)
    assert (result.accepted, result.rejected, result.created) == (3, 7, 3)
    assert SalesLine.objects.unrestricted().count() == 0
    assert SalesRollup.objects.unrestricted().count() == 0


def test_create_missing_creates_unknown_customers_and_products(world, tmp_path):
    header = [*HEADER, "客户名称", "品牌", "品类"]
    rows = [
        [
            "N-1",
            "1",
            "2025-03-01",
            "C-NEW",
            "P-NEW",
            "1",
            "5",
            "5",
            "",
            "",
            "",
            "新客户",
            "新品牌",
            "坚果",
        ]
    ]
    result = run(
        write_csv(tmp_path / "n.csv", header, rows), world.personas["admin"], create_missing=True
    )
    assert (result.created_customers, result.created_products, result.accepted) == (1, 1, 1)
    line = (
        SalesLine.objects.unrestricted()
        .select_related("customer", "product__brand", "category")
        .get()
    )
    assert (line.customer.name, line.product.brand.name, line.category.name) == (
        "新客户",
        "新品牌",
        "坚果",
    )


def test_xlsx_with_excel_dates_imports_like_csv(world, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(
        [
            "SO-1",
            1,
            dt.datetime(2025, 3, 1),  # noqa: DTZ001 - Excel cells have no zone
            "C-EAST-1",
            "P-JUICE-1L",
            10,
            8.5,
            85,
            None,
            "进货",
            None,
        ]
    )
    sheet.append(["SO-1", 2, 45718, "C-EAST-1", "P-JUICE-1L", 2, 8.5, 17, None, "进货", None])
    path = tmp_path / "s.xlsx"
    book.save(path)
    result = run(path, world.personas["admin"])
    assert (result.accepted, result.rejected) == (2, 0)
    assert sorted(SalesLine.objects.unrestricted().values_list("date", flat=True)) == [
        dt.date(2025, 3, 1),
        dt.date(2025, 3, 2),
    ]


def test_xlsx_date_cells_are_read_whatever_the_date_format_given(world, tmp_path):
    # A date cell is a date: a format given for the file's text dates does not refuse it.
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    march = dt.datetime(2025, 3, 1)  # noqa: DTZ001 - Excel cells have no zone
    sheet.append(["SO-1", 1, march, "C-EAST-1", "P-JUICE-1L", 10, 8.5, 85, None, "进货", None])
    sheet.append(["SO-1", 2, "02/03/2025", "C-EAST-1", "P-JUICE-1L", 2, 8.5, 17, None, "进货"])
    path = tmp_path / "s.xlsx"
    book.save(path)
    result = run(path, world.personas["admin"], date_format="%d/%m/%Y")
    assert (result.accepted, result.rejected) == (2, 0)
    assert sorted(SalesLine.objects.unrestricted().values_list("date", flat=True)) == [
        dt.date(2025, 3, 1),
        dt.date(2025, 3, 2),
    ]


def test_a_derived_figure_too_large_refuses_the_row_instead_of_being_capped(world, tmp_path):
    # No unit price: it is worked out as amount ÷ quantity, here 2 × 10^15 fen.
    rows = [["SO-9", "1", "2025-03-01", "C-EAST-1", "P-COLA", "0.001", "", "20000000000.00"]]
    result = run(write_csv(tmp_path / "big.csv", HEADER[:8], rows), world.personas["admin"])
    assert result.errors == [{"line": 2, "column": "单价", "reason": "number too large"}]
    assert SalesLine.objects.unrestricted().count() == 0


def test_sell_through_outside_the_dealers_area_is_flagged(world, tmp_path):
    rows = [
        ["T-1", "1", "2025-03-01", "C-SOUTH-1", "P-COLA", "1", "3", "3", "", "流向", "广州市"],
        ["T-1", "2", "2025-03-01", "C-SOUTH-1", "P-COLA", "1", "3", "3", "", "流向", "长沙市"],
        ["T-1", "3", "2025-03-01", "C-EAST-1", "P-COLA", "1", "3", "3", "", "流向", "浦东新区"],
        ["T-1", "4", "2025-03-01", "C-EAST-1", "P-COLA", "1", "3", "3", "", "流向", "杭州市"],
    ]
    run(write_csv(tmp_path / "t.csv", HEADER, rows), world.personas["admin"])
    flagged = (
        SalesLine.objects.unrestricted()
        .filter(cross_territory=True)
        .values_list("line_key", flat=True)
    )
    assert sorted(flagged) == ["T-1#2", "T-1#4"]


def test_a_failure_midway_leaves_nothing_written(world, tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    # The last step, after the lines and the rollups have been written.
    monkeypatch.setattr(audit, "record", boom)
    audits = AuditEntry.objects.count()
    with pytest.raises(RuntimeError):
        run(write_csv(tmp_path / "f.csv", HEADER, GOOD), world.personas["admin"])
    assert SalesLine.objects.unrestricted().count() == 0
    assert not SalesRollup.objects.unrestricted().exists()
    assert not RegionRollup.objects.unrestricted().exists()
    assert AuditEntry.objects.count() == audits


@pytest.mark.parametrize("create_missing", [False, True], ids=["writer-thread", "inline"])
def test_a_failure_in_the_ledger_writer_reaches_the_caller_and_leaves_nothing(
    world, tmp_path, monkeypatch, create_missing
):
    merge = LineWriter._merge
    batches = []

    def fail_on_second(self, *batch):
        batches.append(batch)
        if len(batches) == 2:
            raise RuntimeError("connection lost")
        merge(self, *batch)

    monkeypatch.setattr(sales_lines, "BATCH", 1)  # one line per batch
    monkeypatch.setattr(LineWriter, "_merge", fail_on_second)
    with pytest.raises(RuntimeError, match="connection lost"):
        run(
            write_csv(tmp_path / "f.csv", HEADER, GOOD),
            world.personas["admin"],
            create_missing=create_missing,
        )
    assert SalesLine.objects.unrestricted().count() == 0
    assert not SalesRollup.objects.unrestricted().exists()
    # The writer stopped at the failure: the batches after it were not merged.
    assert len(batches) == 2


def test_cli_json_prints_the_documented_object(world, tmp_path):
    path = write_csv(tmp_path / "c.csv", HEADER, GOOD + BAD[:1])
    out = StringIO()
    call_command("import", "sales-lines", path, "--map", "金额=amount", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert {
        k: data[k] for k in ("accepted", "rejected", "created", "updated", "unchanged", "rounded")
    } == {
        "accepted": 3,
        "rejected": 1,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rounded": 0,
    }
    assert data["errors"] == [{"line": 5, "column": "日期", "reason": "not a calendar date"}]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_imports_make_no_duplicates(personas, tmp_path):
    from tests.ledger.world import build_world

    world = build_world(personas)
    path = write_csv(tmp_path / "c.csv", HEADER, GOOD)
    errors = []

    def worker():
        try:
            run(path, world.personas["admin"])
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert SalesLine.objects.unrestricted().count() == 3
    assert sum(SalesRollup.objects.unrestricted().values_list("lines", flat=True)) == 3
