"""Background work (core.tasks): tasks enqueued with their transaction, the daily schedule run
once a day however many workers there are, and a worker killed mid-task (R13)."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from salescope.core import tasks
from salescope.core.models import AuditEntry, ScheduledRun
from tests.core import task_samples
from tests.core.task_samples import effects

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EVALUATE = "salescope.analytics.tasks.evaluate_alerts"


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=ZoneInfo(settings.TIME_ZONE))


def test_a_task_is_queued_with_its_transaction_and_runs_once():
    with transaction.atomic():
        tasks.enqueue(task_samples.record_effect)
        transaction.set_rollback(True)
    assert DBTaskResult.objects.count() == 0  # rolled back with the caller's writes
    with transaction.atomic():
        tasks.enqueue(task_samples.record_effect)
    assert DBTaskResult.objects.get().status == "READY"
    assert effects() == 0
    assert tasks.run_pending() == 1
    done = DBTaskResult.objects.get()
    assert (done.status, done.return_value) == ("SUCCESSFUL", 1)
    assert tasks.run_pending() == 0
    assert effects() == 1


def test_the_immediate_backend_runs_a_task_when_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    with (
        override_settings(TASKS=IMMEDIATE),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        with transaction.atomic():
            assert tasks.enqueue(task_samples.record_effect) is None
            assert effects() == 0
        assert effects() == 0  # the test's own transaction has not committed yet
    assert len(callbacks) == 1
    assert effects() == 1
    assert DBTaskResult.objects.count() == 0


def test_alert_evaluation_is_enqueued_once_a_day_however_often_workers_look(monkeypatch):
    tasks.autodiscover()
    assert EVALUATE in {entry.name for entry in tasks.schedule()}
    # Only the alert evaluation on the schedule: other apps' daily tasks have their own times.
    with mock.patch.dict(tasks._DAILY, {EVALUATE: tasks._DAILY[EVALUATE]}, clear=True):
        _enqueued_once_a_day(monkeypatch)


def _enqueued_once_a_day(monkeypatch) -> None:  # noqa: ANN001
    assert tasks.enqueue_due(at(2, 5, 59)) == []  # not yet due
    assert tasks.enqueue_due(at(2, 6, 0)) == [EVALUATE]
    assert tasks.enqueue_due(at(2, 6, 1)) == []
    assert tasks.enqueue_due(at(2, 23, 59)) == []
    # Another worker inserted the day's row after this one looked: the unique row refuses it.
    monkeypatch.setattr(tasks, "_ran", lambda name, day: False)
    assert tasks.enqueue_due(at(2, 7, 0)) == []
    monkeypatch.undo()
    assert DBTaskResult.objects.filter(task_path=EVALUATE).count() == 1
    assert tasks.enqueue_due(at(3, 6, 30)) == [EVALUATE]  # the next day, once more
    runs = ScheduledRun.objects.filter(task=EVALUATE).order_by("day")
    assert [r.day for r in runs] == [dt.date(2026, 3, 2), dt.date(2026, 3, 3)]
    assert {r.result_id for r in runs} == {
        str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)
    }
    assert tasks.run_pending() == 2
    results = DBTaskResult.objects.filter(task_path=EVALUATE)
    assert {r.status for r in results} == {"SUCCESSFUL"}
    assert results[0].return_value == {"raised": 0, "still_open": 0, "cleared": 0}
    evaluated = AuditEntry.objects.filter(action="analytics.alerts.evaluated")
    assert [(e.actor_id, e.source) for e in evaluated] == [(None, "system")] * 2


def test_only_the_tasks_of_workers_that_are_gone_are_run_again():
    for _ in range(4):
        tasks.enqueue(task_samples.record_effect)
    rows = list(DBTaskResult.objects.order_by("pk"))
    with tasks.Liveness("alive-worker"):
        rows[0].claim("alive-worker")
        rows[1].claim("dead-worker")
        dead = Path(settings.VAR_DIR) / "workers" / "dead-worker.lock"
        dead.touch()  # left behind, no longer locked
        rows[2].claim("elsewhere-recent")  # no lock file here: cannot tell yet
        rows[3].claim("elsewhere-old")
        DBTaskResult.objects.filter(pk=rows[3].pk).update(
            started_at=timezone.now() - dt.timedelta(seconds=settings.TASK_ORPHAN_AFTER + 1)
        )
        assert tasks.worker_alive("alive-worker") is True
        assert tasks.worker_alive("dead-worker") is False
        assert tasks.worker_alive("elsewhere-recent") is None
        assert tasks.requeue_orphans() == 2
        status = dict(DBTaskResult.objects.values_list("pk", "status"))
        assert [status[r.pk] for r in rows] == ["RUNNING", "READY", "RUNNING", "READY"]
        assert not dead.exists()
        assert tasks.requeue_orphans() == 0


def _worker_env() -> dict[str, str]:
    """The test database and var/ for a worker process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        from urllib.parse import quote

        auth = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            auth += ":" + quote(db["PASSWORD"], safe="")
        url = f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    root = Path(__file__).resolve().parents[2]
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SALESCOPE_VAR_DIR": str(settings.VAR_DIR),
        "PYTHONPATH": str(root),
    }


def _worker(worker_id: str, *args: str) -> subprocess.Popen:
    salescope = Path(sys.executable).with_name("salescope")
    return subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        [str(salescope), "worker", "--worker-id", worker_id, "--no-schedule", *args],
        env=_worker_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for(path: Path, process: subprocess.Popen) -> None:
    for _ in range(1200):  # at most a minute; not a timing assertion, a bounded wait
        if path.exists():
            return
        if process.poll() is not None:
            pytest.fail(f"the worker stopped: {process.stdout.read()}")
        time.sleep(0.05)
    pytest.fail("the worker never started the task")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_task_leaves_nothing_and_the_next_worker_completes_it(tmp_path):
    """R13 with real processes: a worker is SIGKILLed inside the task's transaction; nothing
    of that run is stored, the task goes back to the queue because its worker is gone, and a
    second worker runs it to the end: one effect, not two."""
    task_samples.effect_after_go.enqueue(str(tmp_path))
    first = _worker("first-worker", "--once")
    try:
        _wait_for(tmp_path / "started", first)
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.wait(timeout=60)
        first.stdout.close()
    assert first.returncode == -signal.SIGKILL
    killed = DBTaskResult.objects.get()
    assert (killed.status, killed.worker_ids) == ("RUNNING", ["first-worker"])
    assert effects() == 0  # the killed run's open transaction was rolled back

    (tmp_path / "go").touch()
    second = _worker("second-worker", "--once")
    out, _ = second.communicate(timeout=120)
    assert second.returncode == 0, out
    done = DBTaskResult.objects.get()
    assert (done.status, done.worker_ids) == ("SUCCESSFUL", ["first-worker", "second-worker"])
    assert done.return_value == 1
    assert effects() == 1
    assert not (Path(settings.VAR_DIR) / "workers" / "first-worker.lock").exists()
