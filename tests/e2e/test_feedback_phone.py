"""On a 390 px phone: a salesperson reports market intelligence and a problem, finds the entry
by a Chinese word, and acknowledges the team lead's instruction."""

import pytest

from salescope.feedback import services
from salescope.feedback.models import Intelligence, Problem
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.browser


def test_salesperson_sends_feedback_and_acknowledges_guidance_on_a_phone(
    transactional_db, live_server, personas, page, login, shoot
):
    from playwright.sync_api import expect

    given = services.give_guidance(
        actor=personas["team_lead"], person=personas["salesperson"], body="重点拜访 A 类客户"
    )
    login(page, "zhangwei")
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/feedback/intelligence/new/")
    form = page.get_by_test_id("feedback-form")
    form.get_by_label("类型").select_option("competitor")
    form.get_by_label("标题").fill("竞品在超市做买一送一")
    form.get_by_label("竞争对手").fill("蓝月亮")
    form.get_by_label("详细内容").fill("周末堆头促销")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "feedback-intelligence-form")
    form.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("intelligence-detail")).to_contain_text("蓝月亮")
    assert Intelligence.objects.unrestricted().filter(title="竞品在超市做买一送一").exists()

    page.goto(f"{live_server.url}/feedback/intelligence/?q=堆头")
    expect(page.get_by_test_id("intelligence-list")).to_contain_text("竞品在超市做买一送一")

    page.goto(f"{live_server.url}/feedback/problems/new/")
    form = page.get_by_test_id("feedback-form")
    form.get_by_label("标题").fill("经销商断货")
    form.get_by_label("严重程度").select_option("high")
    form.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("problem-detail")).to_contain_text("李娜")
    assert Problem.objects.unrestricted().get(title="经销商断货").owner == personas["team_lead"]

    page.goto(f"{live_server.url}/feedback/guidance/?scope=pending")
    page.get_by_test_id("guidance-list").get_by_text("重点拜访").click()
    page.get_by_role("button", name="确认收到").click()
    expect(page.get_by_test_id("guidance-detail")).to_contain_text("已确认")
    given.refresh_from_db()
    assert given.status == "acknowledged"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
