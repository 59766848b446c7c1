"""Forecasting's background work: a refit is a task (queued by ``services.request_run``), and
once a day the schedule starts a refit when last month's history has not been fitted yet (so
the forecasts are refitted monthly, the day after a month closes, or after a missed day)."""

import datetime as dt

from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.tasks import daily, task
from salescope.forecasting import services

REFIT_AT = dt.time(5, 0)  # local time: before the warnings are evaluated (06:00)


@task()
def fit_forecasts(run_id: int) -> dict[str, int]:
    """Fit every series of run ``run_id`` as the system."""
    with audit_source(AuditSource.SYSTEM):
        try:
            run = services.fit_run(run_id=run_id)
        except Exception as error:
            services.fail_run(run_id=run_id, error=str(error) or type(error).__name__)
            raise
    return {"run": run.pk, "series": run.series_count}


@daily(at=REFIT_AT)  # type: ignore[arg-type]  # django_tasks' Task is django.tasks'
@task()
def refit_forecasts() -> dict[str, int]:
    """Refit when last month's history has no run yet."""
    with audit_source(AuditSource.SYSTEM):
        run = services.monthly_refit()
        if run is None:
            return {"run": 0, "series": 0}
        run = services.fit_run(run_id=run.pk)
    return {"run": run.pk, "series": run.series_count}
