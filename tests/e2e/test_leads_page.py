"""On a phone: a salesperson claims a lead from the pool (公海), opens it and records the first
contact; the page fits the screen (no sideways scrolling)."""

import pytest

from salescope.leads import services
from salescope.leads.choices import LeadStatus
from salescope.leads.models import Lead
from tests.e2e.conftest import DESKTOP, PHONE
from tests.leads.conftest import lead_data, world  # noqa: F401 - the evaluation model and rules

pytestmark = pytest.mark.browser


def test_a_salesperson_claims_and_contacts_a_lead_on_a_phone(
    browser,
    login,
    live_server,
    personas,
    world,  # noqa: F811
):
    from playwright.sync_api import expect

    lead = services.create_lead(
        actor=personas["marketing"],
        data=lead_data(company="天山商贸", province="新疆"),
        answers=world["hot"](),
    )
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    login(page, "zhangwei")  # the signed-in name shows in the desktop header
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/leads/pool/")
    row = page.get_by_test_id("lead-row").filter(has_text="天山商贸")
    row.get_by_test_id("claim").click()

    expect(page.get_by_test_id("lead-facts")).to_contain_text("张伟")
    expect(page.get_by_test_id("score-breakdown")).to_contain_text("需求紧迫度")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_test_id("contact-form").locator("input[name=note]").fill("电话沟通，约下周拜访")
    page.get_by_test_id("contact-form").locator("button").click()
    expect(page.get_by_test_id("lead-facts")).to_contain_text("已联系")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.WORKING
    assert Lead.objects.unrestricted().get(pk=lead.pk).owner == personas["salesperson"]
    context.close()
