"""R20: heavy exports and reports answer 429 with Retry-After once a person has asked for too
many in a minute; each person has their own allowance, and it comes back when the window ends."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from salescope.core import ratelimit

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/sales/summary?group_by=customer"
EXPORT = "/ledger/sales/export.xlsx?group_by=customer"


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    cache.clear()
    clock = {"now": 60_000_000.0}  # the start of a window
    monkeypatch.setattr(ratelimit, "_now", lambda: clock["now"])
    with override_settings(HEAVY_REQUESTS_PER_WINDOW=3, HEAVY_REQUEST_WINDOW_SECONDS=60):
        yield clock
    cache.clear()


def test_the_api_summary_is_limited_per_person(personas, api_client, clock):
    zhangwei, lina = api_client(personas["salesperson"]), api_client(personas["team_lead"])

    allowed = [zhangwei.get(SUMMARY).status_code for _ in range(3)]
    clock["now"] += 20
    refused = zhangwei.get(SUMMARY)
    other = lina.get(SUMMARY)

    assert allowed == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert set(refused.json()) == {"code", "detail", "fields"}
    assert refused["Retry-After"] == "40"
    assert other.status_code == 200


def test_the_allowance_comes_back_when_the_window_ends(personas, api_client, clock):
    client = api_client(personas["salesperson"])
    for _ in range(3):
        client.get(SUMMARY)
    assert client.get(SUMMARY).status_code == 429

    clock["now"] += 60

    assert client.get(SUMMARY).status_code == 200


def test_the_xlsx_export_page_is_limited(personas, login_client):
    client = login_client(personas["salesperson"])

    allowed = [client.get(EXPORT).status_code for _ in range(3)]
    refused = client.get(EXPORT)

    assert allowed == [200, 200, 200]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "xlsx" not in refused.get("Content-Type", "")


def test_light_reads_are_not_counted(personas, api_client):
    client = api_client(personas["salesperson"])

    statuses = {client.get("/api/v1/customers").status_code for _ in range(6)}

    assert statuses == {200}
