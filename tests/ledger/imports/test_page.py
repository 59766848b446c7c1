"""The import page offers "what to import": a customer file is mapped, previewed, queued and
run by the worker like a sales-line file."""

from salescope.customers.models import Customer
from salescope.ledger import jobs
from salescope.ledger.models import ImportJob
from tests.ledger.world import write_csv


def test_page_imports_customers_through_the_worker(world, tmp_path, login_client):
    client = login_client(world.personas["admin"])
    path = write_csv(
        tmp_path / "c.csv",
        ["客户编码", "客户名称", "类型", "信用额度"],
        [["K-1", "甲公司", "经销商", "1000"], ["K-2", "乙公司", "?", ""]],
        encoding="gbk",
    )
    page = client.get("/ledger/imports/")
    assert 'name="kind"' in page.content.decode()
    with open(path, "rb") as handle:
        mapped = client.post("/ledger/imports/", {"file": handle, "kind": "customers"})
    assert mapped.status_code == 200
    assert mapped.context["mapping"] == {
        "客户编码": "code",
        "客户名称": "name",
        "类型": "kind",
        "信用额度": "credit_limit",
    }
    assert "create_missing" not in mapped.content.decode()
    form = {
        "stored": mapped.context["stored"],
        "filename": "c.csv",
        "kind": "customers",
        "step": "preview",
        **{f"map-{i}": f for i, f in enumerate(["code", "name", "kind", "credit_limit"])},
    }
    preview = client.post("/ledger/imports/run/", form)
    assert (preview.context["result"].accepted, preview.context["result"].rejected) == (1, 1)
    assert not Customer.objects.unrestricted().filter(code="K-1").exists()
    client.post(
        "/ledger/imports/confirm/",
        {
            "stored": mapped.context["stored"],
            "filename": "c.csv",
            "kind": "customers",
            "mapping": preview.context["mapping_json"],
        },
    )
    job = ImportJob.objects.unrestricted().get()
    assert job.kind == "customers"
    assert jobs.work(once=True) == 1
    job.refresh_from_db()
    assert (job.status, job.result["created"], job.result["rejected"]) == ("done", 1, 1)
    assert Customer.objects.unrestricted().get(code="K-1").credit_limit_fen == 100_000
