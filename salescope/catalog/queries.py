"""Reads of the catalogue for a viewer (everyone signed in may view it)."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet, Sum

from salescope.catalog import rules
from salescope.catalog.choices import SupplyStatus
from salescope.catalog.models import (
    Brand,
    Category,
    IncomingSupply,
    PriceList,
    PriceListItem,
    Product,
    StockLevel,
    Warehouse,
)
from salescope.org.models import OrgUnit, User
from salescope.org.visibility import get_visible, visible


def list_products(*, viewer: User, search: str = "") -> QuerySet[Product]:
    qs = Product.objects.filter(deleted_at__isnull=True)
    if search:
        qs = qs.filter(Q(sku__icontains=search) | Q(name__icontains=search))
    return visible(qs, viewer=viewer).select_related("brand", "category").order_by("sku")


def get_product(*, viewer: User, pk: Any, action: str = "view") -> Product:
    return get_visible(
        Product.objects.filter(deleted_at__isnull=True).select_related("brand", "category"),
        viewer=viewer,
        pk=pk,
        action=action,
    )


def list_brands(*, viewer: User) -> QuerySet[Brand]:
    return visible(Brand.objects.all(), viewer=viewer)


def get_brand(*, viewer: User, pk: Any, action: str = "view") -> Brand:
    return get_visible(Brand.objects.all(), viewer=viewer, pk=pk, action=action)


def list_categories(*, viewer: User) -> QuerySet[Category]:
    return visible(Category.objects.all(), viewer=viewer)


def get_category(*, viewer: User, pk: Any, action: str = "view") -> Category:
    return get_visible(Category.objects.all(), viewer=viewer, pk=pk, action=action)


def category_tree(*, viewer: User) -> list[tuple[Category, int]]:
    """Every category with its depth, in tree order (parents before their children)."""
    return [(c, c.path.count("/") - 1) for c in list_categories(viewer=viewer).order_by("path")]


def list_price_lists(*, viewer: User) -> QuerySet[PriceList]:
    return visible(PriceList.objects.all(), viewer=viewer).order_by("code")


def get_price_list(*, viewer: User, pk: Any, action: str = "view") -> PriceList:
    return get_visible(PriceList.objects.all(), viewer=viewer, pk=pk, action=action)


def prices_of(*, viewer: User, price_list: PriceList) -> QuerySet[PriceListItem]:
    return (
        visible(PriceListItem.objects.filter(price_list=price_list), viewer=viewer)
        .select_related("product")
        .order_by("product__sku")
    )


def list_warehouses(*, viewer: User) -> QuerySet[Warehouse]:
    return visible(Warehouse.objects.all(), viewer=viewer).select_related("region")


def get_region(*, viewer: User, pk: Any) -> OrgUnit:
    """A unit of the organisation a warehouse may serve (for the warehouse's region)."""
    return get_visible(OrgUnit.objects.all(), viewer=viewer, pk=pk)


def get_warehouse(*, viewer: User, pk: Any, action: str = "view") -> Warehouse:
    return get_visible(Warehouse.objects.all(), viewer=viewer, pk=pk, action=action)


def list_stock(
    *, viewer: User, warehouse: Warehouse | None = None, search: str = ""
) -> QuerySet[StockLevel]:
    qs = StockLevel.objects.filter(product__deleted_at__isnull=True)
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    if search:
        qs = qs.filter(Q(product__sku__icontains=search) | Q(product__name__icontains=search))
    return (
        visible(qs, viewer=viewer)
        .select_related("warehouse", "product")
        .order_by("warehouse__code", "product__sku")
    )


def get_stock_level(*, viewer: User, pk: Any, action: str = "view") -> StockLevel:
    return get_visible(
        StockLevel.objects.select_related("warehouse", "product"),
        viewer=viewer,
        pk=pk,
        action=action,
    )


def list_supply(
    *,
    viewer: User,
    status: str = "",
    warehouse: Warehouse | None = None,
    product: Product | None = None,
) -> QuerySet[IncomingSupply]:
    qs = IncomingSupply.objects.all()
    if status:
        qs = qs.filter(status=status)
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    if product is not None:
        qs = qs.filter(product=product)
    return (
        visible(qs, viewer=viewer)
        .select_related("warehouse", "product")
        .order_by("expected_date", "id")
    )


def get_supply(*, viewer: User, pk: Any, action: str = "view") -> IncomingSupply:
    return get_visible(
        IncomingSupply.objects.select_related("warehouse", "product"),
        viewer=viewer,
        pk=pk,
        action=action,
    )


# What is already promised out of stock: each registered source answers how many units of a
# product it holds back (the ledger: confirmed orders and orders on credit hold). The ledger
# sits above the catalogue and registers its source when it loads, so the catalogue imports
# no app above it.
CommitmentSource = Callable[[Product], int]
_COMMITMENTS: list[CommitmentSource] = []

# What the customer adds to the answer (credit hold, the customer's own open orders): the
# ledger, which knows customers and credit, registers it; the catalogue passes the customer's
# id through without knowing what a customer is.
CustomerTerms = Callable[..., dict[str, Any]]
_CUSTOMER_TERMS: list[CustomerTerms] = []


def register_commitments(source: CommitmentSource) -> None:
    """Adds a source of committed quantities to every availability answer (H3)."""
    if source not in _COMMITMENTS:
        _COMMITMENTS.append(source)


def register_customer_terms(source: CustomerTerms) -> None:
    """Adds what a customer changes to the availability answer: ``source(viewer=, product=,
    customer_id=, quantity=, as_of=)`` returns the customer's part (raising ``NotFound`` for
    a customer the viewer may not see)."""
    if source not in _CUSTOMER_TERMS:
        _CUSTOMER_TERMS.append(source)


def availability(
    *,
    viewer: User,
    product: Product,
    quantity: int,
    as_of: dt.date,
    horizon_days: int = 90,
    warehouse: Warehouse | None = None,
    customer_id: int | None = None,
) -> dict[str, Any]:
    """Earliest date ``quantity`` of ``product`` can be promised (H3): stock on hand less
    reserved and less confirmed open orders, then open incoming supply by date within the
    horizon; in one warehouse when ``warehouse`` is given (orders name no warehouse, so open
    orders are held back from whichever warehouse is asked about). With ``customer_id`` the
    registered customer terms (credit hold) are added; a held customer gets no date."""
    stock_qs = StockLevel.objects.filter(product=product)
    incoming_qs = IncomingSupply.objects.filter(
        product=product, expected_date__gte=as_of, status=SupplyStatus.OPEN
    )
    if warehouse is not None:
        stock_qs = stock_qs.filter(warehouse=warehouse)
        incoming_qs = incoming_qs.filter(warehouse=warehouse)
    totals = visible(stock_qs, viewer=viewer).aggregate(
        on_hand=Sum("on_hand"), reserved=Sum("reserved")
    )
    on_hand, reserved = totals["on_hand"] or 0, totals["reserved"] or 0
    committed = sum(source(product) for source in _COMMITMENTS)
    incoming = list(visible(incoming_qs, viewer=viewer).values_list("expected_date", "quantity"))
    available = on_hand - reserved - committed
    date = rules.earliest_date(
        available_now=available,
        incoming=incoming,
        quantity=quantity,
        as_of=as_of,
        horizon_days=horizon_days,
    )
    customer: dict[str, Any] | None = None
    if customer_id is not None:
        customer = {"customer_id": customer_id, "credit_hold": False, "reasons": []}
        for source in _CUSTOMER_TERMS:
            customer.update(
                source(
                    viewer=viewer,
                    product=product,
                    customer_id=customer_id,
                    quantity=quantity,
                    as_of=as_of,
                )
            )
    held = bool(customer and customer["credit_hold"])
    return {
        "product": product,
        "warehouse": warehouse,
        "quantity": quantity,
        "available_now": available,
        "on_hand": on_hand,
        "reserved": reserved,
        "committed": committed,
        "incoming": sorted(incoming),
        "incoming_total": sum(amount for _day, amount in incoming),
        "date": date,
        "within_horizon": date is not None,
        "horizon_days": horizon_days,
        "customer": customer,
        "credit_hold": held,
        "deliverable": date is not None and not held,
    }


def stock_of(*, viewer: User, product: Product) -> QuerySet[StockLevel]:
    return visible(StockLevel.objects.filter(product=product), viewer=viewer).select_related(
        "warehouse"
    )


def incoming_of(*, viewer: User, product: Product) -> QuerySet[IncomingSupply]:
    return visible(IncomingSupply.objects.filter(product=product), viewer=viewer).select_related(
        "warehouse"
    )
