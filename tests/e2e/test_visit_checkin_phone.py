"""On a phone (390×844) with the browser's position at the customer's door: 张伟 opens today's
visit from the work surface, checks in (the distance is shown), works the checklist, checks
out with the outcome and cost, and submits the daily report drafted from that visit."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from salescope.activities import services
from tests.activities.conftest import make_customer

pytestmark = pytest.mark.browser

DOOR = {"latitude": 31.2305, "longitude": 121.4738}  # ~15 m from the registered location


def test_salesperson_checks_in_on_the_phone_and_reports(
    transactional_db, live_server, personas, browser
):
    from playwright.sync_api import expect

    from salescope.org.demo import DEMO_PASSWORD

    zhang = personas["salesperson"]
    shop = make_customer(zhang, tier="A", name="联华超市")
    services.save_checklist_template(
        actor=personas["admin"],
        visit_type="routine",
        name="例行拜访清单",
        items=[("确认发货数量", "check"), ("张贴海报", "check")],
    )
    services.plan_visit(
        actor=zhang, customer=shop, planned_date=timezone.localdate(), planned_time=dt.time(9, 30)
    )
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation=DOOR,
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "zhangwei")
        page.fill("#id_password", DEMO_PASSWORD)
        page.locator("main form button[type=submit]").click()
        today = page.get_by_test_id("home-my-day")
        expect(today).to_contain_text("联华超市")
        today.get_by_test_id("today-visit").click()

        expect(page.get_by_test_id("visit-customer")).to_have_text("联华超市")
        page.wait_for_load_state("load")  # visit.js asks for the position on submit
        page.get_by_test_id("check-in").click()
        expect(page.get_by_test_id("distance")).to_contain_text("15")
        expect(page.get_by_test_id("visit-status")).to_contain_text("已签到")

        checklist = page.get_by_test_id("checklist")
        row = checklist.locator("li", has_text="张贴海报")
        row.locator("input[type=checkbox]").check()
        row.get_by_test_id("save-item").click()
        expect(
            page.get_by_test_id("checklist")
            .locator("li", has_text="张贴海报")
            .locator("input[type=checkbox]")
        ).to_be_checked()

        page.wait_for_load_state("load")
        form = page.get_by_test_id("check-out-form")
        form.locator("select[name=outcome]").select_option("order_taken")
        form.locator("input[name=cost]").fill("25")
        page.get_by_test_id("check-out").click()
        expect(page.get_by_test_id("visit-status")).to_contain_text("已完成")

        page.goto(f"{live_server.url}/activities/reports/")
        page.get_by_test_id("write-daily").click()
        expect(page).to_have_url(re.compile(r"/activities/reports/\d+/$"))
        expect(page.get_by_test_id("fact-visits")).to_have_text("1 / 1")
        page.locator("textarea[name=summary]").fill("联华超市下单,海报已张贴")
        page.get_by_test_id("submit-report").click()
        expect(page.get_by_test_id("report-status")).to_have_text("已提交")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_a_visit_made_without_connection_is_sent_once_back_online(
    transactional_db, live_server, personas, browser
):
    from playwright.sync_api import expect

    from salescope.activities.models import Visit
    from salescope.org.demo import DEMO_PASSWORD

    zhang = personas["salesperson"]
    shop = make_customer(zhang, tier="A", name="地下超市")
    visit = services.plan_visit(actor=zhang, customer=shop, planned_date=timezone.localdate())
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        geolocation=DOOR,
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "zhangwei")
        page.fill("#id_password", DEMO_PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.goto(f"{live_server.url}/activities/visits/{visit.pk}/")
        expect(page.locator("html")).to_have_attribute("data-visit-js", "ready")

        context.set_offline(True)
        page.get_by_test_id("check-in").click()
        offline = page.get_by_test_id("offline-checkout")
        expect(offline).to_be_visible()
        offline.locator("select[name=outcome]").select_option("information")
        offline.locator("input[name=cost]").fill("12.5")
        page.get_by_test_id("offline-check-out").click()
        expect(page.get_by_test_id("offline-queue")).to_contain_text("1")
        visit.refresh_from_db()
        assert visit.status == "planned"

        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        expect(page.get_by_test_id("visit-status")).to_contain_text("已完成")
        expect(page.get_by_test_id("distance")).to_contain_text("15")
        page.reload()
        expect(page.get_by_test_id("visit-status")).to_contain_text("已完成")
    finally:
        context.close()
    stored = Visit.objects.unrestricted().get(pk=visit.pk)
    assert (stored.status, stored.outcome, stored.cost_fen) == ("done", "information", 1250)
    assert stored.client_id is not None
    assert Visit.objects.unrestricted().filter(owner=zhang).count() == 1
