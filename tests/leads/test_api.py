"""The leads API: a web form posts with its key (validated, rate-limited), marketing creates and
scores, a salesperson claims; errors are {"code", "detail", "fields"}."""

import json

from django.core.cache import cache
from django.test import Client

from salescope.core.models import AuditEntry
from salescope.leads import services
from salescope.leads.choices import LeadStatus
from salescope.leads.models import Lead


def _post(client, path, body, **headers):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def test_a_web_form_posts_a_lead_with_its_key_and_it_carries_the_campaign(personas, world):
    issued = services.create_form_key(
        actor=personas["marketing"], name="官网表单", campaign=world["campaign"]
    )
    response = _post(
        Client(),
        "/api/v1/lead-capture",
        {"contact_name": "访客", "phone": "13700000000", "province": "上海"},
        HTTP_X_LEAD_FORM_KEY=issued.raw,
    )
    assert response.status_code == 201, response.content
    lead = Lead.objects.unrestricted().get(pk=response.json()["id"])
    assert lead.campaign == world["campaign"]
    assert lead.source == "website"
    assert lead.status == LeadStatus.NEW
    entry = AuditEntry.objects.get(action="leads.lead.created", object_id=str(lead.pk))
    assert entry.actor is None
    assert entry.actor_label == f"form:{issued.key.prefix}"


def test_the_web_form_endpoint_refuses_no_key_a_bad_key_and_a_bad_lead(personas, world):
    issued = services.create_form_key(actor=personas["marketing"], name="表单")
    client = Client()
    body = {"contact_name": "访客", "phone": "13700000000"}
    assert _post(client, "/api/v1/lead-capture", body).status_code == 401
    wrong = _post(client, "/api/v1/lead-capture", body, HTTP_X_LEAD_FORM_KEY="lf_wrong")
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "not_authenticated"
    bad = _post(
        client, "/api/v1/lead-capture", {"contact_name": "访客"}, HTTP_X_LEAD_FORM_KEY=issued.raw
    )
    assert bad.status_code == 422
    assert "phone" in bad.json()["fields"]
    assert Lead.objects.unrestricted().count() == 0


def test_the_web_form_endpoint_is_rate_limited_per_key(personas, settings):
    cache.clear()
    settings.LEADS_CAPTURE_PER_MINUTE = 2
    issued = services.create_form_key(actor=personas["marketing"], name="表单")
    client = Client()
    body = {"contact_name": "访客", "email": "a@example.com"}
    codes = [
        _post(client, "/api/v1/lead-capture", body, HTTP_X_LEAD_FORM_KEY=issued.raw).status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]
    assert Lead.objects.unrestricted().count() == 2


def test_marketing_creates_a_scored_lead_and_a_salesperson_claims_it_from_the_pool(
    personas, world, api_client
):
    marketing = api_client(personas["marketing"])
    response = _post(
        marketing,
        "/api/v1/leads",
        {"contact_name": "王", "phone": "1", "province": "西藏", "answers": world["hot"]()},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pool"
    assert body["score"] == "100.0"
    assert [p["points"] for p in body["score_breakdown"]] == ["60.0", "40.0"]

    salesperson = api_client(personas["salesperson"])
    pool = salesperson.get("/api/v1/lead-pool").json()
    assert [item["id"] for item in pool["items"]] == [body["id"]]
    claimed = _post(salesperson, f"/api/v1/leads/{body['id']}/claim", {})
    assert claimed.status_code == 200
    assert claimed.json()["owner"]["username"] == "zhangwei"
    again = _post(
        api_client(personas["other_region_salesperson"]), f"/api/v1/leads/{body['id']}/claim", {}
    )
    assert again.status_code == 404  # no longer in the pool, and not hers to see


def test_the_report_api_gives_cost_per_lead(personas, world, api_client):
    services.create_lead(
        actor=personas["marketing"],
        data={"contact_name": "王", "phone": "1", "campaign": world["campaign"]},
    )
    rows = api_client(personas["marketing"]).get("/api/v1/lead-report").json()
    row = next(r for r in rows if r["key"] == f"c{world['campaign'].pk}")
    assert (row["leads"], row["cost"], row["cost_per_lead"]) == (1, "8000.00", "8000.00")
    # A salesperson sees no campaign costs and none of marketing's leads.
    assert api_client(personas["salesperson"]).get("/api/v1/lead-report").json() == []
