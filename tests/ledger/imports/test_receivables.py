"""Invoice and collection imports keep the receivables consistent (F3, R12): allocations tie
to invoice balances, re-importing allocates nothing twice, corrections cannot break the tie."""

import datetime as dt

import pytest
from django.db.models import Sum
from openpyxl import Workbook

from salescope.core.errors import PermissionDenied
from salescope.core.importing.common import ImportOptions
from salescope.core.models import AuditEntry
from salescope.ledger.choices import OrderStatus
from salescope.ledger.importing.collections import import_collections
from salescope.ledger.importing.invoices import import_invoices
from salescope.ledger.models import Allocation, Collection, Invoice, Order
from tests.ledger.world import write_csv

INV_HEADER = ["发票号", "客户编码", "开票日期", "到期日", "金额", "业务员", "订单号"]
INV_GOOD = [
    ["INV-1", "C-EAST-1", "2025-01-10", "2025-02-10", "1000.00", "", ""],
    ["INV-2", "C-EAST-1", "2025/2/1", "", "500", "", ""],
    ["INV-3", "C-SOUTH-1", "3/1/2025", "2025-03-31", "2000", "chenjing", "SO-9"],
]
INV_BAD = [
    ["INV-4", "C-NOPE", "2025-03-01", "", "10", "", ""],
    ["INV-5", "C-EAST-1", "2025-13-01", "", "10", "", ""],
    ["INV-6", "C-EAST-1", "2025-03-01", "2025-02-01", "10", "", ""],
    ["INV-7", "C-EAST-1", "2025-03-01", "", "-5", "", ""],
    ["INV-8", "C-EAST-1", "2025-03-01", "", "0", "", ""],
    ["INV-1", "C-EAST-1", "2025-03-01", "", "10", "", ""],
    ["INV-9", "C-EAST-1", "2025-03-01", "", "abc", "", ""],
    ["INV-10", "C-EAST-1", "2025-03-01", "", "10", "", "SO-9"],
]
COL_HEADER = ["回款单号", "客户编码", "回款日期", "回款金额", "核销发票"]
COL_ROWS = [
    ["R-1", "C-EAST-1", "2025-02-15", "1200", "INV-2；INV-1"],
    ["R-2", "C-SOUTH-1", "2025-03-20", "500", ""],
    ["R-3", "C-EAST-1", "2025-03-01", "100", "INV-3"],
    ["R-4", "C-EAST-1", "2025-03-01", "100", "INV-NOPE"],
    ["R-5", "C-EAST-1", "2025-03-01", "400", "INV-1"],
    ["R-6", "C-EAST-1", "2025-03-01", "-1", ""],
]


@pytest.fixture
def order(world):
    return Order.objects.create(
        number="SO-9",
        customer=world.south_dealer,
        owner=world.personas["other_region_salesperson"],
        date=dt.date(2025, 2, 20),
        status=OrderStatus.CONFIRMED,
        amount_fen=200_000,
    )


def invoices(path, actor, **options):
    return import_invoices(actor=actor, path=path, options=ImportOptions(**options))


def collections(path, actor, **options):
    return import_collections(actor=actor, path=path, options=ImportOptions(**options))


def ledger_state():
    return (
        sorted(
            Invoice.objects.unrestricted().values_list(
                "number", "amount_fen", "paid_fen", "status", "due_date"
            )
        ),
        sorted(
            Collection.objects.unrestricted().values_list("number", "amount_fen", "allocated_fen")
        ),
        sorted(
            Allocation.objects.unrestricted().values_list(
                "collection__number", "invoice__number", "amount_fen"
            )
        ),
    )


