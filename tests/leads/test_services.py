"""The lead's path: typed in → evaluated → distributed or nurtured → contacted / recycled /
claimed / reassigned. Each write audited; refused writes change nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from salescope.core.errors import Conflict, PermissionDenied, StaleVersion, ValidationFailed
from salescope.core.models import AuditEntry
from salescope.leads import services
from salescope.leads.choices import LeadStatus
from salescope.leads.models import Lead, LeadAssignment
from tests.leads.conftest import lead_data


def test_a_qualified_lead_goes_to_the_salesperson_of_its_province_with_the_rule_and_why(
    personas, world
):
    lead = services.create_lead(
        actor=personas["marketing"],
        data=lead_data(province="上海市", campaign=world["campaign"]),
        answers=world["hot"](),
    )
    lead.refresh_from_db()
    assert lead.score == Decimal("100.0")
    assert lead.qualified
    assert lead.status == LeadStatus.ASSIGNED
    assert lead.owner == personas["salesperson"]
    assert lead.assignment_rule == world["east"]
    assert "华东" in lead.assignment_reason
    assert lead.sla_due_at is not None
    history = list(LeadAssignment.objects.unrestricted().filter(lead=lead))
    assert [(h.kind, h.owner_id, h.rule_id) for h in history] == [
        ("rule", personas["salesperson"].pk, world["east"].pk)
    ]
    assert [b["name"] for b in lead.score_breakdown] == ["需求紧迫度", "采购预算"]
    assert [b["points"] for b in lead.score_breakdown] == ["60.0", "40.0"]


def test_a_lead_below_the_threshold_goes_to_marketings_nurture_pool(personas, world):
    lead = services.create_lead(
        actor=personas["marketing"], data=lead_data(province="上海"), answers=world["cold"]()
    )
    lead.refresh_from_db()
    assert lead.score == Decimal("12.0")
    assert lead.status == LeadStatus.NURTURE
    assert lead.owner is None
    assert lead.revisit_on == timezone.localdate() + dt.timedelta(days=30)


def test_a_qualified_lead_no_rule_matches_goes_to_the_pool_saying_why(personas, world):
    lead = services.create_lead(
        actor=personas["marketing"], data=lead_data(province="西藏"), answers=world["hot"]()
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.POOL
    assert lead.owner is None
    assert lead.assignment_reason == "没有与此线索匹配的分配规则。"  # in the actor's language


def test_claiming_from_the_pool_up_to_the_limit(personas, world, settings):
    settings.LEADS_CLAIM_LIMIT = 1
    zhangwei = personas["salesperson"]
    first, second = (
        services.create_lead(
            actor=personas["marketing"], data=lead_data(province="西藏"), answers=world["hot"]()
        )
        for _ in range(2)
    )
    claimed = services.claim_lead(actor=zhangwei, lead=first)
    assert claimed.owner == zhangwei
    assert claimed.status == LeadStatus.ASSIGNED
    audits = AuditEntry.objects.count()
    with pytest.raises(Conflict) as refused:
        services.claim_lead(actor=zhangwei, lead=second)
    assert refused.value.code == "claim_limit"
    second.refresh_from_db()
    assert second.owner is None
    assert second.status == LeadStatus.POOL
    assert AuditEntry.objects.count() == audits


def test_marketing_may_not_claim(personas, world):
    lead = services.create_lead(
        actor=personas["marketing"], data=lead_data(province="西藏"), answers=world["hot"]()
    )
    with pytest.raises(PermissionDenied):
        services.claim_lead(actor=personas["marketing"], lead=lead)


def test_leads_nobody_works_return_to_the_pool_and_contacted_ones_stay(personas, world):
    idle, worked = (
        services.create_lead(
            actor=personas["marketing"], data=lead_data(province="上海"), answers=world["hot"]()
        )
        for _ in range(2)
    )
    worked.refresh_from_db()
    services.record_contact(
        actor=personas["salesperson"], lead=worked, expected_version=worked.version, note="电话"
    )
    later = timezone.now() + dt.timedelta(days=14, hours=1)
    Lead.objects.unrestricted().filter(pk=worked.pk).update(
        last_worked_at=later - dt.timedelta(days=2)
    )

    assert services.recycle_stale_leads(now=later) == 1

    idle.refresh_from_db()
    worked.refresh_from_db()
    assert (idle.status, idle.owner) == (LeadStatus.POOL, None)
    assert worked.owner == personas["salesperson"]
    assert LeadAssignment.objects.unrestricted().filter(lead=idle, kind="recycle").count() == 1


def test_a_manager_reassigns_with_a_reason_and_a_stale_version_is_refused(personas, world):
    lead = services.create_lead(
        actor=personas["marketing"], data=lead_data(province="上海"), answers=world["hot"]()
    )
    lead.refresh_from_db()
    version = lead.version
    with pytest.raises(ValidationFailed):
        services.reassign_lead(
            actor=personas["team_lead"],
            lead=lead,
            expected_version=version,
            owner=personas["other_region_salesperson"],
            reason=" ",
        )
    services.reassign_lead(
        actor=personas["team_lead"],
        lead=lead,
        expected_version=version,
        owner=personas["other_region_salesperson"],
        reason="客户在广州",
    )
    assert lead.owner == personas["other_region_salesperson"]
    stale = Lead.objects.unrestricted().get(pk=lead.pk)
    with pytest.raises(StaleVersion):
        services.reassign_lead(
            actor=personas["team_lead"],
            lead=stale,
            expected_version=version,
            owner=personas["salesperson"],
            reason="再换",
        )
    stale.refresh_from_db()
    assert stale.owner == personas["other_region_salesperson"]
    entry = AuditEntry.objects.filter(action="leads.lead.handed_over").get()
    assert entry.changes["why"] == [None, "客户在广州"]


def test_a_salesperson_may_not_reassign(personas, world):
    lead = services.create_lead(
        actor=personas["marketing"], data=lead_data(province="上海"), answers=world["hot"]()
    )
    lead.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.reassign_lead(
            actor=personas["salesperson"],
            lead=lead,
            expected_version=lead.version,
            owner=personas["other_region_salesperson"],
            reason="不想要",
        )


def test_a_lead_without_phone_or_email_is_refused_at_the_field(personas):
    with pytest.raises(ValidationFailed) as refused:
        services.create_lead(actor=personas["marketing"], data={"contact_name": "王"})
    assert "phone" in refused.value.fields
    assert Lead.objects.unrestricted().count() == 0
    assert not AuditEntry.objects.filter(action="leads.lead.created").exists()
