"""Tasks for tests/core/test_tasks.py, at module level so a worker process can import them."""

import time
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from salescope.core.models import ScheduledRun
from salescope.core.tasks import task

EFFECT = "tests.effect"


def effects() -> int:
    return ScheduledRun.objects.filter(task__startswith=EFFECT).count()


@task()
def record_effect() -> int:
    """One effect row per run: a second run of the same task would show as a second row."""
    ScheduledRun.objects.create(task=f"{EFFECT}-{effects() + 1}", day=timezone.localdate())
    return effects()


@task()
def effect_after_go(markers: str) -> int:
    """Write the effect in one transaction that stays open until ``markers``/go exists
    (``started`` says it is open), so a test can kill the worker in the middle."""
    folder = Path(markers)
    with transaction.atomic():
        ScheduledRun.objects.create(task=f"{EFFECT}-{effects() + 1}", day=timezone.localdate())
        (folder / "started").touch()
        for _ in range(1200):  # at most a minute
            if (folder / "go").exists():
                break
            time.sleep(0.05)
        else:
            raise TimeoutError("no go")
    return effects()
