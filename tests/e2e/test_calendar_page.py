"""In a real browser: the administrator loads the official 2026 schedule into 工作日历, adds a
make-up working day (调休), renames a day and deletes one; a salesperson sees the same list with
no edit controls, and a write posted anyway is refused."""

import re

import pytest

from salescope.core.models import CalendarDay

pytestmark = pytest.mark.browser

OFFICIAL_2026 = 39  # 33 public holidays + 6 weekend days worked in exchange (chinesecalendar)


def test_admin_loads_adds_edits_and_deletes_days(
    transactional_db, live_server, personas, page, login, shoot
):
    from playwright.sync_api import expect

    login(page, "admin")
    page.goto(f"{live_server.url}/calendar/?year=2026")
    expect(page.locator("h1")).to_have_text("工作日历 2026")
    rows = page.get_by_test_id("calendar-days").locator("tbody tr")
    expect(rows).to_have_count(1)  # "no days yet"

    page.get_by_test_id("calendar-load-form").locator("button").click()
    expect(page.locator("main")).to_contain_text(f"已添加 {OFFICIAL_2026} ")
    expect(rows).to_have_count(OFFICIAL_2026)
    spring = rows.filter(has_text="2026-02-17")
    expect(spring).to_contain_text("春节")
    expect(spring).to_contain_text("星期二")
    expect(rows.filter(has_text="春节")).to_have_count(9 + 2)  # 9 days off, 2 worked in exchange
    shoot(page, "calendar-loaded")

    form = page.get_by_test_id("calendar-create-form")
    form.get_by_label("日期").fill("2026-03-07")
    form.get_by_label("类型").select_option("workday")
    form.get_by_label("名称").fill("年会调休")
    form.locator("button[type=submit]").click()
    expect(rows).to_have_count(OFFICIAL_2026 + 1)
    added = rows.filter(has_text="2026-03-07")
    expect(added).to_contain_text("年会调休")
    expect(added).to_contain_text("星期六")
    assert CalendarDay.objects.unrestricted().get(date="2026-03-07").kind == "workday"

    rows.filter(has_text="2026-10-10").locator("a").click()
    edit = page.get_by_test_id("calendar-edit-form")
    # a date input takes only ISO dates, whatever the language's date format
    expect(edit.get_by_label("日期")).to_have_value("2026-10-10")
    expect(edit.get_by_label("名称")).to_have_value("国庆节")
    edit.get_by_label("名称").fill("国庆节调休上班")
    edit.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("国庆节调休上班")
    shoot(page, "calendar-day")

    page.goto(f"{live_server.url}/calendar/?year=2026")
    rows.filter(has_text="2026-03-07").locator("a").click()
    page.get_by_test_id("calendar-delete-form").locator("button").click()
    expect(page).to_have_url(re.compile(r"/calendar/\?year=2026$"))
    expect(rows).to_have_count(OFFICIAL_2026)
    expect(rows.filter(has_text="2026-03-07")).to_have_count(0)
    expect(rows.filter(has_text="2026-10-10")).to_contain_text("国庆节调休上班")
    assert not CalendarDay.objects.unrestricted().filter(date="2026-03-07").exists()


def test_salesperson_sees_the_days_but_cannot_change_them(
    transactional_db, live_server, personas, page, login, shoot
):
    from playwright.sync_api import expect

    from salescope.core import calendar

    calendar.load_official(actor=personas["admin"], years=[2026])
    login(page, "zhangwei")
    page.goto(f"{live_server.url}/calendar/?year=2026")
    rows = page.get_by_test_id("calendar-days").locator("tbody tr")
    expect(rows).to_have_count(OFFICIAL_2026)
    expect(page.get_by_test_id("calendar-create-form")).to_have_count(0)
    expect(page.get_by_test_id("calendar-load-form")).to_have_count(0)
    shoot(page, "calendar-salesperson")

    rows.filter(has_text="2026-02-17").locator("a").click()
    expect(page.locator("h1")).to_contain_text("春节")
    expect(page.get_by_test_id("calendar-edit-form")).to_have_count(0)
    expect(page.get_by_test_id("calendar-delete-form")).to_have_count(0)

    day = CalendarDay.objects.unrestricted().get(date="2026-02-17")
    statuses = page.evaluate(
        """async (dayId) => {
            const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
            const post = (url, data) => fetch(url, {
                method: "POST", headers: {"X-CSRFToken": token}, body: new URLSearchParams(data),
            }).then((r) => r.status);
            return [
                await post("/calendar/?year=2026", {date: "2026-03-08", kind: "workday"}),
                await post(`/calendar/${dayId}/`, {version: "1", date: "2026-02-17",
                                                   kind: "holiday", name: "改名"}),
                await post(`/calendar/${dayId}/delete/`, {version: "1"}),
                await post("/calendar/load/?year=2026", {}),
            ];
        }""",
        day.pk,
    )
    assert statuses == [403, 403, 403, 403]
    assert CalendarDay.objects.unrestricted().count() == OFFICIAL_2026
    assert CalendarDay.objects.unrestricted().get(pk=day.pk).name == day.name
