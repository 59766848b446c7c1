"""Panels that other apps add to a customer's page.

The customer page is where a salesperson sees everything about one customer: its orders and
invoices (ledger), its opportunities (pipeline), its visits and timeline (activities). Those
apps sit above ``customers``, so ``customers`` cannot import them; each registers a panel here
when it loads (in its ``AppConfig.ready``) and the page shows the registered panels in order.

A panel is a template and a function that returns its context for one viewer and one customer,
or ``None`` when the viewer has nothing to see in it (the panel is then left out).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from salescope.customers.models import Customer
    from salescope.org.models import User

PanelContext = Callable[["User", "Customer"], dict[str, Any] | None]


@dataclass(frozen=True)
class CustomerPanel:
    """One section of the customer page: ``template`` rendered with ``context(viewer, customer)``
    under the name ``panel``; ``order`` places it (lower first)."""

    key: str
    template: str
    context: PanelContext
    order: int = 100


_PANELS: dict[str, CustomerPanel] = {}


def register_panel(panel: CustomerPanel) -> None:
    """Adds (or replaces, by key) a panel of the customer page."""
    _PANELS[panel.key] = panel


def panels_for(*, viewer: User, customer: Customer) -> list[dict[str, Any]]:
    """The panels ``viewer`` sees on ``customer``'s page, in order, each with its context."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(viewer, customer)
        if context is not None:
            shown.append({"key": panel.key, "template": panel.template, "context": context})
    return shown
