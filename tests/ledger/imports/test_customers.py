"""Customer import: bad rows reported, good rows land, re-import changes nothing (R12)."""

import pytest
from openpyxl import Workbook

from salescope.core.errors import PermissionDenied, ValidationFailed
from salescope.core.importing.common import ImportOptions
from salescope.core.models import AuditEntry
from salescope.customers.importing import import_customers
from salescope.customers.models import Contact, Customer
from tests.ledger.world import write_csv

HEADER = ["客户编码", "客户名称", "客户类型", "负责人", "等级", "上级客户编码", "电话", "税号",
          "信用额度", "账期", "联系人", "邮箱"]  # fmt: skip
GOOD = [
    [
        "K-1",
        "杭州大华超市有限公司",
        "大客户",
        "zhangwei",
        "A",
        "",
        "0571-1234567",
        "913301X",
        "50000",
        "45",
        "王经理",
        "wang@example.com",
    ],  # noqa: E501
    ["K-2", "杭州大华超市滨江店", "终端", "张伟", "B级", "K-1", "", "", "", "", "", ""],
    ["K-3", "宁波甬达经销部", "经销商", "chenjing", "", "", "", "", "8000.5", "30", "", ""],
]
BAD = [
    ["K-4", "", "终端", "", "", "", "", "", "", "", "", ""],
    ["K-5", "某客户", "零售商?", "", "", "", "", "", "", "", "", ""],
    ["K-6", "某客户", "", "nobody", "", "", "", "", "", "", "", ""],
    ["K-7", "某客户", "", "", "", "", "", "", "-100", "", "", ""],
    ["K-8", "某客户", "", "", "", "", "", "", "一万", "", "", ""],
    ["K-1", "重复", "", "", "", "", "", "", "", "", "", ""],
    ["K-9", '=HYPERLINK("http://x")', "", "", "", "", "", "", "", "", "", ""],
    ["K-10", "某客户", "", "", "", "K-NOPE", "", "", "", "", "", ""],
    ["K-11", "某客户", "", "", "", "", "", "", "", "7.5", "", ""],
    ["K-12", "某客户", "", "", "", "", "", "", "=SUM(A1:A3)", "", "", ""],
]
EXPECTED_ERRORS = [
    {"line": 5, "column": "客户名称", "reason": "Customer name is missing"},
    {
        "line": 6,
        "column": "客户类型",
        "reason": "unknown kind (end customer, dealer, distributor, key account)",
    },  # noqa: E501
    {"line": 7, "column": "负责人", "reason": "unknown person"},
    {"line": 8, "column": "信用额度", "reason": "negative amount"},
    {"line": 9, "column": "信用额度", "reason": "not a number"},
    {"line": 10, "column": "客户编码", "reason": "duplicate of line 2"},
    {"line": 11, "column": "客户名称", "reason": "formula where text is expected"},
    {"line": 12, "column": "上级客户编码", "reason": "unknown parent group"},
    {"line": 13, "column": "账期", "reason": "not a whole number"},
    {"line": 14, "column": "信用额度", "reason": "formula or text where a number is expected"},
]


def run(path, actor, **options):
    return import_customers(actor=actor, path=path, options=ImportOptions(**options))


def imported():
    fields = ["code", "name", "kind", "owner__username", "tier", "parent__code", "phone",
              "tax_number", "credit_limit_fen", "payment_terms_days"]  # fmt: skip
    return sorted(
        Customer.objects.unrestricted().filter(code__startswith="K-").values_list(*fields)
    )


