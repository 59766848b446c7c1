"""Feedback's background work: overdue problems escalate once a day (``core.tasks``)."""

import datetime as dt

from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.tasks import daily, task
from salescope.feedback import services

ESCALATE_AT = dt.time(7, 0)  # local time: after the night, before the day's work


@daily(at=ESCALATE_AT)
@task()
def escalate_problems() -> dict[str, int]:
    """Escalate every open problem past its due date to the next manager up, as the system."""
    with audit_source(AuditSource.SYSTEM):
        return {"escalated": services.escalate_overdue()}
