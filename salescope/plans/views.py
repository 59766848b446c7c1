"""Plan pages: thin handlers — parse, fetch through queries (visibility), call one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salescope.core import ratelimit
from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.client_ip import client_ip
from salescope.core.errors import DomainError, ValidationFailed
from salescope.core.web import page
from salescope.org.permissions import requires
from salescope.plans import permissions as perms
from salescope.plans import queries, rules, services, xlsx
from salescope.plans.choices import METRICS, PlanStatus, StepStatus
from salescope.plans.forms import (
    DecomposeForm,
    DocumentForm,
    PlanForm,
    TotalForm,
    grid_edits,
    parse_date,
)
from salescope.plans.models import Target


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Back to the page the form came from (``next``), if it is one of ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def _fail(request: HttpRequest, error: DomainError) -> None:
    details = [error.detail, *(m for msgs in error.fields.values() for m in msgs)]
    messages.error(request, " ".join(dict.fromkeys(details)))


@page
@requires(perms.PLAN_CREATE.code)
def index(request: HttpRequest) -> HttpResponse:
    units = queries.plannable_units(viewer=request.user)
    form = PlanForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _fail(request, error)
        else:
            return redirect("plans:detail", pk=plan.pk)
    context = {
        "plans": queries.list_plans(viewer=request.user),
        "form": form if units.exists() else None,
        "pending": queries.pending_acknowledgements(viewer=request.user),
    }
    return render(request, "plans/index.html", context, status=400 if form.errors else 200)


@page
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan(viewer=request.user, pk=pk)
    acks = queries.acknowledgements(viewer=request.user, plan=plan)
    context = {
        "plan": plan,
        "roots": queries.top_targets(viewer=request.user, plan=plan),
        "rights": services.plan_rights(viewer=request.user, plan=plan),
        "total_form": TotalForm(),
        "steps": queries.list_steps(viewer=request.user, plan=plan),
        "acks_done": sum(1 for a in acks if a.acknowledged_at),
        "acks_total": len(acks),
        "snapshots": queries.snapshots(viewer=request.user, plan=plan),
        "statuses": PlanStatus,
        "step_statuses": StepStatus,
        "metrics": METRICS,
        "people": queries.plan_people(plan=plan),
        "today": timezone.localdate(),
    }
    return render(request, "plans/detail.html", context)


@page
@requires(perms.PLAN_CHANGE.code)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan(viewer=request.user, pk=pk, action="change")
    initial = {
        "name": plan.name,
        "deadline": plan.deadline,
        "pace_basis": plan.pace_basis,
        "warning_threshold": plan.warning_threshold,
        **{f"section_{k}": v for k, v in plan.sections.items()},
    }
    form = DocumentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = int(request.POST.get("version", 0))
        try:
            services.update_plan(
                actor=request.user, plan=plan, expected_version=version, changes=form.changes()
            )
        except DomainError as error:
            _fail(request, error)
        else:
            messages.success(request, _("The plan document is saved."))
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/edit.html", {"plan": plan, "form": form})


@page
@require_POST
@requires(perms.PLAN_CHANGE.code)
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan(viewer=request.user, pk=pk)
    try:
        plan = services.transition_plan(
            actor=request.user,
            plan=plan,
            action=request.POST.get("action", ""),
            expected_version=int(request.POST.get("version", 0)),
            note=request.POST.get("note", ""),
        )
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(
            request, _("The plan is now: %(status)s.") % {"status": plan.get_status_display()}
        )
    return redirect("plans:detail", pk=plan.pk)


@page
@require_POST
@requires(perms.TARGET_PLAN.code)
def set_total(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan(viewer=request.user, pk=pk)
    form = TotalForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed(fields=form.errors)
        value = services.parse_value(form.cleaned_data["value"])
        root = services.set_plan_target(
            actor=request.user, plan=plan, metric=form.cleaned_data["metric"], value=value
        )
    except DomainError as error:
        _fail(request, error)
        return redirect("plans:detail", pk=plan.pk)
    return redirect("plans:grid", pk=root.pk)


@page
@requires(perms.TARGET_PLAN.code)
def grid(request: HttpRequest, pk: int) -> HttpResponse:
    cell = queries.get_target(viewer=request.user, pk=pk)
    if request.method == "POST":
        try:
            edits = grid_edits(request.POST, locks=not cell.is_level)
            if edits:
                services.edit_cells(actor=request.user, parent=cell, edits=edits)
                if cell.is_level:
                    messages.success(request, _("Saved. Each part keeps the level you typed."))
                else:
                    messages.success(request, _("Saved. The parts still add up to the total."))
        except DomainError as error:
            _fail(request, error)
        return redirect("plans:grid", pk=cell.pk)
    return render(request, "plans/grid.html", _grid_context(request, cell, DecomposeForm()))


def _grid_context(
    request: HttpRequest, cell: Target, form: DecomposeForm, preview: Any = None
) -> dict[str, Any]:
    rows = queries.child_targets(viewer=request.user, parent=cell)
    rights = services.cell_rights(viewer=request.user, cell=cell)
    return {
        "cell": cell,
        "plan": cell.plan,
        "chain": queries.ancestors(cell, viewer=request.user),
        "rights": rights,
        "editable": rights.plan and not cell.plan.is_frozen,
        "rows": rows,
        "rows_total": rules.fold([r.value for r in rows], additive=not cell.is_level),
        "drafts_total": rules.fold(
            [r.bottom_up for r in rows if r.bottom_up is not None], additive=not cell.is_level
        ),
        "decompose_form": form,
        "preview": preview,
        "unit_label": METRICS[cell.metric].label,
    }


@page
@require_POST
@requires(perms.TARGET_PLAN.code)
def decompose(request: HttpRequest, pk: int) -> HttpResponse:
    """Decompose along the chain of the form in one action; with ``preview`` the result is
    shown on the grid and nothing is written (the form stays filled in to apply it)."""
    cell = queries.get_target(viewer=request.user, pk=pk)
    form = DecomposeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed(fields=form.errors)
        if request.POST.get("preview"):
            preview = services.preview_decomposition(
                actor=request.user,
                target=cell,
                steps=form.steps(),
                each_child=form.cleaned_data["each_child"],
            )
            return render(request, "plans/grid.html", _grid_context(request, cell, form, preview))
        count = services.decompose_target(
            actor=request.user,
            target=cell,
            steps=form.steps(),
            expected_version=int(request.POST.get("version", 0)),
            each_child=form.cleaned_data["each_child"],
        )
        messages.success(request, _("Decomposed into %(count)s cells.") % {"count": count})
    except DomainError as error:
        _fail(request, error)
        if hasattr(form, "cleaned_data"):  # the service's reasons at the fields they concern
            for name, errors in error.fields.items():
                for field_name in _form_fields(form, name):
                    if field_name not in form.errors:
                        form.add_error(field_name, list(errors))
        return render(request, "plans/grid.html", _grid_context(request, cell, form))
    return redirect("plans:grid", pk=cell.pk)


def _form_fields(form: DecomposeForm, name: str) -> list[str]:
    """The form's fields an error of the service belongs to: ``method`` to every step whose
    method is the one refused (by forecast, by last year's share…)."""
    if name != "method" or not hasattr(form, "cleaned_data"):
        return [name] if name in form.fields else []
    data = form.cleaned_data
    fields = ["method"]
    for method_field in [f for f in form.fields if f.startswith("method_")]:
        if data.get(method_field) and data.get(method_field) != data.get("method"):
            fields.append(method_field)
    return fields


@page
@require_POST
@requires(perms.TARGET_DRAFT.code)
def bottom_up(request: HttpRequest, pk: int) -> HttpResponse:
    cell = queries.get_target(viewer=request.user, pk=pk)
    raw = request.POST.get("bottom_up", "").strip()
    try:
        services.set_bottom_up(
            actor=request.user,
            target=cell,
            value=services.parse_value(raw, "bottom_up") if raw else None,
            expected_version=int(request.POST.get("version", 0)),
        )
    except DomainError as error:
        _fail(request, error)
    return _back(request, reverse("plans:grid", args=[cell.pk]))


@page
@requires(perms.TARGET_DRAFT.code)
def comments(request: HttpRequest, pk: int) -> HttpResponse:
    cell = queries.get_target(viewer=request.user, pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.comment_on_target(
                actor=request.user, target=cell, text=request.POST.get("text", "")
            )
        except DomainError as caught:
            error = caught.fields.get("text", [caught.detail])[0]
    context = {
        "cell": cell,
        "comments": queries.target_comments(viewer=request.user, target=cell),
        "error": error,
    }
    return render(request, "plans/_comments.html", context)


@page
def acknowledgements(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan(viewer=request.user, pk=pk)
    acks = queries.acknowledgements(viewer=request.user, plan=plan)
    return render(request, "plans/acknowledgements.html", {"plan": plan, "acks": acks})


@page
@requires(perms.ACKNOWLEDGE.code)
def acknowledgement(request: HttpRequest, pk: int) -> HttpResponse:
    ack = queries.get_acknowledgement(viewer=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.acknowledge(
                actor=request.user, acknowledgement=ack, note=request.POST.get("note", "")
            )
            messages.success(request, _("Thank you: your acknowledgement is recorded."))
        except DomainError as error:
            _fail(request, error)
        return redirect("plans:acknowledgement", pk=ack.pk)
    targets = queries.my_targets(viewer=ack.person, plan=ack.plan).filter(grain__in=["year"])
    context = {"ack": ack, "plan": ack.plan, "targets": targets}
    return render(request, "plans/acknowledgement.html", context)


@page
def unassigned(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan(viewer=request.user, pk=pk)
    result = queries.unassigned(viewer=request.user, plan=plan)
    return render(request, "plans/unassigned.html", {"plan": plan, "result": result})


@page
@requires(perms.STEP_CREATE.code)
def steps(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan(viewer=request.user, pk=pk)
    if request.method == "POST":
        try:
            assignee = queries.get_person(pk=request.POST.get("assignee", ""))
            services.create_step(
                actor=request.user,
                plan=plan,
                what=request.POST.get("what", ""),
                assignee=assignee,
                due_date=parse_date(request.POST.get("due_date", "")),
                where=request.POST.get("where", ""),
                how=request.POST.get("how", ""),
            )
        except DomainError as error:
            _fail(request, error)
    return redirect("plans:detail", pk=plan.pk)


@page
@require_POST
@requires(perms.STEP_CHANGE.code)
def step_status(request: HttpRequest, pk: int) -> HttpResponse:
    step = queries.get_step(viewer=request.user, pk=pk)
    try:
        services.update_step(
            actor=request.user,
            step=step,
            expected_version=int(request.POST.get("version", 0)),
            changes={"status": request.POST.get("status", "")},
        )
    except DomainError as error:
        _fail(request, error)
    return _back(request, reverse("plans:detail", args=[step.plan_id]))


@page
def diff(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan(viewer=request.user, pk=pk)
    raw = request.GET.get("from", "")
    result = queries.plan_diff(
        viewer=request.user, plan=plan, from_revision=int(raw) if raw.isdigit() else None
    )
    return render(request, "plans/diff.html", {"plan": plan, "diff": result})


@page
def export(request: HttpRequest, pk: int) -> HttpResponse:
    ratelimit.spend(request.user, "export")
    plan = queries.get_plan(viewer=request.user, pk=pk)
    cells = queries.visible_cells(viewer=request.user, plan=plan)
    response = HttpResponse(
        xlsx.export_targets(cells.iterator(chunk_size=5000)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}-targets.xlsx"'
    return response


@page
@require_POST
@requires(perms.TARGET_PLAN.code)
def import_file(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan(viewer=request.user, pk=pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationFailed(fields={"file": [_("Choose a file.")]})
        with audit_source(AuditSource.IMPORT, client_ip(request)):
            result = services.import_targets(actor=request.user, plan=plan, file=upload)
    except DomainError as error:
        _fail(request, error)
        return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/import_result.html", {"plan": plan, "result": result})
