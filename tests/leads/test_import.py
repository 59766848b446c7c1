"""Importing leads: CSV in GBK with Chinese headers, XLSX; bad rows named by line, column and
reason; good rows land; a re-import changes nothing."""

import pytest
from openpyxl import Workbook

from salescope.core.errors import PermissionDenied
from salescope.core.models import AuditEntry
from salescope.leads import services
from salescope.leads.models import Lead

CSV = (
    "外部编号,联系人,公司,电话,省份,来源,活动\n"
    "A1,王先生,联华便利,13800000001,上海,展会,EXPO\n"
    "A2,,无名公司,13800000002,上海,展会,\n"
    "A3,李女士,申城餐饮,,北京,官网,\n"
    "A4,张经理,京华商贸,13800000004,北京,传单,\n"
    "A5,刘总,津门批发,13800000005,天津,,NOPE\n"
    "A1,王先生,联华便利,13800000001,上海,展会,EXPO\n"
)


def test_a_gbk_csv_lands_its_good_rows_and_names_each_bad_one(personas, world, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(CSV.encode("gbk"))

    result = services.import_leads(actor=personas["marketing"], path=path)

    assert result.created == 1
    assert [(e["line"], e["column"]) for e in result.errors] == [
        (3, "联系人"),
        (4, "电话"),
        (5, "来源"),
        (6, "活动"),
        (7, "外部编号"),
    ]
    lead = Lead.objects.unrestricted().get()
    assert (lead.external_id, lead.campaign, lead.source) == ("A1", world["campaign"], "exhibition")

    again = services.import_leads(actor=personas["marketing"], path=path)
    assert (again.created, again.unchanged) == (0, 1)
    assert Lead.objects.unrestricted().count() == 1


def test_a_dry_run_saves_nothing_and_an_xlsx_reads_the_same(personas, world, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["External id", "Contact", "Company", "Phone", "Source"])
    sheet.append(["X1", "Ann", "Acme", "021-1", "referral"])
    path = tmp_path / "leads.xlsx"
    book.save(path)

    dry = services.import_leads(actor=personas["marketing"], path=path, dry_run=True)
    assert (dry.created, dry.errors) == (1, [])
    assert Lead.objects.unrestricted().count() == 0

    services.import_leads(actor=personas["marketing"], path=path)
    assert Lead.objects.unrestricted().get().source == "referral"


def test_the_import_page_shows_refused_rows(personas, world, login_client, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(CSV.encode("utf-8-sig"))
    from salescope.ledger import jobs
    from salescope.ledger.models import ImportJob

    client = login_client(personas["marketing"])
    with path.open("rb") as handle:
        queued = client.post("/leads/import/", {"file": handle})
    job = ImportJob.objects.unrestricted().get()
    assert (queued.status_code, queued["Location"]) == (302, f"/ledger/imports/{job.pk}/")
    assert not Lead.objects.unrestricted().exists()  # the worker imports, not the request
    assert jobs.work(once=True) == 1
    page = client.get(queued["Location"]).content.decode()
    assert 'data-testid="leads-tabs"' in page
    assert 'data-testid="import-errors"' in page
    assert "<td>7</td><td>外部编号</td>" in page
    assert f'href="/ledger/imports/{job.pk}/errors.csv"' in page
    assert client.get(f"/ledger/imports/{job.pk}/errors.csv").status_code == 200
    # the job and its report are the importer's alone, even for the managers above them
    for who in ("director", "finance", "team_lead"):
        other = login_client(personas[who])
        assert other.get(queued["Location"]).status_code == 404
        assert other.get(f"/ledger/imports/{job.pk}/errors.csv").status_code == 404


def test_the_command_imports_and_reports_as_json(personas, world, tmp_path):
    import json
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "leads.csv"
    path.write_bytes(CSV.encode("gbk"))
    out = StringIO()
    call_command("import_leads", str(path), "--as", "sunli", "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert (body["created"], len(body["errors"])) == (1, 5)


def test_a_changed_row_updates_its_lead_and_name_variants_are_findings(personas, world, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(CSV.encode("gbk"))
    services.import_leads(actor=personas["marketing"], path=path)
    changed = CSV.replace(
        "A1,王先生,联华便利,13800000001,上海,展会,EXPO",
        "A1,王先生,联华便利店,13800000001,上海,展会, expo",
    )
    path.write_bytes(changed.encode("gbk"))

    result = services.import_leads(actor=personas["marketing"], path=path)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert result.findings == [
        {
            "line": 2,
            "column": "活动",
            "value": "expo",
            "note": "已按「EXPO」读取（仅大小写、空格或标点不同）",  # zh-Hans, the default
        }
    ]
    lead = Lead.objects.unrestricted().get()
    assert (lead.company, lead.campaign, lead.version) == ("联华便利店", world["campaign"], 2)
    entry = AuditEntry.objects.filter(action="leads.lead.imported").latest("id")
    assert entry.changes["updated_ids"] == {"A1": {"company": ["联华便利", "联华便利店"]}}


def test_a_row_without_external_id_is_added_and_said_so(personas, world, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes("联系人,电话\n陈先生,021-1\n".encode())
    result = services.import_leads(actor=personas["marketing"], path=path)
    assert result.created == 1
    assert result.findings[0]["note"] == "没有外部编号：再次导入此文件会再次新增"


def test_only_marketing_imports_leads_and_the_api_answers_the_rows(
    personas, world, api_client, tmp_path
):
    path = tmp_path / "leads.csv"
    path.write_bytes(CSV.encode("gbk"))
    with pytest.raises(PermissionDenied):
        services.import_leads(actor=personas["salesperson"], path=path)
    with path.open("rb") as handle:
        response = api_client(personas["marketing"]).post(
            "/api/v1/leads/imports", {"file": handle, "mapping": '{"公司": ""}'}
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], len(body["errors"]), body["mapping"].get("公司")) == (1, 5, None)
    assert Lead.objects.unrestricted().get().company == ""
