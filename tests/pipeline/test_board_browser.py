"""In a real browser: dragging a card to another column moves the deal (and the form stays
for phones and without JavaScript)."""

import pytest

from salescope.org.models import User
from salescope.pipeline.models import Opportunity
from tests.e2e.conftest import browser, login, page  # noqa: F401 - Chromium fixtures
from tests.pipeline.world import make_opportunity, make_pipeline

pytestmark = pytest.mark.browser


def test_dragging_a_card_to_the_next_column_moves_it(
    transactional_db,
    live_server,
    personas,
    page,  # noqa: F811
    login,  # noqa: F811
):
    from playwright.sync_api import expect

    pipeline = make_pipeline(User.objects.unrestricted().get(username="admin"))
    opp = make_opportunity(personas["salesperson"], pipeline, name="拖拽商机")
    second = pipeline.stages.get(order=2)

    login(page, "zhangwei")
    page.goto(f"{live_server.url}/pipeline/board/?pipeline={pipeline.pk}")
    card = page.locator(f'.kanban-card[data-opportunity="{opp.pk}"]')
    card.drag_to(page.locator(f'.kanban-column[data-stage="{second.pk}"] .kanban-drop'))

    expect(page.locator(f'.kanban-column[data-stage="{second.pk}"]')).to_contain_text("拖拽商机")
    assert Opportunity.objects.unrestricted().get(pk=opp.pk).stage == second
