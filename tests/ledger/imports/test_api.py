"""The API offers the master-data imports with the sales-line contract: a dry run answers at
once with the counts, a real run is a background job, a role without the right gets 403."""

import json

from salescope.customers.models import Customer
from salescope.ledger.models import ImportJob
from tests.ledger.world import write_csv

HEADER = ["客户编码", "客户名称", "客户类型", "信用额度"]
URL = "/api/v1/imports/master-data/"
ROWS = [
    ["C-API-1", "杭州联华超市", "经销商", "50000"],
    ["C-API-2", "宁波便利店", "终端", "abc"],
]


def test_customer_import_dry_run_then_job(world, tmp_path, api_client):
    path = write_csv(tmp_path / "customers.csv", HEADER, ROWS)
    admin = api_client(world.personas["admin"])
    with open(path, "rb") as handle:
        dry = admin.post(f"{URL}customers", {"file": handle, "dry_run": "true"})
    assert dry.status_code == 200, dry.content
    body = dry.json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert body["errors"][0]["line"] == 3
    assert body["errors"][0]["column"] == "信用额度"
    assert not Customer.objects.unrestricted().filter(code__startswith="C-API-").exists()
    with open(path, "rb") as handle:
        queued = admin.post(f"{URL}customers", {"file": handle, "mapping": json.dumps({})})
    assert queued.status_code == 202
    assert ImportJob.objects.unrestricted().get(pk=queued.json()["id"]).kind == "customers"


def test_unknown_kind_and_bad_mapping_are_refused(world, tmp_path, api_client):
    path = write_csv(tmp_path / "customers.csv", HEADER, ROWS)
    admin = api_client(world.personas["admin"])
    with open(path, "rb") as handle:
        unknown = admin.post(f"{URL}employees", {"file": handle, "dry_run": "true"})
    assert unknown.status_code == 422
    with open(path, "rb") as handle:
        bad = admin.post(f"{URL}customers", {"file": handle, "mapping": "[1]"})
    assert bad.status_code == 422
    assert "mapping" in bad.json()["fields"]


def test_a_salesperson_may_not_import_invoices(world, tmp_path, api_client):
    path = write_csv(tmp_path / "inv.csv", ["发票号", "客户编码", "日期", "金额"], [])
    client = api_client(world.personas["salesperson"])
    with open(path, "rb") as handle:
        denied = client.post(f"{URL}invoices", {"file": handle, "dry_run": "true"})
    assert denied.status_code == 403
