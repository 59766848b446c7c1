"""Catalogue pages: products with stock and the availability answer (H3); brands, the
category tree, price lists, warehouses, stock levels and incoming supply with their forms.
Thin: forms in, services write (errors at the field), queries read."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salescope.catalog import forms, queries, services
from salescope.catalog import permissions as perms
from salescope.catalog.choices import SupplyStatus
from salescope.catalog.importing import STOCK_LABELS, SUPPLY_LABELS
from salescope.catalog.models import COST_ROLES
from salescope.core.errors import DomainError
from salescope.core.importing.forms import queue_upload
from salescope.core.money import from_fen, to_fen
from salescope.core.permissions import allows
from salescope.core.roles import viewer_roles
from salescope.core.web import form_error, int_param, page, paginate
from salescope.org.permissions import requires

COST = frozenset(str(r) for r in COST_ROLES)


def _show_cost(request: HttpRequest) -> bool:
    return bool(viewer_roles(request.user) & COST)


def _may(request: HttpRequest, permission: Any) -> bool:
    return allows(request.user, permission.code)


def _form_page(
    request: HttpRequest, form: Any, heading: Any, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {"form": form, "heading": heading, **extra}
    return render(request, "catalog/form.html", context, status=status)


def _submit(form: Any, write: Callable[[dict[str, Any]], Any]) -> tuple[Any, int]:
    """Run ``write`` with the form's data; (its result, 200) or (None, the error's status)
    with the service's errors put at the fields they name."""
    if not form.is_valid():
        return None, 422
    try:
        return write(form.cleaned_data), 200
    except DomainError as error:
        return None, form_error(form, error)


def _changes(data: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: data[name] for name in names if name in data}


# --- products ---------------------------------------------------------------------------------


