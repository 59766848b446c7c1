"""Leads pages: the list, a lead with its score and hands, the pools, overdue leads,
campaigns, the source/campaign report, settings (models and rules), import."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salescope.core.errors import DomainError
from salescope.core.importing.forms import submit_upload
from salescope.core.permissions import allows, requires
from salescope.core.web import form_error, page, paginate
from salescope.leads import forms, queries, services
from salescope.leads import permissions as perms
from salescope.leads.choices import LeadStatus
from salescope.leads.importing import LEAD_IMPORT_FIELDS


def _rights(user: Any) -> dict[str, bool]:
    return {
        "can_create": allows(user, perms.LEAD_CREATE.code),
        "can_import": allows(user, perms.LEAD_IMPORT.code),
        "can_claim": allows(user, perms.LEAD_CLAIM.code),
        "can_reassign": allows(user, perms.LEAD_REASSIGN.code),
        "can_distribute": allows(user, perms.LEAD_DISTRIBUTE.code),
        "can_evaluate": allows(user, perms.LEAD_EVALUATE.code),
        "can_contact": allows(user, perms.LEAD_CONTACT.code),
        "can_campaign": allows(user, perms.CAMPAIGN_CREATE.code),
        "can_convert": allows(user, perms.LEAD_CONVERT.code),
    }


@page
def index(request: HttpRequest) -> HttpResponse:
    status, search = request.GET.get("status", ""), request.GET.get("q", "").strip()
    leads = queries.list_leads(viewer=request.user, status=status, search=search)
    context = {
        "page": paginate(request, leads),
        "status": status,
        "statuses": LeadStatus.choices,
        "q": search,
        "query": f"status={status}&q={search}",
        **_rights(request.user),
    }
    return render(request, "leads/index.html", context)


@page
@requires(perms.LEAD_CREATE.code)
def new(request: HttpRequest) -> HttpResponse:
    form = forms.LeadForm(request.POST or None, viewer=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.create_lead(actor=request.user, data=form.cleaned_data)
        except DomainError as error:
            status = form_error(form, error)
        else:
            messages.success(request, _("Lead recorded. Evaluate it to route it."))
            return redirect("leads:detail", pk=lead.pk)
    elif request.method == "POST":
        status = 422
    return render(request, "leads/new.html", {"form": form}, status=status)


def _detail_context(request: HttpRequest, lead: Any, **forms_given: Any) -> dict[str, Any]:
    model = queries.model_for_lead(viewer=request.user, lead=lead)
    criteria = queries.model_criteria(viewer=request.user, model=model) if model else []
    initial = {"version": lead.version}
    return {
        "lead": lead,
        "model": model,
        "history": queries.lead_history(viewer=request.user, lead=lead),
        "evaluate_form": forms_given.get("evaluate")
        or forms.EvaluateForm(initial=initial, criteria=criteria, answers=lead.answers or {}),
        "contact_form": forms_given.get("contact") or forms.ContactForm(initial=initial),
        "reassign_form": forms_given.get("reassign")
        or forms.ReassignForm(initial=initial, viewer=request.user),
        "version_form": forms.VersionForm(initial=initial),
        "convert_form": forms_given.get("convert")
        or forms.ConvertForm(
            initial={**initial, "pipeline": services.pipeline_for(lead)}, viewer=request.user
        ),
        "is_open": lead.status in (LeadStatus.ASSIGNED, LeadStatus.WORKING),
        **_rights(request.user),
    }


@page
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = queries.get_lead(viewer=request.user, pk=pk)
    return render(request, "leads/detail.html", _detail_context(request, lead))


def _act(request: HttpRequest, lead: Any, form: Any, key: str, act: Any, done: str) -> HttpResponse:
    """Run ``act(form)`` for a valid form; on a domain error show the lead with the message."""
    status = 422
    if form.is_valid():
        try:
            act(form)
        except DomainError as error:
            status = form_error(form, error)
            lead.refresh_from_db()
        else:
            messages.success(request, done)
            return redirect("leads:detail", pk=lead.pk)
    context = _detail_context(request, lead, **{key: form})
    return render(request, "leads/detail.html", context, status=status)


@page
@require_POST
@requires(perms.LEAD_EVALUATE.code)
def evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    lead = queries.get_lead(viewer=request.user, pk=pk, action="change")
    model = queries.model_for_lead(viewer=request.user, lead=lead)
    criteria = queries.model_criteria(viewer=request.user, model=model) if model else []
    form = forms.EvaluateForm(request.POST, criteria=criteria, answers={})
    return _act(
        request,
        lead,
        form,
        "evaluate",
        lambda f: services.evaluate_lead(
            actor=request.user,
            lead=lead,
            expected_version=f.cleaned_data["version"],
            answers=f.answers(),
            model=model,
            revisit_on=f.cleaned_data.get("revisit_on"),
        ),
        _("Lead evaluated and routed."),
    )


@page
@require_POST
@requires(perms.LEAD_CONTACT.code)
def contact(request: HttpRequest, pk: int) -> HttpResponse:
    lead = queries.get_lead(viewer=request.user, pk=pk, action="change")
    form = forms.ContactForm(request.POST)
    return _act(
        request,
        lead,
        form,
        "contact",
        lambda f: services.record_contact(
            actor=request.user,
            lead=lead,
            expected_version=f.cleaned_data["version"],
            note=f.cleaned_data["note"],
        ),
        _("Contact recorded."),
    )


@page
@require_POST
@requires(perms.LEAD_REASSIGN.code)
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    lead = queries.get_lead(viewer=request.user, pk=pk, action="change")
    form = forms.ReassignForm(request.POST, viewer=request.user)
    return _act(
        request,
        lead,
        form,
        "reassign",
        lambda f: services.reassign_lead(
            actor=request.user,
            lead=lead,
            expected_version=f.cleaned_data["version"],
            owner=f.cleaned_data["owner"],
            reason=f.cleaned_data["reason"],
        ),
        _("Lead reassigned."),
    )


@page
@require_POST
@requires(perms.LEAD_DISTRIBUTE.code)
def distribute(request: HttpRequest, pk: int) -> HttpResponse:
    lead = queries.get_lead(viewer=request.user, pk=pk, action="change")
    form = forms.VersionForm(request.POST)
    return _act(
        request,
        lead,
        form,
        "version",
        lambda f: services.distribute_lead(
            actor=request.user, lead=lead, expected_version=f.cleaned_data["version"]
        ),
        _("Distribution rules applied."),
    )


@page
@require_POST
@requires(perms.LEAD_CONVERT.code)
def convert(request: HttpRequest, pk: int) -> HttpResponse:
    lead = queries.get_lead(viewer=request.user, pk=pk, action="change")
    form = forms.ConvertForm(request.POST, viewer=request.user)
    return _act(
        request,
        lead,
        form,
        "convert",
        lambda f: services.convert_lead(
            actor=request.user,
            lead=lead,
            expected_version=f.cleaned_data["version"],
            name=f.cleaned_data["name"],
            amount=f.cleaned_data["amount"],
            expected_close=f.cleaned_data["expected_close"],
            pipeline=f.cleaned_data["pipeline"],
            customer=f.cleaned_data["customer"],
        ),
        _("Lead converted into an opportunity."),
    )


@page
@require_POST
@requires(perms.LEAD_CLAIM.code)
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    lead = queries.get_pool_lead(viewer=request.user, pk=pk)
    try:
        lead = services.claim_lead(actor=request.user, lead=lead)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("leads:pool")
    messages.success(request, _("Lead claimed: contact it within its SLA."))
    return redirect("leads:detail", pk=lead.pk)


@page
def pool(request: HttpRequest) -> HttpResponse:
    context = {
        "page": paginate(request, queries.list_pool(viewer=request.user)),
        "query": "",
        "held": queries.held_open_leads(viewer=request.user),
        "limit": services.policy.claim_limit(),
        **_rights(request.user),
    }
    return render(request, "leads/pool.html", context)


@page
def nurture(request: HttpRequest) -> HttpResponse:
    context = {"page": paginate(request, queries.list_nurture(viewer=request.user)), "query": ""}
    return render(request, "leads/nurture.html", context)


@page
def overdue(request: HttpRequest) -> HttpResponse:
    context = {"page": paginate(request, queries.overdue_leads(viewer=request.user)), "query": ""}
    return render(request, "leads/overdue.html", context)


@page
@requires(perms.CAMPAIGN_CREATE.code)
def campaigns(request: HttpRequest) -> HttpResponse:
    form = forms.CampaignForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.create_campaign(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            status = form_error(form, error)
        else:
            messages.success(request, _("Campaign recorded."))
            return redirect("leads:campaigns")
    elif request.method == "POST":
        status = 422
    context = {
        "campaigns": queries.list_campaigns(viewer=request.user),
        "form": form,
        **_rights(request.user),
    }
    return render(request, "leads/campaigns.html", context, status=status)


@page
@requires(perms.CAMPAIGN_CHANGE.code)
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    action = "change" if request.method == "POST" else "view"
    found = queries.get_campaign(viewer=request.user, pk=pk, action=action)
    form = forms.CampaignCostForm(
        request.POST or None,
        initial={"version": found.version, "actual_cost": found.actual_cost},
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.update_campaign_cost(
                actor=request.user,
                campaign=found,
                expected_version=form.cleaned_data["version"],
                actual_cost=form.cleaned_data["actual_cost"],
            )
        except DomainError as error:
            status = form_error(form, error)
        else:
            messages.success(request, _("Cost recorded."))
            return redirect("leads:campaign", pk=found.pk)
    elif request.method == "POST":
        status = 422
    return render(request, "leads/campaign.html", {"campaign": found, "form": form}, status=status)


@page
def report(request: HttpRequest) -> HttpResponse:
    group_by = "source" if request.GET.get("by") == "source" else "campaign"
    rows = queries.source_report(viewer=request.user, group_by=group_by)
    return render(
        request,
        "leads/report.html",
        {"rows": [r.as_money() for r in rows], "by": group_by},
    )


@page
def settings_page(request: HttpRequest) -> HttpResponse:
    return _settings(request)


def _settings(request: HttpRequest, status: int = 200, **given: Any) -> HttpResponse:
    can_define = allows(request.user, perms.RULE_CREATE.code)
    context = {
        "can_define": can_define,
        "rule_form": given.get("rule_form") or forms.RuleForm(viewer=request.user),
        "model_form": given.get("model_form") or forms.ModelForm(viewer=request.user),
        "models": queries.list_models(viewer=request.user),
        "rules": queries.list_rules(viewer=request.user),
        "recycle_days": services.policy.recycle_days(),
        "claim_limit": services.policy.claim_limit(),
        "sla_hours": services.policy.sla_hours(),
    }
    return render(request, "leads/settings.html", context, status=status)


@page
@require_POST
@requires(perms.RULE_CREATE.code)
def new_rule(request: HttpRequest) -> HttpResponse:
    form = forms.RuleForm(request.POST, viewer=request.user)
    status = 422
    if form.is_valid():
        try:
            services.create_distribution_rule(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            status = form_error(form, error)
        else:
            messages.success(request, _("Distribution rule added."))
            return redirect("leads:settings")
    return _settings(request, status, rule_form=form)


@page
@require_POST
@requires(perms.MODEL_CREATE.code)
def new_model(request: HttpRequest) -> HttpResponse:
    form = forms.ModelForm(request.POST, viewer=request.user)
    status = 422
    if form.is_valid():
        try:
            services.create_evaluation_model(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            status = form_error(form, error)
        else:
            messages.success(request, _("Evaluation model added."))
            return redirect("leads:settings")
    return _settings(request, status, model_form=form)


@page
@requires(perms.LEAD_IMPORT.code)
def import_leads(request: HttpRequest) -> HttpResponse:
    """Upload a file of leads: imported (or only checked) as a background job, whose page
    shows the progress and then the refused rows."""
    form, job_url, status = submit_upload(request, fields=LEAD_IMPORT_FIELDS, kind="leads")
    if job_url:
        return redirect(job_url)
    context = {"form": form, "fields": LEAD_IMPORT_FIELDS}
    return render(request, "leads/import.html", context, status=status)
