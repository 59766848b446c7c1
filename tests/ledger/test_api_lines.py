"""The API's sales-line list (issue 20 item 9): each row says what the schema declares, read from
the columns the answer needs, and a row costs no query of its own."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from salescope.ledger.importing.sales_lines import ImportOptions, import_sales_lines
from salescope.ledger.models import SalesLine
from salescope.ledger.schemas import SalesLineOut
from tests.ledger.world import write_csv

HEADER = ["单号", "行号", "日期", "客户编码", "产品编码", "数量", "金额", "渠道"]


def _import(world, tmp_path, rows):
    path = write_csv(tmp_path / "lines.csv", HEADER, rows)
    import_sales_lines(actor=world.personas["admin"], path=path, options=ImportOptions())


def _listed(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/sales-lines?limit=100")
    assert response.status_code == 200
    return response.json(), len(queries.captured_queries)


def test_a_row_answers_every_field_as_the_full_record_would(world, tmp_path, api_client):
    _import(
        world,
        tmp_path,
        [
            ["SO-1", 1, "2025-03-01", "C-EAST-1", "P-JUICE-1L", "12.5", "106.25", "商超"],
            ["SO-1", 2, "2025-03-02", "C-EAST-2", "P-CHIPS", "3", "18", ""],
            ["SO-2", 1, "2025-03-03", "C-SOUTH-1", "P-COLA", "10", "30", "批发"],
        ],
    )
    client = api_client(world.personas["regional_manager"])

    body, _queries = _listed(client)

    keys = [row["line_key"] for row in body["items"]]
    full = {line.line_key: line for line in SalesLine.objects.unrestricted()}
    assert body["items"] == [
        SalesLineOut.model_validate(full[key]).model_dump(mode="json") for key in keys
    ]
    assert {row["customer"]["code"] for row in body["items"]} == {"C-EAST-1", "C-EAST-2"}
    chips = next(row for row in body["items"] if row["customer"]["code"] == "C-EAST-2")
    assert (chips["quantity"], chips["amount"], chips["category_id"]) == (
        "3",
        "18.00",
        world.snacks.pk,
    )


def test_a_row_costs_no_query_of_its_own(world, tmp_path, api_client):
    _import(world, tmp_path, [["SO-1", 1, "2025-03-01", "C-EAST-1", "P-COLA", "1", "3", ""]])
    client = api_client(world.personas["regional_manager"])
    _listed(client)  # the token's first use is written once
    _body, few = _listed(client)
    rows = [
        ["SO-9", n, "2025-04-01", "C-EAST-2" if n % 2 else "C-EAST-1", "P-CHIPS", "1", "6", ""]
        for n in range(1, 31)
    ]
    _import(world, tmp_path, rows)

    body, many = _listed(client)

    assert body["count"] == 31
    assert many == few
