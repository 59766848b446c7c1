"""The catalogue's API: reads under ``/products``, ``/brands``, ``/categories`` (as before) and
the write API under ``/catalog/…`` (brands, categories, products, price lists, warehouses,
stock levels, incoming supply). Thin: each handler resolves ids to visible records and calls
one service; errors are ``{"code", "detail", "fields"}``."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from salescope.catalog import permissions as perms
from salescope.catalog import queries, services
from salescope.catalog.models import COST_ROLES, Product
from salescope.catalog.schemas import (
    AvailabilityOut,
    BrandOut,
    CatalogBrandIn,
    CatalogBrandOut,
    CatalogBrandPatch,
    CatalogCategoryIn,
    CatalogCategoryOut,
    CatalogCategoryPatch,
    CatalogPriceIn,
    CatalogPriceListIn,
    CatalogPriceListOut,
    CatalogPriceListPatch,
    CatalogPriceOut,
    CatalogProductIn,
    CatalogProductPatch,
    CatalogStockAdjustIn,
    CatalogStockOut,
    CatalogStockSetIn,
    CatalogSupplyCancelIn,
    CatalogSupplyIn,
    CatalogSupplyOut,
    CatalogSupplyPatch,
    CatalogSupplyReceiveIn,
    CatalogWarehouseIn,
    CatalogWarehouseOut,
    CatalogWarehousePatch,
    CategoryOut,
    ProductCostOut,
    ProductOut,
)
from salescope.core.api import ErrorOut
from salescope.core.bounds import Count, Days, Id, Version
from salescope.core.money import from_fen, to_fen
from salescope.core.roles import viewer_roles
from salescope.org.models import User
from salescope.org.permissions import api_permission

router = Router(tags=["catalog"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
COST = frozenset(str(r) for r in COST_ROLES)


def _product_out(viewer: User, product: Product) -> Any:
    if viewer_roles(viewer) & COST:
        return ProductCostOut.from_orm(product)
    return ProductOut.from_orm(product)


@router.get("/products", response=list[ProductOut], summary="Products (cost hidden)")
@paginate
def list_products(request: HttpRequest, search: str = "") -> Any:
    return queries.list_products(viewer=request.user, search=search)


@router.get("/products/{product_id}", response={200: ProductCostOut | ProductOut, 404: ErrorOut})
def get_product(request: HttpRequest, product_id: Id) -> Any:
    return _product_out(request.user, queries.get_product(viewer=request.user, pk=product_id))


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
    warehouse_id: Id | None = None,
    customer_id: Id | None = None,
) -> Any:
    product = queries.get_product(viewer=request.user, pk=product_id)
    warehouse = (
        queries.get_warehouse(viewer=request.user, pk=warehouse_id) if warehouse_id else None
    )
    answer = queries.availability(
        viewer=request.user,
        product=product,
        quantity=quantity,
        as_of=as_of or timezone.localdate(),
        horizon_days=horizon_days,
        warehouse=warehouse,
        customer_id=customer_id,
    )
    incoming = [{"date": day, "quantity": amount} for day, amount in answer["incoming"]]
    return {
        **answer,
        "incoming": incoming,
        "product_id": product.pk,
        "warehouse_id": warehouse.pk if warehouse else None,
    }


@router.get("/brands", response=list[BrandOut])
def list_brands(request: HttpRequest) -> Any:
    return list(queries.list_brands(viewer=request.user))


@router.get("/categories", response=list[CategoryOut])
def list_categories(request: HttpRequest) -> Any:
    return list(queries.list_categories(viewer=request.user))


# --- brands -----------------------------------------------------------------------------------


@router.get("/catalog/brands", response=list[CatalogBrandOut], summary="Brands with versions")
def catalog_brands(request: HttpRequest) -> Any:
    return list(queries.list_brands(viewer=request.user))


@router.post(
    "/catalog/brands",
    response={201: CatalogBrandOut, **ERRORS},
    openapi_extra=api_permission(perms.BRAND_CREATE.code),
)
def create_brand(request: HttpRequest, payload: CatalogBrandIn) -> Any:
    return Status(
        201, services.create_brand(actor=request.user, name=payload.name, code=payload.code)
    )


@router.patch(
    "/catalog/brands/{brand_id}",
    response={200: CatalogBrandOut, **ERRORS},
    openapi_extra=api_permission(perms.BRAND_CHANGE.code),
)
def update_brand(request: HttpRequest, brand_id: Id, payload: CatalogBrandPatch) -> Any:
    brand = queries.get_brand(viewer=request.user, pk=brand_id, action="change")
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    return services.update_brand(
        actor=request.user, brand=brand, expected_version=version, changes=data
    )


@router.delete(
    "/catalog/brands/{brand_id}",
    response={204: None, **ERRORS},
    openapi_extra=api_permission(perms.BRAND_DELETE.code),
)
def delete_brand(request: HttpRequest, brand_id: Id, version: Version | None = None) -> Any:
    brand = queries.get_brand(viewer=request.user, pk=brand_id, action="delete")
    services.delete_brand(actor=request.user, brand=brand, expected_version=version)
    return Status(204, None)


# --- categories -------------------------------------------------------------------------------


@router.get("/catalog/categories", response=list[CatalogCategoryOut], summary="Category tree")
def catalog_categories(request: HttpRequest) -> Any:
    return [node for node, _depth in queries.category_tree(viewer=request.user)]


def _parent(viewer: User, parent_id: int | None) -> Any:
    return queries.get_category(viewer=viewer, pk=parent_id) if parent_id else None


@router.post(
    "/catalog/categories",
    response={201: CatalogCategoryOut, **ERRORS},
    openapi_extra=api_permission(perms.CATEGORY_CREATE.code),
)
def create_category(request: HttpRequest, payload: CatalogCategoryIn) -> Any:
    parent = _parent(request.user, payload.parent_id)
    category = services.create_category(
        actor=request.user, name=payload.name, code=payload.code, parent=parent
    )
    return Status(201, category)


@router.patch(
    "/catalog/categories/{category_id}",
    response={200: CatalogCategoryOut, **ERRORS},
    summary="Rename or move a category (with its subtree; never under itself)",
    openapi_extra=api_permission(perms.CATEGORY_CHANGE.code),
)
def update_category(request: HttpRequest, category_id: Id, payload: CatalogCategoryPatch) -> Any:
    category = queries.get_category(viewer=request.user, pk=category_id, action="change")
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if "parent_id" in data:
        data["parent"] = _parent(request.user, data.pop("parent_id"))
    return services.update_category(
        actor=request.user, category=category, expected_version=version, changes=data
    )


@router.delete(
    "/catalog/categories/{category_id}",
    response={204: None, **ERRORS},
    openapi_extra=api_permission(perms.CATEGORY_DELETE.code),
)
def delete_category(request: HttpRequest, category_id: Id, version: Version | None = None) -> Any:
    category = queries.get_category(viewer=request.user, pk=category_id, action="delete")
    services.delete_category(actor=request.user, category=category, expected_version=version)
    return Status(204, None)


# --- products ---------------------------------------------------------------------------------


def _product_fields(viewer: User, data: dict[str, Any]) -> dict[str, Any]:
    """API names → service fields: money to fen, ids to visible records."""
    out = dict(data)
    if "brand_id" in out:
        brand_id = out.pop("brand_id")
        out["brand"] = queries.get_brand(viewer=viewer, pk=brand_id) if brand_id else None
    if "category_id" in out:
        category_id = out.pop("category_id")
        out["category"] = _parent(viewer, category_id)
    for name in ("list_price", "cost"):
        if name in out:
            value = out.pop(name)
            if value is not None:
                out[f"{name}_fen"] = to_fen(value)
    return out


@router.post(
    "/catalog/products",
    response={201: ProductCostOut | ProductOut, **ERRORS},
    openapi_extra=api_permission(perms.PRODUCT_CREATE.code),
)
def create_product(request: HttpRequest, payload: CatalogProductIn) -> Any:
    data = _product_fields(request.user, payload.dict(exclude_unset=True))
    sku, name = data.pop("sku"), data.pop("name")
    product = services.create_product(actor=request.user, sku=sku, name=name, **data)
    return Status(201, _product_out(request.user, product))


@router.patch(
    "/catalog/products/{product_id}",
    response={200: ProductCostOut | ProductOut, **ERRORS},
    openapi_extra=api_permission(perms.PRODUCT_CHANGE.code),
)
def update_product(request: HttpRequest, product_id: Id, payload: CatalogProductPatch) -> Any:
    product = queries.get_product(viewer=request.user, pk=product_id, action="change")
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    product = services.update_product(
        actor=request.user,
        product=product,
        expected_version=version,
        changes=_product_fields(request.user, data),
    )
    return _product_out(request.user, product)


@router.delete(
    "/catalog/products/{product_id}",
    response={204: None, **ERRORS},
    openapi_extra=api_permission(perms.PRODUCT_DELETE.code),
)
def delete_product(request: HttpRequest, product_id: Id, version: Version | None = None) -> Any:
    product = queries.get_product(viewer=request.user, pk=product_id, action="delete")
    services.delete_product(actor=request.user, product=product, expected_version=version)
    return Status(204, None)


# --- price lists ------------------------------------------------------------------------------


@router.get("/catalog/price-lists", response=list[CatalogPriceListOut])
def list_price_lists(request: HttpRequest) -> Any:
    return list(queries.list_price_lists(viewer=request.user))


@router.post(
    "/catalog/price-lists",
    response={201: CatalogPriceListOut, **ERRORS},
    openapi_extra=api_permission(perms.PRICE_LIST_CREATE.code),
)
def create_price_list(request: HttpRequest, payload: CatalogPriceListIn) -> Any:
    return Status(201, services.create_price_list(actor=request.user, **payload.dict()))


@router.patch(
    "/catalog/price-lists/{price_list_id}",
    response={200: CatalogPriceListOut, **ERRORS},
    openapi_extra=api_permission(perms.PRICE_LIST_CHANGE.code),
)
def update_price_list(
    request: HttpRequest, price_list_id: Id, payload: CatalogPriceListPatch
) -> Any:
    price_list = queries.get_price_list(viewer=request.user, pk=price_list_id, action="change")
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    return services.update_price_list(
        actor=request.user, price_list=price_list, expected_version=version, changes=data
    )


@router.delete(
    "/catalog/price-lists/{price_list_id}",
    response={204: None, **ERRORS},
    openapi_extra=api_permission(perms.PRICE_LIST_DELETE.code),
)
def delete_price_list(
    request: HttpRequest, price_list_id: Id, version: Version | None = None
) -> Any:
    price_list = queries.get_price_list(viewer=request.user, pk=price_list_id, action="delete")
    services.delete_price_list(actor=request.user, price_list=price_list, expected_version=version)
    return Status(204, None)


def _price_out(item: Any) -> dict[str, Any]:
    return {
        "product_id": item.product_id,
        "sku": item.product.sku,
        "price": from_fen(item.price_fen),
    }


@router.get(
    "/catalog/price-lists/{price_list_id}/prices",
    response={200: list[CatalogPriceOut], 404: ErrorOut},
)
def list_prices(request: HttpRequest, price_list_id: Id) -> Any:
    price_list = queries.get_price_list(viewer=request.user, pk=price_list_id)
    return [_price_out(i) for i in queries.prices_of(viewer=request.user, price_list=price_list)]


@router.post(
    "/catalog/price-lists/{price_list_id}/prices",
    response={200: CatalogPriceOut, **ERRORS},
    summary="Set a product's price on the list (added or changed)",
    openapi_extra=api_permission(perms.PRICE_LIST_CHANGE.code),
)
def set_price(request: HttpRequest, price_list_id: Id, payload: CatalogPriceIn) -> Any:
    price_list = queries.get_price_list(viewer=request.user, pk=price_list_id, action="change")
    product = queries.get_product(viewer=request.user, pk=payload.product_id)
    item = services.set_price(
        actor=request.user,
        price_list=price_list,
        product=product,
        price_fen=to_fen(payload.price),
    )
    return _price_out(item)


@router.delete(
    "/catalog/price-lists/{price_list_id}/prices/{product_id}",
    response={204: None, **ERRORS},
    openapi_extra=api_permission(perms.PRICE_LIST_CHANGE.code),
)
def remove_price(request: HttpRequest, price_list_id: Id, product_id: Id) -> Any:
    price_list = queries.get_price_list(viewer=request.user, pk=price_list_id, action="change")
    product = queries.get_product(viewer=request.user, pk=product_id)
    services.remove_price(actor=request.user, price_list=price_list, product=product)
    return Status(204, None)


# --- warehouses -------------------------------------------------------------------------------


def _region(viewer: User, region_id: int | None) -> Any:
    return queries.get_region(viewer=viewer, pk=region_id) if region_id else None


@router.get("/catalog/warehouses", response=list[CatalogWarehouseOut])
def list_warehouses(request: HttpRequest) -> Any:
    return list(queries.list_warehouses(viewer=request.user))


@router.post(
    "/catalog/warehouses",
    response={201: CatalogWarehouseOut, **ERRORS},
    openapi_extra=api_permission(perms.WAREHOUSE_CREATE.code),
)
def create_warehouse(request: HttpRequest, payload: CatalogWarehouseIn) -> Any:
    warehouse = services.create_warehouse(
        actor=request.user,
        code=payload.code,
        name=payload.name,
        region=_region(request.user, payload.region_id),
    )
    return Status(201, warehouse)


@router.patch(
    "/catalog/warehouses/{warehouse_id}",
    response={200: CatalogWarehouseOut, **ERRORS},
    openapi_extra=api_permission(perms.WAREHOUSE_CHANGE.code),
)
def update_warehouse(request: HttpRequest, warehouse_id: Id, payload: CatalogWarehousePatch) -> Any:
    warehouse = queries.get_warehouse(viewer=request.user, pk=warehouse_id, action="change")
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if "region_id" in data:
        data["region"] = _region(request.user, data.pop("region_id"))
    return services.update_warehouse(
        actor=request.user, warehouse=warehouse, expected_version=version, changes=data
    )


@router.delete(
    "/catalog/warehouses/{warehouse_id}",
    response={204: None, **ERRORS},
    openapi_extra=api_permission(perms.WAREHOUSE_DELETE.code),
)
def delete_warehouse(request: HttpRequest, warehouse_id: Id, version: Version | None = None) -> Any:
    warehouse = queries.get_warehouse(viewer=request.user, pk=warehouse_id, action="delete")
    services.delete_warehouse(actor=request.user, warehouse=warehouse, expected_version=version)
    return Status(204, None)


# --- stock levels -----------------------------------------------------------------------------


@router.get("/catalog/stock", response=list[CatalogStockOut], summary="Stock per warehouse")
@paginate
def list_stock(request: HttpRequest, warehouse_id: Id | None = None, search: str = "") -> Any:
    warehouse = (
        queries.get_warehouse(viewer=request.user, pk=warehouse_id) if warehouse_id else None
    )
    return queries.list_stock(viewer=request.user, warehouse=warehouse, search=search)


@router.post(
    "/catalog/stock",
    response={200: CatalogStockOut, **ERRORS},
    summary="Set stock on hand (a count) with the reason",
    openapi_extra=api_permission(perms.STOCK_CHANGE.code),
)
def set_stock(request: HttpRequest, payload: CatalogStockSetIn) -> Any:
    return services.set_stock(
        actor=request.user,
        warehouse=queries.get_warehouse(viewer=request.user, pk=payload.warehouse_id),
        product=queries.get_product(viewer=request.user, pk=payload.product_id),
        on_hand=payload.on_hand,
        reserved=payload.reserved,
        reason=payload.reason,
        expected_version=payload.version,
    )


@router.post(
    "/catalog/stock/adjust",
    response={200: CatalogStockOut, **ERRORS},
    summary="Add to or take from stock on hand with the reason",
    openapi_extra=api_permission(perms.STOCK_CHANGE.code),
)
def adjust_stock(request: HttpRequest, payload: CatalogStockAdjustIn) -> Any:
    return services.adjust_stock(
        actor=request.user,
        warehouse=queries.get_warehouse(viewer=request.user, pk=payload.warehouse_id),
        product=queries.get_product(viewer=request.user, pk=payload.product_id),
        delta=payload.delta,
        reason=payload.reason,
    )


# --- incoming supply --------------------------------------------------------------------------


@router.get("/catalog/supply", response=list[CatalogSupplyOut], summary="Incoming supply")
@paginate
def list_supply(request: HttpRequest, status: str = "", product_id: Id | None = None) -> Any:
    product = queries.get_product(viewer=request.user, pk=product_id) if product_id else None
    return queries.list_supply(viewer=request.user, status=status, product=product)


@router.post(
    "/catalog/supply",
    response={201: CatalogSupplyOut, **ERRORS},
    summary="Production or a purchase expected on a date",
    openapi_extra=api_permission(perms.SUPPLY_CREATE.code),
)
def add_supply(request: HttpRequest, payload: CatalogSupplyIn) -> Any:
    data = payload.dict()
    supply = services.add_incoming_supply(
        actor=request.user,
        warehouse=queries.get_warehouse(viewer=request.user, pk=data.pop("warehouse_id")),
        product=queries.get_product(viewer=request.user, pk=data.pop("product_id")),
        **data,
    )
    return Status(201, supply)


@router.patch(
    "/catalog/supply/{supply_id}",
    response={200: CatalogSupplyOut, **ERRORS},
    openapi_extra=api_permission(perms.SUPPLY_CHANGE.code),
)
def update_supply(request: HttpRequest, supply_id: Id, payload: CatalogSupplyPatch) -> Any:
    supply = queries.get_supply(viewer=request.user, pk=supply_id, action="change")
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if "warehouse_id" in data:
        data["warehouse"] = queries.get_warehouse(viewer=request.user, pk=data.pop("warehouse_id"))
    if "product_id" in data:
        data["product"] = queries.get_product(viewer=request.user, pk=data.pop("product_id"))
    return services.update_supply(
        actor=request.user, supply=supply, expected_version=version, changes=data
    )


@router.post(
    "/catalog/supply/{supply_id}/receive",
    response={200: CatalogSupplyOut, **ERRORS},
    summary="The supply arrived: add it to stock on hand",
    openapi_extra=api_permission(perms.SUPPLY_CHANGE.code),
)
def receive_supply(request: HttpRequest, supply_id: Id, payload: CatalogSupplyReceiveIn) -> Any:
    supply = queries.get_supply(viewer=request.user, pk=supply_id, action="change")
    return services.receive_supply(
        actor=request.user,
        supply=supply,
        expected_version=payload.version,
        received_on=payload.received_on,
    )


@router.post(
    "/catalog/supply/{supply_id}/cancel",
    response={200: CatalogSupplyOut, **ERRORS},
    openapi_extra=api_permission(perms.SUPPLY_CHANGE.code),
)
def cancel_supply(request: HttpRequest, supply_id: Id, payload: CatalogSupplyCancelIn) -> Any:
    supply = queries.get_supply(viewer=request.user, pk=supply_id, action="change")
    return services.cancel_supply(
        actor=request.user, supply=supply, expected_version=payload.version, reason=payload.reason
    )
