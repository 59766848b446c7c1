from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """A fraction as a percentage with one decimal (0.123 → 12.3%); blank when unknown."""
    return "" if value is None else f"{value * 100:.1f}%"


@register.filter
def money(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value).quantize(Decimal(1)):,}"
