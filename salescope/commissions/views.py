"""Commissions' pages (提成): statements by month, plans with tiers and assignments, one
statement with its clawbacks and what changed from the revision it replaces, the XLSX for
payroll. Thin: forms in, services write, queries read."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from salescope.commissions import forms, queries, services
from salescope.commissions import permissions as perms
from salescope.commissions.choices import PlanStatus, StatementStatus
from salescope.core import ratelimit
from salescope.core.errors import DomainError
from salescope.core.periods import add_months, month_start
from salescope.core.permissions import allows
from salescope.core.web import form_error, page, paginate
from salescope.ledger.export import download
from salescope.org.permissions import requires


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "409.html", {"detail": error.detail}, status=error.status)


def _period(request: HttpRequest) -> dt.date:
    raw = request.GET.get("period", "").strip()
    try:
        return dt.date.fromisoformat(raw[:7] + "-01")
    except ValueError:
        return add_months(month_start(timezone.localdate()), -1)  # last month, the one to pay


@page
def index(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    statements = queries.list_statements(viewer=request.user, period=period)
    context = {
        "period": period,
        "page": paginate(request, statements),
        "summary": queries.period_total(viewer=request.user, period=period),
        "plans": queries.list_plans(viewer=request.user)[:20],
        "can_compute": allows(request.user, perms.STATEMENT_COMPUTE.code),
        "can_plan": allows(request.user, perms.PLAN_CREATE.code),
    }
    return render(request, "commissions/index.html", context)


@page
@requires(perms.STATEMENT_COMPUTE.code)
def compute(request: HttpRequest) -> HttpResponse:
    form = forms.PeriodForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return redirect("commissions:index")
    period = form.cleaned_data["period"]
    services.compute_statements(actor=request.user, period=period)
    return redirect(f"{_index_url()}?period={period:%Y-%m}")


def _index_url() -> str:
    from django.urls import reverse

    return reverse("commissions:index")


@page
def export(request: HttpRequest) -> HttpResponse:
    ratelimit.spend(request.user, "export")
    period = _period(request)
    rows = queries.export_rows(viewer=request.user, period=period)
    return download("xlsx", f"commissions-{period:%Y-%m}", queries.export_headers(), rows)


@page
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.get_statement(viewer=request.user, pk=pk)
    context = {
        "item": item,
        "revisions": queries.revisions(viewer=request.user, statement=item),
        "clawbacks": queries.clawbacks(viewer=request.user, statement=item),
        "differences": queries.differences(item),
        "can_approve": item.status == StatementStatus.DRAFT
        and allows(request.user, perms.STATEMENT_APPROVE.code),
        "version_form": forms.VersionForm(initial={"version": item.version}),
    }
    return render(request, "commissions/statement.html", context)


@page
@requires(perms.STATEMENT_APPROVE.code)
def statement_approve(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return statement(request, pk)
    item = queries.get_statement(viewer=request.user, pk=pk, action="approve")
    form = forms.VersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.approve_statement(
                actor=request.user, statement=item, expected_version=form.cleaned_data["version"]
            )
        except DomainError as error:
            return _refused(request, error)
    return redirect("commissions:statement", pk=item.pk)


@page
def plans(request: HttpRequest) -> HttpResponse:
    context = {
        "page": paginate(request, queries.list_plans(viewer=request.user)),
        "can_plan": allows(request.user, perms.PLAN_CREATE.code),
    }
    return render(request, "commissions/plans.html", context)


@page
@requires(perms.PLAN_CREATE.code)
def plan_new(request: HttpRequest) -> HttpResponse:
    form = forms.PlanForm(request.POST or None, viewer=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(actor=request.user, **form.service_kwargs())
            return redirect("commissions:plan", pk=plan.pk)
        except DomainError as error:
            status = form_error(form, error)
    elif request.method == "POST":
        status = 422
    return render(request, "commissions/plan_form.html", {"form": form}, status=status)


@page
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.get_plan(viewer=request.user, pk=pk)
    draft = item.status == PlanStatus.DRAFT
    context = {
        "item": item,
        "assignments": queries.list_assignments(viewer=request.user, plan=item),
        "can_approve": draft and allows(request.user, perms.PLAN_APPROVE.code),
        "can_edit": draft and allows(request.user, perms.PLAN_CHANGE.code),
        "can_assign": allows(request.user, perms.PLAN_ASSIGN.code),
        "assign_form": forms.AssignForm(viewer=request.user),
        "version_form": forms.VersionForm(initial={"version": item.version}),
    }
    return render(request, "commissions/plan.html", context)


@page
@requires(perms.PLAN_APPROVE.code)
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return plan(request, pk)
    item = queries.get_plan(viewer=request.user, pk=pk, action="approve")
    form = forms.VersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.approve_plan(
                actor=request.user, plan=item, expected_version=form.cleaned_data["version"]
            )
        except DomainError as error:
            return _refused(request, error)
    return redirect("commissions:plan", pk=item.pk)


@page
@requires(perms.PLAN_ASSIGN.code)
def plan_assign(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return plan(request, pk)
    item = queries.get_plan(viewer=request.user, pk=pk)
    form = forms.AssignForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.assign(actor=request.user, plan=item, **form.cleaned_data)
        except DomainError as error:
            return _refused(request, error)
    return redirect("commissions:plan", pk=item.pk)


@page
@requires(perms.PLAN_CHANGE.code)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft plan (an approved one is frozen: the service says so, 409)."""
    item = queries.get_plan(viewer=request.user, pk=pk)
    if request.method == "POST":
        item = queries.get_plan(viewer=request.user, pk=pk, action="change")
    form = forms.PlanEditForm(
        request.POST or None, viewer=request.user, initial=forms.PlanEditForm.initial_of(item)
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        values = form.service_kwargs()
        try:
            services.change_plan(
                actor=request.user,
                plan=item,
                expected_version=form.cleaned_data["version"],
                **values,
            )
            return redirect("commissions:plan", pk=item.pk)
        except DomainError as error:
            status = form_error(form, error)
    elif request.method == "POST":
        status = 422
    context = {"form": form, "item": item}
    return render(request, "commissions/plan_form.html", context, status=status)


@page
@requires(perms.PLAN_ASSIGN.code)
def assignment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop paying a person or unit by a plan."""
    made = queries.get_assignment(viewer=request.user, pk=pk)
    if request.method == "POST":
        made = queries.get_assignment(viewer=request.user, pk=pk, action="delete")
        services.unassign(actor=request.user, assignment=made)
    return redirect("commissions:plan", pk=made.plan_id)
