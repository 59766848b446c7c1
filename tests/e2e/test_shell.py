"""In a real browser: 张伟 logs in with a Chinese browser, sees the zh-Hans shell, switches to
English from the footer, stays in English on the next page, and logs out."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_login_see_chinese_shell_switch_to_english_and_log_out(
    transactional_db, live_server, personas, page
):
    from playwright.sync_api import expect

    from salescope.org.demo import DEMO_PASSWORD

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.fill("#id_username", "zhangwei")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()

    nav = page.get_by_test_id("main-nav")
    expect(nav).to_contain_text("计划与目标")
    expect(nav).to_contain_text("客户与应收")
    expect(page.get_by_test_id("current-user")).to_contain_text("张伟")
    expect(page.get_by_test_id("current-user")).to_contain_text("上海一组")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.get_by_test_id("language-switcher").locator("button[value=en]").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav).to_contain_text("Plans & targets")
    expect(nav).not_to_contain_text("计划与目标")
    expect(page.get_by_test_id("logout")).to_have_text("Log out")

    page.get_by_test_id("current-user").click()
    expect(page).to_have_url(f"{live_server.url}/profile/")
    expect(page.locator("h1")).to_have_text("My profile")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_test_id("logout").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.locator("h1")).to_have_text("Log in to Salescope")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
