"""实绩录入: the page where figures the ledger does not hold are entered and corrected."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from salescope.analytics import manual, services
from salescope.analytics.forms import ManualActualEditForm, ManualActualForm, ManualFilterForm
from salescope.analytics.permissions import MANUAL_CHANGE, MANUAL_CREATE, MANUAL_DELETE
from salescope.core.errors import DomainError
from salescope.core.web import page
from salescope.org.permissions import allows, requires
from salescope.org.visibility import CHANGE

PAGE_SIZE = 50


def _form_error(form, error: DomainError) -> int:  # noqa: ANN001
    """Put a service's error next to the fields it names (or on the form); its status."""
    for name, msgs in (error.fields or {"__all__": [error.detail]}).items():
        for message in msgs:
            form.add_error(name if name in form.fields else None, message)
    return error.status


@page
@require_http_methods(["GET", "POST"])
@requires(MANUAL_CREATE.code)
def entries(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    filters = ManualFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    form = ManualActualForm(
        request.POST or None,
        people=manual.enterable_people(viewer=viewer),
        units=manual.enterable_units(viewer=viewer),
        initial={"metric": chosen.get("metric"), "month": chosen.get("month")},
    )
    status = 200
    existing = None  # the figure already entered for the cell, when a second one is refused
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.enter_manual_actual(actor=viewer, **form.cleaned_data)
            except DomainError as error:
                status = _form_error(form, error)
                existing = error.extra.get("existing_id")
            else:
                messages.success(request, _("Figure saved."))
                return redirect(request.get_full_path())
    listing = manual.list_manual_actuals(
        viewer=viewer, metric=chosen.get("metric") or None, month=chosen.get("month")
    )
    context = {
        "filters": filters,
        "form": form,
        "page": Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page")),
        "can_enter": allows(viewer, MANUAL_CREATE.code),
        "existing": existing,
    }
    return render(request, "analytics/manual_entries.html", context, status=status)


@page
@require_http_methods(["GET", "POST"])
@requires(MANUAL_CHANGE.code)
def entry(request: HttpRequest, actual_id: int) -> HttpResponse:
    actual = manual.get_manual_actual(viewer=request.user, pk=actual_id)
    initial = {
        "version": actual.version,
        "value": manual.display_value(actual),
        "note": actual.note,
    }
    form = ManualActualEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version") or 0
            try:
                services.update_manual_actual(
                    actor=request.user, actual=actual, expected_version=version, **data
                )
            except DomainError as error:
                status = _form_error(form, error)
            else:
                messages.success(request, _("Figure saved."))
                return redirect("analytics:manual-entry", actual_id=actual.pk)
    may_change = allows(request.user, MANUAL_CHANGE.code) and manual.may_change(
        viewer=request.user, actual=actual
    )
    context = {
        "actual": actual,
        "value": manual.display_value(actual),
        "form": form,
        "history": manual.history(actual),
        "can_change": may_change,
        "can_delete": may_change and allows(request.user, MANUAL_DELETE.code),
    }
    return render(request, "analytics/manual_entry.html", context, status=status)


@page
@require_POST
@requires(MANUAL_DELETE.code)
def delete(request: HttpRequest, actual_id: int) -> HttpResponse:
    actual = manual.get_manual_actual(viewer=request.user, pk=actual_id, action=CHANGE)
    raw = request.POST.get("version", "")
    try:
        services.delete_manual_actual(
            actor=request.user, actual=actual, expected_version=int(raw) if raw.isdigit() else 0
        )
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("analytics:manual-entry", actual_id=actual.pk)
    messages.success(request, _("Figure deleted."))
    return redirect("analytics:manual")
