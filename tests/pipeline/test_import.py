"""Importing opportunities from another CRM's export (issue 15): golden GBK CSV and XLSX files,
idempotence, name variants as findings, refusals by line and column, dry run, rights, the
command, the page and the API."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from salescope.core.errors import PermissionDenied, ValidationFailed
from salescope.core.importing.names import NameIndex, fold_name
from salescope.core.models import AuditEntry
from salescope.customers.models import Customer
from salescope.pipeline import services
from salescope.pipeline.models import Opportunity, StageChange

ACCOUNT = "上海联华超市（浦东）有限公司"

GOLDEN_CSV = (
    "外部编号,商机名称,客户,金额,阶段,预计成交日期,负责人,来源\n"
    "CRM-1,联华年度供货,上海联华超市(浦东)有限公司,120000.50,需求确认,2026/3/31,张伟,展会\n"
    "CRM-2,便利店冰柜,,8000,初步接洽,2026-04-15,ZhangWei,官网\n"
    "CRM-3,未知客户的单,某某未知公司,5000,方案 报价,2026-05-01,,\n"
    f"CRM-4,坏金额,{ACCOUNT},abc,初步接洽,2026-04-01,张伟,\n"
    f"CRM-5,坏阶段,{ACCOUNT},100,已签约,2026-04-01,张伟,\n"
    "CRM-6,无名负责人,,100,初步接洽,2026-04-01,查无此人,\n"
    ",无编号,,100,初步接洽,2026-04-01,张伟,\n"
    "CRM-1,重复,,1,初步接洽,2026-04-01,张伟,\n"
)
STAGES = "初步接洽, 需求确认, 方案报价, 谈判签约, 赢单, 输单"


@pytest.fixture
def account(personas):
    customer = Customer(code="C-LH", name=ACCOUNT, owner=personas["salesperson"])
    customer.save()
    return customer


def _csv(tmp_path, text, name="deals.csv", encoding="gbk"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _import(actor, path, **kwargs):
    return services.import_opportunities(actor=actor, path=path, **kwargs)


def _state():
    rows = Opportunity.objects.unrestricted().order_by("external_id")
    return [
        (
            o.external_id,
            o.name,
            o.customer_id,
            o.account_name,
            o.owner_id,
            o.stage_id,
            o.amount_fen,
            o.expected_close,
            o.probability,
            o.version,
        )
        for o in rows
    ]


def test_golden_gbk_csv(personas, pipeline, account, tmp_path):
    manager = personas["team_lead"]
    result = _import(manager, _csv(tmp_path, GOLDEN_CSV))

    assert result.encoding == "gb18030"
    assert (result.accepted, result.rejected, result.created) == (3, 5, 3)
    assert result.errors == [
        {"line": 5, "column": "金额", "reason": "not a number"},
        {"line": 6, "column": "阶段", "reason": f"unknown stage ({STAGES})"},
        {"line": 7, "column": "负责人", "reason": "unknown person: 查无此人"},
        {"line": 8, "column": "外部编号", "reason": "External ID is missing"},
        {"line": 9, "column": "外部编号", "reason": "duplicate of line 2"},
    ]
    assert result.findings == [
        {
            "line": 2,
            "column": "客户",
            "value": "上海联华超市(浦东)有限公司",
            "note": f"read as 「{ACCOUNT}」 (differs only in case, spacing or punctuation)",
        },
        {
            "line": 3,
            "column": "负责人",
            "value": "ZhangWei",
            "note": "read as 「zhangwei」 (differs only in case, spacing or punctuation)",
        },
        {"line": 3, "column": "客户", "value": "", "note": "no account: kept as incomplete"},
        {
            "line": 4,
            "column": "阶段",
            "value": "方案 报价",
            "note": "read as 「方案报价」 (differs only in case, spacing or punctuation)",
        },
        {
            "line": 4,
            "column": "客户",
            "value": "某某未知公司",
            "note": "unknown account: kept as incomplete",
        },
    ]
    assert result.extra["incomplete"] == 2
    deals = {o.external_id: o for o in Opportunity.objects.unrestricted().select_related("stage")}
    one, two, three = deals["CRM-1"], deals["CRM-2"], deals["CRM-3"]
    assert (one.customer, one.amount_fen, one.stage.name, one.probability) == (
        account,
        12_000_050,
        "需求确认",
        30,
    )
    assert (one.expected_close, one.owner, one.source) == (
        dt.date(2026, 3, 31),
        personas["salesperson"],
        "展会",
    )
    assert (two.customer, two.account_name, two.owner) == (None, "", personas["salesperson"])
    # no owner in the file: the importer's
    assert (three.customer, three.account_name, three.owner) == (None, "某某未知公司", manager)
    assert three.stage.name == "方案报价"
    # each new deal starts its stage history, and the import is one audit entry
    assert StageChange.objects.unrestricted().filter(opportunity__in=deals.values()).count() == 3
    entry = AuditEntry.objects.get(action="pipeline.opportunity.imported")
    assert entry.changes["created_ids"] == ["CRM-1", "CRM-2", "CRM-3"]
    assert entry.changes["findings"] == 5


def test_golden_xlsx_with_english_headers(personas, pipeline, account, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["Opportunity ID", "Opportunity Name", "Account Name", "Amount", "Stage", "Close Date"]
        + ["Opportunity Owner", "Lead Source"]
    )
    excel_time = dt.datetime(2026, 6, 30)  # noqa: DTZ001 - an Excel cell has no time zone
    sheet.append(["SF-1", "Annual supply", "c-lh", 1500.5, "谈判签约", excel_time])
    sheet.append(["SF-2", "Fridges", None, 99, None, dt.date(2026, 7, 1), "chenjing", "Web"])
    sheet.append(["SF-3", "Bad date", None, 1, "初步接洽", "next year", "zhangwei", ""])
    path = tmp_path / "sf.xlsx"
    book.save(path)

    result = _import(personas["director"], path)

    assert result.encoding == "xlsx"
    assert result.errors == [{"line": 4, "column": "Close Date", "reason": "not a date"}]
    assert [(f["line"], f["column"], f["value"]) for f in result.findings] == [
        (2, "Account Name", "c-lh"),
        (3, "Account Name", ""),
    ]
    one = Opportunity.objects.unrestricted().select_related("stage").get(external_id="SF-1")
    assert (one.customer_id, one.amount_fen, one.stage.name, one.probability) == (
        one.customer_id,
        150_050,
        "谈判签约",
        80,
    )
    assert one.customer.code == "C-LH"
    assert (one.expected_close, one.owner) == (dt.date(2026, 6, 30), personas["director"])
    two = Opportunity.objects.unrestricted().select_related("stage").get(external_id="SF-2")
    # no stage: the pipeline's first open one; owner as the file says
    assert (two.stage.name, two.owner, two.source) == (
        "初步接洽",
        personas["other_region_salesperson"],
        "Web",
    )


def test_importing_again_changes_nothing_and_a_changed_row_updates_audited(
    personas, pipeline, account, tmp_path
):
    manager = personas["team_lead"]
    path = _csv(tmp_path, GOLDEN_CSV)
    _import(manager, path)
    before = _state()
    again = _import(manager, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert _state() == before

    changed = GOLDEN_CSV.replace("120000.50,需求确认", "130000,谈判签约")
    third = _import(manager, _csv(tmp_path, changed, "changed.csv"))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    one = Opportunity.objects.unrestricted().select_related("stage").get(external_id="CRM-1")
    assert (one.amount_fen, one.stage.name, one.probability, one.version) == (
        13_000_000,
        "谈判签约",
        80,
        2,
    )
    move = StageChange.objects.unrestricted().filter(opportunity=one).latest("id")
    assert (move.from_stage.name, move.to_stage.name) == ("需求确认", "谈判签约")
    entry = AuditEntry.objects.filter(action="pipeline.opportunity.imported").latest("id")
    assert entry.changes["updated_ids"]["CRM-1"]["amount_fen"] == [12_000_050, 13_000_000]


def test_a_dry_run_writes_nothing(personas, pipeline, account, tmp_path):
    audits = AuditEntry.objects.count()
    result = _import(personas["team_lead"], _csv(tmp_path, GOLDEN_CSV), dry_run=True)
    assert (result.dry_run, result.created, result.rejected) == (True, 3, 5)
    assert Opportunity.objects.unrestricted().count() == 0
    assert StageChange.objects.unrestricted().count() == 0
    assert AuditEntry.objects.count() == audits


def test_a_mapping_names_a_column_the_guess_does_not_know(personas, pipeline, tmp_path):
    text = "单号,项目,销售额\nX-1,项目一,10\n"
    path = _csv(tmp_path, text)
    with pytest.raises(ValidationFailed):
        _import(personas["team_lead"], path)  # neither key nor name is recognised
    result = _import(
        personas["team_lead"],
        path,
        mapping={"单号": "external_id", "项目": "name", "销售额": "amount"},
    )
    assert result.created == 1
    assert Opportunity.objects.unrestricted().get().amount_fen == 1000


def test_only_managers_import_and_only_deals_they_may_change_update(
    personas, pipeline, account, tmp_path
):
    path = _csv(tmp_path, GOLDEN_CSV)
    for who in ("salesperson", "finance", "marketing"):
        with pytest.raises(PermissionDenied):
            _import(personas[who], path)
    _import(personas["team_lead"], path)  # 李娜 (上海一组): 张伟's deals are hers to change
    south = personas["other_region_salesperson"]
    Opportunity.objects.unrestricted().filter(external_id="CRM-2").update(owner=south)
    changed = GOLDEN_CSV.replace("便利店冰柜", "便利店冰柜二期")
    result = _import(personas["team_lead"], _csv(tmp_path, changed, "c.csv"))
    assert {"line": 3, "column": "外部编号", "reason": "you may not change this opportunity"} in (
        result.errors
    )
    assert Opportunity.objects.unrestricted().get(external_id="CRM-2").name == "便利店冰柜"


def test_an_account_the_importer_may_not_see_is_unknown(personas, pipeline, tmp_path):
    hidden = Customer(code="C-GZ", name="广州客户", owner=personas["other_region_salesperson"])
    hidden.save()
    text = "外部编号,商机名称,客户\nG-1,广州单,广州客户\n"
    result = _import(personas["team_lead"], _csv(tmp_path, text))
    assert result.findings[0]["note"] == "unknown account: kept as incomplete"
    assert Opportunity.objects.unrestricted().get().customer is None


def test_names_fold_width_case_spacing_and_punctuation():
    assert fold_name("华东（上海）") == fold_name("华东(上海)") == fold_name("华东 上海")
    assert fold_name("Acme Ltd.") == fold_name("ACME LTD") == fold_name("ａｃｍｅ　ltd")
    index = NameIndex([("Acme Ltd.", 1), ("ACME-LTD", 2), ("Beta", 3)])
    assert index.find("Acme Ltd.").value == 1  # exact wins
    assert index.find("acme ltd").ambiguous  # folded: two records
    match = index.find("ＢＥＴＡ")
    assert (match.value, match.folded, match.name) == (3, True, "Beta")
    assert index.find("Gamma").value is None


rows = st.lists(
    st.tuples(
        st.sampled_from(["E1", "E2", "E3", "E4", ""]),
        st.sampled_from(["单一", "单二", ""]),
        st.sampled_from(["", ACCOUNT, "上海联华超市(浦东)有限公司", "无此客户"]),
        st.sampled_from(["", "10", "10.5", "-1", "x"]),
        st.sampled_from(["", "初步接洽", "方案 报价", "赢单", "没有"]),
        st.sampled_from(["", "zhangwei", "张 伟", "nobody"]),
    ),
    max_size=8,
)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=rows)
def test_importing_twice_is_importing_once(personas, pipeline, account, tmp_path_factory, rows):
    Opportunity.objects.unrestricted().all().delete()
    lines = ["外部编号,商机名称,客户,金额,阶段,负责人", *(",".join(row) for row in rows)]
    path = tmp_path_factory.mktemp("deals") / "d.csv"
    path.write_bytes("\n".join(lines).encode("gbk"))
    manager = personas["team_lead"]

    first = _import(manager, path)
    once = _state()
    second = _import(manager, path)

    assert _state() == once
    assert (second.created, second.updated) == (0, 0)
    assert second.unchanged == first.accepted
    assert second.errors == first.errors
    assert second.findings == first.findings


def test_the_command_imports_with_map_and_dry_run(personas, pipeline, account, tmp_path):
    path = _csv(tmp_path, "单号,商机名称\nK-1,命令行的单\n")
    out = StringIO()
    args = [str(path), "--map", "单号=external_id", "--as", "lina", "--json"]
    call_command("import_opportunities", *args, "--dry-run", stdout=out)
    body = json.loads(out.getvalue())
    assert (body["created"], body["dry_run"], body["incomplete"]) == (1, True, 1)
    assert Opportunity.objects.unrestricted().count() == 0
    out = StringIO()
    call_command("import_opportunities", *args[:-1], stdout=out)
    assert "created 1" in out.getvalue()
    assert "no account: kept as incomplete" in out.getvalue()
    assert Opportunity.objects.unrestricted().get().name == "命令行的单"


def test_salescope_import_opportunities_dispatches(personas, pipeline):
    from salescope.cli import _two_word_command

    assert _two_word_command(["salescope", "import", "opportunities", "f.csv"]) == [
        "salescope",
        "import_opportunities",
        "f.csv",
    ]


def test_the_page_imports_and_lists_the_incomplete(
    personas, pipeline, account, login_client, tmp_path
):
    from salescope.ledger import jobs

    path = _csv(tmp_path, GOLDEN_CSV, encoding="utf-8-sig")
    client = login_client(personas["team_lead"])
    with path.open("rb") as handle:
        queued = client.post("/pipeline/import/", {"file": handle})
    assert queued.status_code == 302  # to the job's page: the worker imports the file
    assert jobs.work(once=True) == 1
    response = client.get(queued["Location"])
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="import-errors"' in page
    assert "<td>9</td><td>外部编号</td>" in page
    assert 'data-testid="import-findings"' in page
    listing = client.get("/pipeline/?incomplete=1&scope=team").content.decode()
    assert "未知客户的单" in listing
    assert "便利店冰柜" in listing
    assert "联华年度供货" not in listing
    assert "某某未知公司" in listing
    # a salesperson is not offered the page
    assert login_client(personas["salesperson"]).get("/pipeline/import/").status_code == 403


def test_the_api_imports_and_answers_with_the_rows(
    personas, pipeline, account, api_client, tmp_path
):
    path = _csv(tmp_path, GOLDEN_CSV)
    client = api_client(personas["team_lead"])
    with path.open("rb") as handle:
        response = client.post(
            "/api/v1/pipeline/imports/opportunities", {"file": handle, "dry_run": "true"}
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["dry_run"], len(body["errors"]), len(body["findings"])) == (
        3,
        True,
        5,
        5,
    )
    assert Opportunity.objects.unrestricted().count() == 0
    with path.open("rb") as handle:
        bad = client.post(
            "/api/v1/pipeline/imports/opportunities", {"file": handle, "mapping": "[1]"}
        )
    assert bad.status_code == 422


def test_each_imported_deal_opens_its_timeline(personas, pipeline, account, tmp_path):
    """An imported deal's timeline starts with its opening at its stage, as a deal opened in
    the page does, on its account's timeline too and readable by its owner; importing the
    same file again adds nothing."""
    from salescope.timeline.choices import EventKind
    from salescope.timeline.models import Event

    manager = personas["team_lead"]
    path = _csv(tmp_path, GOLDEN_CSV)
    _import(manager, path)
    deals = {str(d.pk): d for d in Opportunity.objects.unrestricted().select_related("stage")}
    opened = Event.objects.unrestricted().filter(
        kind=EventKind.OPPORTUNITY_CREATED, subject_type="pipeline.opportunity"
    )
    assert sorted(e.subject_id for e in opened) == sorted(deals)
    for event in opened:
        deal = deals[event.subject_id]
        assert (event.owner_id, event.customer_id, event.actor_id) == (
            deal.owner_id,
            deal.customer_id,
            manager.pk,
        )
        assert deal.name in event.summary
        assert deal.stage.name in event.summary
    _import(manager, path)
    assert opened.count() == len(deals)


# The owner column names only people the importer may assign (their own reach, org.visibility).


def test_an_owner_out_of_the_importers_reach_is_refused_at_the_line(
    personas, pipeline, account, tmp_path
):
    text = (
        "外部编号,商机名称,负责人\n"
        "R-1,本组的单,张伟\n"
        "R-2,华南的单,陈静\n"
        "R-3,上级的单,王强\n"
        "R-4,无负责人,\n"
    )
    result = _import(personas["team_lead"], _csv(tmp_path, text))
    assert result.errors == [
        {"line": 3, "column": "负责人", "reason": "you may not assign deals to 陈静"},
        {"line": 4, "column": "负责人", "reason": "you may not assign deals to 王强"},
    ]
    owners = dict(Opportunity.objects.unrestricted().values_list("external_id", "owner_id"))
    assert owners == {"R-1": personas["salesperson"].pk, "R-4": personas["team_lead"].pk}


def test_a_company_wide_importer_assigns_anyone_active(personas, pipeline, account, tmp_path):
    text = "外部编号,商机名称,负责人\nR-1,华南的单,陈静\nR-2,华东的单,张伟\n"
    result = _import(personas["director"], _csv(tmp_path, text))
    assert result.errors == []
    owners = dict(Opportunity.objects.unrestricted().values_list("external_id", "owner_id"))
    assert owners == {
        "R-1": personas["other_region_salesperson"].pk,
        "R-2": personas["salesperson"].pk,
    }


def test_a_stored_deal_is_not_handed_out_of_reach_by_a_reimport(
    personas, pipeline, account, tmp_path
):
    _import(personas["team_lead"], _csv(tmp_path, "外部编号,商机名称,负责人\nR-1,单,张伟\n"))
    again = _import(
        personas["team_lead"], _csv(tmp_path, "外部编号,商机名称,负责人\nR-1,单,陈静\n", "b.csv")
    )
    assert again.errors == [
        {"line": 2, "column": "负责人", "reason": "you may not assign deals to 陈静"}
    ]
    assert Opportunity.objects.unrestricted().get().owner == personas["salesperson"]
