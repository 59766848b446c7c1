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


@register(
    "leads:detail",
    "leads:evaluate",
    "leads:contact",
    "leads:reassign",
    "leads:distribute",
    "leads:claim",
    "leads:convert",
    "/api/v1/leads/{lead_id}",
    "/api/v1/leads/{lead_id}/evaluate",
    "/api/v1/leads/{lead_id}/distribute",
    "/api/v1/leads/{lead_id}/reassign",
    "/api/v1/leads/{lead_id}/contact",
    "/api/v1/leads/{lead_id}/claim",
    "/api/v1/leads/{lead_id}/convert",
)
def lead(personas, owner):
    made = make_lead(owner)
    return Target(
        params={"pk": made.pk, "lead_id": made.pk},
        obj=made,
        bodies={
            "POST": {
                "version": made.version,
                "answers": {},
                "owner_id": owner.pk,
                "reason": "测试",
                "note": "",
            }
        },
    )


@register("leads:campaign", "/api/v1/campaigns/{campaign_id}/cost")
def campaign(personas, owner):
    made = Campaign.objects.create(code=f"LEAK-CAMP{next(_serial)}", name="活动", owner=owner)
    return Target(
        params={"pk": made.pk, "campaign_id": made.pk},
        obj=made,
        bodies={"POST": {"version": made.version, "actual_cost": "1.00"}},
    )
