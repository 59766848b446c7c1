"""Reads of the catalogue for a viewer (everyone signed in may view it)."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import F, Q, QuerySet, Sum

from salescope.catalog import rules
from salescope.catalog.models import Brand, Category, IncomingSupply, Product, StockLevel
from salescope.org.models import User
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


def list_categories(*, viewer: User) -> QuerySet[Category]:
    return visible(Category.objects.all(), viewer=viewer)


# What is already promised out of stock: each registered source answers how many units of a
# product it holds back (the ledger: confirmed orders and orders on credit hold). The ledger
# sits above the catalogue and registers its source when it loads, so the catalogue imports
# no app above it.
CommitmentSource = Callable[[Product], int]
_COMMITMENTS: list[CommitmentSource] = []


def register_commitments(source: CommitmentSource) -> None:
    """Adds a source of committed quantities to every availability answer (H3)."""
    if source not in _COMMITMENTS:
        _COMMITMENTS.append(source)


def availability(
    *,
    viewer: User,
    product: Product,
    quantity: int,
    as_of: dt.date,
    horizon_days: int = 90,
) -> dict[str, Any]:
    """Earliest date ``quantity`` of ``product`` can be promised (H3): stock on hand less
    reserved and less confirmed open orders, then incoming supply by date within the horizon."""
    stock = (
        visible(StockLevel.objects.filter(product=product), viewer=viewer).aggregate(
            v=Sum(F("on_hand") - F("reserved"))
        )["v"]
        or 0
    )
    committed = sum(source(product) for source in _COMMITMENTS)
    incoming = list(
        visible(
            IncomingSupply.objects.filter(product=product, expected_date__gte=as_of), viewer=viewer
        ).values_list("expected_date", "quantity")
    )
    available = stock - committed
    date = rules.earliest_date(
        available_now=available,
        incoming=incoming,
        quantity=quantity,
        as_of=as_of,
        horizon_days=horizon_days,
    )
    return {
        "product": product,
        "quantity": quantity,
        "available_now": available,
        "on_hand": stock,
        "committed": committed,
        "incoming": sorted(incoming),
        "date": date,
        "within_horizon": date is not None,
        "horizon_days": horizon_days,
    }


def stock_of(*, viewer: User, product: Product) -> QuerySet[StockLevel]:
    return visible(StockLevel.objects.filter(product=product), viewer=viewer).select_related(
        "warehouse"
    )


def incoming_of(*, viewer: User, product: Product) -> QuerySet[IncomingSupply]:
    return visible(IncomingSupply.objects.filter(product=product), viewer=viewer).select_related(
        "warehouse"
    )
