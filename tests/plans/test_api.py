"""The plans and tracking API: visibility (R1), stale writes (R7), errors, query counts."""

import json

from salescope.core.models import AuditEntry
from salescope.org.models import OrgUnit
from salescope.plans.models import Plan, Target


def _json(client, method, url, body=None):
    call = getattr(client, method)
    if body is None:
        return call(url)
    return call(url, data=json.dumps(body), content_type="application/json")


def test_director_creates_a_plan_sets_and_decomposes_its_target(personas, api_client):
    client = api_client(personas["director"])
    hq = OrgUnit.objects.unrestricted().get(code="HQ")
    created = _json(
        client,
        "post",
        "/api/v1/plans",
        {"name": "API计划", "fiscal_year": 2026, "scope_unit_id": hq.pk},
    )
    assert created.status_code == 201, created.content
    plan_id = created.json()["id"]
    root = _json(
        client,
        "post",
        f"/api/v1/plans/{plan_id}/targets",
        {"metric": "sales_amount", "value": "1000.01"},
    )
    assert root.json()["value"] == "1000.01"
    body = {"version": root.json()["version"], "steps": [{"axis": "org"}, {"axis": "month"}]}
    response = _json(client, "post", f"/api/v1/targets/{root.json()['id']}/decompose", body)
    assert response.json() == {"cells_created": 4 + 48}
    regions = _json(
        client, "get", f"/api/v1/plans/{plan_id}/targets?parent_id={root.json()['id']}"
    ).json()
    assert [r["value"] for r in regions] == ["250.01", "250.00", "250.00", "250.00"]


def test_invisible_plan_and_target_are_404_with_the_missing_body(decomposed, personas, api_client):
    client = api_client(personas["other_region_salesperson"])
    root = decomposed.targets.get(parent=None)
    mine = Target.objects.unrestricted().get(
        plan=decomposed, person=personas["salesperson"], grain="year"
    )
    missing = _json(client, "get", "/api/v1/targets/99999999")
    for url in (f"/api/v1/targets/{root.pk}", f"/api/v1/targets/{mine.pk}"):
        response = _json(client, "get", url)
        assert (response.status_code, response.json()) == (404, missing.json())
    patch = _json(client, "post", f"/api/v1/targets/{mine.pk}/comments", {"text": "偷看"})
    assert patch.status_code == 404
    assert not mine.comments.exists()


def test_a_stale_cell_edit_gets_409_with_the_current_version(decomposed, personas, api_client):
    client = api_client(personas["director"])
    root = decomposed.targets.get(parent=None)
    east = Target.objects.unrestricted().get(parent=root, unit__code="EAST")
    first = {"cells": [{"id": east.pk, "version": east.version, "value": "4000000.00"}]}
    assert _json(client, "post", f"/api/v1/targets/{root.pk}/cells", first).status_code == 200
    audits = AuditEntry.objects.count()
    stale = {"cells": [{"id": east.pk, "version": east.version, "value": "1.00"}]}
    response = _json(client, "post", f"/api/v1/targets/{root.pk}/cells", stale)
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert response.json()["current_version"] == east.version + 1
    east.refresh_from_db()
    assert east.value == 400_000_000
    assert AuditEntry.objects.count() == audits


def test_bad_input_is_422_naming_the_field(decomposed, personas, api_client):
    client = api_client(personas["director"])
    response = _json(
        client,
        "post",
        f"/api/v1/plans/{decomposed.pk}/targets",
        {"metric": "sales_amount", "value": "-5"},
    )
    assert response.status_code == 422
    assert "value" in response.json()["fields"]
    plan = Plan.objects.unrestricted().get(pk=decomposed.pk)
    response = _json(
        client,
        "patch",
        f"/api/v1/plans/{plan.pk}",
        {"version": plan.version, "sections": {"nonsense": "x"}},
    )
    assert response.status_code == 422
    assert (
        response.json()["fields"] == {"sections": ["Unknown section: nonsense"]}
        or "sections" in response.json()["fields"]
    )


def test_salesperson_reads_their_own_variance_only(decomposed, personas, api_client):
    client = api_client(personas["salesperson"])
    response = _json(
        client,
        "get",
        f"/api/v1/plans/{decomposed.pk}/target-variance?group_by=salesperson,month&as_of=2026-03-31",
    )
    assert response.status_code == 200
    rows = response.json()["rows"]
    assert {r["salesperson"] for r in rows} == {"张伟"}
    assert len(rows) == 12
    # 250,000.00 a year over 12 months: the 4 fen of remainder go to January–April
    assert [r["target"] for r in rows[:5]] == ["20833.34"] * 4 + ["20833.33"]
    assert rows[2]["pace"] == "20833.34"  # March is over by the 31st
    assert rows[3]["pace"] == "0.00"  # April has not started


def test_plan_list_query_count_does_not_grow_with_plans(
    decomposed, personas, api_client, django_assert_max_num_queries
):
    client = api_client(personas["director"])
    with django_assert_max_num_queries(8):
        first = _json(client, "get", "/api/v1/plans")
    hq = OrgUnit.objects.unrestricted().get(code="HQ")
    for year in range(2030, 2040):
        _json(
            client,
            "post",
            "/api/v1/plans",
            {"name": f"P{year}", "fiscal_year": year, "scope_unit_id": hq.pk},
        )
    with django_assert_max_num_queries(8):
        second = _json(client, "get", "/api/v1/plans")
    assert len(second.json()) == len(first.json()) + 10
