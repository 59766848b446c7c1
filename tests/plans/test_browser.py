"""In a real browser (zh-Hans): the director pastes a block from Excel into the target grid and
saves; the parts still add up. 张伟 on a phone sees his targets."""

import os

import pytest

from salescope.plans.models import Target

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
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def _login(browser, live_server, username, **options):
    from salescope.org.demo import DEMO_PASSWORD

    context = browser.new_context(locale="zh-CN", **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    return page


@pytest.mark.django_db(transaction=True)
def test_director_pastes_a_block_from_excel_into_the_grid(live_server, decomposed, browser):
    from playwright.sync_api import expect

    root = decomposed.targets.get(parent=None)
    page = _login(browser, live_server, "liuyang")
    page.goto(f"{live_server.url}/plans/targets/{root.pk}/")
    expect(page.locator("h1")).to_contain_text("销售额")
    first = page.locator(".grid-cell[data-col='0']").first
    first.focus()
    page.evaluate(
        """() => {
          const data = new DataTransfer();
          data.setData('text/plain', '4,000,000\\t3800000\\n2500000\\t');
          document.activeElement.dispatchEvent(
            new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }"""
    )
    expect(first).to_have_value("4000000")
    page.locator("#target-grid button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("各部分之和仍等于总目标")
    values = list(
        Target.objects.unrestricted()
        .filter(parent=root)
        .order_by("position")
        .values_list("value", "bottom_up")
    )
    assert values == [
        (400_000_000, 380_000_000),
        (250_000_000, None),
        (275_000_000, None),
        (275_000_000, None),
    ]


@pytest.mark.django_db(transaction=True)
def test_salesperson_sees_my_targets_on_a_phone(live_server, decomposed, browser):
    from playwright.sync_api import expect

    page = _login(browser, live_server, "zhangwei", viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/tracking/my/?plan={decomposed.pk}")
    card = page.get_by_test_id("my-target-card")
    expect(card).to_contain_text("销售额")
    expect(card).to_contain_text("250,000.00")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