def assert_tied():
    """Every invoice's paid amount is its allocations; every collection's allocated amount is
    its allocations; the open balance is invoiced minus allocated."""
    for invoice in Invoice.objects.unrestricted().all():
        allocated = invoice.allocations.aggregate(v=Sum("amount_fen"))["v"] or 0
        assert invoice.paid_fen == allocated <= invoice.amount_fen
        assert invoice.status == ("paid" if invoice.paid_fen == invoice.amount_fen else "open")
    for collection in Collection.objects.unrestricted().all():
        allocated = collection.allocations.aggregate(v=Sum("amount_fen"))["v"] or 0
        assert collection.allocated_fen == allocated <= collection.amount_fen
    invoiced = Invoice.objects.unrestricted().aggregate(v=Sum("amount_fen"))["v"] or 0
    paid = Allocation.objects.unrestricted().aggregate(v=Sum("amount_fen"))["v"] or 0
    open_balance = sum(i.balance_fen for i in Invoice.objects.unrestricted().filter(status="open"))
    assert open_balance == invoiced - paid


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_invoices_land_and_bad_rows_are_reported(world, order, tmp_path, encoding):
    path = write_csv(tmp_path / "i.csv", INV_HEADER, INV_GOOD + INV_BAD, encoding)
    result = invoices(path, world.personas["finance"])
    assert result.errors == [
        {"line": 5, "column": "客户编码", "reason": "unknown customer"},
        {"line": 6, "column": "开票日期", "reason": "not a calendar date"},
        {"line": 7, "column": "到期日", "reason": "due date before the issue date"},
        {"line": 8, "column": "金额", "reason": "negative amount"},
        {"line": 9, "column": "金额", "reason": "the amount must be positive"},
        {"line": 10, "column": "发票号", "reason": "duplicate of line 2"},
        {"line": 11, "column": "金额", "reason": "not a number"},
        {"line": 12, "column": "订单号", "reason": "the order is another customer's"},
    ]
    assert (result.accepted, result.created) == (3, 3)
    stored = sorted(
        Invoice.objects.unrestricted().values_list(
            "number",
            "owner__username",
            "issue_date",
            "due_date",
            "month",
            "amount_fen",
            "order__number",
        )  # noqa: E501
    )
    assert stored == [
        (
            "INV-1",
            "zhangwei",
            dt.date(2025, 1, 10),
            dt.date(2025, 2, 10),
            dt.date(2025, 1, 1),
            100_000,
            None,
        ),  # noqa: E501
        (
            "INV-2",
            "zhangwei",
            dt.date(2025, 2, 1),
            dt.date(2025, 3, 3),
            dt.date(2025, 2, 1),
            50_000,
            None,
        ),  # noqa: E501
        (
            "INV-3",
            "chenjing",
            dt.date(2025, 3, 1),
            dt.date(2025, 3, 31),
            dt.date(2025, 3, 1),
            200_000,
            "SO-9",
        ),  # noqa: E501
    ]
    order.refresh_from_db()
    assert order.status == OrderStatus.INVOICED


def test_collections_are_allocated_and_tie_to_invoice_balances(world, order, tmp_path):
    invoices(write_csv(tmp_path / "i.csv", INV_HEADER, INV_GOOD), world.personas["finance"])
    result = collections(
        write_csv(tmp_path / "c.csv", COL_HEADER, COL_ROWS), world.personas["finance"]
    )
    assert result.errors == [
        {"line": 4, "column": "核销发票", "reason": "invoice INV-3 is another customer's"},
        {"line": 5, "column": "核销发票", "reason": "unknown invoice INV-NOPE"},
        {"line": 7, "column": "回款金额", "reason": "negative amount"},
    ]
    assert (result.accepted, result.created) == (3, 3)
    assert result.as_dict()["allocated"] == "2000.00"
    invoice_rows, collection_rows, allocation_rows = ledger_state()
    assert allocation_rows == [
        ("R-1", "INV-1", 70_000),
        ("R-1", "INV-2", 50_000),
        ("R-2", "INV-3", 50_000),  # no invoice named: the oldest open one
        ("R-5", "INV-1", 30_000),  # only what INV-1 still owed
    ]
    assert [(n, a, p, s) for n, a, p, s, _d in invoice_rows] == [
        ("INV-1", 100_000, 100_000, "paid"),
        ("INV-2", 50_000, 50_000, "paid"),
        ("INV-3", 200_000, 50_000, "open"),
    ]
    assert collection_rows == [
        ("R-1", 120_000, 120_000),
        ("R-2", 50_000, 50_000),
        ("R-5", 40_000, 30_000),
    ]
    assert_tied()


