"""Target values as people type them (hundredths, at most 100% for a percentage) and the
version check every cell edit makes (R7)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from salescope.core.errors import StaleVersion, ValidationFailed
from salescope.plans.choices import METRICS
from salescope.plans.models import Target

CELL_FIELDS = ["value", "bottom_up", "locked"]


def parse_value(raw: Any, field_name: str = "value") -> int:
    """A target typed by a person ("1,200,000.50") → integer hundredths."""
    if isinstance(raw, int):
        return raw * 100
    text = str(raw).strip().replace(",", "").replace("，", "").lstrip("¥￥")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(fields={field_name: [_("Enter a number.")]}) from None
    if not value.is_finite() or value < 0:
        raise ValidationFailed(fields={field_name: [_("Enter a number of zero or more.")]})
    if value != value.quantize(Decimal("0.01")):
        raise ValidationFailed(fields={field_name: [_("At most two decimal places.")]})
    return int(value * 100)


def check_range(metric: str, values: dict[str, int | None]) -> None:
    """Reject a percentage above 100 (``values``: field name → hundredths, None skipped)."""
    most = METRICS[metric].most
    if most is None:
        return
    errors = {
        name: [_("A percentage is at most 100.")]
        for name, value in values.items()
        if value is not None and value > most
    }
    if errors:
        raise ValidationFailed(fields=errors)


def _check_version(cell: Target, expected_version: int | None) -> None:
    if expected_version is not None and cell.version != expected_version:
        raise StaleVersion(extra={"current_version": cell.version, "id": cell.pk})
