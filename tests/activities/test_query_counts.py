"""N+1 guards: the work surface, the team calendar and the visits API read a fixed number of
queries whatever the number of visits (no timings)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salescope.activities import services
from tests.activities.conftest import make_customer


def _queries(client, url):  # noqa: ANN001, ANN202
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _plan(zhang, count):  # noqa: ANN001, ANN202
    for _ in range(count):
        customer = make_customer(zhang, tier="A")
        visit = services.plan_visit(
            actor=zhang, customer=customer, planned_date=timezone.localdate()
        )
        services.check_in(actor=zhang, visit=visit, latitude=31.3, longitude=121.5)


def test_pages_and_api_read_a_fixed_number_of_queries(personas, checklist, login_client):
    zhang = personas["salesperson"]
    clients = {
        "salesperson home": (login_client(zhang), "/"),
        "team lead home": (login_client(personas["team_lead"]), "/"),
        "team calendar": (login_client(personas["team_lead"]), "/activities/team/"),
        "my visits": (login_client(zhang), "/activities/"),
        "visits API": (login_client(personas["team_lead"]), "/api/v1/visits"),
    }
    _plan(zhang, 2)
    for client, url in clients.values():  # caches (content types, the session) filled once
        _queries(client, url)
    few = {name: _queries(client, url) for name, (client, url) in clients.items()}
    _plan(zhang, 6)
    many = {name: _queries(client, url) for name, (client, url) in clients.items()}
    assert many == few
