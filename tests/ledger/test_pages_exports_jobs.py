"""Pages and exports (R23), the import through the page and the worker (R12, R13), and
API leaks (R1)."""

import csv
import datetime as dt
import io
import json
from pathlib import Path

from django.utils import timezone
from openpyxl import load_workbook

from salescope.ledger import jobs
from salescope.ledger.export import safe_cell
from salescope.ledger.models import ImportJob, SalesLine
from tests.ledger.world import write_csv

HEADER = ["单号", "行号", "日期", "客户编码", "产品编码", "数量", "金额", "渠道"]


def _import(world, tmp_path, rows):
    from salescope.ledger.importing.sales_lines import ImportOptions, import_sales_lines

    path = write_csv(tmp_path / "p.csv", HEADER, rows)
    return import_sales_lines(actor=world.personas["admin"], path=path, options=ImportOptions())


def test_spreadsheet_cells_are_neutralised():
    cells = ["=1+1", "+86", "-x", "@SUM", "-2+3", "ok", 5, "-5", "-1.50"]
    assert [safe_cell(v) for v in cells] == [
        "'=1+1",
        "'+86",
        "'-x",
        "'@SUM",
        "'-2+3",
        "ok",
        5,
        "-5",  # a plain number is no formula
        "-1.50",
    ]


def test_summary_page_shows_hostile_names_as_text_and_exports_are_safe(
    world, tmp_path, login_client
):
    world.east_dealer.name = '=HYPERLINK("http://x")<script>alert(1)</script>'
    world.east_dealer.save()
    _import(world, tmp_path, [["S", "1", "2025-03-01", "C-EAST-1", "P-COLA", "1", "3", "{{7*7}}"]])
    client = login_client(world.personas["admin"])
    query = "group_by=customer&group_by=channel&from=2025-03-01&to=2025-03-31"
    page = client.get(f"/ledger/sales/?{query}").content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page
    assert "{{7*7}}" in page  # shown, not evaluated
    body = client.get(f"/ledger/sales/export.csv?{query}").content.decode("utf-8-sig")
    first = next(r for r in csv.reader(io.StringIO(body)) if r and r[0].startswith("'="))
    assert first[0] == '\'=HYPERLINK("http://x")<script>alert(1)</script>'
    book = load_workbook(io.BytesIO(client.get(f"/ledger/sales/export.xlsx?{query}").content))
    assert book.active["A2"].value.startswith("'=")


def test_salesperson_summary_page_has_no_margin_and_only_own_lines(world, tmp_path, login_client):
    _import(
        world,
        tmp_path,
        [
            ["S", "1", "2025-03-01", "C-EAST-1", "P-COLA", "1", "3.00", "商超"],
            ["S", "2", "2025-03-01", "C-SOUTH-1", "P-COLA", "1", "5.00", "商超"],
        ],
    )
    client = login_client(world.personas["salesperson"])
    page = client.get(
        "/ledger/sales/?group_by=month&from=2025-03-01&to=2025-03-31"
    ).content.decode()
    assert "毛利" not in page
    assert "Gross profit" not in page
    api = client.get("/api/v1/sales/summary?group_by=month&date_from=2025-03-01&date_to=2025-03-31")
    assert api.json() == [{"month": "2025-03", "amount": "3.00", "quantity": "1", "lines": 1}]


def test_pages_render_for_each_persona(world, login_client, personas):
    urls = [
        "/customers/",
        f"/customers/{world.east_dealer.pk}/",
        "/customers/data-quality/",
        "/ledger/dealer-health/",
        "/customers/handover/",
        "/ledger/sales/",
        "/ledger/lines/",
        "/ledger/receivables/",
        "/ledger/cross-territory/",
        "/ledger/orders/",
        "/ledger/imports/",
        "/catalog/products/",
        f"/catalog/products/{world.cola.pk}/?quantity=3",
    ]
    for persona in ("admin", "regional_manager", "finance"):
        client = login_client(personas[persona])
        assert {u: client.get(u).status_code for u in urls} == dict.fromkeys(urls, 200)
    hidden = login_client(personas["other_region_salesperson"]).get(
        f"/customers/{world.east_dealer.pk}/"
    )
    assert hidden.status_code == 404


