"""The ledger's background work: import jobs, run by ``salescope worker`` (``core.tasks``)."""

from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.tasks import task
from salescope.ledger import jobs


@task()
def run_import(job_id: int) -> str:
    """Run import job ``job_id`` to the end; its status. A run that finds the job already
    finished does nothing, so a task run twice imports once."""
    with audit_source(AuditSource.IMPORT):
        job = jobs.claim(job_id)
        if job is None:
            return "skipped"
        return jobs.run_job(job).status
