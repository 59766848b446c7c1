import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.pagination import paginate

from salescope.catalog import queries
from salescope.catalog.models import COST_ROLES
from salescope.catalog.schemas import (
    AvailabilityOut,
    BrandOut,
    CategoryOut,
    ProductCostOut,
    ProductOut,
)
from salescope.core.api import ErrorOut
from salescope.core.bounds import Count, Days, Id

router = Router(tags=["catalog"])


@router.get("/products", response=list[ProductOut], summary="Products (cost hidden)")
@paginate
def list_products(request: HttpRequest, search: str = "") -> Any:
    return queries.list_products(viewer=request.user, search=search)


@router.get("/products/{product_id}", response={200: ProductCostOut | ProductOut, 404: ErrorOut})
def get_product(request: HttpRequest, product_id: Id) -> Any:
    product = queries.get_product(viewer=request.user, pk=product_id)
    if request.user.role in COST_ROLES:
        return ProductCostOut.from_orm(product)
    return ProductOut.from_orm(product)


@router.get(
    "/products/{product_id}/availability",
    response={200: AvailabilityOut, 404: ErrorOut, 422: ErrorOut},
    summary="When can a customer get this quantity? (H3)",
)
def availability(
    request: HttpRequest,
    product_id: Id,
    quantity: Count,
    horizon_days: Days = 90,
    as_of: dt.date | None = None,
) -> Any:
    product = queries.get_product(viewer=request.user, pk=product_id)
    answer = queries.availability(
        viewer=request.user,
        product=product,
        quantity=quantity,
        as_of=as_of or timezone.localdate(),
        horizon_days=horizon_days,
    )
    return {**answer, "product_id": product.pk}


@router.get("/brands", response=list[BrandOut])
def list_brands(request: HttpRequest) -> Any:
    return list(queries.list_brands(viewer=request.user))


@router.get("/categories", response=list[CategoryOut])
def list_categories(request: HttpRequest) -> Any:
    return list(queries.list_categories(viewer=request.user))
