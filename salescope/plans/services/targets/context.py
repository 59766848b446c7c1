"""What a decomposition is asked (steps) and what it loads once (units, people, categories,
products, history) to make 300k cells without a query per cell."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from salescope.org.choices import Role, UnitKind
from salescope.org.models import OrgUnit, User
from salescope.plans.choices import Grain, Method
from salescope.plans.models import Dim, Plan


@dataclass
class Spec:
    """The coordinates of a child to be created."""

    unit_id: int | None
    person_id: int | None
    category_id: int | None
    customer_id: int | None
    start: dt.date
    end: dt.date
    grain: str
    unit_path: str = ""
    category_path: str = ""
    months: list[dt.date] = field(default_factory=list)
    brand_id: int | None = None
    product_id: int | None = None


@dataclass
class Step:
    axis: str
    method: str = Method.EQUAL
    weights: Sequence[Decimal] | None = None
    members: Sequence[int] | None = None


@dataclass
class _Context:
    """What one decomposition call loads once: units, people, categories, history."""

    plan: Plan
    actor: User
    units: dict[int, OrgUnit] = field(default_factory=dict)
    child_units: dict[int, list[OrgUnit]] = field(default_factory=dict)
    people_by_unit: dict[int, list[User]] = field(default_factory=dict)
    categories: dict[int | None, list[Any]] = field(default_factory=dict)
    category_paths: dict[int, str] = field(default_factory=dict)
    category_names: dict[int, str] = field(default_factory=dict)
    products: list[Any] = field(default_factory=list)
    brands: dict[int, Any] = field(default_factory=dict)
    by_sku: bool = False  # the chain has a brand or SKU step: history by SKU too
    history: dict[str, dict[str, Any]] = field(default_factory=dict)
    _dims: dict[tuple, int] = field(default_factory=dict)
    _days: dict[dt.date, Any] = field(default_factory=dict)

    def db_date(self, day: dt.date) -> Any:
        """A date as the leaf insert binds it: SQLite stores ISO text (what Django's adapter
        would make of it, here once per distinct date instead of 600k times)."""
        value = self._days.get(day)
        if value is None:
            from django.db import connection

            value = day.isoformat() if connection.vendor == "sqlite" else day
            self._days[day] = value
        return value

    def load_org(self) -> None:
        if self.units:
            return
        for unit in (
            OrgUnit.objects.unrestricted().exclude(kind=UnitKind.DEPARTMENT).order_by("path")
        ):
            self.units[unit.pk] = unit
            self.child_units.setdefault(unit.parent_id or 0, []).append(unit)
        people = (
            User.objects.unrestricted()
            .filter(is_active=True, role=Role.SALESPERSON)
            .order_by("username")
        )
        for person in people:
            self.people_by_unit.setdefault(person.unit_id, []).append(person)

    def load_categories(self) -> None:
        if self.category_paths:
            return
        from salescope.catalog.models import Category

        for category in Category.objects.unrestricted().order_by("path", "code"):
            self.categories.setdefault(category.parent_id, []).append(category)
            self.category_paths[category.pk] = category.path
            self.category_names[category.pk] = category.name

    def load_products(self) -> None:
        """The SKUs on sale (with their brand and category path) and the brands, for the
        brand and SKU steps; read only (the catalog is the catalog's to change)."""
        if self.brands or self.products:
            return
        from salescope.catalog.models import Brand, Product

        self.load_categories()
        self.brands = {b.pk: b for b in Brand.objects.unrestricted().order_by("code")}
        self.products = list(
            Product.objects.unrestricted()
            .filter(active=True, deleted_at=None)
            .order_by("sku")
            .only("pk", "sku", "name", "brand_id", "category_id")
        )
        for product in self.products:
            product.category_path = self.category_paths.get(product.category_id or 0, "")

    def products_in(self, category_id: int | None, brand_id: int | None) -> list[Any]:
        self.load_products()
        prefix = self.category_paths.get(category_id or 0, "")
        return [
            p
            for p in self.products
            if (not category_id or p.category_path.startswith(prefix))
            and (not brand_id or p.brand_id == brand_id)
        ]

    def dims_of(
        self,
        unit_id: int | None,
        person_id: int | None,
        category_id: int | None,
        customer_id: int | None,
        grain: str,
        customer_axis: bool,
        brand_id: int | None = None,
        product_id: int | None = None,
    ) -> int:
        """Bits of ``Dim`` a cell with these coordinates fixes (memoised: a decomposition asks
        for the same few combinations 300k times)."""
        key = (unit_id, bool(person_id), bool(category_id), bool(customer_id), grain, customer_axis)
        dims = self._dims.get(key)
        if dims is None:
            dims = self._dims[key] = self._dims_of(
                unit_id, person_id, category_id, customer_id, grain, customer_axis
            )
        if brand_id:
            dims |= Dim.BRAND
        if product_id:
            dims |= Dim.PRODUCT
        return dims

    def _dims_of(
        self,
        unit_id: int | None,
        person_id: int | None,
        category_id: int | None,
        customer_id: int | None,
        grain: str,
        customer_axis: bool,
    ) -> int:
        self.load_org()
        dims = 0
        if person_id:
            dims |= Dim.PERSON | Dim.UNIT | Dim.REGION
        unit = self.units.get(unit_id or 0)
        if unit is not None and unit.kind != UnitKind.COMPANY:
            dims |= Dim.REGION
            if not self.child_units.get(unit.pk):
                dims |= Dim.UNIT
        if category_id:
            dims |= Dim.CATEGORY
        if customer_id or customer_axis:
            dims |= Dim.CUSTOMER
        if grain == Grain.MONTH:
            dims |= Dim.MONTH | Dim.QUARTER
        elif grain == Grain.QUARTER:
            dims |= Dim.QUARTER
        return dims
