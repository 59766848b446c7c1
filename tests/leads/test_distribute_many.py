"""Distributing many leads at once (分配, C3): every qualified lead without an owner gets the
owner, rule and reason it would get from distributing them one by one, oldest first."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from salescope.core.errors import PermissionDenied
from salescope.core.models import AuditEntry
from salescope.leads import services
from salescope.leads.choices import LeadStatus
from salescope.leads.models import Lead, LeadAssignment
from tests.leads.conftest import lead_data

PROVINCES = ["上海", "北京", "四川", "北京", "广东", "西藏", "四川", "北京", "四川", "上海", "北京"]


@pytest.fixture
def waiting(personas, world):
    """Qualified leads in the pool, waiting for an owner, and rules that split them: in turn
    (北京), by workload (四川), one person each (上海, 广东); nobody takes 西藏."""
    admin, both = personas["admin"], [personas["salesperson"], personas["other_region_salesperson"]]
    services.create_distribution_rule(
        actor=admin, name="华北", priority=3, provinces="北京", members=both, strategy="round_robin"
    )
    services.create_distribution_rule(
        actor=admin, name="西南", priority=4, provinces="四川", members=both, strategy="workload"
    )
    leads = []
    for n, province in enumerate(PROVINCES):
        lead = services.create_lead(
            actor=personas["marketing"],
            data=lead_data(province="西藏", company=f"公司{n}"),
            answers=world["hot"](),
        )
        Lead.objects.unrestricted().filter(pk=lead.pk).update(province=province)
        leads.append(lead.pk)
    # not waiting: one below the threshold (nurtured), one already owned
    services.create_lead(actor=personas["marketing"], data=lead_data(), answers=world["cold"]())
    services.create_lead(
        actor=personas["marketing"], data=lead_data(province="上海"), answers=world["hot"]()
    )
    return leads


def outcome(ids):
    leads = Lead.objects.unrestricted().filter(pk__in=ids).order_by("pk")
    log = LeadAssignment.objects.unrestricted().filter(lead__in=ids).order_by("lead", "at", "pk")
    audit = AuditEntry.objects.filter(action="leads.lead.assigned", object_id__in=map(str, ids))
    return {
        "leads": list(
            leads.values_list(
                "pk", "status", "owner", "assignment_rule", "assignment_reason", "version"
            )
        ),
        "log": list(log.values_list("lead", "kind", "owner", "previous_owner", "rule", "reason")),
        "audit": sorted((int(e.object_id), e.changes == {}, str(e.changes)) for e in audit),
    }


def test_distributing_many_at_once_is_distributing_them_one_by_one(personas, waiting):
    manager = personas["regional_manager"]
    before = outcome(waiting)
    with transaction.atomic():
        done = services.distribute_leads(actor=manager)
        at_once = outcome(waiting)
        transaction.set_rollback(True)
    assert outcome(waiting) == before
    for pk in waiting:
        lead = Lead.objects.unrestricted().get(pk=pk)
        services.distribute_lead(actor=manager, lead=lead, expected_version=lead.version)
    one_by_one = outcome(waiting)

    assert at_once == one_by_one
    assert (done.assigned, done.pooled) == (10, 1)
    owners = {pk: owner for pk, _s, owner, *_rest in at_once["leads"]}
    beijing = [owners[pk] for pk, p in zip(waiting, PROVINCES, strict=True) if p == "北京"]
    both = {personas["salesperson"].pk, personas["other_region_salesperson"].pk}
    assert set(beijing[:2]) == both  # in turn: each of the two before either gets a second
    tibet = Lead.objects.unrestricted().get(pk=waiting[PROVINCES.index("西藏")])
    assert (tibet.status, tibet.owner) == (LeadStatus.POOL, None)
    assert tibet.assignment_reason


def test_only_waiting_leads_are_distributed_and_a_salesperson_may_not(personas, waiting):
    with pytest.raises(PermissionDenied):
        services.distribute_leads(actor=personas["salesperson"])
    others = list(Lead.objects.unrestricted().exclude(pk__in=waiting).values_list("pk", "version"))
    done = services.distribute_leads(actor=personas["regional_manager"], leads=waiting[:3])
    assert done.assigned == 3
    assert Lead.objects.unrestricted().filter(pk__in=waiting[3:], owner__isnull=True).count() == 8
    after = list(Lead.objects.unrestricted().exclude(pk__in=waiting).values_list("pk", "version"))
    assert after == others


def test_the_command_distributes_every_waiting_lead_as_the_system(personas, waiting):
    out = StringIO()
    call_command("leads_distribute", stdout=out)
    assert Lead.objects.unrestricted().filter(pk__in=waiting, owner__isnull=False).count() == 10
    entries = AuditEntry.objects.filter(action="leads.lead.assigned", actor_label="system")
    assert entries.count() == len(waiting)
    assert "10" in out.getvalue()
