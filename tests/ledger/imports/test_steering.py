"""Imports a user can steer (issue 19): ignore a column, a mapping naming a header that is not
in the file lists the file's headers, unknown values reported once each with their count and
first lines, ``--create-missing`` for regions, an unknown date format refused."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from salescope.core.errors import ValidationFailed
from salescope.core.importing.parse import DateParser
from salescope.ledger.importing.sales_lines import ImportOptions, import_sales_lines
from salescope.ledger.models import SalesLine
from salescope.org.models import OrgUnit
from tests.ledger.world import write_csv

HEADER = ["单号", "行号", "日期", "客户编码", "产品编码", "数量", "金额", "区域"]


def _rows(regions):
    return [
        ["R", str(i + 1), "2025-03-01", "C-EAST-1", "P-COLA", "1", "3", region]
        for i, region in enumerate(regions)
    ]


def call(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_map_with_no_field_ignores_the_column(world, tmp_path):
    path = write_csv(tmp_path / "a.csv", HEADER, _rows(["火星区"] * 3))
    admin = world.personas["admin"]
    refused = import_sales_lines(actor=admin, path=path, options=ImportOptions(dry_run=True))
    assert (refused.accepted, refused.rejected) == (0, 3)
    data = json.loads(call("import", "sales-lines", path, "--map", "区域=", "--json"))
    assert (data["accepted"], data["rejected"]) == (3, 0)
    assert "区域" not in data["mapping"]
    assert SalesLine.objects.unrestricted().count() == 3


def test_map_naming_a_header_not_in_the_file_lists_the_headers(world, tmp_path):
    path = write_csv(tmp_path / "a.csv", HEADER, _rows([""]))
    with pytest.raises(CommandError) as error:
        call("import", "sales-lines", path, "--map", "地区=region")
    message = str(error.value)
    assert "「地区」" in message
    for header in HEADER:
        assert f"「{header}」" in message
    with pytest.raises(CommandError):  # an ignored column must exist too
        call("import", "sales-lines", path, "--map", "备注=")


def test_unknown_values_are_reported_once_each_with_count_and_first_lines(world, tmp_path):
    regions = ["火星区"] * 7 + ["月球区", ""] + ["火星区"] * 2
    path = write_csv(tmp_path / "a.csv", HEADER, _rows(regions))
    result = import_sales_lines(
        actor=world.personas["admin"], path=path, options=ImportOptions(dry_run=True)
    )
    assert result.rejected == 10
    assert len(result.errors) == 10  # the per-line list stays whole
    problems = [(p["column"], p["value"], p["lines"], p["first_lines"]) for p in result.problems]
    assert problems == [
        ("区域", "火星区", 9, [2, 3, 4, 5, 6]),
        ("区域", "月球区", 1, [9]),
    ]
    out = call("import", "sales-lines", path, "--dry-run")
    assert out.count("火星区") == 1
    assert "9" in out.split("火星区")[1].splitlines()[0]


def test_the_errors_file_holds_every_refused_line(world, tmp_path):
    path = write_csv(tmp_path / "a.csv", HEADER, _rows(["火星区"] * 4))
    report = tmp_path / "errors.csv"
    call("import", "sales-lines", path, "--dry-run", "--errors-file", str(report))
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 5
    assert lines[1].startswith("2,区域,")


def test_create_missing_creates_regions_under_the_company(world, tmp_path):
    path = write_csv(tmp_path / "a.csv", HEADER, _rows(["火星区", "火星区", "月球区"]))
    before = OrgUnit.objects.unrestricted().count()
    data = json.loads(call("import", "sales-lines", path, "--create-missing", "--json"))
    assert (data["accepted"], data["rejected"], data["created_regions"]) == (3, 0, 2)
    made = OrgUnit.objects.unrestricted().filter(name__in=["火星区", "月球区"])
    assert OrgUnit.objects.unrestricted().count() == before + 2
    root = OrgUnit.objects.unrestricted().filter(parent__isnull=True).order_by("path").first()
    assert {(u.kind, u.parent_id) for u in made} == {("region", root.pk)}
    lines = SalesLine.objects.unrestricted().order_by("line_no")
    assert [line.region.name for line in lines] == ["火星区", "火星区", "月球区"]
    # Again: the regions exist now; nothing more is created.
    again = json.loads(call("import", "sales-lines", path, "--create-missing", "--json"))
    assert (again["unchanged"], again["created_regions"]) == (3, 0)


def test_a_manager_may_not_create_regions_and_the_lines_stay_refused(world, tmp_path):
    path = write_csv(tmp_path / "a.csv", HEADER, _rows(["火星区"]))
    result = import_sales_lines(
        actor=world.personas["team_lead"],
        path=path,
        options=ImportOptions(create_missing=True),
    )
    assert (result.accepted, result.rejected, result.created_regions) == (0, 1, 0)
    assert not OrgUnit.objects.unrestricted().filter(name="火星区").exists()


@pytest.mark.parametrize("fmt", ["ymd-ish", "yyyy-mm-dd", "%m/%Y", "DMY "])
def test_an_unknown_date_format_is_an_error(world, tmp_path, fmt):
    path = write_csv(tmp_path / "a.csv", HEADER, _rows([""]))
    if fmt.strip().lower() == "dmy":
        DateParser(fmt)  # named formats are case-insensitive
        return
    with pytest.raises(ValidationFailed) as error:
        import_sales_lines(
            actor=world.personas["admin"], path=path, options=ImportOptions(date_format=fmt)
        )
    assert "date_format" in error.value.fields
    with pytest.raises(CommandError):
        call("import", "sales-lines", path, "--date-format", fmt)


def test_known_date_formats_are_accepted():
    for fmt in ("auto", "mdy", "dmy", "%d/%m/%Y", "%Y年%m月%d日"):
        DateParser(fmt)


DISCOUNT_HEADER = ["单号", "行号", "日期", "客户编码", "产品编码", "数量", "金额", "折扣"]


def _discount_import(world, tmp_path, discounts):
    rows = [
        ["D", str(i + 1), "2025-03-01", "C-EAST-1", "P-COLA", "1", "80", d]
        for i, d in enumerate(discounts)
    ]
    path = write_csv(tmp_path / "d.csv", DISCOUNT_HEADER, rows)
    result = import_sales_lines(actor=world.personas["admin"], path=path, options=ImportOptions())
    fen = dict(SalesLine.objects.unrestricted().values_list("line_no", "discount_fen"))
    return result, fen


def test_a_rate_in_the_discount_column_is_read_as_a_rate_never_as_an_amount(world, tmp_path):
    # 80 after a 20% discount: the discount was 20 (100 × 0.2), not 0.20.
    result, fen = _discount_import(world, tmp_path, ["0.2", "0", "", "0.5"])
    assert result.discount_as_rate is True
    assert (result.accepted, result.rejected) == (4, 0)
    assert fen == {1: 2000, 2: 0, 3: 0, 4: 8000}


def test_percent_cells_are_rates_and_a_rate_of_one_or_more_is_refused(world, tmp_path):
    result, fen = _discount_import(world, tmp_path, ["20%", "1.5", "0.2"])
    assert result.discount_as_rate is True
    assert fen == {1: 2000, 3: 2000}
    assert [(e["line"], e["column"]) for e in result.errors] == [(3, "折扣")]


def test_a_column_of_amounts_stays_amounts(world, tmp_path):
    result, fen = _discount_import(world, tmp_path, ["0.5", "12.30", "3"])
    assert result.discount_as_rate is False
    assert fen == {1: 50, 2: 1230, 3: 300}


def test_a_run_whose_lines_are_all_refused_leaves_no_master_data_behind(world, tmp_path):
    from salescope.catalog.models import Product
    from salescope.customers.models import Customer

    header = ["单号", "行号", "日期", "客户编码", "客户名称", "产品编码", "产品名称", "数量"]
    header += ["金额"]
    rows = [
        # new customer and product, but the amount is bad: refused after they were created
        ["Z", "1", "2025-03-01", "NEW-C1", "新客户", "NEW-P1", "新产品", "1", "abc"],
        ["Z", "2", "2025-03-01", "NEW-C2", "新客户2", "NEW-P2", "新产品2", "-1", "3"],
        # one good line keeps its own new customer and product
        ["Z", "3", "2025-03-01", "NEW-C3", "新客户3", "NEW-P3", "新产品3", "1", "3"],
    ]
    path = write_csv(tmp_path / "z.csv", header, rows)
    customers = Customer.objects.unrestricted().count()
    products = Product.objects.unrestricted().count()
    result = import_sales_lines(
        actor=world.personas["admin"], path=path, options=ImportOptions(create_missing=True)
    )
    assert (result.accepted, result.rejected) == (1, 2)
    assert (result.created_customers, result.created_products) == (1, 1)
    assert set(
        Customer.objects.unrestricted()
        .filter(code__startswith="NEW-")
        .values_list("code", flat=True)
    ) == {"NEW-C3"}
    assert set(
        Product.objects.unrestricted().filter(sku__startswith="NEW-").values_list("sku", flat=True)
    ) == {"NEW-P3"}
    # All refused: nothing of the run stays.
    path = write_csv(tmp_path / "y.csv", header, rows[:2])
    result = import_sales_lines(
        actor=world.personas["admin"], path=path, options=ImportOptions(create_missing=True)
    )
    assert (result.accepted, result.created_customers, result.created_products) == (0, 0, 0)
    assert Customer.objects.unrestricted().count() == customers + 1
    assert Product.objects.unrestricted().count() == products + 1


def test_create_missing_makes_one_customer_per_code_and_finds_it_again(world, tmp_path):
    from salescope.customers.models import Customer

    header = ["单号", "行号", "日期", "客户编码", "客户名称", "产品编码", "数量", "金额"]
    rows = [
        ["W", str(i), "2025-03-01", "NEW-W", "新客户W", "P-COLA", "1", "3"] for i in range(1, 5)
    ] + [["W", "9", "2025-03-01", "", "只有名字", "P-COLA", "1", "3"]] * 1
    path = write_csv(tmp_path / "w.csv", header, rows)
    result = import_sales_lines(
        actor=world.personas["admin"], path=path, options=ImportOptions(create_missing=True)
    )
    assert (result.accepted, result.created_customers) == (5, 2)
    made = Customer.objects.unrestricted().get(code="NEW-W")
    from salescope.customers.models import normalize_name

    assert made.name_normalized == normalize_name("新客户W")
    named = Customer.objects.unrestricted().get(name="只有名字")
    assert named.code.startswith("AUTO-")
    again = import_sales_lines(
        actor=world.personas["admin"], path=path, options=ImportOptions(create_missing=True)
    )
    assert (again.unchanged, again.created_customers) == (5, 0)


def test_the_page_lists_each_problem_once_and_offers_to_create_regions(
    world, tmp_path, login_client
):
    client = login_client(world.personas["admin"])
    path = write_csv(tmp_path / "p.csv", HEADER, _rows(["火星区"] * 5))
    with open(path, "rb") as handle:
        mapped = client.post("/ledger/imports/", {"file": handle})
    assert 'name="create_missing"' in mapped.content.decode()
    form = {"stored": mapped.context["stored"], "step": "preview"}
    form |= {
        f"map-{i}": f
        for i, f in enumerate(
            ["document", "line_no", "date", "customer_code", "product_sku", "quantity", "amount"]
            + ["region"]
        )
    }
    preview = client.post("/ledger/imports/run/", form)
    page = preview.content.decode()
    assert 'data-testid="import-problems"' in page
    assert page.count("火星区") == 1
    assert preview.context["problems"][0]["lines"] == 5
    created = client.post("/ledger/imports/run/", form | {"create_missing": "1"})
    assert created.context["result"].accepted == 5
    assert created.context["result"].created_regions == 1
    assert not OrgUnit.objects.unrestricted().filter(name="火星区").exists()  # a dry run
