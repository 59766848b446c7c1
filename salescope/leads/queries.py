"""Reads of the leads context, always for a viewer.

Marketing (and the company-wide roles) see every lead, the nurture pool and the pool (公海);
a salesperson sees the leads they own (their managers those of their people) — and the pool,
which is open to everyone who may claim from it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.core.permissions import allows
from salescope.leads import permissions as perms
from salescope.leads import rules
from salescope.leads.choices import OPEN_STATUSES, LeadErrorCode, LeadSource, LeadStatus
from salescope.leads.models import (
    Campaign,
    DistributionRule,
    EvaluationModel,
    Lead,
    LeadAssignment,
)

LEAD_RELATED = (
    "owner",
    "campaign",
    "product_line",
    "assignment_rule",
    "evaluation_model",
    "opportunity",
)


def list_leads(
    *, viewer: Any, status: str = "", search: str = "", owner_id: int | None = None
) -> QuerySet[Lead]:
    leads = Lead.objects.visible_to(viewer, "view").select_related(*LEAD_RELATED)
    if status:
        leads = leads.filter(status=status)
    if owner_id:
        leads = leads.filter(owner_id=owner_id)
    if search:
        leads = leads.filter(
            Q(contact_name__icontains=search)
            | Q(company__icontains=search)
            | Q(phone__contains=search)
        )
    return leads.order_by("-created_at", "-id")


def get_lead(*, viewer: Any, pk: int, action: str = "view") -> Lead:
    return Lead.objects.select_related(*LEAD_RELATED).get_visible(viewer, pk, action)


def list_pool(*, viewer: Any) -> QuerySet[Lead]:
    """The pool (公海): qualified leads nobody holds, for claiming."""
    if allows(viewer, perms.LEAD_CLAIM.code):
        # visibility: the pool is open to every salesperson, who may claim from it (C2).
        leads = Lead.objects.unrestricted()
    else:
        leads = Lead.objects.visible_to(viewer, "view")
    return (
        leads.filter(status=LeadStatus.POOL, owner__isnull=True)
        .select_related("campaign", "product_line")
        .order_by("-score", "-created_at", "-id")
    )


def get_pool_lead(*, viewer: Any, pk: int) -> Lead:
    """A lead of the pool to claim; a lead not in the pool is a 404 unless the viewer may see
    it (then 409: not in the pool)."""
    from salescope.core.errors import Conflict, PermissionDenied

    # visibility: the pool is open to every salesperson, who may claim from it (C2).
    found = Lead.objects.unrestricted().filter(pk=pk, status=LeadStatus.POOL).first()
    if found is not None and allows(viewer, perms.LEAD_CLAIM.code):
        return found
    lead = Lead.objects.get_visible(viewer, pk, "view")
    if not allows(viewer, perms.LEAD_CLAIM.code):
        raise PermissionDenied()
    if lead.status != LeadStatus.POOL:
        raise Conflict(_("This lead is not in the pool."), code=LeadErrorCode.NOT_IN_POOL)
    return lead


def list_nurture(*, viewer: Any) -> QuerySet[Lead]:
    """The nurture pool (市场部培育), soonest look-again first."""
    return (
        Lead.objects.visible_to(viewer, "view")
        .filter(status=LeadStatus.NURTURE)
        .select_related("campaign", "product_line")
        .order_by("revisit_on", "-id")
    )


def overdue_leads(*, viewer: Any, now: dt.datetime | None = None) -> QuerySet[Lead]:
    """Leads assigned to sales and not contacted within their SLA (for the warnings too)."""
    return (
        Lead.objects.visible_to(viewer, "view")
        .filter(
            status__in=OPEN_STATUSES,
            contacted_at__isnull=True,
            sla_due_at__lt=now or timezone.now(),
        )
        .select_related("owner", "campaign")
        .order_by("sla_due_at", "id")
    )


def held_open_leads(*, viewer: Any) -> int:
    return (
        Lead.objects.visible_to(viewer, "view")
        .filter(owner=viewer, status__in=OPEN_STATUSES)
        .count()
    )


def lead_history(*, viewer: Any, lead: Lead) -> list[LeadAssignment]:
    """How the lead changed hands (the lead was fetched for ``viewer``)."""
    return list(lead.assignments.select_related("owner", "previous_owner", "rule", "actor"))


def list_campaigns(*, viewer: Any) -> QuerySet[Campaign]:
    return Campaign.objects.visible_to(viewer, "view").select_related("owner")


def get_campaign(*, viewer: Any, pk: int, action: str = "view") -> Campaign:
    return Campaign.objects.get_visible(viewer, pk, action)


def list_models(*, viewer: Any) -> list[EvaluationModel]:
    return list(
        EvaluationModel.objects.visible_to(viewer, "view")
        .select_related("product_line")
        .prefetch_related("criteria__options")
    )


def get_model(*, viewer: Any, pk: int) -> EvaluationModel:
    return EvaluationModel.objects.get_visible(viewer, pk, "view")


def list_rules(*, viewer: Any) -> list[DistributionRule]:
    return list(
        DistributionRule.objects.visible_to(viewer, "view")
        .select_related("product_line")
        .prefetch_related("members")
    )


# --- the source / campaign report (C1) ----------------------------------------------------


def _opportunity_values(lead_ids: list[int]) -> dict[int, tuple[int, int, bool]]:
    """{lead id: (open amount fen, won amount fen, won)} of the opportunities the leads became.
    The report is marketing's (C1): the amounts are summed per campaign or source, read through
    the viewer's own leads."""
    from salescope.pipeline.choices import StageKind

    values: dict[int, tuple[int, int, bool]] = {}
    for start in range(0, len(lead_ids), 500):
        chunk = lead_ids[start : start + 500]
        rows = (
            Lead.objects.unrestricted()  # visibility: ids of leads the viewer sees, read above
            .filter(pk__in=chunk, opportunity__isnull=False)
            .values_list("pk", "opportunity__amount_fen", "opportunity__stage__kind")
        )
        for pk, amount, kind in rows:
            won = kind == StageKind.WON
            values[pk] = (amount if kind == StageKind.OPEN else 0, amount if won else 0, won)
    return values


