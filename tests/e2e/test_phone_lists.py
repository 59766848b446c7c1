"""On a 390 px phone the customer list and the receivables fit the screen (issue 19, defect
5): cards instead of wide tables, and no sideways scrolling of the page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from salescope.ledger import services
from tests.e2e.conftest import DESKTOP, PHONE
from tests.ledger.world import build_world

pytestmark = pytest.mark.browser


@pytest.fixture
def receivables(personas):
    world = build_world(personas)
    today = timezone.localdate()
    for n, (customer, days_ago) in enumerate(
        [(world.east_dealer, 100), (world.east_dealer, 10), (world.south_dealer, 45)]
    ):
        services.issue_invoice(
            actor=personas["finance"],
            customer=customer,
            number=f"INV-PHONE-{n}",
            issue_date=today - dt.timedelta(days=days_ago),
            amount=Decimal("1234567.89"),
            due_date=today - dt.timedelta(days=days_ago - 30),
        )
    return world


@pytest.mark.parametrize(
    ("path", "cards"),
    [
        ("/customers/", ["customer-cards"]),
        ("/ledger/receivables/", ["ageing-cards", "overdue-cards"]),
    ],
)
def test_lists_fit_a_phone(browser, live_server, login, receivables, path, cards):
    from playwright.sync_api import expect

    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    login(page, "zhaomin")  # the signed-in name shows in the desktop navbar
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{path}")
    for testid in cards:
        expect(page.get_by_test_id(testid)).to_be_visible()
        assert page.get_by_test_id(testid).locator("[data-testid=card]").count() >= 2
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width} px wide"
    context.close()
