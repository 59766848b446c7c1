"""The leads routes in the leak and permission matrices (tests/visibility)."""

import itertools

from salescope.leads.choices import LeadStatus
from salescope.leads.models import Campaign, Lead
from tests.visibility.registry import Target, register

_serial = itertools.count(1)


def make_lead(owner, **fields):
    fields.setdefault("status", LeadStatus.ASSIGNED)
    return Lead.objects.create(
        contact_name=f"{owner.username} 的线索", phone="13900000000", owner=owner, **fields
    )


def _lead_target(owner, body):
    made = make_lead(owner)
    body = {"version": made.version, **body} if body is not None else {}
    return Target(params={"pk": made.pk, "lead_id": made.pk}, obj=made, bodies={"POST": body})


@register("leads:detail", "/api/v1/leads/{lead_id}")
def lead(personas, owner):
    return _lead_target(owner, {})


@register("leads:evaluate", "/api/v1/leads/{lead_id}/evaluate")
def lead_evaluate(personas, owner):
    return _lead_target(owner, {"answers": {}})


@register(
    "leads:distribute",
    "/api/v1/leads/{lead_id}/distribute",
    "leads:convert",
    "/api/v1/leads/{lead_id}/convert",
)
def lead_versioned(personas, owner):
    return _lead_target(owner, {})


@register("leads:reassign", "/api/v1/leads/{lead_id}/reassign")
def lead_reassign(personas, owner):
    return _lead_target(owner, {"owner_id": owner.pk, "reason": "测试"})


@register("leads:contact", "/api/v1/leads/{lead_id}/contact")
def lead_contact(personas, owner):
    return _lead_target(owner, {"note": ""})


@register("leads:claim", "/api/v1/leads/{lead_id}/claim")
def lead_claim(personas, owner):
    return _lead_target(owner, None)


@register("leads:campaign", "/api/v1/campaigns/{campaign_id}/cost")
def campaign(personas, owner):
    made = Campaign.objects.create(code=f"LEAK-CAMP{next(_serial)}", name="活动", owner=owner)
    return Target(
        params={"pk": made.pk, "campaign_id": made.pk},
        obj=made,
        bodies={"POST": {"version": made.version, "actual_cost": "1.00"}},
    )
