"""Benchmark of the pipeline (issue 15). Generates its own data into a throwaway database.

    .venv/bin/python bench/bench_pipeline.py --db sqlite   [--scale 1.0] [--runs 5]
    .venv/bin/python bench/bench_pipeline.py --db postgres [--scale 1.0] [--runs 5]

At --scale 1: the demo organisation, one pipeline of four open stages, 100,000 open
opportunities and 300,000 closed ones spread over the salespeople, with ~2,000,000 stage-history
rows (every stage each deal passed). Times, for a regional manager and the sales director, the
first page of the kanban (``queries.board``: per column count, amount and the first 30 cards),
and the report with its funnel and stage-to-stage conversion (``queries.pipeline_report`` by
stage) over all the stage history. Server time only (no template rendering), median of --runs.
"""

# ruff: noqa: S108, T201 - a throwaway database under /tmp; a benchmark prints

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_env(db: str) -> None:
    var = Path(f"/tmp/pipeline-bench-{db}")
    var.mkdir(parents=True, exist_ok=True)
    os.environ["SALESCOPE_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "salescope.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("DATABASE_URL", None)
    if db == "postgres":
        import psycopg

        url = "postgresql://postgres@127.0.0.1:5432/postgres"
        with psycopg.connect(url, autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS bench_pipeline")
            c.execute("CREATE DATABASE bench_pipeline")
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/bench_pipeline"
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{var}/salescope.sqlite3{suffix}").unlink(missing_ok=True)


def build(scale: float) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from salescope.org import demo
    from salescope.org.choices import Role
    from salescope.org.models import User
    from salescope.pipeline import services
    from salescope.pipeline.models import Opportunity, StageChange

    demo.load(lambda _line: None)
    admin = User.objects.unrestricted().get(username="admin")
    stages = [
        {"name": f"阶段{i}", "probability": 10 + 20 * i, "rotting_days": 30} for i in range(4)
    ]
    stages += [
        {"name": "赢单", "probability": 100, "kind": "won", "forecast_category": "closed"},
        {"name": "输单", "probability": 0, "kind": "lost", "forecast_category": "omitted"},
    ]
    pipeline = services.create_pipeline(actor=admin, name="基准", stages=stages)
    stage_rows = list(pipeline.stages.order_by("order"))
    open_stages, won, lost = stage_rows[:4], stage_rows[4], stage_rows[5]
    people = list(User.objects.unrestricted().filter(role=Role.SALESPERSON))
    rng = random.Random(15)
    now = timezone.now()
    n_open, n_closed = int(100_000 * scale), int(300_000 * scale)
    started = time.perf_counter()
    batch, changes, next_id, total_changes = [], [], 1, 0
    with transaction.atomic():
        for index in range(n_open + n_closed):
            created = now - dt.timedelta(days=rng.randrange(1, 720))
            reached = rng.randrange(4)
            closed = index >= n_open
            final = (won if rng.random() < 0.4 else lost) if closed else open_stages[reached]
            batch.append(
                Opportunity(
                    id=next_id,
                    name=f"商机{next_id}",
                    owner=rng.choice(people),
                    pipeline=pipeline,
                    stage=final,
                    amount_fen=rng.randrange(1, 10_000) * 10_000,
                    expected_close=(created + dt.timedelta(days=90)).date(),
                    probability=final.probability,
                    forecast_category=final.forecast_category,
                    lost_reason="price" if final == lost else "",
                    furthest_order=won.order if final == won else open_stages[reached].order,
                    stage_entered_at=created,
                    created_at=created,
                    closed_at=created + dt.timedelta(days=60) if closed else None,
                )
            )
            path = open_stages[: reached + 1] + ([final] if closed else [])
            previous = None
            for step, stage in enumerate(path):
                changes.append(
                    StageChange(
                        opportunity_id=next_id,
                        from_stage=previous,
                        to_stage=stage,
                        at=created + dt.timedelta(days=7 * step),
                    )
                )
                previous = stage
            next_id += 1
            if len(batch) >= 5000:
                Opportunity.objects.bulk_create(batch, batch_size=1000)
                StageChange.objects.bulk_create(changes, batch_size=2000)
                total_changes += len(changes)
                batch, changes = [], []
        Opportunity.objects.bulk_create(batch, batch_size=1000)
        StageChange.objects.bulk_create(changes, batch_size=2000)
        total_changes += len(changes)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"built {n_open:,} open + {n_closed:,} closed opportunities, {total_changes:,} stage "
        f"changes in {time.perf_counter() - started:.1f} s"
    )
    return pipeline


def timed(label: str, runs: int, work) -> None:  # noqa: ANN001
    times = []
    for _n in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    print(f"{label:<55} median {statistics.median(times):8.1f} ms  (min {min(times):.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup_env(args.db)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    pipeline = build(args.scale)

    from salescope.org.models import User
    from salescope.pipeline import queries

    for username in ("wangqiang", "liuyang"):
        viewer = User.objects.unrestricted().get(username=username)

        def board(viewer=viewer) -> None:  # noqa: ANN001
            columns = queries.board(viewer=viewer, pipeline=pipeline)
            for column in columns:
                list(column["cards"])

        def report(viewer=viewer) -> None:  # noqa: ANN001
            queries.pipeline_report(viewer=viewer, group_by="stage")

        timed(f"{args.db} kanban first page · {username}", args.runs, board)
        timed(f"{args.db} report + funnel/conversion · {username}", args.runs, report)


if __name__ == "__main__":
    main()
