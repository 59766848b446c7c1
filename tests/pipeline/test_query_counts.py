"""List pages and endpoints cost the same number of queries for 2 or 12 opportunities."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.pipeline.world import make_customer, make_opportunity


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_lists_and_board_do_not_query_per_opportunity(personas, pipeline, login_client, api_client):
    zhang = personas["salesperson"]
    page, api = login_client(zhang), api_client(zhang)
    urls = [
        "/pipeline/?scope=mine",
        f"/pipeline/board/?pipeline={pipeline.pk}",
        "/pipeline/forecast/",
        "/api/v1/pipeline/opportunities",
        f"/api/v1/pipeline/board?pipeline_id={pipeline.pk}",
    ]
    for _n in range(2):
        make_opportunity(zhang, pipeline, customer=make_customer(zhang), amount=100)
    for url in urls:  # first calls fill per-process caches (content types)
        _count(page if "/api/" not in url else api, url)
    few = {url: _count(page if "/api/" not in url else api, url) for url in urls}
    for _n in range(10):
        make_opportunity(zhang, pipeline, customer=make_customer(zhang), amount=100)
    many = {url: _count(page if "/api/" not in url else api, url) for url in urls}

    assert many == few
