"""The pipeline's panel on the customer page (registered in ``apps.py``)."""

from typing import Any

from salescope.pipeline import queries


def customer_panel(viewer: Any, customer: Any) -> dict[str, Any] | None:
    opportunities = list(queries.list_opportunities(viewer=viewer, customer=customer)[:20])
    if not opportunities:
        return None
    return {"opportunities": opportunities, "customer": customer}
