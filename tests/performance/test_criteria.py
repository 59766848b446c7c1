"""G3: the company adds the criteria its managers rate on (beside 团队协作, 工作热情, 责任心), in
the page and through the API; errors stand at the field, nothing is half-written, the change is
audited, and only the company's setup roles may add one."""

import pytest

from salescope.core.models import AuditEntry
from salescope.performance.models import RatingCriterion
from salescope.performance.services import ensure_default_criteria

pytestmark = pytest.mark.django_db

NEW = {"code": "customer-care", "name": "客户关怀", "scale_max": "5", "description": "回访及时"}


def test_the_director_adds_a_criterion_in_the_page(personas, login_client):
    ensure_default_criteria()
    client = login_client(personas["director"])
    page = client.get("/performance/criteria/").content.decode()
    assert 'data-testid="criterion-form"' in page

    response = client.post("/performance/criteria/", NEW)

    assert response.status_code == 302
    added = RatingCriterion.objects.unrestricted().get(code="customer-care")
    assert (added.name, added.scale_max, added.description) == ("客户关怀", 5, "回访及时")
    entry = AuditEntry.objects.get(action="performance.criterion.created")
    assert (entry.actor_id, entry.object_id) == (personas["director"].pk, str(added.pk))
    listed = client.get("/performance/criteria/").content.decode()
    assert "客户关怀" in listed
    assert "<code>teamwork</code>" in listed


def test_errors_stand_at_the_field_and_nothing_is_written(personas, login_client):
    client = login_client(personas["director"])
    client.post("/performance/criteria/", NEW)

    taken = client.post("/performance/criteria/", {**NEW, "name": "另一个"})
    wide = client.post("/performance/criteria/", {**NEW, "code": "wide", "scale_max": "11"})

    assert taken.status_code == 422
    assert 'data-testid="error-code"' in taken.content.decode()
    assert wide.status_code == 422
    assert 'data-testid="error-scale_max"' in wide.content.decode()
    assert list(
        RatingCriterion.objects.unrestricted()
        .filter(code__in=["customer-care", "wide"])
        .values_list("name", flat=True)
    ) == ["客户关怀"]
    assert AuditEntry.objects.filter(action="performance.criterion.created").count() == 1


def test_a_salesperson_or_a_manager_may_not_add_one(personas, login_client):
    for who in ("salesperson", "team_lead"):
        response = login_client(personas[who]).post("/performance/criteria/", NEW)
        assert response.status_code == 403
    assert not RatingCriterion.objects.unrestricted().filter(code="customer-care").exists()


def test_the_api_lists_and_adds_criteria(personas, api_client):
    ensure_default_criteria()
    director = api_client(personas["director"])
    body = {**NEW, "scale_max": 7}

    created = director.post("/api/v1/performance/criteria", body, content_type="application/json")
    again = director.post("/api/v1/performance/criteria", body, content_type="application/json")
    refused = api_client(personas["salesperson"]).post(
        "/api/v1/performance/criteria", body, content_type="application/json"
    )

    assert created.status_code == 201
    assert (created.json()["code"], created.json()["scale_max"]) == ("customer-care", 7)
    assert again.status_code == 422
    assert "code" in again.json()["fields"]
    assert refused.status_code == 403
    listed = api_client(personas["salesperson"]).get("/api/v1/performance/criteria").json()
    assert {"teamwork", "customer-care"} <= {c["code"] for c in listed}
