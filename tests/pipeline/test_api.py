import json

from salescope.core.audit import AuditEntry
from salescope.pipeline.models import Opportunity
from tests.pipeline.world import make_customer, make_opportunity, stage


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_create_move_and_read_through_the_api(personas, pipeline, api_client):
    zhang = personas["salesperson"]
    client = api_client(zhang)
    customer = make_customer(zhang)

    created = _post(
        client,
        "/api/v1/pipeline/opportunities",
        {
            "name": "API 商机",
            "pipeline_id": pipeline.pk,
            "customer_id": customer.pk,
            "amount": "800",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["stage"]["name"], body["amount"], body["owner"]["username"]) == (
        "初步接洽",
        "800.00",
        "zhangwei",
    )

    moved = _post(
        client,
        f"/api/v1/pipeline/opportunities/{body['id']}/move",
        {"version": body["version"], "stage_id": stage(pipeline, "需求确认").pk},
    )
    assert moved.status_code == 200
    assert moved.json()["probability"] == 30

    history = client.get(f"/api/v1/pipeline/opportunities/{body['id']}/history").json()
    assert [h["to_stage"]["name"] for h in history] == ["初步接洽", "需求确认"]
    timeline = client.get(f"/api/v1/timeline/customers/{customer.pk}/events").json()
    assert [e["kind"] for e in timeline["items"]] == ["stage_changed", "opportunity_created"]


def test_stale_move_is_409_and_gate_is_422_with_fields(personas, pipeline, api_client):
    zhang = personas["salesperson"]
    opp = make_opportunity(zhang, pipeline)
    client = api_client(zhang)
    url = f"/api/v1/pipeline/opportunities/{opp.pk}/move"

    stale = _post(client, url, {"version": 5, "stage_id": stage(pipeline, "需求确认").pk})
    gate = _post(client, url, {"version": 1, "stage_id": stage(pipeline, "方案报价").pk})

    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert gate.status_code == 422
    assert gate.json()["code"] == "gate_not_met"
    assert set(gate.json()["fields"]) == {"customer", "amount", "checklist"}
    opp.refresh_from_db()
    assert opp.version == 1
    assert not AuditEntry.objects.filter(action="pipeline.opportunity.moved").exists()


def test_lists_report_and_forecast_are_narrowed_to_the_viewer(personas, pipeline, api_client):
    make_opportunity(personas["salesperson"], pipeline, name="华东的")
    make_opportunity(personas["other_region_salesperson"], pipeline, name="华南的")

    zhang = api_client(personas["salesperson"])
    names = [o["name"] for o in zhang.get("/api/v1/pipeline/opportunities").json()["items"]]
    report = zhang.get("/api/v1/pipeline/report?group_by=owner").json()
    director = api_client(personas["director"]).get("/api/v1/pipeline/report?group_by=owner")

    assert names == ["华东的"]
    assert [(r["owner"], r["count"]) for r in report["rows"]] == [("张伟", 1)]
    assert sorted(r["owner"] for r in director.json()["rows"]) == ["张伟", "陈静"]
    assert report["funnels"][0]["steps"][0] == {
        "stage": "初步接洽",
        "reached": 1,
        "conversion": None,
    }


def test_unknown_grouping_is_refused_at_the_field(personas, pipeline, api_client):
    response = api_client(personas["salesperson"]).get("/api/v1/pipeline/report?group_by=colour")
    assert response.status_code == 422
    assert "group_by" in response.json()["fields"]


def test_pipelines_board_and_stuck(personas, pipeline, api_client):
    zhang = personas["salesperson"]
    make_opportunity(zhang, pipeline, name="看板")
    client = api_client(zhang)
    pipelines = client.get("/api/v1/pipeline/pipelines").json()
    assert [s["name"] for s in pipelines[0]["stages"]][:2] == ["初步接洽", "需求确认"]
    board = client.get(f"/api/v1/pipeline/board?pipeline_id={pipeline.pk}").json()
    assert [(c["stage"]["name"], c["count"]) for c in board][:2] == [
        ("初步接洽", 1),
        ("需求确认", 0),
    ]
    assert client.get("/api/v1/pipeline/stuck").json() == []
    assert Opportunity.objects.unrestricted().count() == 1
