"""An import refusing more lines than it keeps in memory, with more keys than it keeps in
memory (issue 20: a 200 MB file's refused lines and keys held by a bound): the counts, the
per-line errors in the job's report, the command's ``--errors-file`` and ``--json`` and the
API's dry run still give every refused line, and a key repeated batches later is still
refused as a duplicate of its first line."""

import csv
import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from salescope.ledger import jobs
from salescope.ledger.importing import refused, sales_lines, sightings
from salescope.ledger.importing.sales_lines import ImportOptions, import_sales_lines
from salescope.ledger.models import SalesLine
from tests.ledger.world import write_csv

HEADER = ["单号", "行号", "日期", "客户编码", "产品编码", "数量", "金额"]
BATCH = 20


def _file(tmp_path):
    """100 lines: every 7th names an unknown customer; from line 42 on, every 9th repeats the
    key of a line 30 to 60 lines (one to three batches) before it, and lines 42 and 98 repeat
    line 2's. Returns the path and the rows."""
    rows = []
    for n in range(100):
        source = n
        if n >= 40 and n % 9 == 8:
            source = n - 30 - (n % 3) * 15
        if n in {40, 96}:
            source = 0
        customer = "C-NOPE" if n % 7 == 3 else "C-EAST-1"
        document, number = f"SO-{source // 2}", str(source % 2 + 1)
        rows.append([document, number, "2025-03-01", customer, "P-COLA", "1", "3"])
    return write_csv(tmp_path / "many.csv", HEADER, rows), rows


def _expected(rows):
    """What a row-by-row check refuses: (line, column, reason), in line order."""
    firsts, refused_lines = {}, []
    for line, row in enumerate(rows, start=2):
        key = f"{row[0]}#{row[1]}"
        if row[3] == "C-NOPE":
            refused_lines.append((line, "客户编码", "unknown customer"))
        elif key in firsts:
            refused_lines.append((line, "行号", f"duplicate of line {firsts[key]}"))
        else:
            firsts[key] = line
    return refused_lines, sorted(firsts)


@pytest.fixture
def small_bounds(monkeypatch):
    monkeypatch.setattr(sales_lines, "BATCH", BATCH)
    monkeypatch.setattr(sales_lines, "FIRST_BATCH", BATCH // 2)
    monkeypatch.setattr(refused, "KEPT", 4)
    monkeypatch.setattr(sightings, "KEPT_KEYS", 25)  # the keys past it go to the database


def _as_tuples(errors):
    return [(e["line"], e["column"], e["reason"]) for e in errors]


def test_every_refused_line_is_counted_and_reported_though_few_are_kept(
    world, tmp_path, small_bounds
):
    path, rows = _file(tmp_path)
    expected, keys = _expected(rows)
    assert len(expected) == 19  # past the 4 kept
    assert sum("duplicate" in reason for _l, _c, reason in expected) == 5
    admin = world.personas["admin"]
    result = import_sales_lines(actor=admin, path=path, options=ImportOptions())
    assert (result.accepted, result.rejected, result.created) == (
        len(keys),
        len(expected),
        len(keys),
    )
    assert _as_tuples(result.errors) == expected[:4]
    assert _as_tuples(result.every_error()) == expected
    assert _as_tuples(result.as_dict(every_error=True)["errors"]) == expected
    assert sorted(SalesLine.objects.unrestricted().values_list("line_key", flat=True)) == keys
    unknown = [p for p in result.problems if p["value"] == "C-NOPE"]
    assert [(p["lines"], p["first_lines"]) for p in unknown] == [
        (sum(1 for e in expected if e[2] == "unknown customer"), [5, 12, 19, 26, 33])
    ]
    thrice = [p for p in result.problems if p["reason"] == "duplicate of line 2"]
    assert [(p["lines"], p["first_lines"]) for p in thrice] == [(2, [42, 98])]

    again = import_sales_lines(actor=admin, path=path, options=ImportOptions())
    assert (again.accepted, again.unchanged, again.created, again.updated) == (
        len(keys),
        len(keys),
        0,
        0,
    )
    assert _as_tuples(again.every_error()) == expected


def test_the_jobs_error_report_holds_every_refused_line_with_its_cells(
    world, tmp_path, small_bounds, client
):
    path, rows = _file(tmp_path)
    expected, keys = _expected(rows)
    admin = world.personas["admin"]
    upload = jobs.store_upload(actor=admin, name="many.csv", chunks=[Path(path).read_bytes()])
    job = jobs.enqueue_import(actor=admin, kind="sales_lines", upload=upload, options={})
    assert jobs.work(once=True) == 1
    job.refresh_from_db()
    assert (job.status, job.result["accepted"], job.result["rejected"]) == (
        "done",
        len(keys),
        len(expected),
    )
    assert _as_tuples(job.result["errors"]) == expected[:4]
    client.force_login(admin)
    page = client.get(f"/ledger/imports/{job.pk}/")
    assert [e["line"] for e in page.context["errors"]] == [line for line, _c, _r in expected[:4]]
    report = client.get(f"/ledger/imports/{job.pk}/errors.csv")
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][3:] == HEADER
    assert [(int(r[0]), r[1], r[2]) for r in lines[1:]] == expected
    assert [r[3:] for r in lines[1:]] == [rows[line - 2] for line, _c, _r in expected]


def test_the_command_and_the_api_dry_run_give_every_refused_line(
    world, tmp_path, small_bounds, api_client
):
    path, rows = _file(tmp_path)
    expected, _keys = _expected(rows)
    report = tmp_path / "errors.csv"
    out = StringIO()
    call_command("import", "sales-lines", path, "--json", "--errors-file", str(report), stdout=out)
    data = json.loads(out.getvalue())
    assert data["rejected"] == len(expected)
    assert _as_tuples(data["errors"]) == expected
    written = list(csv.reader(report.read_text(encoding="utf-8-sig").splitlines()))
    assert [(int(r[0]), r[1], r[2]) for r in written[1:]] == expected

    admin = api_client(world.personas["admin"])
    with open(path, "rb") as handle:
        dry = admin.post("/api/v1/imports/sales-lines", {"file": handle, "dry_run": "true"})
    assert dry.status_code == 200, dry.content
    # (In the persona's language.)
    assert [(e["line"], e["column"]) for e in dry.json()["errors"]] == [
        (line, column) for line, column, _reason in expected
    ]
