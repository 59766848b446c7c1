"""The dimensions a target-vs-actual report can be grouped by, their labels and the
target columns that carry them."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salescope.core.errors import ValidationFailed
from salescope.plans.models import Dim

DIMENSIONS = {
    "salesperson": Dim.PERSON,
    "unit": Dim.UNIT,
    "region": Dim.REGION,
    "category": Dim.CATEGORY,
    "brand": Dim.BRAND,
    "product": Dim.PRODUCT,
    "customer": Dim.CUSTOMER,
    "month": Dim.MONTH,
    "quarter": Dim.QUARTER,
}
DIMENSION_LABELS = {
    "salesperson": gettext_lazy("Salesperson"),
    "unit": gettext_lazy("Unit"),
    "region": gettext_lazy("Region"),
    "category": gettext_lazy("Product category"),
    "brand": gettext_lazy("Brand"),
    "product": gettext_lazy("SKU"),
    "customer": gettext_lazy("Key customer"),
    "month": gettext_lazy("Month"),
    "quarter": gettext_lazy("Quarter"),
}
_COLUMNS = {
    "salesperson": "person_id",
    "unit": "unit_id",
    "region": "unit_id",
    "category": "category_id",
    "brand": "brand_id",
    "product": "product_id",
    "customer": "customer_id",
}


def parse_group_by(raw: str | Sequence[str]) -> list[str]:
    dims = [d.strip() for d in raw.split(",")] if isinstance(raw, str) else list(raw)
    dims = [d for d in dims if d]
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown or len(set(dims)) != len(dims):
        raise ValidationFailed(
            fields={
                "group_by": [
                    _("Unknown or repeated dimension: %(dims)s. Use: %(known)s.")
                    % {"dims": ", ".join(unknown) or "…", "known": ", ".join(DIMENSIONS)}
                ]
            }
        )
    return dims
