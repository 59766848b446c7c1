"""Pages of the organisation: org chart, unit and person pages, my organization, the list of
what has no responsible person, people and territories, and the spreadsheet import."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salescope.core.errors import DomainError, NotFound, PermissionDenied
from salescope.core.web import form_error, page_errors
from salescope.org import forms, imports, permissions, queries, services
from salescope.org.permissions import requires

PAGE_SIZE = 50


def _can(request: HttpRequest, code: str) -> bool:
    return permissions.allows(request.user, code)


@require_GET
@login_required
def chart(request: HttpRequest) -> HttpResponse:
    context = {
        "roots": queries.org_chart(viewer=request.user),
        "can_manage": _can(request, permissions.UNIT_CREATE.code),
        "create_form": forms.UnitCreateForm(),
    }
    return render(request, "org/chart.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
@requires(permissions.UNIT_CREATE.code)
def unit_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":  # the form lives on the chart
        return redirect(reverse("org:chart") + "#add-unit")
    form = forms.UnitCreateForm(request.POST)
    if form.is_valid():
        try:
            unit = services.create_unit(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Unit created."))
            return redirect("org:unit", unit_id=unit.pk)
    context = {
        "roots": queries.org_chart(viewer=request.user),
        "can_manage": True,
        "create_form": form,
    }
    return render(request, "org/chart.html", context, status=422)


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
@requires(permissions.UNIT_CHANGE.code)
def unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = queries.get_unit(viewer=request.user, pk=unit_id)
    initial = {
        "version": unit.version,
        "name": unit.name,
        "code": unit.code,
        "kind": unit.kind,
        "parent": unit.parent_id,
        "manager": unit.manager_id,
    }
    form = forms.UnitEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            if data["parent"] is None:
                data.pop("parent")
            try:
                services.update_unit(
                    actor=request.user, unit=unit, expected_version=version, **data
                )
            except DomainError as error:
                status = form_error(form, error)
            else:
                messages.success(request, _("Unit saved."))
                return redirect("org:unit", unit_id=unit.pk)
    context = {
        **queries.unit_detail(viewer=request.user, unit=unit),
        **queries.unit_history(viewer=request.user, unit=unit),
        "form": form,
        "can_manage": _can(request, permissions.UNIT_CHANGE.code),
    }
    return render(request, "org/unit.html", context, status=status)


@require_GET
@login_required
def my_organization(request: HttpRequest) -> HttpResponse:
    return _person_page(request, request.user, status=200, forms_={})


@require_GET
@login_required
@page_errors
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    person = queries.get_person(viewer=request.user, pk=person_id)
    return _person_page(request, person, status=200, forms_={})


def _person_page(request: HttpRequest, person: Any, *, status: int, forms_: dict) -> HttpResponse:
    can_manage = _can(request, permissions.PERSON_CHANGE.code)
    context = {
        **queries.my_organization(viewer=request.user, person=person),
        **queries.person_history(
            viewer=request.user, person=person, sessions=bool(request.GET.get("sessions"))
        ),
        "is_me": person.pk == request.user.pk,
        "can_manage": can_manage,
        "can_deactivate": _can(request, permissions.PERSON_DEACTIVATE.code),
    }
    if can_manage:
        context["edit_form"] = forms_.get("edit") or forms.PersonEditForm(
            initial={
                "version": person.version,
                "full_name": person.full_name,
                "role": person.role,
                "extra_roles": person.extra_roles,
                "position": person.position_id,
                "email": person.email,
                "phone": person.phone,
                "duties": person.duties,
            }
        )
        context["move_form"] = forms_.get("move") or forms.MoveForm(
            initial={"version": person.version, "unit": person.unit_id}
        )
    return render(request, "org/person.html", context, status=status)


@require_POST
@login_required
@page_errors
@requires(permissions.PERSON_CHANGE.code)
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = queries.get_person(viewer=request.user, pk=person_id)
    form = forms.PersonEditForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.update_person(
                actor=request.user, person=person, expected_version=version, **data
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:person", person_id=person.pk)
    return _person_page(request, person, status=422, forms_={"edit": form})


@require_POST
@login_required
@page_errors
@requires(permissions.PERSON_MOVE.code)
def person_move(request: HttpRequest, person_id: int) -> HttpResponse:
    person = queries.get_person(viewer=request.user, pk=person_id)
    form = forms.MoveForm(request.POST)
    if form.is_valid():
        try:
            services.move_person(
                actor=request.user,
                person=person,
                unit=form.cleaned_data["unit"],
                expected_version=form.cleaned_data["version"],
                effective_on=form.cleaned_data["effective_on"],
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Moved."))
            return redirect("org:person", person_id=person.pk)
    return _person_page(request, person, status=422, forms_={"move": form})


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
@requires(permissions.PERSON_CREATE.code)
def people(request: HttpRequest) -> HttpResponse:
    form = forms.PersonCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = services.create_person(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(request, _("Person added."))
                return redirect("org:person", person_id=created.pk)
        status = 422
    search = request.GET.get("q", "").strip()
    listing = queries.list_people(viewer=request.user, search=search or None)
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": search,
        "form": form,
        "can_manage": _can(request, permissions.PERSON_CREATE.code),
    }
    return render(request, "org/people.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
@requires(permissions.TERRITORY_CREATE.code)
def territories(request: HttpRequest) -> HttpResponse:
    form = forms.TerritoryForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.create_territory(actor=request.user, **data)
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(request, _("Territory created."))
                return redirect("org:territories")
        status = 422
    listing = queries.list_territories(viewer=request.user)
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "form": form,
        "can_manage": _can(request, permissions.TERRITORY_CREATE.code),
    }
    return render(request, "org/territories.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
@requires(permissions.TERRITORY_CHANGE.code)
def territory(request: HttpRequest, territory_id: int) -> HttpResponse:
    territory = queries.get_territory(viewer=request.user, pk=territory_id)
    initial = {
        "version": territory.version,
        "code": territory.code,
        "name": territory.name,
        "kind": territory.kind,
        "parent": territory.parent_id,
        "unit": territory.unit_id,
        "owner": territory.owner_id,
    }
    form = forms.TerritoryForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version") or 0
            try:
                services.update_territory(
                    actor=request.user, territory=territory, expected_version=version, **data
                )
            except DomainError as error:
                status = form_error(form, error)
            else:
                messages.success(request, _("Territory saved."))
                return redirect("org:territory", territory_id=territory.pk)
    context = {
        "territory": territory,
        "form": form,
        "history": queries.audit_history(obj=territory),
        "can_manage": _can(request, permissions.TERRITORY_CHANGE.code),
    }
    return render(request, "org/territory.html", context, status=status)


@require_GET
@login_required
def unassigned(request: HttpRequest) -> HttpResponse:
    return render(request, "org/unassigned.html", queries.unassigned(viewer=request.user))


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
@requires(permissions.ORG_IMPORT.code)
def import_page(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, permissions.ORG_IMPORT.code)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = imports.import_org(
                    actor=request.user,
                    name=upload.name,
                    content=upload.read(),
                    dry_run=form.cleaned_data["dry_run"],
                )
            except DomainError as error:
                status = form_error(form, error)
        else:
            status = 422
    return render(request, "org/import.html", {"form": form, "result": result}, status=status)


@require_POST
@login_required
@page_errors
@requires(permissions.SHARE_CREATE.code)
def share_create(request: HttpRequest) -> HttpResponse:
    form = forms.ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a person or a unit to share with."))
        return redirect(request.POST.get("next") or "org:me")
    data = form.cleaned_data
    record = queries.get_shareable(
        viewer=request.user, record_type=data["record_type"], record_id=data["record_id"]
    )
    try:
        services.share_record(
            actor=request.user,
            record=record,
            grantee=data["grantee"],
            grantee_unit=data["grantee_unit"],
            access=data["access"],
        )
    except DomainError as error:
        if isinstance(error, (NotFound, PermissionDenied)):
            raise
        messages.error(request, " ".join([error.detail, *sum(error.fields.values(), [])]))
    else:
        messages.success(request, _("Shared."))
    return redirect(_safe_next(request))


@require_POST
@login_required
@page_errors
@requires(permissions.SHARE_DELETE.code)
def share_revoke(request: HttpRequest, share_id: int) -> HttpResponse:
    share = queries.get_share(viewer=request.user, pk=share_id)
    services.revoke_share(actor=request.user, share=share)
    messages.success(request, _("Share revoked."))
    return redirect(_safe_next(request))


def _safe_next(request: HttpRequest) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"
