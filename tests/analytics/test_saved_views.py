"""Saved tracking views per person (B1): saved from the page or the API, opened in one click,
the same name replaces, audited, nobody else's to see or delete."""

import pytest

from salescope.analytics.models import SavedView
from salescope.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_view_saved_on_the_page_opens_again_with_its_settings(plan, personas, login_client):
    client = login_client(personas["director"])
    form = {"name": "华东月度", "plan": plan.pk, "metric": "sales_amount", "group_by": "unit"}
    response = client.post("/tracking/views/", {**form, "basis": "working_days"})
    assert response.status_code == 302
    assert "group_by=unit" in response["Location"]
    assert "basis=working_days" in response["Location"]
    page = client.get("/tracking/").content.decode()
    saved = page.split('data-testid="saved-views"')[1].split("</div>")[0]
    assert "华东月度" in saved
    view = SavedView.objects.unrestricted().get()
    assert (view.owner, view.plan, view.group_by) == (personas["director"], plan, "unit")
    assert AuditEntry.objects.filter(action="analytics.savedview.created").count() == 1

    client.post("/tracking/views/", {**form, "group_by": "salesperson,month"})
    view.refresh_from_db()
    assert view.group_by == "salesperson,month"  # the same name replaces the settings
    assert SavedView.objects.unrestricted().count() == 1
    assert AuditEntry.objects.filter(action="analytics.savedview.updated").count() == 1


def test_nobody_else_sees_or_deletes_my_views(decomposed, personas, login_client):
    plan = decomposed
    mine = login_client(personas["salesperson"])
    mine.post("/tracking/views/", {"name": "我的月度", "plan": plan.pk, "group_by": "month"})
    view = SavedView.objects.unrestricted().get()
    for other in ("team_lead", "director", "other_region_salesperson"):
        client = login_client(personas[other])
        assert "我的月度" not in client.get("/tracking/").content.decode()
        gone = client.post(f"/tracking/views/{view.pk}/delete/", {"version": view.version})
        assert gone.status_code == 404
    assert SavedView.objects.unrestricted().filter(pk=view.pk).exists()
    mine.post(f"/tracking/views/{view.pk}/delete/", {"version": view.version})
    assert not SavedView.objects.unrestricted().exists()
    assert AuditEntry.objects.filter(action="analytics.savedview.deleted").count() == 1


def test_a_bad_grouping_is_refused(personas, api_client):
    client = api_client(personas["salesperson"])
    bad = client.post(
        "/api/v1/tracking-views",
        {"name": "x", "group_by": "planet"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert "group_by" in bad.json()["fields"]


def test_the_api_saves_lists_and_deletes_views(decomposed, personas, api_client):
    plan = decomposed
    client = api_client(personas["salesperson"])
    made = client.post(
        "/api/v1/tracking-views",
        {"name": "季度", "plan_id": plan.pk, "metric": "sales_amount", "group_by": "quarter"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    listed = client.get("/api/v1/tracking-views").json()
    assert [(v["name"], v["group_by"], v["plan_id"]) for v in listed] == [
        ("季度", "quarter", plan.pk)
    ]
    other = api_client(personas["team_lead"])
    assert other.get("/api/v1/tracking-views").json() == []
    view_id, version = made.json()["id"], made.json()["version"]
    assert other.delete(f"/api/v1/tracking-views/{view_id}?version={version}").status_code == 404
    stale = client.delete(f"/api/v1/tracking-views/{view_id}?version={version + 1}")
    assert stale.status_code == 409
    assert client.delete(f"/api/v1/tracking-views/{view_id}?version={version}").status_code == 204
    assert client.get("/api/v1/tracking-views").json() == []


def test_the_variance_api_drills_down_like_the_page(decomposed, personas, api_client):
    from salescope.org.models import OrgUnit

    east = OrgUnit.objects.unrestricted().get(code="EAST")
    client = api_client(personas["director"])
    teams = client.get(
        f"/api/v1/plans/{decomposed.pk}/target-variance",
        {"group_by": "unit", "unit": east.pk, "month_from": "2026-04-01", "month_to": "2026-06-01"},
    ).json()
    assert teams["rows"]
    assert teams["total"]["target"] == "750000.00"  # 华东's 3,000,000 for one quarter
