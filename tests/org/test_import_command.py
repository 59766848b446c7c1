"""``salescope import org FILE``: units, positions, people, managers and territories from CSV
(UTF-8 or GBK) or XLSX, idempotent, with a dry run and errors by line and column (issue 19)."""

import json
from io import StringIO

from django.core.management import call_command

from salescope.cli import _two_word_command
from salescope.org.models import OrgUnit, Position, Territory, User
from tests.org.test_import import PEOPLE_CSV, UNITS_CSV, workbook

POSITIONS_CSV = "岗位名称,岗位职责\n大客户经理,负责重点客户\n,没有名字\n"
PEOPLE_WITH_POSITION = PEOPLE_CSV + "dakehu,大客,经理,EAST-NJ,大客户经理,\n"
TERRITORIES_CSV = (
    "片区编码,片区名称,类型,上级片区编码,单位编码,负责人账号\n"
    "NJ-GL,鼓楼区,区县,JS-NJ,EAST-NJ-1,xiaozhao\n"  # a part before its parent
    "JS-NJ,南京市,市,,EAST-NJ,xiaowang\n"
    "JS-XX,无主,星球,,,\n"
    "JS-YY,无人,片区,,,nobody-here\n"
)


def call(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _file(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_the_cli_word_dispatches_to_the_org_import():
    assert _two_word_command(["salescope", "import", "org", "o.xlsx"]) == [
        "salescope",
        "import_org",
        "o.xlsx",
    ]


def test_a_workbook_builds_the_whole_organisation_idempotently(personas, tmp_path):
    content = workbook(
        单位=UNITS_CSV, 岗位=POSITIONS_CSV, 人员=PEOPLE_WITH_POSITION, 片区=TERRITORIES_CSV
    )
    path = _file(tmp_path, "org.xlsx", content)

    dry = json.loads(call("import_org", path, "--dry-run", "--json"))
    assert dry["dry_run"] is True
    assert (dry["units_created"], dry["territories_created"]) == (2, 2)
    assert not OrgUnit.objects.unrestricted().filter(code="EAST-NJ").exists()
    assert not Territory.objects.unrestricted().filter(code="JS-NJ").exists()

    data = json.loads(call("import_org", path, "--json"))
    counts = {k: data[k] for k in ("units_created", "positions_created", "people_created")}
    assert counts == {"units_created": 2, "positions_created": 1, "people_created": 3}
    assert data["territories_created"] == 2
    assert sorted((e["sheet"], e["line"], e["column"]) for e in data["errors"]) == [
        ("人员", 4, "role"),
        ("人员", 5, "unit_code"),
        ("人员", 6, "full_name"),
        ("单位", 4, "kind"),
        ("单位", 5, "parent_code"),
        ("单位", 6, "code"),
        ("岗位", 3, "position"),
        ("片区", 4, "kind"),
        ("片区", 5, "owner"),
    ]
    assert data["errors"] == dry["errors"]
    gulou = Territory.objects.unrestricted().get(code="NJ-GL")
    assert (gulou.kind, gulou.parent.code, gulou.unit.code, gulou.owner.username) == (
        "district",
        "JS-NJ",
        "EAST-NJ-1",
        "xiaozhao",
    )
    dakehu = User.objects.unrestricted().get(username="dakehu")
    assert dakehu.position == Position.objects.unrestricted().get(name="大客户经理")
    assert OrgUnit.objects.unrestricted().get(code="EAST-NJ-1").manager.username == "xiaowang"

    again = json.loads(call("import_org", path, "--json"))
    assert sum(again[k] for k in again if k.endswith(("_created", "_updated"))) == 0
    assert again["unchanged"] == 2 + 1 + 3 + 2


def test_a_gbk_csv_of_people_and_the_text_report(personas, tmp_path):
    text = "账号,姓名,角色,单位编码\nxiaoli,小李,业务员,EAST\nlost,迷路,业务员,NO-UNIT\n"
    east = OrgUnit.objects.unrestricted().filter(code="EAST").first()
    assert east is not None
    path = _file(tmp_path, "people.csv", text.encode("gbk"))
    out = call("import_org", path)
    assert "1" in out.splitlines()[0]
    assert "3 [unit_code]" in out
    assert User.objects.unrestricted().get(username="xiaoli").full_name == "小李"
