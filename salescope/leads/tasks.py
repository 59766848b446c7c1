"""The leads' background work (``core.tasks``): idle leads go back to the pool (公海) daily."""

import datetime as dt

from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.tasks import daily, task
from salescope.leads import services

RECYCLE_AT = dt.time(5, 30)  # local time: before the day's work, so the pool is fresh


@daily(at=RECYCLE_AT)
@task()
def recycle_idle_leads() -> int:
    """Return leads nobody worked within ``LEADS_RECYCLE_DAYS`` to the pool, as the system."""
    with audit_source(AuditSource.SYSTEM):
        return services.recycle_stale_leads(actor=None)