def test_reimporting_invoices_and_collections_changes_nothing(world, order, tmp_path):
    inv_path = write_csv(tmp_path / "i.csv", INV_HEADER, INV_GOOD + INV_BAD)
    col_path = write_csv(tmp_path / "c.csv", COL_HEADER, COL_ROWS)
    invoices(inv_path, world.personas["finance"])
    collections(col_path, world.personas["finance"])
    before = ledger_state()
    audits = AuditEntry.objects.count()
    again_inv = invoices(inv_path, world.personas["finance"])
    again_col = collections(col_path, world.personas["finance"])
    assert (again_inv.created, again_inv.updated, again_inv.unchanged) == (0, 0, 3)
    assert (again_col.created, again_col.updated, again_col.unchanged) == (0, 0, 3)
    assert again_col.as_dict()["allocations"] == 0
    assert ledger_state() == before
    assert AuditEntry.objects.count() == audits + 2
    assert_tied()


def test_invoice_corrections_keep_the_receivables_tied(world, order, tmp_path):
    invoices(write_csv(tmp_path / "i.csv", INV_HEADER, INV_GOOD), world.personas["finance"])
    collections(write_csv(tmp_path / "c.csv", COL_HEADER, COL_ROWS[:2]), world.personas["finance"])
    corrected = [row[:] for row in INV_GOOD]
    corrected[0][4] = "600"  # below the 700 collected by R-1
    corrected[1][4] = "600"  # paid invoice grows: open again
    corrected[2][1] = "C-EAST-1"  # INV-3 has a collection: its customer stays
    result = invoices(
        write_csv(tmp_path / "j.csv", INV_HEADER[:6], corrected), world.personas["finance"]
    )  # noqa: E501
    assert result.errors == [
        {"line": 2, "column": "金额", "reason": "less than the amount already collected"},
        {
            "line": 4,
            "column": "客户编码",
            "reason": "the invoice has collections; its customer stays",
        },  # noqa: E501
    ]
    assert (result.updated, result.unchanged) == (1, 0)
    inv2 = Invoice.objects.unrestricted().get(number="INV-2")
    assert (inv2.amount_fen, inv2.paid_fen, inv2.status, inv2.version) == (
        60_000,
        50_000,
        "open",
        2,
    )
    assert Invoice.objects.unrestricted().get(number="INV-1").amount_fen == 100_000
    assert_tied()


def test_collections_from_xlsx_with_excel_dates(world, order, tmp_path):
    invoices(write_csv(tmp_path / "i.csv", INV_HEADER, INV_GOOD), world.personas["finance"])
    book = Workbook()
    sheet = book.active
    sheet.append(["收款单号", "客户编码", "收款日期", "收款金额", "备注"])
    sheet.append(["R-10", "C-EAST-1", dt.datetime(2025, 4, 1), 300.5, "银行转账"])  # noqa: DTZ001
    sheet.append(["R-11", "C-EAST-1", 45748, "=B2*2", ""])
    path = tmp_path / "c.xlsx"
    book.save(path)
    result = collections(path, world.personas["finance"], allocate=False)
    assert result.errors == [
        {"line": 3, "column": "收款金额", "reason": "formula or text where a number is expected"}
    ]
    r10 = Collection.objects.unrestricted().get(number="R-10")
    assert (r10.date, r10.amount_fen, r10.allocated_fen, r10.note) == (
        dt.date(2025, 4, 1),
        30_050,
        0,
        "银行转账",
    )


def test_roles_without_receivable_rights_may_not_import(world, tmp_path):
    inv_path = write_csv(tmp_path / "i.csv", INV_HEADER, INV_GOOD[:2])
    col_path = write_csv(tmp_path / "c.csv", COL_HEADER, COL_ROWS[:1])
    for persona in ("salesperson", "team_lead", "marketing"):
        with pytest.raises(PermissionDenied):
            invoices(inv_path, world.personas[persona])
        with pytest.raises(PermissionDenied):
            collections(col_path, world.personas[persona])
    assert (Invoice.objects.unrestricted().count(), Collection.objects.unrestricted().count()) == (
        0,
        0,
    )


def test_a_rejected_row_reports_every_bad_cell_not_only_the_first(world, order, tmp_path):
    """Issue 20: a row with two bad cells names both, and still counts as one rejected row."""
    rows = [*INV_GOOD, ["INV-11", "C-EAST-1", "2025-13-01", "", "abc", "", ""]]
    path = write_csv(tmp_path / "i.csv", INV_HEADER, rows, "utf-8")
    result = invoices(path, world.personas["finance"])
    assert result.errors == [
        {"line": 5, "column": "开票日期", "reason": "not a calendar date"},
        {"line": 5, "column": "金额", "reason": "not a number"},
    ]
    assert (result.accepted, result.rejected) == (3, 1)
