"""Catalogue pages: products with stock, and the availability answer (H3)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from salescope.catalog import queries
from salescope.catalog.models import COST_ROLES
from salescope.core.web import int_param, page, paginate


@page
def products(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    context = {
        "page": paginate(request, queries.list_products(viewer=request.user, search=search)),
        "q": search,
        "query": f"q={search}",
        "show_cost": request.user.role in COST_ROLES,
    }
    return render(request, "catalog/products.html", context)


@page
def product(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_product(viewer=request.user, pk=pk)
    quantity = int_param(request, "quantity")
    horizon = int_param(request, "horizon") or 90
    answer = None
    if quantity:
        answer = queries.availability(
            viewer=request.user,
            product=found,
            quantity=quantity,
            as_of=timezone.localdate(),
            horizon_days=horizon,
        )
    context = {
        "product": found,
        "stock": queries.stock_of(viewer=request.user, product=found),
        "incoming": queries.incoming_of(viewer=request.user, product=found),
        "answer": answer,
        "quantity": quantity or "",
        "horizon": horizon,
        "show_cost": request.user.role in COST_ROLES,
    }
    return render(request, "catalog/product.html", context)