def test_page_import_previews_then_runs_in_the_worker(world, tmp_path, login_client):
    client = login_client(world.personas["admin"])
    path = write_csv(
        tmp_path / "u.csv",
        HEADER,
        [
            ["U", "1", "2025-03-01", "C-EAST-1", "P-COLA", "2", "6", "商超"],
            ["U", "2", "2025-03-01", "C-NOPE", "P-COLA", "2", "6", "商超"],
        ],
        encoding="gbk",
    )
    with open(path, "rb") as handle:
        mapped = client.post("/ledger/imports/", {"file": handle})
    assert mapped.status_code == 200
    assert "gb18030" in mapped.content.decode()
    stored = mapped.context["stored"]
    form = {
        "stored": stored,
        "filename": "u.csv",
        "step": "preview",
        **{
            f"map-{i}": f
            for i, f in enumerate(
                [
                    "document",
                    "line_no",
                    "date",
                    "customer_code",
                    "product_sku",
                    "quantity",
                    "amount",
                    "channel",
                ]
            )
        },
    }
    preview = client.post("/ledger/imports/run/", form)
    assert preview.context["result"].accepted == 1
    assert SalesLine.objects.unrestricted().count() == 0
    queued = client.post(
        "/ledger/imports/confirm/",
        {"stored": stored, "filename": "u.csv", "mapping": preview.context["mapping_json"]},
    )
    job = ImportJob.objects.unrestricted().get()
    assert queued.url.endswith(f"/ledger/imports/{job.pk}/")
    assert jobs.work(once=True) == 1
    job.refresh_from_db()
    assert (job.status, job.result["accepted"], job.result["rejected"]) == ("done", 1, 1)
    assert SalesLine.objects.unrestricted().count() == 1
    report = client.get(f"/ledger/imports/{job.pk}/errors.csv")
    lines = b"".join(report.streaming_content).decode("utf-8-sig").splitlines()
    # In the worker's language; the refused line's own cells follow under the file's headers,
    # so it can be fixed and imported again.
    assert lines[0] == "行号,列,原因," + ",".join(HEADER)
    assert lines[1].startswith("3,客户编码,")
    assert lines[1].endswith(",U,2,2025-03-01,C-NOPE,P-COLA,2,6,商超")


def _died_running(job, worker_id):
    """The job's task as a worker left it when it was killed: RUNNING, claimed by a worker
    whose lock file is still there but no longer held."""
    from django.conf import settings
    from django_tasks_db.models import DBTaskResult

    task = DBTaskResult.objects.get()
    task.claim(worker_id)
    lock = Path(settings.VAR_DIR) / "workers" / f"{worker_id}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.touch()
    ImportJob.objects.unrestricted().filter(pk=job.pk).update(status="running", attempts=1)
    return task


def test_a_job_whose_worker_died_is_rerun_with_the_same_final_state(world, tmp_path):
    path = write_csv(
        tmp_path / "k.csv",
        HEADER,
        [["K", "1", "2025-03-01", "C-EAST-1", "P-COLA", "2", "6", "商超"]],
    )
    admin = world.personas["admin"]
    upload = jobs.store_upload(actor=admin, name="k.csv", chunks=[Path(path).read_bytes()])
    job = jobs.enqueue_import(actor=admin, kind="sales_lines", upload=upload, options={})
    task = _died_running(job, "killed-worker")
    assert jobs.work(once=True) == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result["created"]) == ("done", 2, 1)
    assert SalesLine.objects.unrestricted().count() == 1
    task.refresh_from_db()
    assert (task.status, task.worker_ids[0]) == ("SUCCESSFUL", "killed-worker")
    assert jobs.work(once=True) == 0  # nothing left to run, nothing imported twice


def test_a_job_cut_short_too_often_fails_with_nothing_stored(world, tmp_path):
    path = write_csv(
        tmp_path / "k.csv",
        HEADER,
        [["K", "1", "2025-03-01", "C-EAST-1", "P-COLA", "2", "6", "商超"]],
    )
    admin = world.personas["admin"]
    upload = jobs.store_upload(actor=admin, name="k.csv", chunks=[Path(path).read_bytes()])
    job = jobs.enqueue_import(actor=admin, kind="sales_lines", upload=upload, options={})
    _died_running(job, "killed-again")
    ImportJob.objects.unrestricted().filter(pk=job.pk).update(attempts=jobs.MAX_ATTEMPTS)
    assert jobs.work(once=True) == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", jobs.MAX_ATTEMPTS)
    assert SalesLine.objects.unrestricted().count() == 0


