"""Background work: one task framework (django-tasks), stored in our database, run by
``salescope worker``.

**Define** a task in your app's ``tasks.py``, at module level, taking JSON arguments (ids, not
records). It runs as the system, never as a person: read with ``.unrestricted()``, or pass
``viewer=SYSTEM`` (``core.ownership``) to a read written for a viewer::

    from salescope.core.tasks import task

    @task()
    def recycle_leads(unit_id: int) -> int:
        ...
        return recycled  # JSON: kept as the task's result

**Enqueue** it from a service, inside the service's transaction::

    from salescope.core.tasks import enqueue

    enqueue(recycle_leads, unit.pk)

With the database backend (the default) the task's row is written in that transaction, so the
task runs if and only if the transaction commits; any other backend (the immediate one in a
test) is called once the transaction has committed.

**Run it once a day**: put :func:`daily` above ``@task()`` (the task takes no arguments)::

    @daily(at=dt.time(6, 0))
    @task()
    def send_reminders() -> int: ...

The first worker to find it due on a day (local time, at or after ``at``) enqueues it; a
:class:`~salescope.core.models.ScheduledRun` row keyed by (task, day) keeps a second worker
from enqueuing it again. A day on which no worker ran is not caught up.

**The worker** (:func:`run_worker`) is django-tasks-db's worker loop plus what it lacks: the
daily schedule, and re-running the task of a worker that died mid-task (R13). While it lives,
each worker holds an exclusive lock on ``var/workers/<id>.lock``; the operating system releases
it when the process ends, however it ends (``kill -9`` included), so a RUNNING task whose
worker's lock can be taken goes back to READY and is picked up again, from the start. A task
must therefore make its writes in one transaction (a killed worker's open transaction is rolled
back) or be idempotent. Workers of one installation share ``var/`` (one machine: SQLite must
anyway); a task whose worker left no lock file here is taken for dead after
``settings.TASK_ORPHAN_AFTER`` seconds.

Every installed app's ``tasks`` module is imported when a worker starts (:func:`autodiscover`).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import autodiscover_modules
from django_tasks import task  # Django 6 has the framework built in; this is its backport
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, Task, TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker as DBWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from salescope.core.models import ScheduledRun

__all__ = ["Task", "daily", "enqueue", "enqueue_once", "run_pending", "run_worker", "task"]

logger = logging.getLogger(__name__)


def enqueue(task: Task, *args: Any, **kwargs: Any) -> Any:
    """Enqueue ``task(*args, **kwargs)`` so that it runs only if the caller's transaction
    commits. Returns the task's result handle (``None`` when the backend is called on commit)."""
    if isinstance(task.get_backend(), DatabaseBackend):
        return task.enqueue(*args, **kwargs)  # its row is part of the caller's transaction
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
    return None


def enqueue_once(task: Task) -> None:
    """Queue ``task`` (no arguments) once the caller's transaction commits, unless a run of it
    is then still waiting, not yet taken by a worker: a change made many times in one
    transaction (an org import moving people) queues one run, which sees them all.

    Asked after the commit, not before: a run waiting when the change was made may be taken
    and finished before the change commits, without it; one still waiting after the commit
    runs after it and sees it."""
    connection = transaction.get_connection()
    if any(
        getattr(entry[1], "queues_once", None) == task.module_path
        for entry in connection.run_on_commit
    ):
        return  # already asked in this transaction

    def queue() -> None:
        if isinstance(task.get_backend(), DatabaseBackend):
            waiting = DBTaskResult.objects.ready().filter(task_path=task.module_path)
            if waiting.exists():
                return
        task.enqueue()

    queue.queues_once = task.module_path  # type: ignore[attr-defined]
    transaction.on_commit(queue)


# --- the daily schedule ---------------------------------------------------------------------


@dataclass(frozen=True)
class Daily:
    task: Task
    at: dt.time

    @property
    def name(self) -> str:
        return self.task.module_path


_DAILY: dict[str, Daily] = {}


