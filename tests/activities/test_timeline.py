"""Visits on the customer timeline (issue 16, C5): check-in and check-out with the outcome,
read only by those who may see the visit."""

import datetime as dt

import pytest
from django.utils import timezone

from salescope.activities import services
from salescope.timeline import queries
from salescope.timeline.services import record_event

pytestmark = pytest.mark.django_db


def _visited(personas, shop):
    zhang = personas["salesperson"]
    visit = services.plan_visit(
        actor=zhang, customer=shop, planned_date=timezone.localdate(), purpose="确认备货"
    )
    start = timezone.now() - dt.timedelta(minutes=30)
    services.check_in(actor=zhang, visit=visit, latitude=31.2306, longitude=121.4739, at=start)
    services.check_out(actor=zhang, visit=visit, outcome="follow_up", notes="店长不在")
    return visit


def test_the_customer_timeline_shows_the_check_in_and_the_outcome(personas, shop):
    visit = _visited(personas, shop)
    events = list(queries.events_for(personas["salesperson"], customer=shop, kinds=["visit"]))
    assert len(events) == 2
    done, checked_in = events
    assert "Checked in" in checked_in.summary
    assert "Follow-up needed" in done.summary
    assert "30 minutes" in done.summary
    assert "店长不在" in done.summary
    assert (done.subject_type, done.subject_id) == ("activities.visit", str(visit.pk))
    assert done.owner == personas["salesperson"]
    assert list(queries.events_for(personas["salesperson"], subject=visit)) == events


def test_the_managers_above_see_the_visit_events(personas, shop):
    _visited(personas, shop)
    for who in ("team_lead", "regional_manager", "director"):
        assert queries.events_for(personas[who], customer=shop, kinds=["visit"]).count() == 2, who


def test_who_cannot_see_the_visit_does_not_see_its_events(personas, shop):
    _visited(personas, shop)
    finance = personas["finance"]
    # Finance reads the customer's other events (the timeline grants it that) …
    record_event(actor=personas["salesperson"], customer=shop, kind="note", summary="送货备注")
    assert [e.kind for e in queries.events_for(finance, customer=shop)] == ["note"]
    # … but not the visit, which it may not open.
    assert not queries.events_for(finance, customer=shop, kinds=["visit"]).exists()
    assert not queries.events_for(personas["other_region_salesperson"], customer=shop).exists()


def test_a_visit_sent_from_the_phone_offline_reaches_the_timeline_once(personas, shop):
    import uuid

    zhang = personas["salesperson"]
    key = uuid.uuid4()
    start = timezone.now() - dt.timedelta(hours=2)
    for _ in range(2):
        services.record_offline_visit(
            actor=zhang,
            client_id=key,
            customer=shop,
            checked_in_at=start,
            checked_out_at=start + dt.timedelta(minutes=20),
            outcome="follow_up",
        )
    assert queries.events_for(zhang, customer=shop, kinds=["visit"]).count() == 2
