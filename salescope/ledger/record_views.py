"""Everyday records of the ledger pages: take an order (with the credit check) and record a
collection (回款) with its allocation to invoices. First the customer (by code, among those
the viewer may use), then the record; each a form, one service, errors at their fields."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from salescope.core.errors import DomainError
from salescope.core.money import from_fen, grouped
from salescope.core.web import form_error, page
from salescope.ledger import permissions as perms
from salescope.ledger import queries, services
from salescope.ledger.choices import OrderStatus
from salescope.ledger.forms import CollectionForm, CustomerPickForm, OrderForm
from salescope.org.permissions import require, requires


def _customer(request: HttpRequest, customers: Any) -> tuple[Any, CustomerPickForm]:
    """The customer named by ``?customer=ID`` or the pick form's code, among ``customers``."""
    raw = request.GET.get("customer", "")
    if raw.isdigit():
        found = customers.filter(pk=int(raw)).first()
        if found is not None:
            return found, CustomerPickForm(customers=customers)
    pick = CustomerPickForm(request.GET or None, customers=customers)
    if pick.is_bound and pick.is_valid():
        return pick.cleaned_data["customer"], pick
    return None, pick


def _pick_page(request: HttpRequest, title: str, pick: CustomerPickForm, customers: Any):
    context = {"title": title, "pick": pick, "codes": customers.values_list("code", "name")[:200]}
    return render(request, "ledger/pick_customer.html", context, status=422 if pick.errors else 200)


@page
@requires(perms.ORDER_CREATE.code)
def order_create(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.ORDER_CREATE.code)  # the form, not only its POST
    customers = queries.customers_for_orders(viewer=request.user)
    customer, pick = _customer(request, customers)
    if customer is None:
        return _pick_page(request, _("Take an order"), pick, customers)
    products = queries.products_for_orders(viewer=request.user)
    form = OrderForm(request.POST or None, products=products)
    context = {
        "form": form,
        "customer": customer,
        "credit": queries.credit_summary(viewer=request.user, customer=customer),
        "skus": products.values_list("sku", "name")[:500],
    }
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "ledger/order_form.html", context, status=422)
        data = form.cleaned_data
        try:
            order = services.take_order(
                actor=request.user,
                customer=customer,
                number=data["number"],
                date=data["date"],
                lines=data["lines"],
                confirm=data["confirm"],
            )
        except DomainError as error:
            status = form_error(form, error)
            return render(request, "ledger/order_form.html", context, status=status)
        if order.status == OrderStatus.CREDIT_HOLD:
            messages.warning(request, _("Put on credit hold: %s") % order.hold_reason)
        else:
            messages.success(request, _("Order %s saved.") % order.number)
        return redirect("ledger:order", pk=order.pk)
    return render(request, "ledger/order_form.html", context)


@page
@requires(perms.COLLECTION_RECORD.code)
def collection_create(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.COLLECTION_RECORD.code)  # the form, not only its POST
    customers = queries.customers_for_collections(viewer=request.user)
    customer, pick = _customer(request, customers)
    if customer is None:
        return _pick_page(request, _("Record a collection"), pick, customers)
    invoices = queries.open_invoices_of(viewer=request.user, customer=customer)
    form = CollectionForm(request.POST or None, invoices=invoices)
    context = {"form": form, "customer": customer}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "ledger/collection_form.html", context, status=422)
        data = form.cleaned_data
        try:
            collection = services.record_collection(
                actor=request.user,
                customer=customer,
                number=data["number"],
                date=data["date"],
                amount=data["amount"],
                method=data["method"],
                allocate=data["allocation"] == "oldest",
                allocations=data["allocations"],
            )
        except DomainError as error:
            status = form_error(form, error)
            return render(request, "ledger/collection_form.html", context, status=status)
        messages.success(
            request,
            _("Collection %(number)s recorded; %(allocated)s allocated to invoices.")
            % {
                "number": collection.number,
                "allocated": grouped(from_fen(collection.allocated_fen)),
            },
        )
        return redirect("customers:detail", pk=customer.pk)
    return render(request, "ledger/collection_form.html", context)
