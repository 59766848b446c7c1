"""On a 390 px phone: a salesperson opens a customer, takes an order on the form (no sideways
scrolling, labels above the inputs, buttons full width), and adds a look-alike customer only
after the duplicate warning."""

import pytest

from salescope.customers.models import Customer
from salescope.ledger.models import Order
from tests.e2e.conftest import PHONE
from tests.ledger.world import build_world

pytestmark = pytest.mark.browser


def _page_width(page) -> int:  # noqa: ANN001
    return page.evaluate("document.documentElement.scrollWidth")


def test_salesperson_takes_an_order_and_adds_a_customer_on_a_phone(
    transactional_db, live_server, personas, page, login, shoot
):
    from playwright.sync_api import expect

    world = build_world(personas)
    login(page, "zhangwei")
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/customers/{world.east_dealer.pk}/")
    page.get_by_test_id("customer-actions").get_by_role("link", name="下单").click()
    form = page.get_by_test_id("order-form")
    expect(page.get_by_test_id("credit-summary")).to_contain_text("10,000.00")
    assert _page_width(page) <= PHONE["width"]
    first_sku = form.get_by_label("产品编码").first
    box, save = first_sku.bounding_box(), form.get_by_test_id("save").bounding_box()
    assert box["width"] > PHONE["width"] * 0.8  # the SKU input spans the phone's width
    assert save["width"] > PHONE["width"] * 0.8  # so does the button to save
    first_sku.fill("P-COLA")
    form.get_by_label("数量").first.fill("12")
    shoot(page, "order-form")
    form.get_by_test_id("save").click()

    expect(page.locator("main")).to_contain_text("已确认")
    order = Order.objects.unrestricted().get(customer=world.east_dealer)
    assert (order.status, order.amount_fen) == ("confirmed", 3_600)

    page.goto(f"{live_server.url}/customers/new/")
    customer_form = page.get_by_test_id("record-form")
    customer_form.get_by_label("编码").fill("C-NEW-9")
    customer_form.get_by_label("名称").fill("上海联华商贸")  # looks like C-EAST-1
    customer_form.get_by_test_id("save").click()
    expect(page.get_by_test_id("duplicate-warning")).to_contain_text("C-EAST-1")
    assert _page_width(page) <= PHONE["width"]
    assert not Customer.objects.unrestricted().filter(code="C-NEW-9").exists()
    shoot(page, "customer-duplicate-warning")
    page.get_by_test_id("save-anyway").click()
    expect(page.get_by_test_id("customer-name")).to_contain_text("上海联华商贸")
    assert Customer.objects.unrestricted().get(code="C-NEW-9").owner == personas["salesperson"]
