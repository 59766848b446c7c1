"""Names of the values a row shows (people, units, categories, products, customers), each
looked up once per report."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from salescope.analytics.targets.org import _Org
from salescope.org.visibility import names_of


class _Labels:
    """Names of dimension values, each looked up once per report."""

    def __init__(self, org: _Org) -> None:
        self.org = org
        self._categories: dict[int, str] | None = None
        self._customers: dict[int, str] = {}
        self._memo: dict[tuple[str, Any], str] = {}

    def label(self, dim: str, value: Any) -> str:
        key = (dim, value)
        text = self._memo.get(key)
        if text is None:
            text = self._memo[key] = self._label(dim, value)
        return text

    def _label(self, dim: str, value: Any) -> str:
        if dim == "month":
            return f"{value.year:04d}-{value.month:02d}"
        if dim == "quarter":
            return str(value)
        if value is None:
            return {
                "salesperson": _("(not assigned to a person)"),
                "customer": _("(other customers)"),
            }.get(dim, _("(none)"))
        if dim == "salesperson":
            return self.org.names.get(value) or str(value)
        if dim in ("unit", "region"):
            unit = self.org.units.get(value)
            return unit.name if unit else str(value)
        if dim == "category":
            if self._categories is None:
                from salescope.catalog.models import Category

                self._categories = dict(Category.objects.unrestricted().values_list("pk", "name"))
            return self._categories.get(value, str(value))
        if dim in ("brand", "product"):
            from salescope.catalog.models import Brand, Product

            model, field = (Brand, "name") if dim == "brand" else (Product, "name")
            return dict(names_of(model, [value], field)).get(value, str(value))
        if dim == "customer":
            if value not in self._customers:
                from salescope.customers.models import Customer

                self._customers.update(dict(names_of(Customer, [value], "name")))
            return self._customers.get(value, str(value))
        return str(value)
