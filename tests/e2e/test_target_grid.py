"""In a real browser, the target grid (目标分解表) works like a spreadsheet (A3, A8):

- 刘洋 (director) pastes a block copied from Excel into the regions' sales targets, moves with
  the arrow keys, saves, and the pasted cells are locked while the others share the rest: the
  parts still add up to the company's 12,000,000;
- for a market share (a level) the grid has no lock column and shows the mean of the parts; a
  level above 100 % is refused with the reason, and a typed level is kept as typed.
"""

import pytest

from salescope.plans import services
from salescope.plans.choices import Axis, Metric
from salescope.plans.models import Target
from salescope.plans.services import Step

pytestmark = pytest.mark.browser

PASTE = """(text) => {
  const data = new DataTransfer();
  data.setData("text/plain", text);
  const event = new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true});
  document.activeElement.dispatchEvent(event);
}"""


def _regions(root):  # noqa: ANN001, ANN202
    return list(Target.objects.unrestricted().filter(parent=root).order_by("position", "id"))


def _value_cell(page, cell):  # noqa: ANN001, ANN202
    return page.locator(f'input[name="value-{cell.pk}"]')


def test_director_pastes_a_block_from_excel_and_the_parts_still_add_up(
    transactional_db, live_server, personas, plan, page, login, shoot
):
    from playwright.sync_api import expect

    director = personas["director"]
    root = plan.targets.get(parent=None)
    services.decompose_target(actor=director, target=root, steps=[Step(Axis.ORG)])
    first, second, *rest = _regions(root)
    login(page, "liuyang")
    page.goto(f"{live_server.url}/plans/targets/{root.pk}/")
    expect(page.get_by_test_id("parts-total")).to_contain_text("各部分合计")
    expect(page.get_by_test_id("parts-total")).to_contain_text("12,000,000.00")

    _value_cell(page, first).focus()
    page.keyboard.press("ArrowDown")  # Enter and the arrows move like a spreadsheet
    assert page.evaluate("document.activeElement.name") == f"value-{second.pk}"
    page.keyboard.press("ArrowUp")
    page.evaluate(PASTE, "1,200,000\r\n¥800,000\r\n")  # two rows copied from Excel
    expect(_value_cell(page, first)).to_have_value("1200000")
    expect(_value_cell(page, second)).to_have_value("800000")
    shoot(page, "target-grid-pasted")
    page.get_by_test_id("target-grid").locator("button[type=submit]").click()

    expect(page.locator(".alert-success")).to_contain_text("各部分之和仍等于总目标")
    expect(_value_cell(page, first)).to_have_value("1200000.00")
    expect(_value_cell(page, second)).to_have_value("800000.00")
    for other in rest:  # the free regions share the other 10,000,000
        expect(_value_cell(page, other)).to_have_value("5000000.00")
    expect(page.locator(f'input[name="locked-{first.pk}"]')).to_be_checked()
    expect(page.locator(f'input[name="locked-{rest[0].pk}"]')).not_to_be_checked()
    expect(page.get_by_test_id("parts-total")).to_contain_text("12,000,000.00")
    values = [cell.value for cell in _regions(root)]
    assert values == [1_200_000_00, 800_000_00, 5_000_000_00, 5_000_000_00]
    assert sum(values) == Target.objects.unrestricted().get(pk=root.pk).value


def test_a_market_share_grid_keeps_each_typed_level_and_refuses_above_100(
    transactional_db, live_server, personas, plan, page, login, shoot
):
    from playwright.sync_api import expect

    director = personas["director"]
    share = services.set_plan_target(
        actor=director, plan=plan, metric=Metric.MARKET_SHARE, value=19_00
    )
    services.decompose_target(actor=director, target=share, steps=[Step(Axis.ORG)])
    east, *others = _regions(share)
    login(page, "liuyang")
    page.goto(f"{live_server.url}/plans/targets/{share.pk}/")
    grid = page.get_by_test_id("target-grid")
    expect(grid.locator("thead")).not_to_contain_text("锁定")
    expect(page.get_by_test_id("parts-total")).to_contain_text("各部分平均")
    expect(page.get_by_test_id("parts-total")).to_contain_text("19.00")

    _value_cell(page, east).fill("120")
    grid.locator("button[type=submit]").click()
    expect(page.locator(".alert-danger")).to_contain_text("百分比不能超过 100。")
    assert {cell.value for cell in _regions(share)} == {19_00}

    _value_cell(page, east).fill("18")
    grid.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("各部分保留您输入的水平")
    expect(_value_cell(page, east)).to_have_value("18.00")
    for other in others:
        expect(_value_cell(page, other)).to_have_value("19.00")
    expect(page.get_by_test_id("parts-total")).to_contain_text("18.75")  # (18 + 3 × 19) ÷ 4
    expect(page.get_by_test_id("cell-total")).to_have_text("19.00")  # the company's own level
    shoot(page, "target-grid-level")