def source_report(
    *,
    viewer: Any,
    group_by: str = "campaign",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[rules.ReportRow]:
    """By campaign (or source): leads, qualified, opportunities, pipeline and won value, and
    the campaign's actual cost, over the leads the viewer may see, created in [start, end]."""
    leads = Lead.objects.visible_to(viewer, "view")
    if start:
        leads = leads.filter(created_at__date__gte=start)
    if end:
        leads = leads.filter(created_at__date__lte=end)
    rows = list(leads.values_list("id", "source", "campaign_id", "qualified", "status"))
    values = _opportunity_values([r[0] for r in rows])
    campaigns = {c.pk: c for c in list_campaigns(viewer=viewer)}
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    labels: dict[str, str] = {}
    for lead_id, source, campaign_id, qualified, status in rows:
        if group_by == "source":
            key, label = source, str(LeadSource(source).label)
        elif campaign_id is None:
            key, label = "-", "—"
        else:
            campaign = campaigns.get(campaign_id)
            key = f"c{campaign_id}"
            label = str(campaign) if campaign else "…"
        labels[key] = label
        row = sums[key]
        row["leads"] += 1
        row["qualified"] += int(bool(qualified))
        opportunity = values.get(lead_id)
        if opportunity is not None or status == LeadStatus.CONVERTED:
            row["opportunities"] += 1
        if opportunity is not None:
            open_fen, won_fen, won = opportunity
            row["pipeline"] += open_fen
            row["won"] += won_fen
            row["won_deals"] += int(won)
    costs = _costs(group_by, campaigns, start, end)
    for key in costs:
        labels.setdefault(key, str(campaigns[int(key[1:])]) if key.startswith("c") else key)
    keys = sorted(set(sums) | set(costs), key=lambda k: (k == "-", labels.get(k, k)))
    return [
        rules.ReportRow(
            key=key,
            label=labels.get(key, key),
            leads=sums[key]["leads"],
            qualified=sums[key]["qualified"],
            opportunities=sums[key]["opportunities"],
            pipeline_fen=sums[key]["pipeline"],
            won_fen=sums[key]["won"],
            won_deals=sums[key]["won_deals"],
            cost_fen=costs.get(key, 0),
        )
        for key in keys
    ]


def _costs(
    group_by: str,
    campaigns: dict[int, Campaign],
    start: dt.date | None,
    end: dt.date | None,
) -> dict[str, int]:
    """Campaign cost by report key, for campaigns the viewer sees running in the period."""
    costs: dict[str, int] = defaultdict(int)
    for campaign in campaigns.values():
        if start and campaign.ends_on and campaign.ends_on < start:
            continue
        if end and campaign.starts_on and campaign.starts_on > end:
            continue
        key = campaign.source if group_by == "source" else f"c{campaign.pk}"
        costs[key] += campaign.actual_cost_fen
    return dict(costs)


def assignable_people(*, viewer: Any) -> QuerySet:
    """Active salespeople and managers a lead may be given to."""
    from salescope.org.models import User

    # visibility: whoever may hand out leads names any active seller as the new owner (C3).
    people = User.objects.unrestricted().filter(is_active=True, role__in=perms.OWNER_ROLES)
    return people.order_by("username")


def get_assignable_person(*, viewer: Any, pk: int) -> Any:
    from salescope.core.errors import NotFound

    found = assignable_people(viewer=viewer).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def get_product_line(*, viewer: Any, pk: int) -> Any:
    from salescope.catalog.models import Category

    return Category.objects.get_visible(viewer, pk, "view")


def product_lines(*, viewer: Any) -> QuerySet:
    """Top-level categories: the product lines models and rules refer to."""
    from salescope.catalog.models import Category

    return Category.objects.visible_to(viewer, "view").filter(parent__isnull=True)


def model_for_lead(*, viewer: Any, lead: Lead) -> EvaluationModel | None:
    """The model the lead is (or would be) scored under."""
    if lead.evaluation_model_id:
        return lead.evaluation_model
    models = list(
        EvaluationModel.objects.visible_to(viewer, "view")
        .filter(is_active=True)
        .order_by("name", "id")
    )
    return rules.pick_model(models, lead.product_line_id, lead.industry)


def model_criteria(*, viewer: Any, model: EvaluationModel) -> list:
    return list(model.criteria.prefetch_related("options"))


def pipelines_for_conversion(*, viewer: Any) -> QuerySet:
    from salescope.pipeline import queries as pipeline_queries

    return pipeline_queries.list_pipelines(viewer=viewer)


def get_pipeline(*, viewer: Any, pk: int) -> Any:
    from salescope.pipeline import queries as pipeline_queries

    return pipeline_queries.get_pipeline(viewer=viewer, pk=pk)


def get_customer(*, viewer: Any, pk: int) -> Any:
    from salescope.customers.models import Customer

    return Customer.objects.get_visible(viewer, pk, "view")


def customer_choices(*, viewer: Any) -> QuerySet:
    from salescope.customers.models import Customer

    return Customer.objects.visible_to(viewer, "view").filter(deleted_at__isnull=True)
