"""The leads API: campaigns, leads, evaluation, distribution, the pools, the report, and the
public endpoint a web form posts leads to with its form key."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.security import APIKeyHeader

from salescope.core.api import ErrorOut
from salescope.core.bounds import Id
from salescope.core.importing.uploads import mapping_from_json, uploaded_path
from salescope.core.permissions import api_permission
from salescope.leads import permissions as perms
from salescope.leads import queries, services
from salescope.leads.schemas import (
    CampaignCostIn,
    CampaignIn,
    CampaignOut,
    CaptureIn,
    CaptureOut,
    ConvertIn,
    ConvertOut,
    DecisionOut,
    EvaluateIn,
    EvaluationModelIn,
    EvaluationModelOut,
    FormKeyIn,
    FormKeyOut,
    LeadContactIn,
    LeadIn,
    LeadOut,
    LeadsImportOut,
    ReassignIn,
    ReportRowOut,
    RuleIn,
    RuleOut,
    VersionIn,
)

router = Router(tags=["leads"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class FormKeyAuth(APIKeyHeader):
    """A public web form's key, sent as ``X-Lead-Form-Key``; people's tokens do not count."""

    param_name = "X-Lead-Form-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return services.authenticate_form_key(key or "")


def _lead_fields(viewer: Any, payload: dict[str, Any]) -> dict[str, Any]:
    data = dict(payload)
    data.pop("answers", None)
    campaign_id = data.pop("campaign_id", None)
    data["campaign"] = queries.get_campaign(viewer=viewer, pk=campaign_id) if campaign_id else None
    line_id = data.pop("product_line_id", None)
    data["product_line"] = queries.get_product_line(viewer=viewer, pk=line_id) if line_id else None
    return data


@router.get("/leads", response=list[LeadOut], summary="Leads I may see")
@paginate
def list_leads(request: HttpRequest, status: str = "", search: str = "") -> Any:
    return queries.list_leads(viewer=request.user, status=status, search=search)


@router.post(
    "/leads",
    response={201: LeadOut, **ERRORS},
    summary="Record a lead (evaluated and routed when answers are given)",
    openapi_extra=api_permission(perms.LEAD_CREATE.code),
)
def create_lead(request: HttpRequest, payload: LeadIn) -> Any:
    data = _lead_fields(request.user, payload.dict())
    lead = services.create_lead(actor=request.user, data=data, answers=payload.answers)
    lead.refresh_from_db()
    return Status(201, lead)


@router.post(
    "/leads/imports",
    response={200: LeadsImportOut, **ERRORS},
    summary="Import leads from a CSV/XLSX file (idempotent by external id)",
    openapi_extra=api_permission(perms.LEAD_IMPORT.code),
)
def import_leads(
    request: HttpRequest,
    file: File[UploadedFile],
    mapping: Form[str] = "{}",
    dry_run: Form[bool] = False,
) -> Any:
    columns = mapping_from_json(mapping)
    with uploaded_path(file, "leads") as path:
        result = services.import_leads(
            actor=request.user, path=path, dry_run=dry_run, mapping=columns
        )
    return result.as_dict()


@router.get("/leads/{lead_id}", response={200: LeadOut, 404: ErrorOut})
def get_lead(request: HttpRequest, lead_id: Id) -> Any:
    return queries.get_lead(viewer=request.user, pk=lead_id)


@router.post(
    "/leads/{lead_id}/evaluate",
    response={200: LeadOut, **ERRORS},
    summary="Score the lead under its evaluation model and route it",
    openapi_extra=api_permission(perms.LEAD_EVALUATE.code),
)
def evaluate_lead(request: HttpRequest, lead_id: Id, payload: EvaluateIn) -> Any:
    lead = queries.get_lead(viewer=request.user, pk=lead_id, action="change")
    model = (
        queries.get_model(viewer=request.user, pk=payload.model_id) if payload.model_id else None
    )
    return services.evaluate_lead(
        actor=request.user,
        lead=lead,
        expected_version=payload.version,
        answers=payload.answers,
        model=model,
        revisit_on=payload.revisit_on,
    )


@router.post(
    "/leads/{lead_id}/distribute",
    response={200: DecisionOut, **ERRORS},
    summary="Run the distribution rules for a qualified lead without an owner",
    openapi_extra=api_permission(perms.LEAD_DISTRIBUTE.code),
)
def distribute_lead(request: HttpRequest, lead_id: Id, payload: VersionIn) -> Any:
    lead = queries.get_lead(viewer=request.user, pk=lead_id, action="change")
    return services.distribute_lead(actor=request.user, lead=lead, expected_version=payload.version)


@router.post(
    "/leads/{lead_id}/reassign",
    response={200: LeadOut, **ERRORS},
    summary="Give the lead to someone else, with a reason",
    openapi_extra=api_permission(perms.LEAD_REASSIGN.code),
)
def reassign_lead(request: HttpRequest, lead_id: Id, payload: ReassignIn) -> Any:
    lead = queries.get_lead(viewer=request.user, pk=lead_id, action="change")
    owner = queries.get_assignable_person(viewer=request.user, pk=payload.owner_id)
    return services.reassign_lead(
        actor=request.user,
        lead=lead,
        expected_version=payload.version,
        owner=owner,
        reason=payload.reason,
    )


@router.post(
    "/leads/{lead_id}/contact",
    response={200: LeadOut, **ERRORS},
    summary="Record a contact with the lead (first contact ends its SLA clock)",
    openapi_extra=api_permission(perms.LEAD_CONTACT.code),
)
def contact_lead(request: HttpRequest, lead_id: Id, payload: LeadContactIn) -> Any:
    lead = queries.get_lead(viewer=request.user, pk=lead_id, action="change")
    return services.record_contact(
        actor=request.user, lead=lead, expected_version=payload.version, note=payload.note
    )


@router.post(
    "/leads/{lead_id}/claim",
    response={200: LeadOut, **ERRORS},
    summary="Claim a lead from the pool (公海), up to the claim limit",
    openapi_extra=api_permission(perms.LEAD_CLAIM.code),
)
def claim_lead(request: HttpRequest, lead_id: Id) -> Any:
    lead = queries.get_pool_lead(viewer=request.user, pk=lead_id)
    return services.claim_lead(actor=request.user, lead=lead)


@router.post(
    "/leads/{lead_id}/convert",
    response={201: ConvertOut, **ERRORS},
    summary="Turn a qualified lead into an opportunity for its owner",
    openapi_extra=api_permission(perms.LEAD_CONVERT.code),
)
def convert_lead(request: HttpRequest, lead_id: Id, payload: ConvertIn) -> Any:
    lead = queries.get_lead(viewer=request.user, pk=lead_id, action="change")
    pipeline = (
        queries.get_pipeline(viewer=request.user, pk=payload.pipeline_id)
        if payload.pipeline_id
        else None
    )
    customer = (
        queries.get_customer(viewer=request.user, pk=payload.customer_id)
        if payload.customer_id
        else None
    )
    opportunity = services.convert_lead(
        actor=request.user,
        lead=lead,
        expected_version=payload.version,
        name=payload.name,
        amount=payload.amount,
        expected_close=payload.expected_close,
        pipeline=pipeline,
        customer=customer,
    )
    return Status(201, {"lead_id": lead.pk, "opportunity_id": opportunity.pk})


@router.get("/lead-pool", response=list[LeadOut], summary="The pool (公海)")
@paginate
def lead_pool(request: HttpRequest) -> Any:
    return queries.list_pool(viewer=request.user)


@router.get("/lead-nurture", response=list[LeadOut], summary="The nurture pool (市场部培育)")
@paginate
def lead_nurture(request: HttpRequest) -> Any:
    return queries.list_nurture(viewer=request.user)


@router.get("/lead-overdue", response=list[LeadOut], summary="Leads not contacted within SLA")
@paginate
def lead_overdue(request: HttpRequest) -> Any:
    return queries.overdue_leads(viewer=request.user)


@router.post(
    "/lead-capture",
    auth=FormKeyAuth(),
    response={201: CaptureOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Public: a web form posts a lead with its X-Lead-Form-Key",
    openapi_extra=api_permission(perms.LEAD_CAPTURE.code),
)
def capture_lead(request: HttpRequest, payload: CaptureIn) -> Any:
    lead = services.capture_lead(
        form_key=request.auth, data=payload.dict(), remote_addr=request.META.get("REMOTE_ADDR", "")
    )
    return Status(201, {"id": lead.pk})


@router.get("/campaigns", response=list[CampaignOut], summary="Campaigns")
def list_campaigns(request: HttpRequest) -> Any:
    return list(queries.list_campaigns(viewer=request.user))


@router.post(
    "/campaigns",
    response={201: CampaignOut, **ERRORS},
    summary="Record a campaign with its budget and cost",
    openapi_extra=api_permission(perms.CAMPAIGN_CREATE.code),
)
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Any:
    return Status(201, services.create_campaign(actor=request.user, **payload.dict()))


@router.post(
    "/campaigns/{campaign_id}/cost",
    response={200: CampaignOut, **ERRORS},
    summary="Record the campaign's actual cost (and budget)",
    openapi_extra=api_permission(perms.CAMPAIGN_CHANGE.code),
)
def campaign_cost(request: HttpRequest, campaign_id: Id, payload: CampaignCostIn) -> Any:
    campaign = queries.get_campaign(viewer=request.user, pk=campaign_id, action="change")
    return services.update_campaign_cost(
        actor=request.user,
        campaign=campaign,
        expected_version=payload.version,
        actual_cost=payload.actual_cost,
        budget=payload.budget,
    )


@router.get("/evaluation-models", response=list[EvaluationModelOut], summary="Evaluation models")
def list_models(request: HttpRequest) -> Any:
    return queries.list_models(viewer=request.user)


@router.post(
    "/evaluation-models",
    response={201: EvaluationModelOut, **ERRORS},
    summary="Define an evaluation model (criteria, weights, threshold)",
    openapi_extra=api_permission(perms.MODEL_CREATE.code),
)
def create_model(request: HttpRequest, payload: EvaluationModelIn) -> Any:
    line = (
        queries.get_product_line(viewer=request.user, pk=payload.product_line_id)
        if payload.product_line_id
        else None
    )
    model = services.create_evaluation_model(
        actor=request.user,
        name=payload.name,
        threshold=payload.threshold,
        criteria=[c.dict() for c in payload.criteria],
        product_line=line,
        industry=payload.industry,
    )
    return Status(201, model)


@router.get("/distribution-rules", response=list[RuleOut], summary="Distribution rules")
def list_rules(request: HttpRequest) -> Any:
    return queries.list_rules(viewer=request.user)


@router.post(
    "/distribution-rules",
    response={201: RuleOut, **ERRORS},
    summary="Add a distribution rule",
    openapi_extra=api_permission(perms.RULE_CREATE.code),
)
def create_rule(request: HttpRequest, payload: RuleIn) -> Any:
    line = (
        queries.get_product_line(viewer=request.user, pk=payload.product_line_id)
        if payload.product_line_id
        else None
    )
    members = [queries.get_assignable_person(viewer=request.user, pk=p) for p in payload.member_ids]
    rule = services.create_distribution_rule(
        actor=request.user,
        name=payload.name,
        priority=payload.priority,
        members=members,
        provinces=payload.provinces,
        cities=payload.cities,
        product_line=line,
        strategy=payload.strategy,
    )
    return Status(201, rule)


@router.post(
    "/lead-form-keys",
    response={201: FormKeyOut, **ERRORS},
    summary="Issue a key for a public web form (shown once)",
    openapi_extra=api_permission(perms.FORM_KEY_CREATE.code),
)
def create_form_key(request: HttpRequest, payload: FormKeyIn) -> Any:
    campaign = (
        queries.get_campaign(viewer=request.user, pk=payload.campaign_id)
        if payload.campaign_id
        else None
    )
    issued = services.create_form_key(
        actor=request.user, name=payload.name, campaign=campaign, source=payload.source
    )
    key = issued.key
    return Status(201, {"id": key.pk, "name": key.name, "prefix": key.prefix, "key": issued.raw})


@router.get(
    "/lead-report",
    response=list[ReportRowOut],
    summary="Leads and value by campaign or source (C1)",
)
def lead_report(
    request: HttpRequest,
    group_by: str = "campaign",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Any:
    rows = queries.source_report(viewer=request.user, group_by=group_by, start=start, end=end)
    return [row.as_money() for row in rows]
