"""Targets out to XLSX and back, through the page, the API and the CLI (A3, R12, R23)."""

import io
import json

from django.core.management import call_command
from django.db.models import Sum
from openpyxl import Workbook, load_workbook

from salescope.core.models import AuditEntry
from salescope.plans import xlsx
from salescope.plans.models import Target


def _exported(client, plan):
    response = client.get(f"/plans/{plan.pk}/export.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).worksheets[0]


def _save(sheet_rows):
    book = Workbook()
    sheet = book.active
    for row in sheet_rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_an_exported_file_imports_back_unchanged(decomposed, personas, login_client, tmp_path):
    client = login_client(personas["director"])
    sheet = _exported(client, decomposed)
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:8] == [
        "metric",
        "unit",
        "person",
        "category",
        "customer",
        "period_start",
        "period_end",
        "target",
    ]
    assert len(rows) - 1 == Target.objects.unrestricted().filter(plan=decomposed).count()
    path = tmp_path / "targets.xlsx"
    path.write_bytes(_save(rows).getvalue())
    out = io.StringIO()
    call_command(
        "import_targets",
        str(path),
        "--plan",
        str(decomposed.pk),
        "--as",
        "liuyang",
        "--json",
        stdout=out,
    )
    body = json.loads(out.getvalue())
    assert (body["accepted"], body["rejected"], body["updated"], body["recomputed"]) == (
        len(rows) - 1,
        0,
        0,
        0,
    )


def test_leaf_values_land_parents_are_recomputed_and_bad_rows_reported(decomposed, personas):
    director = personas["director"]
    cells = (
        Target.objects.unrestricted()
        .filter(plan=decomposed, person=personas["salesperson"], grain="month")
        .order_by("period_start")
    )
    header = [
        "metric",
        "unit",
        "person",
        "category",
        "customer",
        "period_start",
        "period_end",
        "target",
        "bottom_up",
    ]
    jan, feb = cells[0], cells[1]
    rows = [
        header,
        [
            "sales_amount",
            "EAST-SH-1",
            "zhangwei",
            "",
            "",
            "2026-01-01",
            "2026-01-31",
            "30000.00",
            "28000",
        ],
        ["sales_amount", "EAST-SH-1", "zhangwei", "", "", "2026-02-01", "2026-02-28", "abc", ""],
        ["sales_amount", "EAST-SH-1", "zhangwei", "", "", "2026-13-01", "2026-02-28", "1", ""],
        ["sales_amount", "EAST-SH-1", "nobody", "", "", "2026-01-01", "2026-01-31", "1", ""],
        ["sales_amount", "EAST-SH-1", "zhangwei", "", "", "2026-03-01", "2026-03-31", "=1+1", ""],
    ]
    from salescope.plans import services

    result = services.import_targets(
        actor=director, plan=decomposed, rows=xlsx.read_rows(_save(rows))
    )
    assert (result.accepted, result.rejected, result.updated) == (1, 4, 1)
    assert [(e["line"], e["column"]) for e in result.errors] == [
        (3, "target"),
        (4, "period_start"),
        (5, "metric"),
        (6, "target"),
    ]
    jan.refresh_from_db()
    assert (jan.value, jan.bottom_up) == (3_000_000, 2_800_000)
    person = jan.parent
    person.refresh_from_db()
    assert (
        person.value
        == Target.objects.unrestricted().filter(parent=person).aggregate(s=Sum("value"))["s"]
    )
    root = decomposed.targets.get(parent=None)
    assert root.value == 12_000_000_00 + (3_000_000 - 2_083_334)
    assert feb.value == Target.objects.unrestricted().get(pk=feb.pk).value
    assert AuditEntry.objects.filter(action="plans.target.imported").count() == 1


def test_spreadsheet_text_that_looks_like_a_formula_is_neutralised():
    assert xlsx.safe('=HYPERLINK("x")') == """'=HYPERLINK("x")"""
    assert xlsx.safe("@cmd") == "'@cmd"
    assert xlsx.safe("华东") == "华东"


def test_report_target_variance_command_prints_json_rows_for_the_viewer(decomposed):
    out = io.StringIO()
    call_command(
        "report_target_variance",
        "--plan",
        str(decomposed.pk),
        "--metric",
        "sales_amount",
        "--group-by",
        "salesperson,month",
        "--as",
        "zhangwei",
        "--as-of",
        "2026-02-14",
        "--json",
        stdout=out,
    )
    rows = json.loads(out.getvalue())
    assert len(rows) == 12
    assert rows[0] == {
        "salesperson": "张伟",
        "month": "2026-01",
        "target": "20833.34",
        "actual": "0.00",
        "variance": "-20833.34",
        "attainment": "0.00",
        "pace": "20833.34",
        "pace_gap": "-20833.34",
        "projection": "0.00",
    }
    assert rows[1]["pace"] == "10416.67"  # 14 of 28 days of February