def daily(*, at: dt.time) -> Callable[[Task], Task]:
    """Run the decorated task (no arguments) once a day, at or after ``at`` local time."""

    def register(scheduled: Task) -> Task:
        if not isinstance(scheduled, Task):
            raise TypeError("@daily goes above @task()")
        _DAILY[scheduled.module_path] = Daily(scheduled, at)
        return scheduled

    return register


def schedule() -> list[Daily]:
    return sorted(_DAILY.values(), key=lambda entry: entry.name)


def enqueue_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue each daily task that is due and not yet enqueued today; the names enqueued.
    Two workers calling this at once enqueue each task once (the (task, day) row is unique)."""
    now = timezone.localtime(now)
    enqueued = []
    for entry in schedule():
        if now.time() < entry.at:
            continue
        if _ran(entry.name, now.date()):
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(task=entry.name, day=now.date())
                result = enqueue(entry.task)
                if result is not None:
                    run.result_id = str(result.id)
                    run.save(update_fields=["result_id"])
        except IntegrityError:
            continue  # another worker got there first
        logger.info("Daily task %s enqueued for %s", entry.name, now.date())
        enqueued.append(entry.name)
    return enqueued


def _ran(name: str, day: dt.date) -> bool:
    return ScheduledRun.objects.filter(task=name, day=day).exists()


# --- workers that died ----------------------------------------------------------------------

_WORKER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _lock_path(worker_id: str) -> Path:
    return Path(settings.VAR_DIR) / "workers" / f"{worker_id}.lock"


class Liveness:
    """The lock a live worker holds on ``var/workers/<id>.lock`` (see the module doc)."""

    def __init__(self, worker_id: str) -> None:
        if not _WORKER_ID.match(worker_id):
            raise ValueError(f"worker id {worker_id!r}: letters, digits, - and _ only")
        self.path = _lock_path(worker_id)
        self.fd: int | None = None

    def __enter__(self) -> Liveness:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a clash of ids fails loudly
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.path.unlink(missing_ok=True)
        if self.fd is not None:
            os.close(self.fd)


def worker_alive(worker_id: str) -> bool | None:
    """True while the worker holds its lock, False once it is gone, None when this machine
    cannot tell (no lock file here)."""
    if not _WORKER_ID.match(worker_id):
        return None
    try:
        fd = os.open(_lock_path(worker_id), os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also releases the lock if we just took it
    return False


def requeue_orphans(*, exclude: str | None = None, now: dt.datetime | None = None) -> int:
    """Put the RUNNING tasks of workers that died back to READY; how many."""
    now = now or timezone.now()
    unknown_after = dt.timedelta(seconds=settings.TASK_ORPHAN_AFTER)
    requeued = 0
    for row in DBTaskResult.objects.running().only("id", "worker_ids", "started_at"):
        worker = row.worker_ids[-1] if row.worker_ids else ""
        if worker == exclude:
            continue
        alive = worker_alive(worker)
        if alive or (alive is None and row.started_at and now - row.started_at < unknown_after):
            continue
        back = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        ).update(status=TaskResultStatus.READY)
        if back:
            logger.warning("Task %s: worker %s is gone; it runs again", row.pk, worker)
            requeued += 1
        if alive is False:
            _lock_path(worker).unlink(missing_ok=True)
    return requeued


# --- the worker -----------------------------------------------------------------------------


def autodiscover() -> None:
    """Import every installed app's ``tasks`` module (their tasks and daily schedules)."""
    autodiscover_modules("tasks")


