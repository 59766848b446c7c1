"""The pages a salesperson and a manager use: plan, check in and out, the work surface, the
report and its comment, the team calendar, the calendar feed."""

import datetime as dt

from django.utils import timezone
from icalendar import Calendar

from salescope.activities import services
from salescope.activities.models import Visit, WorkReport
from salescope.core.ownership import all_records


def test_a_salesperson_plans_checks_in_and_out_on_the_pages(
    personas, shop, checklist, login_client
):
    zhang = personas["salesperson"]
    client = login_client(zhang)
    today = timezone.localdate()
    response = client.post(
        "/activities/",
        {
            "customer": shop.pk,
            "planned_date": today.isoformat(),
            "planned_time": "09:30",
            "visit_type": "routine",
            "purpose": "铺货检查",
        },
    )
    assert response.status_code == 302
    visit = all_records(Visit).get(owner=zhang)
    home = client.get("/").content.decode()
    assert 'data-testid="home-my-day"' in home
    assert shop.name in home

    page = client.get(f"/activities/visits/{visit.pk}/").content.decode()
    assert 'data-testid="check-in"' in page
    client.post(
        f"/activities/visits/{visit.pk}/check-in/", {"latitude": "31.2305", "longitude": "121.4738"}
    )
    page = client.get(f"/activities/visits/{visit.pk}/").content.decode()
    assert 'data-testid="checklist"' in page
    assert "确认发货数量" in page
    item = checklist.items.get(text="张贴海报")
    client.post(f"/activities/visits/{visit.pk}/checklist/{item.pk}/", {"done": "on"})
    response = client.post(
        f"/activities/visits/{visit.pk}/check-out/", {"outcome": "order_taken", "cost": "abc"}
    )
    assert response.status_code == 422
    assert "请以数字填写费用" in response.content.decode()
    client.post(
        f"/activities/visits/{visit.pk}/check-out/", {"outcome": "order_taken", "cost": "8"}
    )
    visit.refresh_from_db()
    assert (visit.status, visit.cost_fen, visit.distance_m) == ("done", 800, 15)


def test_the_report_is_drafted_submitted_and_commented_on_the_pages(personas, login_client):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    client = login_client(zhang)
    today = timezone.localdate()
    response = client.post("/activities/reports/", {"kind": "daily", "day": today.isoformat()})
    report = all_records(WorkReport).get(author=zhang)
    assert response["Location"] == f"/activities/reports/{report.pk}/"
    client.post(
        f"/activities/reports/{report.pk}/",
        {"summary": "跑了三家店", "problems": "", "next_plan": "", "version": 1, "submit": "1"},
    )
    report.refresh_from_db()
    assert report.status == "submitted"

    manager = login_client(lina)
    assert f"/activities/reports/{report.pk}/" in manager.get("/").content.decode()
    page = manager.get(f"/activities/reports/{report.pk}/").content.decode()
    assert "跑了三家店" in page
    assert 'data-testid="review-form"' in page
    manager.post(
        f"/activities/reports/{report.pk}/review/",
        {"comment": "明天重点跟进", "rating": 5, "version": report.version},
    )
    report.refresh_from_db()
    assert (report.status, report.rating) == ("reviewed", 5)
    assert 'data-testid="inbox-unread">1<' in client.get("/").content.decode()


def test_the_team_calendar_shows_the_team_and_uncovered_customers(
    personas, shop, coverage, login_client
):
    zhang = personas["salesperson"]
    services.plan_visit(actor=zhang, customer=shop, planned_date=timezone.localdate())
    page = login_client(personas["team_lead"]).get("/activities/team/").content.decode()
    assert zhang.display_name in page
    assert shop.name in page
    lonely = login_client(personas["other_region_salesperson"]).get("/activities/team/")
    assert shop.name not in lonely.content.decode()


def test_the_calendar_feed_is_reached_by_its_secret_address_only(personas, shop, client):
    zhang = personas["salesperson"]
    services.plan_visit(
        actor=zhang,
        customer=shop,
        planned_date=timezone.localdate() + dt.timedelta(days=1),
        planned_time=dt.time(14, 0),
    )
    feed = services.renew_feed(actor=zhang)
    response = client.get(f"/activities/feed/{feed.token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [f"例行拜访: {shop.name}"]
    assert client.get("/activities/feed/not-the-token.ics").status_code == 404
    old = feed.token
    services.renew_feed(actor=zhang)
    assert client.get(f"/activities/feed/{old}.ics").status_code == 404


def test_the_customer_page_lists_its_visits_to_who_may_see_them(personas, shop, login_client):
    zhang = personas["salesperson"]
    visit = services.plan_visit(
        actor=zhang, customer=shop, planned_date=timezone.localdate(), purpose="对账"
    )
    services.check_in(actor=zhang, visit=visit)
    services.check_out(actor=zhang, visit=visit, outcome="payment", notes="收到回款支票")
    page = login_client(personas["team_lead"]).get(f"/customers/{shop.pk}/").content.decode()
    assert 'data-testid="customer-visits"' in page
    assert "收到回款支票" in page


def test_the_director_sets_coverage_rules_and_checklists_others_only_read(personas, login_client):
    from salescope.activities.models import ChecklistItem, CoverageRule

    director = login_client(personas["director"])
    form = {"what": "coverage", "visits_A": "1", "period_A": "week", "visits_B": "2"}
    form.update({"period_B": "month", "visits_C": "0", "visits_D": "0"})
    assert director.post("/activities/setup/", form).status_code == 302
    assert sorted(CoverageRule.objects.unrestricted().values_list("tier", "visits", "period")) == [
        ("A", 1, "week"),
        ("B", 2, "month"),
    ]
    director.post(
        "/activities/setup/",
        {
            "what": "checklist",
            "visit_type": "routine",
            "name": "例行拜访清单",
            "lines": "确认发货数量\n检查库存 | number\n",
        },
    )
    items = ChecklistItem.objects.unrestricted().values_list("text", "kind")
    assert list(items) == [("确认发货数量", "check"), ("检查库存", "number")]
    salesperson = login_client(personas["salesperson"])
    assert "检查库存 | number" in salesperson.get("/activities/setup/").content.decode()
    refused = salesperson.post("/activities/setup/", {**form, "visits_A": "5"})
    assert refused.status_code == 403
    assert CoverageRule.objects.unrestricted().get(tier="A").visits == 1
