"""Visits from plan to check-out (D1, D2): distance, outcome, cost, the ledger's order, the
offline visit stored once, photos checked by content, visibility through the one rule."""

import datetime as dt
import io
import uuid

import pytest
from django.utils import timezone
from PIL import Image

from salescope.activities import queries, services
from salescope.activities.models import Visit, VisitPhoto
from salescope.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from salescope.core.models import AuditEntry
from tests.activities.conftest import make_customer

TODAY = dt.date(2026, 12, 7)  # a Monday


def _plan(personas, shop, **extra):
    return services.plan_visit(
        actor=personas["salesperson"],
        customer=shop,
        planned_date=extra.pop("planned_date", TODAY),
        planned_time=dt.time(9, 30),
        purpose="确认春节备货",
        **extra,
    )


def test_check_in_near_and_out_with_outcome_and_cost(personas, shop):
    zhang = personas["salesperson"]
    visit = _plan(personas, shop)
    start = timezone.now() - dt.timedelta(minutes=40)
    services.check_in(actor=zhang, visit=visit, latitude=31.2306, longitude=121.4739, at=start)
    visit.refresh_from_db()
    assert (visit.status, visit.distance_m, visit.is_far) == ("in_progress", 29, False)

    services.check_out(
        actor=zhang, visit=visit, outcome="follow_up", cost="35.50", notes="店长不在"
    )
    visit.refresh_from_db()
    assert (visit.status, visit.outcome, visit.cost_fen, visit.minutes) == (
        "done",
        "follow_up",
        3550,
        40,
    )
    actions = list(
        AuditEntry.objects.filter(object_type="activities.visit", object_id=str(visit.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "activities.visit.planned",
        "activities.visit.checked_in",
        "activities.visit.checked_out",
    ]


def test_a_check_in_far_from_the_customer_is_flagged(personas, shop):
    visit = _plan(personas, shop)
    services.check_in(actor=personas["salesperson"], visit=visit, latitude=31.30, longitude=121.50)
    visit.refresh_from_db()
    assert visit.distance_m > 7000
    assert visit.is_far


def test_a_check_in_without_location_is_recorded_without_distance(personas, shop):
    visit = _plan(personas, shop)
    services.check_in(actor=personas["salesperson"], visit=visit)
    visit.refresh_from_db()
    assert (visit.status, visit.distance_m, visit.checkin_latitude) == ("in_progress", None, None)


def test_bad_input_is_refused_and_changes_nothing(personas, shop):
    zhang = personas["salesperson"]
    visit = _plan(personas, shop)
    with pytest.raises(ValidationFailed) as caught:
        services.check_in(actor=zhang, visit=visit, latitude=200, longitude=121)
    assert "location" in caught.value.fields
    with pytest.raises(Conflict):
        services.check_out(actor=zhang, visit=visit, outcome="follow_up")
    services.check_in(actor=zhang, visit=visit)
    with pytest.raises(ValidationFailed) as caught:
        services.check_out(actor=zhang, visit=visit, outcome="follow_up", cost="-3")
    assert "cost" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        services.check_out(actor=zhang, visit=visit, outcome="follow_up", order_number="NOPE-1")
    assert "order_number" in caught.value.fields
    visit.refresh_from_db()
    assert (visit.status, visit.outcome, visit.cost_fen) == ("in_progress", "", 0)
    assert not AuditEntry.objects.filter(action="activities.visit.checked_out").exists()


def test_the_manager_sees_the_visit_but_does_not_check_in_for_the_salesperson(personas, shop):
    visit = _plan(personas, shop)
    lina = personas["team_lead"]
    assert queries.get_visit(viewer=lina, pk=visit.pk) == visit
    with pytest.raises(PermissionDenied):
        services.check_in(actor=lina, visit=visit)


def test_another_region_neither_sees_nor_plans_on_the_customer(personas, shop):
    chen = personas["other_region_salesperson"]
    visit = _plan(personas, shop)
    with pytest.raises(NotFound):
        queries.get_visit(viewer=chen, pk=visit.pk)
    assert list(queries.list_visits(viewer=chen)) == []
    with pytest.raises(NotFound):
        services.plan_visit(actor=chen, customer=shop, planned_date=TODAY)


def test_an_offline_visit_sent_twice_is_stored_once(personas, shop):
    zhang = personas["salesperson"]
    key = uuid.uuid4()
    start = timezone.now() - dt.timedelta(hours=2)
    args = {
        "actor": zhang,
        "client_id": key,
        "customer": shop.pk,
        "checked_in_at": start,
        "checked_out_at": start + dt.timedelta(minutes=25),
        "outcome": "order_taken",
        "latitude": 31.2305,
        "longitude": 121.4738,
    }
    first, created = services.record_offline_visit(**args)
    again, created_again = services.record_offline_visit(**args)
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert Visit.objects.unrestricted().filter(client_id=key).count() == 1
    assert (first.status, first.minutes, first.distance_m) == ("done", 25, 15)


def test_the_offline_api_answers_201_then_200(personas, shop, api_client):
    client = api_client(personas["salesperson"])
    start = timezone.now() - dt.timedelta(hours=1)
    body = {
        "client_id": str(uuid.uuid4()),
        "customer_id": shop.pk,
        "checked_in_at": start.isoformat(),
        "checked_out_at": (start + dt.timedelta(minutes=10)).isoformat(),
        "outcome": "information",
    }
    first = client.post("/api/v1/visits/offline", data=body, content_type="application/json")
    second = client.post("/api/v1/visits/offline", data=body, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["minutes"] == 10


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_is_checked_by_content_and_loses_its_metadata(personas, shop, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    zhang = personas["salesperson"]
    visit = _plan(personas, shop)
    services.check_in(actor=zhang, visit=visit)
    raw = _jpeg_with_exif()
    assert b"SpyCam" in raw
    photo = services.add_photo(actor=zhang, visit=visit, data=raw, caption="货架")
    stored = photo.image.read()
    assert photo.content_type == "image/jpeg"
    assert b"SpyCam" not in stored
    assert Image.open(io.BytesIO(stored)).size == (64, 48)
    with pytest.raises(ValidationFailed):
        services.add_photo(actor=zhang, visit=visit, data=b"<html>not a photo</html>")
    with pytest.raises(ValidationFailed):
        services.add_photo(actor=zhang, visit=visit, data=b"\xff\xd8" + b"0" * (9 * 1024 * 1024))
    assert VisitPhoto.objects.unrestricted().count() == 1


def test_a_photo_is_served_only_to_who_may_see_the_visit(
    personas, shop, tmp_path, settings, login_client
):
    settings.MEDIA_ROOT = tmp_path
    zhang = personas["salesperson"]
    visit = _plan(personas, shop)
    services.check_in(actor=zhang, visit=visit)
    photo = services.add_photo(actor=zhang, visit=visit, data=_jpeg_with_exif())
    url = f"/activities/photos/{photo.pk}/"
    mine = login_client(zhang).get(url)
    assert mine.status_code == 200
    assert mine["Content-Type"] == "image/jpeg"
    assert login_client(personas["team_lead"]).get(url).status_code == 200
    assert login_client(personas["other_region_salesperson"]).get(url).status_code == 404


def test_coverage_rules_plan_the_missing_visits_once(personas, coverage):
    zhang = personas["salesperson"]
    a1 = make_customer(zhang, tier="A")
    a2 = make_customer(zhang, tier="A")
    make_customer(zhang, tier="C")
    services.plan_visit(actor=zhang, customer=a1, planned_date=TODAY)
    monday, sunday = TODAY, TODAY + dt.timedelta(days=6)
    made = services.apply_coverage_rules(actor=zhang, owner=zhang, start=monday, end=sunday)
    assert [v.customer_id for v in made] == [a2.pk]
    assert made[0].planned_date.weekday() < 5
    assert services.apply_coverage_rules(actor=zhang, owner=zhang, start=monday, end=sunday) == []


def test_uncovered_customers_for_the_manager(personas, coverage):
    zhang = personas["salesperson"]
    a1 = make_customer(zhang, tier="A")
    b1 = make_customer(zhang, tier="B")
    south = make_customer(personas["other_region_salesperson"], tier="A")
    services.plan_visit(actor=zhang, customer=a1, planned_date=TODAY)
    rows = queries.uncovered_customers(viewer=personas["team_lead"], day=TODAY)
    assert [(r["customer"].pk, r["required"], r["planned"]) for r in rows] == [(b1.pk, 1, 0)]
    everyone = queries.uncovered_customers(viewer=personas["director"], day=TODAY)
    assert south.pk in {r["customer"].pk for r in everyone}
