"""The organisation's API: lists with filters and paging, detail, create, update with version
(409 when stale), delete where nothing depends on it; errors as {"code","detail","fields"}."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salescope.core.models import AuditEntry
from salescope.customers.models import Customer
from salescope.org import services
from salescope.org.models import OrgUnit, Position, User
from salescope.org.visibility import _tree_sql


def test_units_list_filters_and_pages(personas, api_client):
    client = api_client(personas["salesperson"])
    east = OrgUnit.objects.unrestricted().get(code="EAST")

    page = client.get(f"/api/v1/org/units?under={east.pk}&limit=3&offset=0").json()
    teams = client.get("/api/v1/org/units?kind=team").json()

    # Read one row past the page: more follow (the total only on request, exact_count).
    assert (page["count"], page["count_capped"]) == (4, True)
    assert [u["code"] for u in page["items"]] == ["EAST", "EAST-SH", "EAST-SH-1"]
    assert teams["count"] == 9
    assert all(u["kind"] == "team" for u in teams["items"])


def test_people_list_is_narrowed_to_what_the_viewer_may_see(personas, api_client):
    lead = api_client(personas["team_lead"]).get("/api/v1/org/people").json()
    director = api_client(personas["director"]).get("/api/v1/org/people?limit=100").json()

    assert sorted(p["username"] for p in lead["items"]) == [
        "lina",
        "yangfan",
        "zhangwei",
        "zhoulei",
    ]
    assert director["count"] == User.objects.unrestricted().filter(is_active=True).count() == 41


@pytest.mark.parametrize("limit", [5, 40])
def test_people_list_takes_the_same_queries_whatever_its_size(
    personas, api_client, django_assert_num_queries, limit
):
    client = api_client(personas["director"])
    client.get("/api/v1/org/people?limit=1")  # token use time written once
    # the token with its user, the page (read one row long: no count)
    with django_assert_num_queries(2):
        response = client.get(f"/api/v1/org/people?limit={limit}")
    assert len(response.json()["items"]) == limit


def test_unit_members_on_a_past_date_use_the_organisation_as_it_was(personas, api_client):
    client = api_client(personas["director"])
    team2 = OrgUnit.objects.unrestricted().get(code="EAST-SH-2")
    team1 = OrgUnit.objects.unrestricted().get(code="EAST-SH-1")

    feb = client.get(f"/api/v1/org/units/{team2.pk}/members?on=2026-02-15").json()
    march = client.get(f"/api/v1/org/units/{team2.pk}/members?on=2026-03-01").json()
    team1_march = client.get(f"/api/v1/org/units/{team1.pk}/members?on=2026-03-01").json()

    assert "yangfan" in [p["username"] for p in feb]
    assert "yangfan" not in [p["username"] for p in march]
    assert "yangfan" in [p["username"] for p in team1_march]


def test_admin_creates_updates_and_deletes_a_unit(personas, api_client):
    client = api_client(personas["admin"])
    east = OrgUnit.objects.unrestricted().get(code="EAST")

    created = client.post(
        "/api/v1/org/units",
        {"name": "南京分公司", "code": "EAST-NJ", "kind": "branch", "parent_id": east.pk},
        content_type="application/json",
    )
    unit_id = created.json()["id"]
    renamed = client.patch(
        f"/api/v1/org/units/{unit_id}",
        {"version": 1, "name": "南京办事处", "manager_id": personas["team_lead"].pk},
        content_type="application/json",
    )
    stale = client.patch(
        f"/api/v1/org/units/{unit_id}",
        {"version": 1, "name": "x"},
        content_type="application/json",
    )
    deleted = client.delete(f"/api/v1/org/units/{unit_id}")

    assert created.status_code == 201
    assert created.json()["path"].startswith(east.path)
    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["version"]) == ("南京办事处", 2)
    assert renamed.json()["manager"]["username"] == "lina"
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["current_version"] == 2
    assert deleted.status_code == 204
    assert list(
        AuditEntry.objects.filter(object_id=str(unit_id), object_type="org.orgunit")
        .order_by("pk")
        .values_list("action", "source")
    ) == [
        ("org.unit.created", "api"),
        ("org.unit.changed", "api"),
        ("org.unit.deleted", "api"),
    ]


def test_a_salesperson_is_refused_unit_writes_with_403_and_nothing_changes(personas, api_client):
    client = api_client(personas["salesperson"])
    team = OrgUnit.objects.unrestricted().get(code="EAST-SH-1")
    before = AuditEntry.objects.count()

    response = client.patch(
        f"/api/v1/org/units/{team.pk}",
        {"version": 1, "name": "我的组"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert OrgUnit.objects.unrestricted().get(pk=team.pk).name == "上海一组"
    assert AuditEntry.objects.count() == before


def test_admin_adds_moves_and_deactivates_a_person(personas, api_client):
    client = api_client(personas["admin"])
    team = OrgUnit.objects.unrestricted().get(code="EAST-SH-1")
    south = OrgUnit.objects.unrestricted().get(code="SOUTH-GZ-1")
    position = Position.objects.unrestricted().get(name="业务员")

    created = client.post(
        "/api/v1/org/people",
        {
            "username": "xiaoli",
            "full_name": "小李",
            "unit_id": team.pk,
            "position_id": position.pk,
            "extra_roles": ["marketing"],
        },
        content_type="application/json",
    )
    person_id = created.json()["id"]
    moved = client.post(
        f"/api/v1/org/people/{person_id}/move",
        {"version": 1, "unit_id": south.pk},
        content_type="application/json",
    )
    history = client.get(f"/api/v1/org/people/{person_id}/memberships").json()
    gone = client.delete(f"/api/v1/org/people/{person_id}?version=2")

    assert created.status_code == 201
    assert created.json()["extra_roles"] == ["marketing"]
    assert moved.json()["unit"]["code"] == "SOUTH-GZ-1"
    assert [h["unit"]["code"] for h in history] == ["SOUTH-GZ-1"]  # same-day move replaces
    assert gone.status_code == 200
    assert gone.json()["is_active"] is False


def test_invalid_person_input_is_422_with_field_messages(personas, api_client):
    response = api_client(personas["admin"]).post(
        "/api/v1/org/people",
        {"username": "zhangwei", "full_name": "重名"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["username"]


def test_territories_are_filtered_by_unit_and_unassigned(personas, api_client):
    client = api_client(personas["salesperson"])
    east = OrgUnit.objects.unrestricted().get(code="EAST")
    east_codes = [
        t["code"]
        for t in client.get(f"/api/v1/org/territories?unit={east.pk}&limit=100").json()["items"]
    ]
    unassigned = [
        t["code"] for t in client.get("/api/v1/org/territories?unassigned=true").json()["items"]
    ]

    assert east_codes == ["CN-JS", "CN-SH", "CN-SH-PD", "CN-SH-PX", "CN-ZJ", "CN-ZJ-HZ"]
    assert unassigned == ["CN-FJ", "CN-JS", "CN-YN"]


def test_admin_clears_a_territory_owner(personas, api_client):
    client = api_client(personas["admin"])
    territory = client.get("/api/v1/org/territories?q=CN-SH-PD").json()["items"][0]
    response = client.patch(
        f"/api/v1/org/territories/{territory['id']}",
        {"version": territory["version"], "clear": ["owner"]},
        content_type="application/json",
    )
    assert response.json()["owner"] is None


def test_unassigned_lists_what_has_no_responsible_person(personas, api_client):
    services.create_unit(
        actor=None,
        name="新组",
        code="NEW",
        kind="team",
        parent=OrgUnit.objects.unrestricted().get(code="EAST"),
    )
    body = api_client(personas["director"]).get("/api/v1/org/unassigned").json()
    assert [u["code"] for u in body["units"]] == ["NEW"]
    assert [t["code"] for t in body["territories"]] == ["CN-FJ", "CN-JS", "CN-YN"]
    assert body["people"] == []


def test_chart_has_head_counts_per_unit_and_subtree(personas, api_client):
    roots = api_client(personas["salesperson"]).get("/api/v1/org/chart").json()
    (company,) = roots
    east = next(c for c in company["children"] if c["unit"]["code"] == "EAST")
    assert (company["head_count"], company["total"]) == (3, 41)
    assert (east["head_count"], east["total"]) == (1, 12)


def test_positions_list_and_stale_update(personas, api_client):
    client = api_client(personas["admin"])
    position = Position.objects.unrestricted().get(name="业务员")
    ok = client.patch(
        f"/api/v1/org/positions/{position.pk}",
        {"version": 1, "duties": "完成目标"},
        content_type="application/json",
    )
    stale = client.patch(
        f"/api/v1/org/positions/{position.pk}",
        {"version": 1, "duties": "x"},
        content_type="application/json",
    )
    assert ok.json()["duties"] == "完成目标"
    assert stale.status_code == 409
    assert Position.objects.unrestricted().get(pk=position.pk).duties == "完成目标"


def test_a_managers_list_reads_the_org_tree_with_the_token(personas, api_client):
    Customer(code="C-TEAM", name="团队客户", owner=personas["salesperson"]).save()
    client = api_client(personas["team_lead"])
    client.get("/api/v1/customers?limit=1")  # token use time written once

    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/customers?limit=50").json()

    # the token with its holder and what they manage; then the page, without reading that again
    reach = _tree_sql().reach.split(" WHERE ")[0]
    assert queries[0]["sql"].startswith("SELECT holder.")
    assert not [q["sql"] for q in queries if reach in q["sql"]]
    assert [c["code"] for c in body["items"]] == ["C-TEAM"]