EXPECTED_ROWS = [
    (
        "K-1",
        "杭州大华超市有限公司",
        "key_account",
        "zhangwei",
        "A",
        None,
        "0571-1234567",
        "913301X",
        5_000_000,
        45,
    ),  # noqa: E501
    ("K-2", "杭州大华超市滨江店", "end_customer", "zhangwei", "B", "K-1", "", "", None, 30),
    ("K-3", "宁波甬达经销部", "dealer", "chenjing", "", None, "", "", 800_050, 30),
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_bad_rows_are_reported_and_good_rows_land(world, tmp_path, encoding):
    path = write_csv(tmp_path / "c.csv", HEADER, GOOD + BAD, encoding=encoding)
    result = run(path, world.personas["admin"])
    assert result.errors == EXPECTED_ERRORS
    assert (result.accepted, result.rejected, result.created, result.updated) == (3, 10, 3, 0)
    assert imported() == EXPECTED_ROWS
    contact = Contact.objects.unrestricted().get(customer__code="K-1")
    assert (contact.name, contact.email, contact.is_primary) == ("王经理", "wang@example.com", True)


def test_xlsx_with_chinese_headers_and_formula_cells(world, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in GOOD + BAD:
        sheet.append([int(c) if c.isdigit() else c for c in row])
    path = tmp_path / "c.xlsx"
    book.save(path)
    result = run(path, world.personas["admin"])
    assert result.errors == EXPECTED_ERRORS
    assert imported() == EXPECTED_ROWS


def test_counts_equal_rows_stored_and_reimport_changes_nothing(world, tmp_path):
    path = write_csv(tmp_path / "c.csv", HEADER, GOOD + BAD)
    first = run(path, world.personas["admin"])
    before = imported()
    contacts = list(Contact.objects.unrestricted().values_list("pk", "name", "phone", "email"))
    audits = AuditEntry.objects.count()
    second = run(path, world.personas["admin"])
    assert first.accepted == first.created == len(before) == 3
    assert (second.created, second.updated, second.unchanged, second.rejected) == (0, 0, 3, 10)
    assert imported() == before
    assert (
        list(Contact.objects.unrestricted().values_list("pk", "name", "phone", "email")) == contacts
    )
    assert AuditEntry.objects.count() == audits + 1  # one entry per import, none per row
    entry = AuditEntry.objects.latest("pk")
    assert (entry.action, entry.source) == ("ledger.customers.imported", "import")


def test_changed_credit_limit_is_an_update_and_blank_cells_keep_values(world, tmp_path):
    run(write_csv(tmp_path / "a.csv", HEADER, GOOD), world.personas["admin"])
    version = Customer.objects.unrestricted().get(code="K-1").version
    changed = [row[:] for row in GOOD]
    changed[0][8] = "60000.00"
    changed[0][6] = ""  # blank phone: keep the stored one
    result = run(write_csv(tmp_path / "b.csv", HEADER, changed), world.personas["admin"])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    k1 = Customer.objects.unrestricted().get(code="K-1")
    assert (k1.credit_limit_fen, k1.phone, k1.version) == (6_000_000, "0571-1234567", version + 1)
    entry = AuditEntry.objects.latest("pk")
    assert entry.changes["updated_fields"] == {"K-1": {"credit_limit_fen": [5_000_000, 6_000_000]}}


def test_existing_customer_is_updated_by_code(world, tmp_path):
    rows = [["C-EAST-2", "浦东便利店（新）", "终端", "", "", "C-EAST-1", "", "", "", "", "", ""]]
    result = run(write_csv(tmp_path / "u.csv", HEADER, rows), world.personas["admin"])
    assert (result.created, result.updated) == (0, 1)
    shop = Customer.objects.unrestricted().get(code="C-EAST-2")
    assert (shop.name, shop.name_normalized, shop.parent_id) == (
        "浦东便利店（新）",
        "浦东便利店新",
        world.east_dealer.pk,
    )


def test_parent_loop_in_the_file_is_rejected(world, tmp_path):
    rows = [
        ["K-20", "甲", "", "", "", "K-21", "", "", "", "", "", ""],
        ["K-21", "乙", "", "", "", "K-20", "", "", "", "", "", ""],
        ["K-22", "丙", "", "", "", "K-20", "", "", "", "", "", ""],
    ]
    result = run(write_csv(tmp_path / "l.csv", HEADER, rows), world.personas["admin"])
    assert [(e["line"], e["reason"]) for e in result.errors] == [
        (2, "parent groups form a loop"),
        (3, "parent groups form a loop"),
        (4, "parent groups form a loop"),  # its chain runs into the loop
    ]
    assert result.accepted == 0
    assert imported() == []


def test_missing_required_column_names_the_field(world, tmp_path):
    path = write_csv(tmp_path / "m.csv", ["客户名称", "电话"], [["某客户", "1"]])
    with pytest.raises(ValidationFailed) as caught:
        run(path, world.personas["admin"])
    assert set(caught.value.fields) == {"code"}
    assert "code" in caught.value.detail
    assert imported() == []


def test_dry_run_stores_nothing_and_writes_no_audit(world, tmp_path):
    audits = AuditEntry.objects.count()
    result = run(write_csv(tmp_path / "d.csv", HEADER, GOOD), world.personas["admin"], dry_run=True)
    assert (result.accepted, result.created) == (3, 3)
    assert imported() == []
    assert AuditEntry.objects.count() == audits


def test_salesperson_may_not_import(world, tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, GOOD)
    with pytest.raises(PermissionDenied):
        run(path, world.personas["salesperson"])
    assert imported() == []


def test_manager_may_not_import_credit_limits(world, tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, GOOD)
    with pytest.raises(PermissionDenied) as caught:
        run(path, world.personas["team_lead"])
    assert set(caught.value.fields) == {"credit_limit", "payment_terms_days"}
    assert "_fen" not in caught.value.detail
    assert imported() == []


def test_manager_cannot_change_customers_outside_their_team(world, tmp_path):
    header = ["客户编码", "客户名称"]
    rows = [["C-SOUTH-1", "改名"], ["K-30", "新客户"]]
    result = run(write_csv(tmp_path / "v.csv", header, rows), world.personas["team_lead"])
    assert result.errors == [
        {"line": 2, "column": "客户编码", "reason": "you may not change this customer"}
    ]
    assert Customer.objects.unrestricted().get(code="C-SOUTH-1").name == "广州粤华贸易"
    assert Customer.objects.unrestricted().get(code="K-30").owner == world.personas["team_lead"]
