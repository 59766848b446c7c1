"""Importing units and people from a spreadsheet (R12 for the organisation)."""

import io

import pytest
from openpyxl import Workbook

from salescope.core.errors import PermissionDenied, ValidationFailed
from salescope.core.models import AuditEntry
from salescope.org.imports import import_org
from salescope.org.models import Membership, OrgUnit, User

UNITS_CSV = (
    "编码,名称,类型,上级编码,负责人账号\n"
    "EAST-NJ-1,南京一组,团队,EAST-NJ,xiaowang\n"  # child before its parent: placed after it
    "EAST-NJ,南京分公司,分公司,EAST,\n"
    "BAD-KIND,坏类型,星系,EAST,\n"
    "ORPHAN,孤儿,团队,NOPE,\n"
    "EAST-NJ,重复,团队,EAST,\n"
)
PEOPLE_CSV = (
    "账号,姓名,角色,单位编码,岗位,岗位职责\n"
    "xiaowang,小王,经理,EAST-NJ-1,销售经理,带领南京一组\n"
    "xiaozhao,小赵,业务员,EAST-NJ-1,业务员,负责南京鼓楼区\n"
    "nobody,无名,老板,EAST-NJ-1,,\n"
    "lost,迷路,业务员,NO-UNIT,,\n"
    'evil,=HYPERLINK("x"),业务员,EAST-NJ-1,,\n'
)


def workbook(**sheets: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, text in sheets.items():
        sheet = book.create_sheet(title)
        for line in text.strip().splitlines():
            sheet.append(line.split(","))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_workbook_builds_units_and_people_and_reports_bad_rows(personas):
    admin = personas["admin"]
    content = workbook(单位=UNITS_CSV, 人员=PEOPLE_CSV)

    result = import_org(actor=admin, name="org.xlsx", content=content)

    assert (result.units_created, result.people_created) == (2, 2)
    assert sorted((e.sheet, e.line, e.column) for e in result.errors) == [
        ("人员", 4, "role"),
        ("人员", 5, "unit_code"),
        ("人员", 6, "full_name"),
        ("单位", 4, "kind"),
        ("单位", 5, "parent_code"),
        ("单位", 6, "code"),
    ]
    nanjing = OrgUnit.objects.unrestricted().get(code="EAST-NJ")
    team = OrgUnit.objects.unrestricted().get(code="EAST-NJ-1")
    assert team.parent == nanjing
    assert team.manager.username == "xiaowang"
    zhao = User.objects.unrestricted().get(username="xiaozhao")
    assert (zhao.unit, zhao.position.name, zhao.duties) == (team, "业务员", "负责南京鼓楼区")
    assert Membership.objects.get(person=zhao).unit == team
    assert set(
        AuditEntry.objects.filter(action__in=["org.unit.created", "org.person.created"])
        .filter(object_repr__in=["南京分公司", "南京一组", "小王", "小赵"])
        .values_list("source", flat=True)
    ) == {"import"}


def test_importing_the_same_file_again_changes_nothing(personas):
    content = workbook(units=UNITS_CSV, people=PEOPLE_CSV)
    import_org(actor=personas["admin"], name="org.xlsx", content=content)
    writes = AuditEntry.objects.count()

    again = import_org(actor=personas["admin"], name="org.xlsx", content=content)

    assert (again.units_created, again.people_created) == (0, 0)
    assert (again.units_updated, again.people_updated) == (0, 0)
    assert again.unchanged == 4
    assert AuditEntry.objects.count() == writes


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_bom_and_gbk_is_read(personas, encoding):
    text = "编码,名称,类型,上级编码\nEAST-NJ,南京分公司,分公司,EAST\n"
    result = import_org(actor=personas["admin"], name="u.csv", content=text.encode(encoding))
    assert result.units_created == 1
    assert OrgUnit.objects.unrestricted().get(code="EAST-NJ").name == "南京分公司"


def test_a_changed_row_moves_the_person_with_history(personas):
    text = "username,full_name,unit_code\nzhangwei,张伟,SOUTH-GZ-1\n"
    result = import_org(actor=personas["admin"], name="p.csv", content=text.encode())
    assert result.people_updated == 1
    assert User.objects.unrestricted().get(username="zhangwei").unit.code == "SOUTH-GZ-1"
    assert Membership.objects.filter(person__username="zhangwei").count() == 2


def test_a_file_without_a_known_table_is_refused(personas):
    with pytest.raises(ValidationFailed) as error:
        import_org(actor=personas["admin"], name="x.csv", content=b"a,b\n1,2\n")
    assert list(error.value.fields) == ["file"]


def test_only_an_administrator_may_import(personas):
    units = OrgUnit.objects.unrestricted().count()
    with pytest.raises(PermissionDenied):
        import_org(
            actor=personas["director"],
            name="u.csv",
            content="编码,名称\nX,Y\n".encode(),
        )
    assert OrgUnit.objects.unrestricted().count() == units


def test_the_api_imports_a_file_and_returns_the_report(personas, api_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "u.csv", "编码,名称,上级编码\nEAST-NJ,南京,EAST\nX,Y,NOPE\n".encode()
    )
    response = api_client(personas["admin"]).post("/api/v1/org/import", {"file": upload})
    body = response.json()
    assert response.status_code == 200
    assert body["units_created"] == 1
    assert body["errors"] == [{"line": 3, "column": "parent_code", "reason": "没有此编码的单位。"}]
