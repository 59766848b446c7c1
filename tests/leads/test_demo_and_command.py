"""The demo gives marketing leads in every state, and loading it twice adds nothing; the daily
command returns idle leads to the pool."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from salescope.leads import demo, services
from salescope.leads.choices import LeadStatus
from salescope.leads.models import Campaign, Lead
from tests.leads.conftest import lead_data


def test_the_demo_has_leads_in_every_state_and_loads_once(personas, login_client):
    demo.load(lambda _line: None)
    statuses = set(Lead.objects.unrestricted().values_list("status", flat=True))
    assert {LeadStatus.NEW, LeadStatus.NURTURE, LeadStatus.POOL} <= statuses
    assert statuses & {LeadStatus.ASSIGNED, LeadStatus.WORKING}
    count = Lead.objects.unrestricted().count()
    demo.load(lambda _line: None)
    assert Lead.objects.unrestricted().count() == count
    assert Campaign.objects.unrestricted().count() == len(demo.CAMPAIGNS)

    sunli = login_client(personas["marketing"])
    for path in (
        "/leads/",
        "/leads/pool/",
        "/leads/nurture/",
        "/leads/overdue/",
        "/leads/report/",
        "/leads/report/?by=source",
        "/leads/settings/",
        "/leads/campaigns/",
    ):
        assert sunli.get(path).status_code == 200, path


def test_the_daily_command_returns_idle_leads(personas, world):
    lead = services.create_lead(
        actor=personas["marketing"], data=lead_data(province="上海"), answers=world["hot"]()
    )
    Lead.objects.unrestricted().filter(pk=lead.pk).update(
        assigned_at=timezone.now() - dt.timedelta(days=20)
    )
    out = StringIO()
    call_command("leads_recycle", stdout=out)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.POOL
    assert "1" in out.getvalue()


def test_the_daily_task_is_scheduled_and_returns_idle_leads(personas, world):
    from salescope.core.tasks import schedule
    from salescope.leads import tasks

    assert "salescope.leads.tasks.recycle_idle_leads" in {entry.name for entry in schedule()}
    lead = services.create_lead(
        actor=personas["marketing"], data=lead_data(province="上海"), answers=world["hot"]()
    )
    Lead.objects.unrestricted().filter(pk=lead.pk).update(
        assigned_at=timezone.now() - dt.timedelta(days=30)
    )
    assert tasks.recycle_idle_leads.call() == 1
    lead.refresh_from_db()
    assert lead.status == LeadStatus.POOL
