"""The stock and incoming-supply import pages queue background jobs (issue 18): the page
follows the job, then shows the counts, each refused cell by line and the error report; the
check-only run stores nothing; the job is its importer's alone."""

import io

import pytest

from salescope.catalog.models import IncomingSupply, Product, StockLevel, Warehouse
from salescope.ledger import jobs
from salescope.ledger.models import ImportJob, ImportUpload
from tests.visibility.test_leak_matrix import _body

STOCK = "仓库,产品编码,在库\nWH-SH,P-JUICE,8\nWH-SH,P-NONE,1\n"
SUPPLY = "单号,仓库,产品编码,类型,数量,预计到货,状态\nPO-1,WH-SH,P-JUICE,采购,90,2026-12-28,\n"


@pytest.fixture
def places(db):
    Warehouse.objects.create(code="WH-SH", name="上海仓")
    Product.objects.create(sku="P-JUICE", name="橙汁")


def _post(client, url, text, **fields):
    upload = io.BytesIO(text.encode("gbk"))
    upload.name = "库存.csv"
    return client.post(url, {"file": upload, **fields})


def test_the_stock_page_queues_a_job_and_shows_each_bad_cell_when_done(
    personas, places, login_client
):
    client = login_client(personas["director"])
    queued = _post(client, "/catalog/stock/import/", STOCK)
    job = ImportJob.objects.unrestricted().get()
    assert (queued.status_code, queued["Location"]) == (302, f"/ledger/imports/{job.pk}/")
    assert (job.kind, job.status) == ("stock", "pending")
    assert not StockLevel.objects.unrestricted().exists()
    assert "等待" in client.get(queued["Location"]).content.decode()

    assert jobs.work(once=True) == 1
    page = client.get(queued["Location"]).content.decode()
    assert 'data-testid="catalog-tabs"' in page
    assert "新增 1 条，更新 0 条，未变 0 条，拒绝 1 行。" in page
    assert "<td>3</td><td>产品编码</td>" in page
    assert 'href="/catalog/stock/import/"' in page  # back to the upload page
    report = client.get(f"/ledger/imports/{job.pk}/errors.csv")
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[1].startswith("3,产品编码,")
    assert StockLevel.objects.unrestricted().get().on_hand == 8


def test_the_supply_page_checks_only_when_asked(personas, places, login_client):
    client = login_client(personas["director"])
    queued = _post(client, "/catalog/supply/import/", SUPPLY, dry_run="on")
    assert ImportJob.objects.unrestricted().get().kind == "supply"
    assert jobs.work(once=True) == 1
    page = client.get(queued["Location"]).content.decode()
    assert "试运行：未保存任何数据。" in page
    assert "新增 1 条" in page
    assert not IncomingSupply.objects.unrestricted().exists()


def test_people_who_may_not_write_stock_get_no_page_and_queue_nothing(
    personas, places, login_client
):
    for who in ("salesperson", "finance"):
        response = _post(login_client(personas[who]), "/catalog/stock/import/", STOCK)
        assert response.status_code == 403
    assert not ImportJob.objects.unrestricted().exists()


@pytest.mark.parametrize("who", ["admin", "finance", "regional_manager"])
def test_another_persons_stock_job_and_report_are_not_found(
    personas, places, login_client, api_client, who
):
    _post(login_client(personas["director"]), "/catalog/stock/import/", STOCK)
    jobs.work(once=True)
    job = ImportJob.objects.unrestricted().get()
    client = login_client(personas[who])
    for url in ("/ledger/imports/{}/", "/ledger/imports/{}/errors.csv"):
        hidden, absent = client.get(url.format(job.pk)), client.get(url.format(job.pk + 99))
        assert (hidden.status_code, _body(hidden)) == (404, _body(absent))
    api = api_client(personas[who])
    assert (
        api.get(f"/api/v1/imports/{job.pk}").json()
        == api.get(f"/api/v1/imports/{job.pk + 99}").json()
    )


def test_a_stock_editor_without_the_import_right_is_refused_before_the_file_is_kept(
    personas, places, login_client
):
    # 孙丽 (marketing) edits the catalogue but may not run imports (ledger.import.run), which the
    # stock import checks: refused at upload, not later in the worker.
    response = _post(login_client(personas["marketing"]), "/catalog/stock/import/", STOCK)
    assert response.status_code == 403
    assert not ImportJob.objects.unrestricted().exists()
    assert not ImportUpload.objects.unrestricted().exists()
