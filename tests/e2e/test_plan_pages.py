"""In a real browser, on the target grid (目标分解表) of 刘洋 (director):

- decomposing a cell again asks first, since it replaces the parts below with their locks and
  comments: dismissed, nothing changes; confirmed, the parts are replaced;
- a comment posted in the negotiation panel updates the row's "N 条意见" at once.
"""

import pytest

from salescope.plans import services
from salescope.plans.choices import Axis
from salescope.plans.models import Target
from salescope.plans.services import Step

pytestmark = pytest.mark.browser


def _parts(root):  # noqa: ANN001, ANN202
    return list(
        Target.objects.unrestricted()
        .filter(parent=root)
        .order_by("id")
        .values_list("pk", flat=True)
    )


def test_decomposing_again_is_confirmed_first(
    transactional_db, live_server, personas, plan, page, login
):
    from playwright.sync_api import expect

    root = plan.targets.get(parent=None)
    services.decompose_target(actor=personas["director"], target=root, steps=[Step(Axis.ORG)])
    before = _parts(root)
    login(page, "liuyang")
    page.goto(f"{live_server.url}/plans/targets/{root.pk}/")
    form = page.get_by_test_id("decompose")
    asked = []

    def dismiss(dialog):  # noqa: ANN001, ANN202
        asked.append((dialog.type, dialog.message))
        dialog.dismiss()

    page.once("dialog", dismiss)
    form.locator("button:not([data-no-confirm])").click()
    page.wait_for_timeout(300)
    assert asked
    assert asked[0][0] == "confirm"
    assert asked[0][1] == form.get_attribute("data-confirm")
    assert page.url.endswith(f"/plans/targets/{root.pk}/")
    assert _parts(root) == before  # dismissed: the parts below are kept

    page.once("dialog", lambda dialog: dialog.accept())
    form.locator("button:not([data-no-confirm])").click()
    expect(page.locator(".alert-success")).to_be_visible()
    after = _parts(root)
    assert after
    assert not set(after) & set(before)  # confirmed: replaced


def test_a_posted_comment_updates_the_rows_count(
    transactional_db, live_server, personas, plan, page, login
):
    from playwright.sync_api import expect

    root = plan.targets.get(parent=None)
    services.decompose_target(actor=personas["director"], target=root, steps=[Step(Axis.ORG)])
    region = Target.objects.unrestricted().filter(parent=root).order_by("position", "id").first()
    login(page, "liuyang")
    page.goto(f"{live_server.url}/plans/targets/{root.pk}/")
    count = page.locator(f"#comment-count-{region.pk}")
    expect(count).to_have_text("0 条意见")
    count.click()
    panel = page.get_by_test_id("comments")
    expect(panel).to_be_visible()
    panel.locator("input[name=text]").fill("华东压力偏大，建议下调")
    panel.locator("button").click()
    expect(panel).to_contain_text("华东压力偏大")
    expect(count).to_have_text("1 条意见")
    panel = page.get_by_test_id("comments")
    panel.locator("input[name=text]").fill("同意")
    panel.locator("button").click()
    expect(page.locator(f"#comment-count-{region.pk}")).to_have_text("2 条意见")
