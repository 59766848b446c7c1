"""The pipeline's background work (``core.tasks``): the win-probability model is learnt again
from the closed deals every night."""

import datetime as dt

from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.tasks import daily, task
from salescope.pipeline import services

REFIT_AT = dt.time(4, 30)  # local time: after the day's deals closed, before anyone looks


@daily(at=REFIT_AT)
@task()
def refit_win_model() -> int:
    """Fit the win-probability model as the system; returns the closed deals it learnt from."""
    with audit_source(AuditSource.SYSTEM):
        return services.refit_win_model(actor=None).closed_deals
