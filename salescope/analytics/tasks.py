"""Analytics' background work: early warnings evaluated once a day and after each import
(``core.tasks``)."""

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from salescope.analytics import services
from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.tasks import daily, enqueue, task

EVALUATE_AT = dt.time(6, 0)  # local time: warnings are fresh when the day's work begins


@daily(at=EVALUATE_AT)
@task()
def evaluate_alerts() -> dict[str, int]:
    """Raise, refresh and clear the early warnings, as the system; the counts."""
    with audit_source(AuditSource.SYSTEM):
        return services.evaluate_alerts(actor=None).as_dict()


# An import is often one of several (customers, then invoices, then collections): the
# evaluation waits this long after the first, so one run serves the whole batch.
AFTER_IMPORT = dt.timedelta(minutes=2)


def evaluate_after_import(sender: str, **kwargs: Any) -> None:
    """``core.importing.signals.import_finished``: evaluate the warnings again shortly after
    the import commits (the task row is written in the import's transaction); one queued
    evaluation serves every import that lands before it runs."""
    waiting = DBTaskResult.objects.filter(
        task_path=evaluate_alerts.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return
    later = evaluate_alerts
    if later.get_backend().supports_defer:
        later = evaluate_alerts.using(run_after=timezone.now() + AFTER_IMPORT)
    enqueue(later)
