"""The organisation's pages: org chart, my organization, person and unit pages, the list of
what has no responsible person, and the administrator's forms."""

import re

import pytest

from salescope.core.models import AuditEntry
from salescope.org.models import OrgUnit, User


def text(response) -> str:  # noqa: ANN001
    return re.sub(r"\s+", " ", response.content.decode())


def test_org_chart_shows_every_unit_with_head_counts(personas, login_client):
    response = login_client(personas["salesperson"]).get("/org/")
    page = text(response)
    assert response.status_code == 200
    assert page.count('data-testid="unit-') == 24
    assert re.search(r'data-testid="unit-EAST".*?data-testid="head-count"[^>]*>1 / 12 人', page)
    assert 'data-testid="unassigned-link"' in page
    assert "添加单位" not in page  # only administrators see the form


def test_org_chart_speaks_english_too(personas, login_client):
    client = login_client(personas["admin"])
    client.post("/language/", {"language": "en", "next": "/org/"})
    page = text(client.get("/org/"))
    assert "Org chart" in page
    assert "1 / 12 people" in page
    assert "Add a unit" in page


def test_my_organization_shows_manager_unit_subordinates_territories_and_duties(
    personas, login_client
):
    page = text(login_client(personas["team_lead"]).get("/org/me/"))
    assert "我的组织" in page
    assert re.search(r'data-testid="manager">\s*徐明', page)
    assert re.search(
        r'data-testid="unit-chain">.*华远食品有限公司.*华东大区.*上海分公司.*上海一组', page
    )
    subordinates = re.search(r'data-testid="subordinates">(.*?)</ul>', page).group(1)
    assert sorted(re.findall(r">([^<>]+)</a>", subordinates)) == sorted(["杨帆", "张伟", "周磊"])
    assert "浦东新区" in page  # her team's territory
    assert "每周审阅组员拜访计划与周报" in page  # personal duties
    assert "将本单位目标分解到每位业务员" in page  # the position's duties


def test_a_salesperson_sees_their_own_page_but_not_a_colleagues(personas, login_client):
    client = login_client(personas["salesperson"])
    own = client.get(f"/org/people/{personas['salesperson'].pk}/")
    other = client.get(f"/org/people/{personas['other_region_salesperson'].pk}/")
    assert own.status_code == 200
    assert other.status_code == 404


def test_unassigned_lists_territories_without_a_responsible_person(personas, login_client):
    page = text(login_client(personas["director"]).get("/org/unassigned/"))
    territories = re.search(r'data-testid="unassigned-territories">(.*?)</ul>', page).group(1)
    assert re.findall(r">([^<>]+)</a>", territories) == ["福建省", "江苏省", "云南省"]


def test_admin_moves_a_person_from_the_person_page_with_a_date(personas, login_client):
    client = login_client(personas["admin"])
    zhang = personas["salesperson"]
    south = OrgUnit.objects.unrestricted().get(code="SOUTH-GZ-1")

    response = client.post(
        f"/org/people/{zhang.pk}/move/",
        {"version": zhang.version, "unit": south.pk, "effective_on": "2026-05-01"},
    )

    assert response.status_code == 302
    assert User.objects.unrestricted().get(pk=zhang.pk).unit == south
    page = text(client.get(f"/org/people/{zhang.pk}/"))
    assert "广州一组: 2026-05-01" in page
    assert "上海一组: 2025-01-01 – 2026-05-01" in page
    assert "org.person.moved" in page  # the history of changes
    assert AuditEntry.objects.get(action="org.person.moved").source == "page"


def test_a_stale_unit_form_is_refused_with_409_and_a_message(personas, login_client):
    client = login_client(personas["admin"])
    team = OrgUnit.objects.unrestricted().get(code="EAST-SH-1")
    data = {
        "version": 99,
        "name": "新名字",
        "code": team.code,
        "kind": "team",
        "parent": team.parent_id,
        "manager": team.manager_id,
    }

    response = client.post(f"/org/units/{team.pk}/", data)

    assert response.status_code == 409
    assert "其他人" in text(response) or "Someone else" in text(response)
    assert OrgUnit.objects.unrestricted().get(pk=team.pk).name == "上海一组"


@pytest.mark.parametrize("url", ["/org/units/new/", "/org/import/"])
def test_a_salesperson_cannot_post_organisation_changes(personas, login_client, url):
    before = OrgUnit.objects.unrestricted().count()
    response = login_client(personas["salesperson"]).post(url, {"name": "x", "code": "x"})
    assert response.status_code == 403
    assert OrgUnit.objects.unrestricted().count() == before


def test_admin_imports_a_spreadsheet_from_the_page(personas, login_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("u.csv", "编码,名称,上级编码\nEAST-NJ,南京,EAST\n".encode())
    response = login_client(personas["admin"]).post("/org/import/", {"file": upload})
    assert re.search(r'data-testid="units-created">1<', text(response))


def test_org_chart_takes_the_same_queries_whatever_the_size_of_the_org(
    personas, login_client, django_assert_max_num_queries
):
    from salescope.org import services

    client = login_client(personas["director"])
    client.get("/org/")
    east = OrgUnit.objects.unrestricted().get(code="EAST")
    for i in range(30):
        services.create_unit(actor=None, name=f"组{i}", code=f"N{i}", kind="team", parent=east)
    with django_assert_max_num_queries(12):
        client.get("/org/")


def test_opening_the_add_unit_address_leads_to_the_form(personas, login_client):
    """GET /org/units/new/ (a bookmark, a reload after a refused form) used to be a blank 405:
    it now leads to the chart's add-a-unit form (issue 19, defect 10)."""
    response = login_client(personas["admin"]).get("/org/units/new/")
    assert response.status_code == 302
    assert response["Location"] == "/org/#add-unit"
    chart = login_client(personas["admin"]).get(response["Location"])
    assert 'id="add-unit"' in text(chart)