def test_import_api_dry_run_and_job_visibility(world, tmp_path, api_client):
    path = write_csv(
        tmp_path / "a.csv",
        HEADER,
        [["A", "1", "2025-03-01", "C-EAST-1", "P-COLA", "2", "6", "商超"]],
    )
    admin = api_client(world.personas["admin"])
    with open(path, "rb") as handle:
        dry = admin.post("/api/v1/imports/sales-lines", {"file": handle, "dry_run": "true"})
    assert dry.status_code == 200
    assert dry.json()["accepted"] == 1
    with open(path, "rb") as handle:
        queued = admin.post(
            "/api/v1/imports/sales-lines", {"file": handle, "mapping": json.dumps({})}
        )
    assert queued.status_code == 202
    job_id = queued.json()["id"]
    other = api_client(world.personas["other_region_salesperson"])
    assert (
        other.get(f"/api/v1/imports/{job_id}").json() == other.get("/api/v1/imports/99999").json()
    )


def test_ledger_detail_routes_hide_other_peoples_records(world, api_client):
    from salescope.ledger import services

    inv = services.issue_invoice(
        actor=world.personas["finance"],
        customer=world.east_dealer,
        number="I-1",
        issue_date=dt.date(2025, 1, 1),
        amount="1.00",
    )
    order = services.create_order(
        actor=world.personas["salesperson"],
        customer=world.east_dealer,
        number="O-1",
        date=dt.date(2025, 1, 1),
        lines=[{"product": world.cola, "quantity": 1}],
    )
    client = api_client(world.personas["other_region_salesperson"])
    for url, missing in (
        (f"/api/v1/invoices/{inv.pk}", "/api/v1/invoices/999999"),
        (f"/api/v1/orders/{order.pk}", "/api/v1/orders/999999"),
    ):
        hidden, absent = client.get(url), client.get(missing)
        assert (hidden.status_code, hidden.json()) == (absent.status_code, absent.json())
        assert hidden.status_code == 404
    confirm = client.post(
        f"/api/v1/orders/{order.pk}/confirm", {"version": 1}, content_type="application/json"
    )
    assert confirm.status_code == 404
    order.refresh_from_db()
    assert order.status == "draft"


def test_cross_territory_list_and_availability_answer(world, tmp_path, api_client):
    from salescope.catalog.models import IncomingSupply, StockLevel, Warehouse

    warehouse = Warehouse.objects.create(code="W1", name="上海仓")
    StockLevel.objects.create(warehouse=warehouse, product=world.cola, on_hand=100, reserved=20)
    today = timezone.localdate()
    IncomingSupply.objects.create(
        warehouse=warehouse,
        product=world.cola,
        kind="purchase",
        quantity=50,
        expected_date=today + dt.timedelta(days=10),
    )
    client = api_client(world.personas["salesperson"])
    url = f"/api/v1/products/{world.cola.pk}/availability"
    assert client.get(f"{url}?quantity=80").json()["date"] == today.isoformat()
    assert (
        client.get(f"{url}?quantity=120").json()["date"]
        == (today + dt.timedelta(days=10)).isoformat()
    )
    late = client.get(f"{url}?quantity=500").json()
    assert (late["date"], late["within_horizon"]) == (None, False)
    assert "cost" not in client.get(f"/api/v1/products/{world.cola.pk}").json()


def test_a_column_set_to_ignore_in_the_page_is_ignored_and_one_field_takes_one_column(
    world, tmp_path, login_client
):
    client = login_client(world.personas["admin"])
    rows = [["V", "1", "2025-03-01", "C-EAST-1", "P-COLA", "2", "=SUM(A1)", "12.00", "商超"]]
    path = write_csv(tmp_path / "v.csv", [*HEADER[:6], "单价", "金额", "渠道"], rows)
    with open(path, "rb") as handle:
        stored = client.post("/ledger/imports/", {"file": handle}).context["stored"]
    fields = ["document", "line_no", "date", "customer_code", "product_sku", "quantity"]
    form = {"stored": stored, "filename": "v.csv", "step": "preview", "map-7": "amount"}
    form |= {f"map-{i}": f for i, f in enumerate(fields)}
    # 单价 would be guessed as the unit price (and refused: a formula); the person chose
    # "(ignore)" for it, so the line goes in.
    preview = client.post("/ledger/imports/run/", form | {"map-6": "", "map-8": "channel"})
    result = preview.context["result"]
    assert "unit_price" not in result.mapping.values()
    assert (result.accepted, result.errors) == (1, [])
    # Two columns mapped to one field: refused, naming the field; nothing is queued.
    twice = client.post("/ledger/imports/run/", form | {"map-6": "channel", "map-8": "channel"})
    assert twice.status_code == 302
    assert not ImportJob.objects.unrestricted().exists()
    shown = client.get(twice.url)
    assert "channel" in shown.content.decode()
