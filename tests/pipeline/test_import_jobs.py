"""The opportunity import page queues a background job (issue 18): the page follows the job
(progress polled), then shows the counts, the refused rows by line and the error report; a dry
run stays a dry run; the file and the job are their importer's alone."""

import csv
import io
import re

import pytest

from salescope.ledger import jobs
from salescope.ledger.models import ImportJob, ImportUpload
from salescope.pipeline.models import Opportunity
from tests.pipeline.test_import import ACCOUNT, GOLDEN_CSV
from tests.visibility.test_leak_matrix import _body


@pytest.fixture
def account(personas):
    from salescope.customers.models import Customer

    customer = Customer(code="C-LH", name=ACCOUNT, owner=personas["salesperson"])
    customer.save()
    return customer


def _queue(client, text=GOLDEN_CSV, **fields):
    upload = io.BytesIO(text.encode("gbk"))
    upload.name = "商机.csv"
    return client.post("/pipeline/import/", {"file": upload, **fields})


def test_the_page_queues_a_job_the_worker_imports_and_the_page_shows_the_result(
    personas, pipeline, account, login_client
):
    client = login_client(personas["team_lead"])
    queued = _queue(client)
    job = ImportJob.objects.unrestricted().get()
    assert queued.status_code == 302
    assert queued["Location"] == f"/ledger/imports/{job.pk}/"
    assert (job.kind, job.status, job.created_by) == (
        "opportunities",
        "pending",
        personas["team_lead"],
    )
    assert Opportunity.objects.unrestricted().count() == 0  # nothing in the request
    waiting = client.get(queued["Location"]).content.decode()
    assert "等待" in waiting
    assert f'hx-get="/ledger/imports/{job.pk}/"' in waiting  # the page polls the job

    assert jobs.work(once=True) == 1
    done = client.get(queued["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" not in done  # finished: the polling stops
    assert "新增 3 条，更新 0 条，未变 0 条，拒绝 5 行。" in done
    assert "<td>9</td><td>外部编号</td>" in done
    assert 'data-testid="import-findings"' in done
    assert f'href="/ledger/imports/{job.pk}/errors.csv"' in done
    assert Opportunity.objects.unrestricted().count() == 3

    report = client.get(f"/ledger/imports/{job.pk}/errors.csv")
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["行号", "列", "原因"]
    assert [row[:2] for row in rows[1:]] == [
        ["5", "金额"],
        ["6", "阶段"],
        ["7", "负责人"],
        ["8", "外部编号"],
        ["9", "外部编号"],
    ]
    assert rows[5][3:5] == ["CRM-1", "重复"]  # the refused line's own cells, to fix and re-import


def test_a_dry_run_job_stores_nothing_and_says_so(personas, pipeline, account, login_client):
    client = login_client(personas["team_lead"])
    queued = _queue(client, dry_run="on")
    assert jobs.work(once=True) == 1
    page = client.get(queued["Location"]).content.decode()
    assert "试运行：未保存任何数据。" in page
    assert "新增 3 条" in page
    assert Opportunity.objects.unrestricted().count() == 0


def test_a_bad_file_is_refused_at_the_field_and_nothing_is_queued(personas, login_client):
    client = login_client(personas["team_lead"])
    upload = io.BytesIO(b"x")
    upload.name = "deals.pdf"
    response = client.post("/pipeline/import/", {"file": upload})
    assert response.status_code == 422
    assert 'data-testid="field-error"' in response.content.decode()
    assert not ImportJob.objects.unrestricted().exists()
    assert not ImportUpload.objects.unrestricted().exists()


def test_the_file_is_bound_to_its_importer_and_job_by_a_server_id(
    personas, pipeline, account, login_client
):
    _queue(login_client(personas["team_lead"]), mapping="", stored="../../etc/passwd")
    job = ImportJob.objects.unrestricted().get()
    upload = ImportUpload.objects.unrestricted().get()
    assert (upload.owner, upload.job) == (personas["team_lead"], job)
    assert re.fullmatch(r"upload-[0-9a-f]{32}\.csv", job.stored_path.rsplit("/", 1)[-1])
    assert job.stored_path == upload.stored_path


@pytest.mark.parametrize("who", ["regional_manager", "director", "finance", "salesperson"])
def test_another_persons_opportunity_job_and_error_report_are_not_found(
    personas, pipeline, account, login_client, api_client, who
):
    _queue(login_client(personas["team_lead"]))
    jobs.work(once=True)
    job = ImportJob.objects.unrestricted().get()
    missing = job.pk + 1000
    client = login_client(personas[who])
    for url in ("/ledger/imports/{}/", "/ledger/imports/{}/errors.csv"):
        hidden, absent = client.get(url.format(job.pk)), client.get(url.format(missing))
        assert (hidden.status_code, _body(hidden)) == (404, _body(absent))
    api = api_client(personas[who])
    hidden, absent = api.get(f"/api/v1/imports/{job.pk}"), api.get(f"/api/v1/imports/{missing}")
    assert (hidden.status_code, hidden.json()) == (404, absent.json())
    listing = client.get("/ledger/imports/")
    assert "商机.csv" not in listing.content.decode()


def test_the_importer_follows_their_job_in_the_api_and_the_list(
    personas, pipeline, account, login_client, api_client
):
    client = login_client(personas["team_lead"])
    _queue(client)
    jobs.work(once=True)
    job = ImportJob.objects.unrestricted().get()
    body = api_client(personas["team_lead"]).get(f"/api/v1/imports/{job.pk}").json()
    assert (body["kind"], body["status"], body["result"]["created"]) == ("opportunities", "done", 3)
    listing = client.get("/ledger/imports/").content.decode()
    assert f'<a href="/ledger/imports/{job.pk}/">商机.csv</a></td><td>导入商机</td>' in listing
