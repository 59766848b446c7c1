"""Pipeline pages: my/team opportunities, the kanban board, an opportunity, forecast, reports."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from salescope.core.errors import DomainError
from salescope.core.importing.forms import submit_upload
from salescope.core.money import from_fen
from salescope.core.roles import Role
from salescope.core.web import date_param, int_param, page, paginate
from salescope.ledger import permissions as ledger_perms
from salescope.org.permissions import allows, require, requires
from salescope.pipeline import permissions as perms
from salescope.pipeline import queries, services, winmodel
from salescope.pipeline.choices import ForecastCategory, LostReason
from salescope.pipeline.forms import (
    AdjustForm,
    MoveForm,
    OpportunityEditForm,
    OpportunityForm,
    StageForm,
    WonOrderForm,
)
from salescope.pipeline.importing import OPPORTUNITY_FIELDS
from salescope.timeline.queries import events_page


def _error_text(error: DomainError) -> str:
    details = "; ".join(f"{', '.join(v)}" for v in error.fields.values())
    return f"{error.detail} {details}".strip()


def _pipeline(request: HttpRequest) -> Any:
    pipelines = list(queries.list_pipelines(viewer=request.user))
    chosen = int_param(request, "pipeline")
    current = next((p for p in pipelines if p.pk == chosen), pipelines[0] if pipelines else None)
    return pipelines, current


@page
def index(request: HttpRequest) -> HttpResponse:
    default = "mine" if request.user.role == Role.SALESPERSON else "team"
    scope = request.GET.get("scope", default)
    search = request.GET.get("q", "").strip()
    incomplete = request.GET.get("incomplete") == "1"
    opportunities = queries.list_opportunities(
        viewer=request.user,
        scope=scope,
        search=search,
        open_only=request.GET.get("all") != "1",
        incomplete=incomplete,
    )
    context = {
        "page": paginate(request, opportunities),
        "scope": scope,
        "q": search,
        "incomplete": incomplete,
        "may_import": allows(request.user, perms.OPPORTUNITY_IMPORT.code),
    }
    return render(request, "pipeline/index.html", context)


@page
@requires(perms.OPPORTUNITY_IMPORT.code)
def import_opportunities(request: HttpRequest) -> HttpResponse:
    """Upload another CRM's export: it is imported (or only checked) as a background job,
    whose page shows the progress, then the refused rows and data-quality findings."""
    require(request.user, perms.OPPORTUNITY_IMPORT.code)  # the form too: no page that 403s
    form, job_url, status = submit_upload(request, fields=OPPORTUNITY_FIELDS, kind="opportunities")
    if job_url:
        return redirect(job_url)
    context = {"form": form, "fields": OPPORTUNITY_FIELDS}
    return render(request, "pipeline/import.html", context, status=status)


@page
def board(request: HttpRequest) -> HttpResponse:
    pipelines, current = _pipeline(request)
    scope = request.GET.get("scope", "")
    columns = queries.board(viewer=request.user, pipeline=current, scope=scope) if current else []
    context = {"pipelines": pipelines, "current": current, "columns": columns, "scope": scope}
    return render(request, "pipeline/board.html", context)


@page
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = queries.get_opportunity(viewer=request.user, pk=pk)
    return render(request, "pipeline/detail.html", _detail_context(request, opportunity))


def _detail_context(request: HttpRequest, opportunity: Any, **extra: Any) -> dict[str, Any]:
    stage = opportunity.stage
    done = set(opportunity.checklist_done or [])
    history = list(queries.stage_history(viewer=request.user, opportunity=opportunity))
    return {
        "opp": opportunity,
        "stage": stage,
        "stages": queries.stages_of(viewer=request.user, pipeline=opportunity.pipeline),
        "gate": services.gate_for(opportunity),
        "checklist": [(item, item in done) for item in stage.checklist or []],
        "history": history,
        "days_in_stage": queries.days_stuck(opportunity),
        "events": events_page(
            request.user, subject=opportunity, page=int_param(request, "timeline_page") or 1
        ),
        "edit_form": extra.pop("edit_form", None)
        or OpportunityEditForm(
            initial={
                "version": opportunity.version,
                "amount": opportunity.amount,
                "expected_close": opportunity.expected_close,
                "decision_maker": opportunity.decision_maker,
                "competitor": opportunity.competitor,
                "next_step": opportunity.next_step,
            }
        ),
        "lost_reasons": LostReason.choices,
        "may_override": allows(request.user, perms.GATE_OVERRIDE.code),
        "win": winmodel.win_probability(opportunity),
        "min_closed": winmodel.MIN_CLOSED_DEALS,
        "may_order": allows(request.user, ledger_perms.ORDER_CREATE.code),
        "order_form": extra.pop("order_form", None) or WonOrderForm(),
        **extra,
    }


@page
@require_POST
@requires(perms.OPPORTUNITY_MOVE.code)
def move(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = queries.get_opportunity(viewer=request.user, pk=pk, action="change")
    form = MoveForm(request.POST)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            stage = queries.get_stage(viewer=request.user, pk=data["stage"])
            services.move_opportunity_to_stage(
                actor=request.user,
                opportunity=opportunity,
                stage=stage,
                expected_version=data["version"],
                override_reason=data["override_reason"],
                lost_reason=data["lost_reason"],
                lost_note=data["lost_note"],
            )
        except DomainError as error:
            messages.error(request, _error_text(error))
            return redirect("pipeline:detail", pk=pk)
        messages.success(request, _("Moved to %s.") % stage.name)
    else:
        messages.error(request, _("Choose a stage."))
    return redirect(target or "pipeline:detail", *([] if target else [pk]))


@page
@require_POST
@requires(perms.OPPORTUNITY_CHANGE.code)
def update(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = queries.get_opportunity(viewer=request.user, pk=pk, action="change")
    form = OpportunityEditForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.update_opportunity(
                actor=request.user, opportunity=opportunity, expected_version=version, changes=data
            )
        except DomainError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Saved."))
            return redirect("pipeline:detail", pk=pk)
    context = _detail_context(request, opportunity, edit_form=form)
    return render(request, "pipeline/detail.html", context, status=400)


@page
@require_POST
@requires(perms.OPPORTUNITY_CHANGE.code)
def checklist(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick the current stage's checklist items (the others already ticked stay ticked)."""
    opportunity = queries.get_opportunity(viewer=request.user, pk=pk, action="change")
    own = set(opportunity.stage.checklist or [])
    kept = [i for i in opportunity.checklist_done or [] if i not in own]
    ticked = [i for i in request.POST.getlist("done") if i in own]
    try:
        services.update_opportunity(
            actor=request.user,
            opportunity=opportunity,
            expected_version=int(request.POST.get("version") or 0),
            changes={"checklist_done": kept + ticked},
        )
    except DomainError as error:
        messages.error(request, _error_text(error))
    return redirect("pipeline:detail", pk=pk)