class Worker(DBWorker):
    """django-tasks-db's worker, with the daily schedule and orphaned tasks run again."""

    def __init__(
        self,
        *,
        batch: bool = False,
        interval: float = 1.0,
        scheduled: bool = True,
        worker_id: str | None = None,
        queue_names: list[str] | None = None,
    ) -> None:
        super().__init__(
            queue_names=queue_names or ["default"],
            interval=interval,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id or get_random_string(32),
            excluded_queue_names=[],
        )
        self.scheduled = scheduled

    def run(self) -> int:  # type: ignore[override]
        """Run tasks until stopped (``batch``: until none is ready); how many ran."""
        autodiscover()
        with Liveness(self.worker_id):
            while self.running:
                self._tidy_connections()
                requeue_orphans(exclude=self.worker_id)
                if self.scheduled:
                    enqueue_due()
                claimed = self._claim()
                if claimed is not None:
                    self.run_task(claimed)
                    continue
                if self.batch:
                    break
                time.sleep(self.interval)
        return self._run_tasks

    def _tidy_connections(self) -> None:
        if not connection.in_atomic_block:  # a test's transaction must stay open
            close_old_connections()

    def _claim(self) -> DBTaskResult | None:
        ready = DBTaskResult.objects.ready().filter(
            backend_name=self.backend_name, queue_name__in=self.queue_names
        )
        try:
            with exclusive_transaction(ready.db):
                found = ready.get_locked()
                if found is not None:
                    found.claim(self.worker_id)  # RUNNING, by this worker
                return found
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return None  # another worker is claiming; try again
            raise


def run_worker(
    *,
    batch: bool = False,
    interval: float = 1.0,
    scheduled: bool = True,
    worker_id: str | None = None,
    signals: bool = False,
) -> int:
    """Run the worker in this process; the number of tasks it ran."""
    worker = Worker(batch=batch, interval=interval, scheduled=scheduled, worker_id=worker_id)
    if signals:
        worker.configure_signals()  # SIGTERM/SIGINT: finish the running task, then stop
    return worker.run()


def run_pending() -> int:
    """Run every ready task in this process, then return how many ran (no daily schedule):
    what a test, or ``salescope worker --once`` without schedules, needs."""
    return run_worker(batch=True, scheduled=False)


# --- background imports: the kinds the apps register ----------------------------------------
#
# One import job model and runner (``ledger.jobs``, ``ledger.tasks.run_import``) serves every
# app; the apps below the ledger (catalog) and above it (pipeline, leads) cannot all import it,
# so each app registers its kinds here in its ``AppConfig.ready()`` and reaches the job runner
# through :func:`import_jobs` (the ledger registers itself as that runner).


@dataclass(frozen=True)
class ImportKindEntry:
    """A kind of import that runs as a background job.

    ``run(*, actor, path, options, progress, job)`` is the import on the framework
    (``core.importing.common.run_import``) and returns its ``ImportResult``; ``permissions``
    are what uploading and queuing need (all of them: the import's own check, up front);
    ``page`` is the URL name of the upload page the job page links back to; ``tabs`` a
    template shown above the job page; ``result_template`` renders a finished job's
    ``result`` (an ``ImportResult``)."""

    kind: str
    label: Any
    permissions: tuple[str, ...]
    run: Callable[..., Any]
    page: str
    tabs: str = ""
    result_template: str = "core/_import_result.html"


_IMPORT_KINDS: dict[str, ImportKindEntry] = {}


def register_import_kind(entry: ImportKindEntry) -> None:
    """Called by an app's ``ready()``; registering the same kind again replaces it."""
    _IMPORT_KINDS[entry.kind] = entry


def import_kind(kind: str) -> ImportKindEntry | None:
    return _IMPORT_KINDS.get(str(kind or ""))


def import_kinds() -> list[ImportKindEntry]:
    return list(_IMPORT_KINDS.values())


class ImportJobs(Protocol):
    """What an app's upload page needs from the job runner (``ledger.jobs.Runner``)."""

    def submit(self, *, actor: Any, kind: str, upload: Any, options: dict[str, Any]) -> Any:
        """Keep ``upload`` (a Django ``UploadedFile``) bound to ``actor`` and queue its import
        as one job; the job (with ``pk``). Raises a ``DomainError`` for a refused file."""

    def job_url(self, job: Any) -> str:
        """The job's page."""


_IMPORT_JOBS: list[ImportJobs] = []


def register_import_jobs(runner: ImportJobs) -> None:
    _IMPORT_JOBS[:] = [runner]


def import_jobs() -> ImportJobs:
    if not _IMPORT_JOBS:
        raise RuntimeError("No import job runner is registered (the ledger app registers it).")
    return _IMPORT_JOBS[0]