@page
def products(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    context = {
        "page": paginate(request, queries.list_products(viewer=request.user, search=search)),
        "q": search,
        "query": f"q={search}",
        "show_cost": _show_cost(request),
        "may_create": _may(request, perms.PRODUCT_CREATE),
    }
    return render(request, "catalog/products.html", context)


def _product_values(data: dict[str, Any], show_cost: bool) -> dict[str, Any]:
    values = _changes(data, "sku", "name", "brand", "category", "unit", "active")
    values["list_price_fen"] = to_fen(data["list_price"])
    if show_cost and data.get("cost") is not None:
        values["cost_fen"] = to_fen(data["cost"])
    return values


@page
@requires(perms.PRODUCT_CREATE.code)
def product_new(request: HttpRequest) -> HttpResponse:
    show_cost = _show_cost(request)
    form = forms.ProductForm(
        request.POST or None, viewer=request.user, show_cost=show_cost, initial={"version": 0}
    )
    status = 200
    if request.method == "POST":
        product, status = _submit(
            form,
            lambda data: services.create_product(
                actor=request.user, **_product_values(data, show_cost)
            ),
        )
        if product is not None:
            return redirect("catalog:product", pk=product.pk)
    return _form_page(request, form, _("New product"), status)


@page
@requires(perms.PRODUCT_CHANGE.code)
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = "change" if request.method == "POST" else "view"
    found = queries.get_product(viewer=request.user, pk=pk, action=action)
    show_cost = _show_cost(request)
    initial = {
        "sku": found.sku,
        "name": found.name,
        "brand": found.brand_id,
        "category": found.category_id,
        "unit": found.unit,
        "list_price": found.list_price,
        "cost": found.cost if show_cost else None,
        "active": found.active,
        "version": found.version,
    }
    form = forms.ProductForm(
        request.POST or None, viewer=request.user, show_cost=show_cost, initial=initial
    )
    status = 200
    if request.method == "POST":
        product, status = _submit(
            form,
            lambda data: services.update_product(
                actor=request.user,
                product=found,
                expected_version=data["version"],
                changes=_product_values(data, show_cost),
            ),
        )
        if product is not None:
            return redirect("catalog:product", pk=found.pk)
    return _form_page(request, form, found, status, back=("catalog:product", found.pk))


@page
def product(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_product(viewer=request.user, pk=pk)
    form = forms.AvailabilityForm(
        request.GET if "quantity" in request.GET else None,
        viewer=request.user,
        initial={"horizon": 90},
    )
    answer = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            answer = queries.availability(
                viewer=request.user,
                product=found,
                quantity=data["quantity"],
                as_of=timezone.localdate(),
                horizon_days=data["horizon"] or 90,
                warehouse=data["warehouse"],
                customer_id=data["customer"],
            )
        except DomainError as error:  # a customer the viewer may not see: said at the field
            form.add_error("customer", error.detail)
    context = {
        "product": found,
        "stock": queries.stock_of(viewer=request.user, product=found),
        "incoming": queries.incoming_of(viewer=request.user, product=found),
        "form": form,
        "answer": answer,
        "show_cost": _show_cost(request),
        "may_edit": _may(request, perms.PRODUCT_CHANGE),
    }
    return render(request, "catalog/product.html", context)


# --- brands, categories, warehouses, price lists: a list with a form to add, an edit page -----


@page
@requires(perms.BRAND_CREATE.code)
def brands(request: HttpRequest) -> HttpResponse:
    form = forms.BrandForm(request.POST or None, initial={"version": 0})
    status = 200
    if request.method == "POST":
        made, status = _submit(
            form,
            lambda d: services.create_brand(actor=request.user, name=d["name"], code=d["code"]),
        )
        if made is not None:
            return redirect("catalog:brands")
    rows = [(b, b.code, b.name) for b in queries.list_brands(viewer=request.user)]
    return _list_page(request, _("Brands"), "catalog:brand", rows, form, status, "brand")


def _list_page(
    request: HttpRequest,
    heading: Any,
    detail: str,
    rows: list[tuple],
    form: Any,
    status: int,
    kind: str,
    columns: tuple = (),
) -> HttpResponse:
    may_create = allows(request.user, getattr(perms, f"{kind.upper()}_CREATE").code)
    context = {
        "heading": heading,
        "detail": detail,
        "rows": rows,
        "columns": columns or (_("Code"), _("Name")),
        "form": form if may_create else None,
    }
    return render(request, "catalog/list.html", context, status=status)


@page
@requires(perms.BRAND_CHANGE.code)
def brand(request: HttpRequest, pk: int) -> HttpResponse:
    action = "change" if request.method == "POST" else "view"
    found = queries.get_brand(viewer=request.user, pk=pk, action=action)
    initial = {"name": found.name, "code": found.code, "version": found.version}
    form = forms.BrandForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        done, status = _submit(
            form,
            lambda d: services.update_brand(
                actor=request.user,
                brand=found,
                expected_version=d["version"],
                changes=_changes(d, "name", "code"),
            ),
        )
        if done is not None:
            return redirect("catalog:brands")
    return _form_page(request, form, found, status, back=("catalog:brands", None))


@page
@requires(perms.CATEGORY_CREATE.code)
def categories(request: HttpRequest) -> HttpResponse:
    form = forms.CategoryForm(request.POST or None, viewer=request.user, initial={"version": 0})
    status = 200
    if request.method == "POST":
        made, status = _submit(
            form,
            lambda d: services.create_category(
                actor=request.user, name=d["name"], code=d["code"], parent=d["parent"]
            ),
        )
        if made is not None:
            return redirect("catalog:categories")
    rows = [
        (c, c.code, "　" * depth + c.name)
        for c, depth in queries.category_tree(viewer=request.user)
    ]
    return _list_page(request, _("Categories"), "catalog:category", rows, form, status, "category")


@page
@requires(perms.CATEGORY_CHANGE.code)
def category(request: HttpRequest, pk: int) -> HttpResponse:
    action = "change" if request.method == "POST" else "view"
    found = queries.get_category(viewer=request.user, pk=pk, action=action)
    initial = {
        "name": found.name,
        "code": found.code,
        "parent": found.parent_id,
        "version": found.version,
    }
    form = forms.CategoryForm(request.POST or None, viewer=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        done, status = _submit(
            form,
            lambda d: services.update_category(
                actor=request.user,
                category=found,
                expected_version=d["version"],
                changes=_changes(d, "name", "code", "parent"),
            ),
        )
        if done is not None:
            return redirect("catalog:categories")
    return _form_page(request, form, found, status, back=("catalog:categories", None))


@page
@requires(perms.WAREHOUSE_CREATE.code)
def warehouses(request: HttpRequest) -> HttpResponse:
    form = forms.WarehouseForm(request.POST or None, viewer=request.user, initial={"version": 0})
    status = 200
    if request.method == "POST":
        made, status = _submit(
            form,
            lambda d: services.create_warehouse(
                actor=request.user, code=d["code"], name=d["name"], region=d["region"]
            ),
        )
        if made is not None:
            return redirect("catalog:warehouses")
    rows = [
        (w, w.code, w.name, w.region or "—") for w in queries.list_warehouses(viewer=request.user)
    ]
    columns = (_("Code"), _("Name"), _("Region"))
    return _list_page(
        request, _("Warehouses"), "catalog:warehouse", rows, form, status, "warehouse", columns
    )


@page
@requires(perms.WAREHOUSE_CHANGE.code)
def warehouse(request: HttpRequest, pk: int) -> HttpResponse:
    action = "change" if request.method == "POST" else "view"
    found = queries.get_warehouse(viewer=request.user, pk=pk, action=action)
    initial = {
        "name": found.name,
        "code": found.code,
        "region": found.region_id,
        "version": found.version,
    }
    form = forms.WarehouseForm(request.POST or None, viewer=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        done, status = _submit(
            form,
            lambda d: services.update_warehouse(
                actor=request.user,
                warehouse=found,
                expected_version=d["version"],
                changes=_changes(d, "name", "code", "region"),
            ),
        )
        if done is not None:
            return redirect("catalog:warehouses")
    return _form_page(request, form, found, status, back=("catalog:warehouses", None))


@page
@requires(perms.PRICE_LIST_CREATE.code)
def price_lists(request: HttpRequest) -> HttpResponse:
    form = forms.PriceListForm(request.POST or None, initial={"version": 0})
    status = 200
    if request.method == "POST":
        made, status = _submit(
            form,
            lambda d: services.create_price_list(
                actor=request.user,
                **_changes(d, "code", "name", "valid_from", "valid_to"),
            ),
        )
        if made is not None:
            return redirect("catalog:price-list", pk=made.pk)
    rows = [
        (p, p.code, p.name, p.valid_from or "—", p.valid_to or "—")
        for p in queries.list_price_lists(viewer=request.user)
    ]
    columns = (_("Code"), _("Name"), _("Valid from"), _("Valid to"))
    return _list_page(
        request, _("Price lists"), "catalog:price-list", rows, form, status, "price_list", columns
    )


@page
@requires(perms.PRICE_LIST_CHANGE.code)
def price_list(request: HttpRequest, pk: int) -> HttpResponse:
    action = "change" if request.method == "POST" else "view"
    found = queries.get_price_list(viewer=request.user, pk=pk, action=action)
    initial = {
        "code": found.code,
        "name": found.name,
        "valid_from": found.valid_from,
        "valid_to": found.valid_to,
        "version": found.version,
    }
    posted = request.POST.get("form", "")
    form = forms.PriceListForm(request.POST if posted == "list" else None, initial=initial)
    price_form = forms.PriceForm(request.POST if posted == "price" else None)
    status = 200
    if posted == "list":
        done, status = _submit(
            form,
            lambda d: services.update_price_list(
                actor=request.user,
                price_list=found,
                expected_version=d["version"],
                changes=_changes(d, "code", "name", "valid_from", "valid_to"),
            ),
        )
        if done is not None:
            return redirect("catalog:price-list", pk=found.pk)
    elif posted == "price":
        done, status = _submit(
            price_form,
            lambda d: services.set_price(
                actor=request.user,
                price_list=found,
                product=d["product"],
                price_fen=to_fen(d["price"]),
            ),
        )
        if done is not None:
            return redirect("catalog:price-list", pk=found.pk)
    prices = [
        (item.product, from_fen(item.price_fen))
        for item in queries.prices_of(viewer=request.user, price_list=found)
    ]
    context = {"price_list": found, "form": form, "price_form": price_form, "prices": prices}
    return render(request, "catalog/price_list.html", context, status=status)


# --- stock and incoming supply ----------------------------------------------------------------


@page
@requires(perms.STOCK_CHANGE.code)
def stock(request: HttpRequest) -> HttpResponse:
    """Stock per warehouse, with forms to set a count and to adjust (each with its reason)."""
    posted = request.POST.get("form", "")
    initial: dict[str, Any] = {}
    level_id = int_param(request, "level")
    if level_id:  # "count this level": the form starts from it, with the version seen
        level = queries.get_stock_level(viewer=request.user, pk=level_id)
        initial = {
            "warehouse": level.warehouse_id,
            "product": level.product.sku,
            "on_hand": level.on_hand,
            "reserved": level.reserved,
            "version": level.version,
        }
    set_form = forms.StockSetForm(
        request.POST if posted == "set" else None, viewer=request.user, initial=initial
    )
    adjust_form = forms.StockAdjustForm(
        request.POST if posted == "adjust" else None, viewer=request.user
    )
    status = 200
    if posted == "set":
        done, status = _submit(
            set_form,
            lambda d: services.set_stock(
                actor=request.user,
                warehouse=d["warehouse"],
                product=d["product"],
                on_hand=d["on_hand"],
                reserved=d["reserved"],
                reason=d["reason"],
                expected_version=d["version"],
            ),
        )
        if done is not None:
            return redirect("catalog:stock")
    elif posted == "adjust":
        done, status = _submit(
            adjust_form,
            lambda d: services.adjust_stock(
                actor=request.user,
                warehouse=d["warehouse"],
                product=d["product"],
                delta=d["delta"],
                reason=d["reason"],
            ),
        )
        if done is not None:
            return redirect("catalog:stock")
    warehouse_id = int_param(request, "warehouse")
    chosen = queries.get_warehouse(viewer=request.user, pk=warehouse_id) if warehouse_id else None
    search = request.GET.get("q", "").strip()
    levels = queries.list_stock(viewer=request.user, warehouse=chosen, search=search)
    may = _may(request, perms.STOCK_CHANGE)
    context = {
        "page": paginate(request, levels),
        "q": search,
        "chosen": chosen,
        "warehouses": queries.list_warehouses(viewer=request.user),
        "query": f"q={search}&warehouse={warehouse_id or ''}",
        "set_form": set_form if may else None,
        "adjust_form": adjust_form if may else None,
    }
    return render(request, "catalog/stock.html", context, status=status)


@page
@requires(perms.SUPPLY_CREATE.code)
def supply_list(request: HttpRequest) -> HttpResponse:
    form = forms.SupplyForm(request.POST or None, viewer=request.user)
    status = 200
    if request.method == "POST":
        made, status = _submit(
            form,
            lambda d: services.add_incoming_supply(
                actor=request.user,
                **_changes(
                    d,
                    "warehouse",
                    "product",
                    "kind",
                    "quantity",
                    "expected_date",
                    "reference",
                    "note",
                ),
            ),
        )
        if made is not None:
            return redirect("catalog:supply-list")
    shown = request.GET.get("status", SupplyStatus.OPEN)
    rows = queries.list_supply(viewer=request.user, status=shown)
    context = {
        "page": paginate(request, rows),
        "status": shown,
        "statuses": SupplyStatus.choices,
        "query": f"status={shown}",
        "form": form if _may(request, perms.SUPPLY_CREATE) else None,
    }
    return render(request, "catalog/supply.html", context, status=status)


@page
@requires(perms.SUPPLY_CHANGE.code)
def supply(request: HttpRequest, pk: int) -> HttpResponse:
    """One supply: move or change it while open, mark it received (into stock) or cancelled."""
    action = "change" if request.method == "POST" else "view"
    found = queries.get_supply(viewer=request.user, pk=pk, action=action)
    posted = request.POST.get("form", "")
    initial = {
        "warehouse": found.warehouse_id,
        "product": found.product.sku,
        "kind": found.kind,
        "quantity": found.quantity,
        "expected_date": found.expected_date,
        "reference": found.reference,
        "note": found.note,
        "version": found.version,
    }
    edit = forms.SupplyEditForm(
        request.POST if posted == "edit" else None, viewer=request.user, initial=initial
    )
    receive = forms.ReceiveForm(
        request.POST if posted == "receive" else None, initial={"version": found.version}
    )
    cancel = forms.CancelForm(
        request.POST if posted == "cancel" else None, initial={"version": found.version}
    )
    status = 200
    writes: dict[str, tuple[Any, Callable[[dict[str, Any]], Any]]] = {
        "edit": (
            edit,
            lambda d: services.update_supply(
                actor=request.user,
                supply=found,
                expected_version=d["version"],
                changes=_changes(
                    d,
                    "warehouse",
                    "product",
                    "kind",
                    "quantity",
                    "expected_date",
                    "reference",
                    "note",
                ),
            ),
        ),
        "receive": (
            receive,
            lambda d: services.receive_supply(
                actor=request.user,
                supply=found,
                expected_version=d["version"],
                received_on=d["received_on"],
            ),
        ),
        "cancel": (
            cancel,
            lambda d: services.cancel_supply(
                actor=request.user,
                supply=found,
                expected_version=d["version"],
                reason=d["reason"],
            ),
        ),
    }
    if posted in writes:
        form, write = writes[posted]
        done, status = _submit(form, write)
        if done is not None:
            return redirect("catalog:supply", pk=found.pk)
    context = {
        "supply": found,
        "is_open": found.status == SupplyStatus.OPEN,
        "edit": edit,
        "receive": receive,
        "cancel": cancel,
    }
    return render(request, "catalog/supply_detail.html", context, status=status)


def _import_page(
    request: HttpRequest, kind: str, heading: Any, labels: dict[str, Any]
) -> HttpResponse:
    """Upload a file to import (or only check): it runs as a background job, whose page shows
    the progress, then every rejected cell with its line and the error report."""
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    job_url, status = queue_upload(request, form, kind=kind)
    if job_url:
        return redirect(job_url)
    context = {"form": form, "heading": heading, "labels": labels}
    return render(request, "catalog/import.html", context, status=status)


@page
@requires(perms.STOCK_CHANGE.code)
def stock_import(request: HttpRequest) -> HttpResponse:
    return _import_page(request, "stock", _("Import stock"), STOCK_LABELS)


@page
@requires(perms.SUPPLY_CHANGE.code)
def supply_import(request: HttpRequest) -> HttpResponse:
    return _import_page(request, "supply", _("Import incoming supply"), SUPPLY_LABELS)
