"""In a real browser: the administrator opens the org chart (zh-Hans), collapses and expands
it, goes to the list of what has no responsible person in one click, opens a person's page,
moves them, then reads the same pages in English. 张伟 sees his own organization page."""

import os
import re

import pytest

pytestmark = pytest.mark.browser

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # sync Playwright runs an event loop

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser_page(chromium_path):  # noqa: ANN001, ANN201
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: errors.append(msg.text) if msg.type == "error" else None,
        )
        yield page
        assert errors == []  # no script errors, no CSP violations
        context.close()
        browser.close()


def login(page, url: str, username: str) -> None:  # noqa: ANN001
    from salescope.org.demo import DEMO_PASSWORD

    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()


def test_admin_uses_the_org_chart_unassigned_list_and_person_page_in_both_languages(
    transactional_db, live_server, personas, browser_page
):
    from playwright.sync_api import expect

    page = browser_page
    login(page, live_server.url, "admin")
    page.get_by_test_id("main-nav").get_by_text("组织").click()

    chart = page.get_by_test_id("org-chart")
    expect(chart).to_contain_text("华东大区")
    expect(page.get_by_test_id("unit-EAST").get_by_test_id("head-count").first).to_have_text(
        "1 / 12 人"
    )
    page.get_by_text("全部折叠").click()
    expect(page.get_by_test_id("unit-EAST-SH-1")).to_be_hidden()
    page.get_by_text("全部展开").click()
    expect(page.get_by_test_id("unit-EAST-SH-1")).to_be_visible()

    page.get_by_test_id("unassigned-link").click()
    expect(page.get_by_test_id("unassigned-territories")).to_contain_text("江苏省")
    expect(page.get_by_test_id("unassigned-territories")).to_contain_text("云南省")

    page.goto(f"{live_server.url}/org/people/{personas['salesperson'].pk}/")
    expect(page.get_by_test_id("manager")).to_contain_text("李娜")
    move = page.get_by_test_id("move-form")
    move.locator("select[name=unit]").select_option(label="— — — 广州一组 (SOUTH-GZ-1)")
    move.locator("input[name=effective_on]").fill("2026-05-01")
    move.locator("button[type=submit]").click()
    expect(page.get_by_test_id("unit")).to_contain_text("广州一组")
    expect(page.get_by_test_id("memberships")).to_contain_text("上海一组: 2025-01-01 – 2026-05-01")

    page.get_by_test_id("language-switcher").get_by_text("English").click()
    page.goto(f"{live_server.url}/org/")
    expect(page.locator("h1")).to_have_text("Org chart")
    expect(page.get_by_test_id("unit-EAST").get_by_test_id("head-count").first).to_have_text(
        "1 / 11 people"
    )
    page.goto(f"{live_server.url}/org/unassigned/")
    expect(page.locator("h1")).to_have_text("What has no responsible person")


def test_a_salesperson_reads_their_own_organization_page(
    transactional_db, live_server, personas, browser_page
):
    from playwright.sync_api import expect

    page = browser_page
    login(page, live_server.url, "zhangwei")
    page.goto(f"{live_server.url}/org/me/")
    expect(page.locator("h1")).to_have_text("我的组织")
    expect(page.get_by_test_id("manager")).to_contain_text("李娜")
    expect(page.get_by_test_id("territories")).to_contain_text("浦东新区")
    expect(page.get_by_test_id("duties")).to_contain_text("回款率不低于 95%")
    expect(page).to_have_url(re.compile(r"/org/me/$"))
