"""R12/R23: a text cell that a spreadsheet would run as a formula (= + - @) is refused at its
line and column; phone numbers written with + or - stay accepted."""

from salescope.core.importing.common import ImportOptions
from salescope.customers.importing import import_customers
from salescope.customers.models import Customer
from tests.ledger.world import write_csv

HEADER = ["客户编码", "客户名称", "电话"]
ROWS = [
    ["F-1", "+cmd|' /C calc'!A0", ""],
    ["F-2", "-2+3+cmd|' /C calc'!A0", ""],
    ["F-3", "@SUM(A1:A2)", ""],
    ["F-4", '=HYPERLINK("http://x")', ""],
    ["F-5", "正常客户", "+86 (21) 5555-1234"],
    ["F-6", "另一客户", "-HYPERLINK(1)"],
]


def test_formula_like_text_is_refused_and_phone_numbers_are_not(world, tmp_path):
    path = write_csv(tmp_path / "f.csv", HEADER, ROWS)

    result = import_customers(actor=world.personas["admin"], path=path, options=ImportOptions())

    refused = [(e["line"], e["column"]) for e in result.errors]
    assert refused == [
        (2, "客户名称"),
        (3, "客户名称"),
        (4, "客户名称"),
        (5, "客户名称"),
        (7, "电话"),
    ]
    assert {e["reason"] for e in result.errors} == {"formula where text is expected"}
    stored = Customer.objects.unrestricted().filter(code__startswith="F-")
    assert list(stored.values_list("code", "phone")) == [("F-5", "+86 (21) 5555-1234")]
