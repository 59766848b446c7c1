"""In a real browser: 王强 (华东 regional manager) enters a market-share figure for 张伟 on
实绩录入, corrects it, and finds it listed; 张伟 (salesperson) gets no entry form and a posted
figure is refused."""

import re

import pytest

from salescope.analytics.models import ManualActual

pytestmark = pytest.mark.browser


def test_regional_manager_enters_and_corrects_a_market_share(
    transactional_db, live_server, personas, page, login, shoot
):
    from playwright.sync_api import expect

    zhangwei = personas["salesperson"]
    login(page, "wangqiang")
    page.goto(f"{live_server.url}/tracking/actuals/")
    expect(page.locator("h1")).to_have_text("实绩录入")
    form = page.get_by_test_id("manual-create-form")
    people = form.get_by_label("人员").locator("option")
    expect(people.filter(has_text="陈静")).to_have_count(0)  # 华南: not in 王强's region
    form.get_by_label("指标").select_option("market_share")
    form.get_by_label("月份").fill("2026-03")
    form.get_by_label("人员").select_option(str(zhangwei.pk))
    form.get_by_label("数值").fill("12.5")
    form.get_by_label("备注").fill("尼尔森三月报告")
    shoot(page, "manual-entries-form")
    form.locator("button[type=submit]").click()

    rows = page.get_by_test_id("manual-actuals").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("2026-03")
    expect(rows.first).to_contain_text("张伟")
    expect(rows.first).to_contain_text("12.5")
    expect(rows.first).to_contain_text("王强")
    actual = ManualActual.objects.unrestricted().get()
    assert (actual.person_id, actual.metric, actual.value) == (zhangwei.pk, "market_share", 1250)

    rows.first.locator("a").click()
    expect(page).to_have_url(re.compile(rf"/tracking/actuals/{actual.pk}/$"))
    edit = page.get_by_test_id("manual-edit-form")
    edit.get_by_label("数值").fill("13.25")
    edit.locator("button[type=submit]").click()
    expect(page.get_by_test_id("value")).to_contain_text("13.25")
    shoot(page, "manual-entry")
    actual.refresh_from_db()
    assert actual.value == 1325

    page.goto(f"{live_server.url}/tracking/actuals/?metric=market_share&month=2026-03")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("13.25")
    shoot(page, "manual-entries")


def test_salesperson_cannot_enter_figures(
    transactional_db, live_server, personas, page, login, shoot
):
    from playwright.sync_api import expect

    login(page, "zhangwei")
    page.goto(f"{live_server.url}/tracking/actuals/")
    expect(page.locator("h1")).to_have_text("实绩录入")
    expect(page.get_by_test_id("manual-create-form")).to_have_count(0)
    shoot(page, "manual-entries-salesperson")
    status = page.evaluate(
        """async (personId) => {
            const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
            const body = new URLSearchParams({metric: "market_share", month: "2026-03",
                                              person: personId, value: "50"});
            const r = await fetch("/tracking/actuals/", {
                method: "POST", headers: {"X-CSRFToken": token}, body});
            return r.status;
        }""",
        str(personas["salesperson"].pk),
    )
    assert status == 403
    assert not ManualActual.objects.unrestricted().exists()
