"""Analytics' background work: early warnings evaluated once a day (``core.tasks``)."""

import datetime as dt

from salescope.analytics import services
from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.tasks import daily, task

EVALUATE_AT = dt.time(6, 0)  # local time: warnings are fresh when the day's work begins


@daily(at=EVALUATE_AT)
@task()
def evaluate_alerts() -> dict[str, int]:
    """Raise, refresh and clear the early warnings, as the system; the counts."""
    with audit_source(AuditSource.SYSTEM):
        return services.evaluate_alerts(actor=None).as_dict()
