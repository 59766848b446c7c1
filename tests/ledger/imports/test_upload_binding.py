"""Issue 20, High: an import's file is reached only through the token the server issued to the
person who uploaded it. The attack: a team lead (lina) posted another person's file name
(``stored=job-1-errors.csv``) and ran the administrator's error report as her own job; ``..``
gave a 500."""

from pathlib import Path

import pytest

from salescope.ledger import jobs
from salescope.ledger.models import ImportJob, ImportUpload
from tests.ledger.world import write_csv

HEADER = ["单号", "行号", "日期", "客户编码", "产品编码", "数量", "金额", "渠道"]
FIELDS = ["document", "line_no", "date", "customer_code", "product_sku", "quantity", "amount"]
MAP = {f"map-{i}": f for i, f in enumerate([*FIELDS, "channel"])}


def _upload(client, path):
    with open(path, "rb") as handle:
        answer = client.post("/ledger/imports/", {"file": handle})
    assert answer.status_code == 200
    return answer.context["stored"]


@pytest.fixture
def admin_job(world, tmp_path, login_client):
    """The administrator's finished job, with an error report holding 华南's rows."""
    admin = login_client(world.personas["admin"])
    path = write_csv(
        tmp_path / "admin.csv",
        HEADER,
        [
            ["A", "1", "2025-03-01", "C-EAST-1", "P-COLA", "2", "6", "商超"],
            ["A", "2", "2025-03-01", "C-SECRET", "P-COLA", "2", "6", "商超"],
        ],
    )
    token = _upload(admin, path)
    queued = admin.post("/ledger/imports/run/", {"stored": token, **MAP})
    assert queued.status_code == 302
    assert jobs.work(once=True) == 1
    job = ImportJob.objects.unrestricted().get()
    assert job.result["rejected"] == 1
    assert jobs.error_report_path(job).exists()
    return job, token


def test_a_token_is_random_and_the_stored_file_is_not_named_by_the_client(admin_job):
    job, token = admin_job
    upload = ImportUpload.objects.unrestricted().get(token=token)
    assert upload.owner == job.created_by
    assert upload.job == job
    assert len(token) >= 20
    assert token not in upload.stored_path
    assert Path(upload.stored_path).parent == jobs.import_dir()


@pytest.mark.parametrize("step", ["/ledger/imports/run/", "/ledger/imports/confirm/"])
def test_lina_cannot_run_anyone_elses_upload_or_error_report(world, admin_job, login_client, step):
    job, admin_token = admin_job
    lina = login_client(world.personas["team_lead"])
    report = jobs.error_report_path(job)
    upload_name = Path(job.stored_path).name
    attempts = [
        admin_token,  # the administrator's own token: not hers
        f"job-{job.pk}-errors.csv",  # the old guessable name
        report.name,  # the report's real name
        upload_name,  # the administrator's upload by file name
        "..",
        "../../etc/passwd",
        str(report),
        "",
    ]
    for stored in attempts:
        answer = lina.post(step, {"stored": stored, "step": "preview", "mapping": "{}", **MAP})
        assert answer.status_code == 404, stored
    assert list(ImportJob.objects.unrestricted().values_list("pk", flat=True)) == [job.pk]
    # And the administrator's job's report stays hers.
    assert lina.get(f"/ledger/imports/{job.pk}/errors.csv").status_code == 404


def test_a_token_runs_once_and_only_for_its_owner(world, tmp_path, login_client):
    lina = login_client(world.personas["team_lead"])
    path = write_csv(
        tmp_path / "l.csv", HEADER, [["L", "1", "2025-03-01", "C-EAST-1", "P-COLA", "1", "3", ""]]
    )
    token = _upload(lina, path)
    preview = lina.post("/ledger/imports/run/", {"stored": token, "step": "preview", **MAP})
    assert preview.status_code == 200
    assert preview.context["stored"] == token
    confirm = {"stored": token, "mapping": preview.context["mapping_json"]}
    assert lina.post("/ledger/imports/confirm/", confirm).status_code == 302
    # The token is bound to its job now: a second confirm (or run) finds nothing.
    assert lina.post("/ledger/imports/confirm/", confirm).status_code == 404
    assert lina.post("/ledger/imports/run/", {"stored": token, **MAP}).status_code == 404
    job = ImportJob.objects.unrestricted().get()
    assert (job.created_by, job.filename) == (world.personas["team_lead"], "l.csv")
    # Another importer (the administrator) cannot use lina's token either.
    admin = login_client(world.personas["admin"])
    other = write_csv(tmp_path / "o.csv", HEADER, [])
    own = _upload(admin, other)
    assert own != token
    assert admin.post("/ledger/imports/run/", {"stored": token, **MAP}).status_code == 404


def test_the_page_remembers_a_confirmed_mapping_per_header_set(world, tmp_path, login_client):
    from salescope.ledger.models import RememberedMapping

    headers = ["单号", "行号", "日期", "客户编码", "产品编码", "数量", "金额", "备注"]
    row = ["M", "1", "2025-03-01", "C-EAST-1", "P-COLA", "1", "3", "x"]
    admin = login_client(world.personas["admin"])
    first = write_csv(tmp_path / "m1.csv", headers, [row])
    with open(first, "rb") as handle:
        mapped = admin.post("/ledger/imports/", {"file": handle})
    assert not mapped.context["remembered"]
    assert "备注" not in mapped.context["mapping"]
    # The person maps 备注 to the channel and confirms.
    chosen = {f"map-{i}": f for i, f in enumerate(FIELDS)} | {"map-7": "channel"}
    preview = admin.post(
        "/ledger/imports/run/", {"stored": mapped.context["stored"], "step": "preview", **chosen}
    )
    admin.post(
        "/ledger/imports/confirm/",
        {"stored": mapped.context["stored"], "mapping": preview.context["mapping_json"]},
    )
    assert RememberedMapping.objects.unrestricted().count() == 1
    # The next file with the same headers (in another order) opens with that mapping, for
    # another importer too; a file with other headers gets the guess.
    reordered = [headers[-1], *headers[:-1]]
    second = write_csv(tmp_path / "m2.csv", reordered, [[row[-1], *row[:-1]]])
    lina = login_client(world.personas["team_lead"])
    with open(second, "rb") as handle:
        again = lina.post("/ledger/imports/", {"file": handle})
    assert again.context["remembered"]
    assert again.context["mapping"]["备注"] == "channel"
    assert 'data-testid="mapping-remembered"' in again.content.decode()
    other = write_csv(tmp_path / "m3.csv", headers[:-1], [row[:-1]])
    with open(other, "rb") as handle:
        fresh = lina.post("/ledger/imports/", {"file": handle})
    assert not fresh.context["remembered"]
