"""The timeline's panel on the customer page (registered in ``apps.py``)."""

from typing import Any

from salescope.timeline import queries


def customer_panel(viewer: Any, customer: Any) -> dict[str, Any] | None:
    page = queries.events_page(viewer, customer=customer)
    return {"page": page, "customer": customer}
