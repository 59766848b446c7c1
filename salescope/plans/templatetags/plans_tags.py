"""Display of target values (integer hundredths) in pages."""

from decimal import Decimal

from django import template

from salescope.core.money import grouped

register = template.Library()


@register.filter
def hundredths(value: int | None) -> str:
    """12345678 → "123,456.78"; None → ""."""
    if value is None or value == "":
        return ""
    return grouped(Decimal(int(value)) / 100)


@register.filter
def amount(value: Decimal | None) -> str:
    """A figure already in units (a gap: ``Target.gap``) with thousands separators:
    Decimal("-1889187.03") → "-1,889,187.03"; None → ""."""
    if value is None or value == "":
        return ""
    return grouped(value)


@register.filter
def plain(value: int | None) -> str:
    """Hundredths as an editable number without separators: 12345678 → "123456.78"."""
    if value is None or value == "":
        return ""
    return str((Decimal(int(value)) / 100).quantize(Decimal("0.01")))


@register.filter
def section(sections: dict, key: str) -> str:
    return (sections or {}).get(key, "")


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return (mapping or {}).get(key, key)


@register.filter
def axis_label(value: str) -> str:
    from salescope.plans.choices import Axis

    return str(Axis(value).label) if value in Axis.values else value


@register.filter
def method_label(value: str) -> str:
    from salescope.plans.choices import Method

    return str(Method(value).label) if value in Method.values else value
