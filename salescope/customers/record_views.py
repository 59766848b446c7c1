"""Everyday records of the customer pages: create and edit a customer (with the duplicate
check before saving), its contacts, and its credit limit and payment terms (finance).

Each handler parses a form, fetches through ``queries`` and writes through one service; a
service's error lands next to the field it names (status 422, 409 for a stale version).
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from salescope.core.errors import DomainError
from salescope.core.money import to_fen
from salescope.core.web import form_error, page
from salescope.customers import permissions as perms
from salescope.customers import queries, services
from salescope.customers.forms import ContactForm, CreditTermsForm, CustomerForm, DeactivateForm
from salescope.customers.models import Customer
from salescope.org import permissions as org_perms
from salescope.org.permissions import allows, require, requires

FORM = "customers/record_form.html"
CUSTOMER_FIELDS = ["code", "name", "kind", "tier", "owner", "territory", "sales_area", "phone"]
CUSTOMER_FIELDS += ["tax_number", "address"]


def actions(viewer: Any, customer: Customer) -> dict[str, bool]:
    """Which buttons the customer page offers this viewer (each page re-checks on POST)."""
    return {
        "may_edit": allows(viewer, perms.CUSTOMER_CHANGE.code)
        and queries.may_change(viewer=viewer, customer=customer),
        "may_set_credit": allows(viewer, perms.CREDIT_TERMS_CHANGE.code),
    }


def _customer_form(request: HttpRequest, **kwargs: Any) -> CustomerForm:
    return CustomerForm(
        request.POST or None,
        viewer=request.user,
        may_assign=allows(request.user, perms.CUSTOMER_MERGE.code),
        may_set_credit=allows(request.user, perms.CREDIT_TERMS_CHANGE.code),
        **kwargs,
    )


def _values(form: CustomerForm) -> dict[str, Any]:
    data = form.cleaned_data
    values = {name: data[name] for name in CUSTOMER_FIELDS if name in data}
    if "credit_limit" in data:
        limit = data["credit_limit"]
        values["credit_limit_fen"] = None if limit is None else to_fen(limit)
    if data.get("payment_terms_days") is not None:
        values["payment_terms_days"] = data["payment_terms_days"]
    return values


def _duplicates(request: HttpRequest, values: dict[str, Any], exclude: Any = None) -> list:
    """Look-alikes to warn about before saving, unless the person confirmed they are not."""
    if request.POST.get("confirm_duplicate"):
        return []
    return queries.possible_duplicates(
        viewer=request.user,
        name=values.get("name", ""),
        phone=values.get("phone", ""),
        tax_number=values.get("tax_number", ""),
        exclude=exclude,
    )


@page
@requires(perms.CUSTOMER_CREATE.code)
def customer_create(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.CUSTOMER_CREATE.code)  # the form, not only its POST
    form = _customer_form(request)
    context: dict[str, Any] = {"form": form, "title": _("New customer"), "back": "/customers/"}
    if request.method == "POST":
        if form.is_valid():
            values = _values(form)
            context["duplicates"] = _duplicates(request, values)
            if context["duplicates"]:
                return render(request, FORM, context)
            if values.get("owner") is None:
                values.pop("owner", None)
            try:
                customer = services.create_customer(actor=request.user, **values)
            except DomainError as error:
                return render(request, FORM, context, status=form_error(form, error))
            messages.success(request, _("Customer created."))
            return redirect("customers:detail", pk=customer.pk)
        return render(request, FORM, context, status=422)
    return render(request, FORM, context)


@page
@requires(perms.CUSTOMER_CHANGE.code)
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, perms.CUSTOMER_CHANGE.code)  # the form, not only its POST
    customer = queries.get_customer(viewer=request.user, pk=pk, action="change")
    initial = {name: getattr(customer, name) for name in CUSTOMER_FIELDS}
    form = _customer_form(request, initial={**initial, "version": customer.version})
    for name in ("credit_limit", "payment_terms_days"):  # set on their own form
        form.fields.pop(name, None)
    context: dict[str, Any] = {
        "form": form,
        "title": _("Edit %s") % customer,
        "back": f"/customers/{customer.pk}/",
    }
    if request.method == "POST":
        if not form.is_valid():
            return render(request, FORM, context, status=422)
        values = _values(form)
        looks = {k: v for k, v in values.items() if k in {"name", "phone", "tax_number"}}
        if any(str(getattr(customer, k)) != str(v) for k, v in looks.items()):
            context["duplicates"] = _duplicates(request, values, exclude=customer)
            if context["duplicates"]:
                return render(request, FORM, context)
        try:
            services.update_customer(
                actor=request.user,
                customer=customer,
                expected_version=form.cleaned_data["version"] or 0,
                changes=values,
            )
        except DomainError as error:
            return render(request, FORM, context, status=form_error(form, error))
        messages.success(request, _("Saved."))
        return redirect("customers:detail", pk=customer.pk)
    return render(request, FORM, context)


@page
@requires(perms.CREDIT_TERMS_CHANGE.code)
def credit_terms(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, perms.CREDIT_TERMS_CHANGE.code)  # the form, not only its POST
    customer = queries.get_customer(viewer=request.user, pk=pk)
    form = CreditTermsForm(
        request.POST or None,
        initial={
            "version": customer.version,
            "credit_limit": customer.credit_limit,
            "payment_terms_days": customer.payment_terms_days,
        },
    )
    context = {
        "form": form,
        "title": _("Credit limit and payment terms: %s") % customer,
        "back": f"/customers/{customer.pk}/",
    }
    if request.method == "POST":
        if not form.is_valid():
            return render(request, FORM, context, status=422)
        limit = form.cleaned_data["credit_limit"]
        try:
            services.set_credit_terms(
                actor=request.user,
                customer=customer,
                expected_version=form.cleaned_data["version"],
                credit_limit_fen=None if limit is None else to_fen(limit),
                payment_terms_days=form.cleaned_data["payment_terms_days"],
            )
        except DomainError as error:
            return render(request, FORM, context, status=form_error(form, error))
        messages.success(request, _("Credit limit and payment terms saved."))
        return redirect("customers:detail", pk=customer.pk)
    return render(request, FORM, context)


def _contact_values(form: ContactForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


@page
@requires(perms.CONTACT_CREATE.code)
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, perms.CONTACT_CREATE.code)  # the form, not only its POST
    customer = queries.get_customer(viewer=request.user, pk=pk, action="change")
    form = ContactForm(request.POST or None)
    context = {
        "form": form,
        "title": _("New contact of %s") % customer,
        "back": f"/customers/{customer.pk}/",
    }
    if request.method == "POST":
        if not form.is_valid():
            return render(request, FORM, context, status=422)
        values = _contact_values(form)
        try:
            services.add_contact(
                actor=request.user, customer=customer, name=values.pop("name"), **values
            )
        except DomainError as error:
            return render(request, FORM, context, status=form_error(form, error))
        messages.success(request, _("Contact added."))
        return redirect("customers:detail", pk=customer.pk)
    return render(request, FORM, context)


@page
@requires(perms.CONTACT_CHANGE.code)
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, perms.CONTACT_CHANGE.code)  # the form, not only its POST
    contact = queries.get_contact(viewer=request.user, pk=pk, action="change")
    initial = {name: getattr(contact, name) for name in services.CONTACT_FIELDS}
    form = ContactForm(request.POST or None, initial={**initial, "version": contact.version})
    context = {
        "form": form,
        "title": _("Edit contact %s") % contact,
        "back": f"/customers/{contact.customer_id}/",
    }
    if request.method == "POST":
        if not form.is_valid():
            return render(request, FORM, context, status=422)
        try:
            services.update_contact(
                actor=request.user,
                contact=contact,
                expected_version=form.cleaned_data["version"] or 0,
                changes=_contact_values(form),
            )
        except DomainError as error:
            return render(request, FORM, context, status=form_error(form, error))
        messages.success(request, _("Saved."))
        return redirect("customers:detail", pk=contact.customer_id)
    return render(request, FORM, context)


@page
@requires(org_perms.PERSON_DEACTIVATE.code)
def person_deactivate(request: HttpRequest, person_id: int) -> HttpResponse:
    """Deactivate a person who leaves, handing their book over first (F2): what moves is shown
    before acting; the person's page links here."""
    require(request.user, org_perms.PERSON_DEACTIVATE.code)  # the form, not only its POST
    person = queries.get_person(viewer=request.user, pk=person_id)
    form = DeactivateForm(
        request.POST or None,
        viewer=request.user,
        person=person,
        initial={"version": person.version},
    )
    context = {
        "form": form,
        "person": person,
        "counts": services.handover_counts(from_user=person),
    }
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "customers/deactivate.html", context, status=422)
        try:
            moved = services.deactivate_with_handover(
                actor=request.user,
                person=person,
                expected_version=form.cleaned_data["version"],
                to_user=form.cleaned_data["to_user"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            status = form_error(form, error)
            return render(request, "customers/deactivate.html", context, status=status)
        messages.success(
            request,
            _("%(person)s deactivated; %(customers)d customers handed over.")
            % {"person": person, "customers": moved["customers"]},
        )
        return redirect("org:person", person_id=person.pk)
    return render(request, "customers/deactivate.html", context)
