"""The ledger's background work: import jobs, and the unit rollup derived again after people
moved, run by ``salescope worker`` (``core.tasks``)."""

import datetime as dt

from django.db import transaction

from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.tasks import daily, task
from salescope.ledger import jobs, rollups


@task()
def run_import(job_id: int) -> str:
    """Run import job ``job_id`` to the end; its status. A run that finds the job already
    finished does nothing, so a task run twice imports once."""
    with audit_source(AuditSource.IMPORT):
        job = jobs.claim(job_id)
        if job is None:
            return "skipped"
        return jobs.run_job(job).status


@daily(at=dt.time(1, 30))  # type: ignore[arg-type]  # django_tasks' Task is django.tasks'
@task()
def derive_unit_rollup() -> int:
    """The unit rollup of every month again when someone's unit changed since it was derived
    (queued by ``org.services`` on a move; daily for changes made around them, the admin's):
    until then the explorer reads teams from the salesperson rollup. The rows written (0: it
    was current, as for all but the first of a few moves' tasks)."""
    with transaction.atomic():
        return rollups.derive_unit_rollup()
