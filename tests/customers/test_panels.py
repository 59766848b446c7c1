"""The customer page shows the panels other apps register (customers imports none of them)."""

import datetime as dt

import pytest

from salescope.customers.panels import _PANELS, CustomerPanel, panels_for, register_panel
from salescope.ledger import services as ledger_services


@pytest.fixture
def extra_panel():
    """A panel registered for one test only, shown to the customer's owner alone."""
    seen = []

    def context(viewer, customer):
        seen.append((viewer.username, customer.code))
        return {"note": "only for the owner"} if viewer == customer.owner else None

    register_panel(CustomerPanel("probe", "customers/_probe_panel.html", context, order=1))
    yield seen
    _PANELS.pop("probe")


def test_the_ledger_panel_lists_the_customers_own_orders(world, login_client):
    ledger_services.create_order(
        actor=world.personas["salesperson"],
        customer=world.east_dealer,
        number="SO-PANEL-1",
        date=dt.date(2026, 3, 2),
        lines=[{"product": world.cola, "quantity": 10}],
    )
    ledger_services.create_order(
        actor=world.personas["other_region_salesperson"],
        customer=world.south_dealer,
        number="SO-PANEL-2",
        date=dt.date(2026, 3, 2),
        lines=[{"product": world.cola, "quantity": 5}],
    )
    page = login_client(world.personas["salesperson"]).get(f"/customers/{world.east_dealer.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "SO-PANEL-1" in text
    assert "SO-PANEL-2" not in text


def test_a_panel_with_nothing_for_the_viewer_is_left_out(world, extra_panel):
    owner, director = world.personas["salesperson"], world.personas["director"]
    shown_to_owner = [p["key"] for p in panels_for(viewer=owner, customer=world.east_dealer)]
    shown_to_director = [p["key"] for p in panels_for(viewer=director, customer=world.east_dealer)]
    assert shown_to_owner[0] == "probe"  # the lowest order comes first
    assert "ledger" in shown_to_owner
    assert "probe" not in shown_to_director
    assert "ledger" in shown_to_director
    assert extra_panel == [("zhangwei", "C-EAST-1"), (director.username, "C-EAST-1")]
