"""Lookups an import needs, loaded once per run: codes and names → ids.

Master data is small next to the lines, so it is held in dictionaries; unknown customers and
products are created here with ``create_missing`` (ORM, inside the import's transaction).
"""

import hashlib
from typing import Any

from django.db import models
from django.db.models import Q

from salescope.catalog import services as catalog_services
from salescope.catalog.models import Product
from salescope.core.importing.bulk import ids_by_key, insert_rows
from salescope.core.importing.headers import normalize_header
from salescope.customers.models import Customer, allowed_places, normalize_name, normalize_phone
from salescope.org.choices import UnitKind
from salescope.org.models import OrgUnit, Territory, User


def _unique_index(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """key → value, leaving out keys that occur more than once (ambiguous names)."""
    index: dict[str, Any] = {}
    ambiguous: set[str] = set()
    for key, value in pairs:
        if not key:
            continue
        if key in index and index[key] != value:
            ambiguous.add(key)
        index[key] = value
    for key in ambiguous:
        del index[key]
    return index


class Resolver:
    def __init__(self) -> None:
        customers = list(
            Customer.objects.unrestricted()
            .filter(deleted_at__isnull=True)
            .values_list("pk", "code", "owner_id")
        )
        self.customer_by_code = {code: pk for pk, code, _owner in customers}
        self.customer_owner = {pk: owner for pk, _code, owner in customers}
        self._customer_by_name: dict[str, int] | None = None  # built when a file needs it
        self.customer_areas: dict[int, list[str]] = {}
        self._territory_names_cache: dict[int, list[str]] | None = None
        products = list(
            Product.objects.unrestricted()
            .filter(deleted_at__isnull=True)
            .values_list("pk", "sku", "name", "brand_id", "category_id", "cost_fen")
        )
        self.product_by_sku = {sku: pk for pk, sku, *_rest in products}
        self.product_by_name = _unique_index([(name.strip(), pk) for pk, _s, name, *_r in products])
        self.product_info = {pk: (brand, cat, cost) for pk, _s, _n, brand, cat, cost in products}
        units = list(
            OrgUnit.objects.unrestricted().values_list("pk", "code", "name", "kind", "parent_id")
        )
        self.region_by_name = {}
        for pk, code, name, _kind, _parent in units:
            self.region_by_name[normalize_header(code)] = pk
            self.region_by_name.setdefault(normalize_header(name), pk)
        parents = {pk: (kind, parent) for pk, _c, _n, kind, parent in units}
        users = list(
            User.objects.unrestricted().values_list("pk", "username", "full_name", "unit_id")
        )
        self.user_by_name = {username.lower(): pk for pk, username, *_r in users}
        for key, pk in _unique_index([(full.strip(), pk) for pk, _u, full, _unit in users]).items():
            self.user_by_name.setdefault(key, pk)
        self.user_region = {pk: self._region_of(unit, parents) for pk, _u, _f, unit in users}
        self.created_customers = 0
        self.created_products = 0
        self.created_regions = 0
        self.created_customer_ids: list[int] = []
        self._brands: dict[str, Any] = {}
        self._categories: dict[tuple[str, str], Any] = {}
        self.created_product_ids: list[int] = []
        self._area_cache: dict[tuple[int, str], bool] = {}

    @staticmethod
    def _territory_names() -> dict[int, list[str]]:
        """Territory id → its name and the names of every territory below it."""
        rows = list(Territory.objects.unrestricted().values_list("pk", "name", "parent_id"))
        children: dict[int | None, list[int]] = {}
        for pk, _name, parent in rows:
            children.setdefault(parent, []).append(pk)
        names = {pk: name for pk, name, _p in rows}
        result = {}
        for pk in names:
            found, stack = [], [pk]
            while stack:
                current = stack.pop()
                found.append(names[current])
                stack.extend(children.get(current, []))
            result[pk] = found
        return result

    @staticmethod
    def _region_of(unit_id: int | None, parents: dict[int, tuple[str, int | None]]) -> int | None:
        seen = 0
        while unit_id is not None and seen < 20:
            kind, parent = parents[unit_id]
            if kind == UnitKind.REGION:
                return unit_id
            unit_id, seen = parent, seen + 1
        return None

    @property
    def customer_by_name(self) -> dict[str, int]:
        if self._customer_by_name is None:
            pairs = (
                Customer.objects.unrestricted()
                .filter(deleted_at__isnull=True)
                .values_list("name_normalized", "pk")
            )
            self._customer_by_name = _unique_index(list(pairs))
        return self._customer_by_name

    def preload(self, fields: set[str]) -> None:
        """Load now what a file with these mapped fields will look up, instead of on first
        need: while an import validates, its connection belongs to the ledger writer."""
        if "customer_name" in fields:
            self.customer_by_name  # noqa: B018 - a property that loads on first access
        if "sale_location" in fields:
            self._load_areas()

    def _load_areas(self) -> None:
        if self._territory_names_cache is None:
            self._territory_names_cache = names = self._territory_names()
            restricted = (
                Customer.objects.unrestricted()
                .filter(Q(territory__isnull=False) | ~Q(sales_area=""))
                .values_list("pk", "sales_area", "territory_id")
            )
            for pk, area, territory in restricted:
                self.customer_areas[pk] = allowed_places(area, names.get(territory, []))

    def areas_of(self, customer_id: int) -> list[str]:
        """The customer's allowed places; all of them are loaded in one query on first need."""
        self._load_areas()
        return self.customer_areas.get(customer_id, [])

    def customer(self, code: str, name: str) -> int | None:
        """The customer a line names: by code, else by name; None when unknown."""
        if code:
            return self.customer_by_code.get(code)
        return self.customer_by_name.get(normalize_name(name)) if name else None

    def create_customers(self, keys: list[tuple[str, str]]) -> None:
        """Create the customers ``(code, name)`` names in one go (``create_missing``), one per
        code (a line without a code gets one from its name); no owner, no area yet."""
        new: dict[str, tuple[str, str, str]] = {}  # code → (code, name, name_normalized)
        for code, name in keys:
            if not (code or name):
                continue
            normalized = normalize_name(name or code)
            if not code:
                digest = hashlib.sha1(normalized.encode(), usedforsecurity=False)
                code = f"AUTO-{digest.hexdigest()[:10].upper()}"
            if code in new or code in self.customer_by_code:
                continue
            new[code] = (code, name or code, normalized)
        if not new:
            return
        template = Customer(code="", name="")
        template.phone_normalized = normalize_phone(template.phone)
        insert_rows(Customer, template, ("code", "name", "name_normalized"), new.values())
        ids = ids_by_key(Customer, "code", list(new))
        for code, _name, normalized in new.values():
            pk = ids[code]
            self.customer_by_code[code] = pk
            self.customer_by_name.setdefault(normalized, pk)
            self.customer_owner[pk] = None
            self.customer_areas[pk] = []
            self.created_customer_ids.append(pk)
        self.created_customers += len(new)

    def product(self, sku: str, name: str) -> int | None:
        """The product a line names: by SKU, else by (unambiguous) name; None when unknown."""
        return self.product_by_sku.get(sku) if sku else self.product_by_name.get(name)

    def create_products(self, keys: list[tuple[str, str, str, str, str]]) -> None:
        """Create the products ``(sku, name, brand, category, subcategory)`` names in one go,
        one per SKU; brands and the two-level categories are found or created once each."""
        brands, categories = self._brands, self._categories  # kept across batches
        new: dict[str, tuple[str, str, int | None, int | None]] = {}
        for sku, name, brand, category, subcategory in keys:
            if not (sku or name):
                continue
            digest = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:10]
            sku = sku or f"AUTO-{digest.upper()}"
            if sku in new or sku in self.product_by_sku:
                continue
            if brand and brand not in brands:
                brands[brand] = catalog_services.ensure_brand(brand)
            cat_key = (category, subcategory)
            if (category or subcategory) and cat_key not in categories:
                cat = catalog_services.ensure_category(category) if category else None
                if subcategory:
                    cat = catalog_services.ensure_category(subcategory, cat)
                categories[cat_key] = cat
            brand_obj = brands.get(brand) if brand else None
            category_obj = categories.get(cat_key)
            new[sku] = (
                sku,
                name or sku,
                brand_obj.pk if brand_obj else None,
                category_obj.pk if category_obj else None,
            )
        if not new:
            return
        insert_rows(
            Product,
            Product(sku="", name=""),
            ("sku", "name", "brand_id", "category_id"),
            new.values(),
        )
        ids = ids_by_key(Product, "sku", list(new))
        for sku, name, brand_id, category_id in new.values():
            pk = ids[sku]
            self.product_by_sku[sku] = pk
            self.product_by_name.setdefault(name.strip(), pk)
            self.product_info[pk] = (brand_id, category_id, 0)
            self.created_product_ids.append(pk)
        self.created_products += len(new)

    def forget_unused(self, used: Any) -> None:
        """Delete the customers and products this run created that no stored line names
        (their lines were all refused): a refused file leaves no master data behind.
        ``used(model_field, ids)`` answers the ids among ``ids`` some line names."""
        for ids, model, field in (
            (self.created_customer_ids, Customer, "customer_id"),
            (self.created_product_ids, Product, "product_id"),
        ):
            if not ids:
                continue
            unused = set(ids) - used(field, ids)
            for start in range(0, len(unused), 5000):
                chunk = sorted(unused)[start : start + 5000]
                model.objects.unrestricted().filter(pk__in=chunk).delete()
            if model is Customer:
                self.created_customers -= len(unused)
            else:
                self.created_products -= len(unused)

    def region(self, name: str, actor: Any) -> int | None:
        """A region for ``name``, created under the company (the root unit) through the org
        service (its permission and audit), when ``actor`` may create units; else None."""
        from salescope.org import permissions as org_perms
        from salescope.org import services as org_services

        if not org_perms.allows(actor, org_perms.UNIT_CREATE.code):
            return None
        root = (
            OrgUnit.objects.unrestricted()
            .filter(parent__isnull=True)
            .order_by(
                # The company unit first; else the first root.
                models.Case(models.When(kind=UnitKind.COMPANY, then=0), default=1),
                "path",
            )
            .first()
        )
        digest = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:8].upper()
        code = f"REGION-{digest}"
        unit = OrgUnit.objects.unrestricted().filter(code=code).first()
        if unit is None:
            unit = org_services.create_unit(
                actor=actor, name=name[:100], code=code, kind=UnitKind.REGION, parent=root
            )
            self.created_regions += 1
        self.region_by_name[normalize_header(name)] = unit.pk
        return unit.pk

    def outside_area(self, customer_id: int, location: str) -> bool:
        """Whether ``location`` lies outside the dealer's sales area (窜货, F5)."""
        key = (customer_id, location)
        cached = self._area_cache.get(key)
        if cached is None:
            areas = self.areas_of(customer_id)
            place = normalize_header(location)
            cached = bool(areas) and not any(
                normalize_header(a) in place or place in normalize_header(a) for a in areas
            )
            self._area_cache[key] = cached
        return cached