@page
@require_POST
@requires(ledger_perms.ORDER_CREATE.code)
def order(request: HttpRequest, pk: int) -> HttpResponse:
    """Create the ledger order of a won opportunity from the products typed in."""
    opportunity = queries.get_opportunity(viewer=request.user, pk=pk, action="change")
    form = WonOrderForm(request.POST)
    if form.is_valid():
        try:
            created = services.create_order_from_opportunity(
                actor=request.user,
                opportunity=opportunity,
                lines=form.cleaned_data["lines"],
                confirm=form.cleaned_data["confirm"],
            )
        except DomainError as error:
            messages.error(request, _error_text(error))
            return redirect("pipeline:detail", pk=pk)
        messages.success(request, _("Order %s created.") % created.number)
        return redirect("pipeline:detail", pk=pk)
    context = _detail_context(request, opportunity, order_form=form)
    return render(request, "pipeline/detail.html", context, status=400)


@page
@require_POST
@requires(perms.OPPORTUNITY_NOTE.code)
def note(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = queries.get_opportunity(viewer=request.user, pk=pk, action="change")
    try:
        services.add_note(
            actor=request.user, opportunity=opportunity, text=request.POST.get("text")
        )
    except DomainError as error:
        messages.error(request, _error_text(error))
    return redirect("pipeline:detail", pk=pk)


@page
@requires(perms.OPPORTUNITY_CREATE.code)
def create(request: HttpRequest) -> HttpResponse:
    form = OpportunityForm(
        request.POST or None,
        pipelines=queries.list_pipelines(viewer=request.user),
        customers=queries.customer_choices(viewer=request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opportunity = services.create_opportunity(
                actor=request.user, owner=request.user, **data
            )
        except DomainError as error:
            messages.error(request, _error_text(error))
        else:
            return redirect("pipeline:detail", pk=opportunity.pk)
    return render(request, "pipeline/create.html", {"form": form})


@page
def forecast(request: HttpRequest) -> HttpResponse:
    scope = request.GET.get("scope", "")
    start = date_param(request, "start", timezone.localdate())
    data = queries.forecast(viewer=request.user, start=start, scope=scope)
    data.update(scope=scope, may_adjust=allows(request.user, perms.FORECAST_ADJUST.code))
    return render(request, "pipeline/forecast.html", data)


@page
@require_POST
@requires(perms.FORECAST_ADJUST.code)
def adjust(request: HttpRequest) -> HttpResponse:
    form = AdjustForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter an amount."))
        return redirect("pipeline:forecast")
    data = form.cleaned_data
    try:
        services.adjust_forecast(
            actor=request.user,
            month=data["month"],
            amount=data["amount"],
            note=data["note"],
            expected_version=data["version"],
        )
    except DomainError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Adjustment saved."))
    return redirect("pipeline:forecast")


@page
def reports(request: HttpRequest) -> HttpResponse:
    group_by = request.GET.get("group_by", "stage")
    try:
        report = queries.pipeline_report(
            viewer=request.user,
            group_by=group_by,
            date_from=date_param(request, "from"),
            date_to=date_param(request, "to"),
        )
    except DomainError as error:
        messages.error(request, _error_text(error))
        group_by = "stage"
        report = queries.pipeline_report(viewer=request.user, group_by=group_by)
    labels = dict(LostReason.choices)
    for row in report["rows"]:
        row["cells"] = [row[name] for name in report["group_by"]]
        row["open_amount"] = from_fen(row["open_amount_fen"])
        row["reasons"] = [(labels.get(k, k), n) for k, n in sorted(row["lost_reasons"].items())]
    report.update(
        group_by_raw=group_by,
        groupings=list(queries.GROUPS),
        date_from=request.GET.get("from", ""),
        date_to=request.GET.get("to", ""),
    )
    return render(request, "pipeline/reports.html", report)


@page
def stuck(request: HttpRequest) -> HttpResponse:
    deals = list(queries.stuck_deals(viewer=request.user)[:200])
    now = timezone.now()
    rows = [{"opp": o, "days": queries.days_stuck(o, now)} for o in deals]
    return render(request, "pipeline/stuck.html", {"rows": rows})


GATE_FIELD_LABELS = {
    "customer": _lazy("Customer"),
    "amount": _lazy("Amount"),
    "expected_close": _lazy("Expected close"),
    "decision_maker": _lazy("Decision maker"),
    "competitor": _lazy("Competitor"),
    "next_step": _lazy("Next step"),
}


def _stage_form(stage: Any, data: Any = None) -> StageForm:
    initial = {
        "version": stage.version,
        "name": stage.name,
        "probability": stage.probability,
        "forecast_category": stage.forecast_category,
        "required_fields": stage.required_fields,
        "checklist": "\n".join(stage.checklist or []),
        "guidance": stage.guidance,
        "risks": stage.risks,
        "rotting_days": stage.rotting_days,
    }
    return StageForm(
        data,
        initial=initial,
        prefix=f"s{stage.pk}",
        categories=ForecastCategory.choices,
        gate_fields=list(GATE_FIELD_LABELS.items()),
    )


@page
@requires(perms.PIPELINE_CONFIGURE.code)
def settings(request: HttpRequest) -> HttpResponse:
    """The pipelines' stages, each with its form (administrator and sales director)."""
    pipelines = [
        {
            "pipeline": p,
            "stages": [
                (s, _stage_form(s)) for s in queries.stages_of(viewer=request.user, pipeline=p)
            ],
        }
        for p in queries.list_pipelines(viewer=request.user)
    ]
    return render(request, "pipeline/settings.html", {"pipelines": pipelines})


@page
@requires(perms.PIPELINE_CONFIGURE.code)
def configure_stage(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the settings of this stage's pipeline; POST: save the stage."""
    stage = queries.get_stage(viewer=request.user, pk=pk)
    if request.method != "POST":
        stages = queries.stages_of(viewer=request.user, pipeline=stage.pipeline)
        pipelines = [{"pipeline": stage.pipeline, "stages": [(s, _stage_form(s)) for s in stages]}]
        return render(request, "pipeline/settings.html", {"pipelines": pipelines})
    form = _stage_form(stage, request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the stage's fields."))
        return redirect("pipeline:settings")
    try:
        services.update_stage(
            actor=request.user,
            stage=stage,
            expected_version=form.cleaned_data["version"],
            changes=form.changes(),
        )
    except DomainError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Saved."))
    return redirect("pipeline:settings")
