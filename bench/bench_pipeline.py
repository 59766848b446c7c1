"""Benchmark of the pipeline (issue 15). Generates its own data into a throwaway database.

    .venv/bin/python bench/bench_pipeline.py --db sqlite   [--scale 1.0] [--runs 5]
    .venv/bin/python bench/bench_pipeline.py --db postgres [--scale 1.0] [--runs 5]

At --scale 1: the demo organisation, one pipeline of four open stages, 100,000 open
opportunities and 300,000 closed ones spread over the salespeople, with ~2,200,000 stage-history
rows (every stage each deal passed; a deal past the first stage is sent back a stage and on
again 0–3 times). Times, for a regional manager and the sales director, the
first page of the kanban (``queries.board``: per column count, amount and the first 30 cards),
and the report with its funnel and stage-to-stage conversion (``queries.pipeline_report`` by
stage) over all the stage history. Server time only (no template rendering), median of --runs.
Then the distribution of 10,000 qualified leads waiting in the pool (× --scale, at least
1,000) by province, in-turn and workload rules (``leads.services.distribute_leads``).
``--reuse`` times the data a previous run left (after new migrations, e.g. an index).
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


def setup_env(db: str, pg_name: str = "bench_pipeline", *, reuse: bool = False) -> None:
    var = Path(f"/tmp/{pg_name.replace('_', '-')}-{db}")
    var.mkdir(parents=True, exist_ok=True)
    os.environ["SALESCOPE_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "salescope.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("DATABASE_URL", None)
    if db == "postgres":
        import psycopg

        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{pg_name}"
        if reuse:
            return

        url = "postgresql://postgres@127.0.0.1:5432/postgres"
        with psycopg.connect(url, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {pg_name}")
            c.execute(f"CREATE DATABASE {pg_name}")
    elif not reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{var}/salescope.sqlite3{suffix}").unlink(missing_ok=True)


def fast_insert(model, columns: list[str], rows: list[tuple]) -> None:  # noqa: ANN001
    """Insert ``rows`` (values of the attribute names ``columns``, already in database form)
    into ``model``'s table: COPY on PostgreSQL, one executemany on SQLite. The build only; the
    timed reads run through the app's own queries."""
    from django.db import connection

    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - our names
            cursor.executemany(sql, rows)


def build(scale: float):  # noqa: ANN201, PLR0915 - the whole data set, in one place
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
    people = [p.pk for p in User.objects.unrestricted().filter(role=Role.SALESPERSON)]
    rng = random.Random(15)
    now = timezone.now()
    n_open, n_closed = int(100_000 * scale), int(300_000 * scale)
    started = time.perf_counter()
    ops = connection.ops
    if connection.vendor == "postgresql":
        moment, day = (lambda v: v), (lambda v: v)
    else:
        moment = ops.adapt_datetimefield_value
        day = ops.adapt_datefield_value
    # the distinct days and moments are few: prepare each once
    moments: dict[int, object] = {}

    def at(days_ago: int, later: int = 0) -> object:
        key = days_ago * 10_000 + later
        if key not in moments:
            moments[key] = moment(now - dt.timedelta(days=days_ago) + dt.timedelta(days=later))
        return moments[key]

    closes = {d: day((now - dt.timedelta(days=d - 90)).date()) for d in range(1, 721)}
    opportunity_columns = [
        "id", "name", "account_name", "owner_id", "pipeline_id", "stage_id", "amount_fen",
        "expected_close", "probability", "forecast_category", "source", "campaign",
        "next_step", "decision_maker", "competitor", "checklist_done", "lost_reason",
        "lost_note", "furthest_order", "stage_entered_at", "created_at", "closed_at",
        "updated_at", "version",
    ]  # fmt: skip
    change_columns = [
        "opportunity_id", "from_stage_id", "to_stage_id", "at", "seconds_in_previous",
        "override_reason",
    ]  # fmt: skip
    empty_list = "[]"
    stamp = moment(now)
    deals, changes, total_changes = [], [], 0
    with transaction.atomic():
        for index in range(n_open + n_closed):
            deal_id = index + 1
            days_ago = rng.randrange(1, 720)
            reached = rng.randrange(4)
            closed = index >= n_open
            final = (won if rng.random() < 0.4 else lost) if closed else open_stages[reached]
            deals.append(
                (
                    deal_id, f"商机{deal_id}", "", rng.choice(people), pipeline.pk, final.pk,
                    rng.randrange(1, 10_000) * 10_000, closes[days_ago], final.probability,
                    final.forecast_category, "", "", "", "", "", empty_list,
                    "price" if final == lost else "", "",
                    won.order if final == won else open_stages[reached].order,
                    at(days_ago), at(days_ago), at(days_ago, 60) if closed else None, stamp, 1,
                )
            )  # fmt: skip
            # a deal sent back a stage and on again (0–3 times) once it is past the first
            bounces = rng.randrange(4) if reached else 0
            back_and_on = [open_stages[reached - 1], open_stages[reached]] * bounces
            path = open_stages[: reached + 1] + back_and_on + ([final] if closed else [])
            previous = None
            for step, stage in enumerate(path):
                changes.append(
                    (deal_id, previous.pk if previous else None, stage.pk,
                     at(days_ago, 7 * step), 0, "")
                )  # fmt: skip
                previous = stage
            if len(deals) >= 20_000:
                fast_insert(Opportunity, opportunity_columns, deals)
                fast_insert(StageChange, change_columns, changes)
                total_changes += len(changes)
                deals, changes = [], []
        fast_insert(Opportunity, opportunity_columns, deals)
        fast_insert(StageChange, change_columns, changes)
        total_changes += len(changes)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('pipeline_opportunity', 'id'), %s)",
                [n_open + n_closed],
            )
            # a live database has been vacuumed since (autovacuum): the visibility map is set
            cursor.execute("VACUUM ANALYZE pipeline_opportunity, pipeline_stagechange")
        else:
            cursor.execute("ANALYZE")
    print(
        f"built {n_open:,} open + {n_closed:,} closed opportunities, {total_changes:,} stage "
        f"changes in {time.perf_counter() - started:.1f} s"
    )
    return pipeline


def timed(label: str, runs: int, work) -> None:  # noqa: ANN001
    times, cpus = [], []
    for _n in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        work()
        times.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    print(
        f"{label:<55} median {statistics.median(times):8.1f} ms  (min {min(times):.1f}; "
        f"cpu median {statistics.median(cpus):.1f} ms; load {os.getloadavg()[0]:.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--pg-name", default="bench_pipeline", help="the PostgreSQL database to (re)create and use"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="time the data a previous run built (same --scale)"
    )
    args = parser.parse_args()
    setup_env(args.db, args.pg_name, reuse=args.reuse)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if args.reuse:
        from salescope.pipeline.models import Pipeline

        pipeline = Pipeline.objects.unrestricted().get(name="基准")
    else:
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
    bench_distribution(args.db, args.runs, int(10_000 * max(args.scale, 0.1)))


def bench_distribution(db: str, runs: int, count: int) -> None:
    """Distribution of ``count`` qualified leads waiting in the pool (C3): rules by province
    (one person, in turn, by workload over the open opportunities) and a catch-all, through
    ``leads.services.distribute_leads``; each run rolled back so every run distributes them."""
    from django.db import transaction

    from salescope.leads import services
    from salescope.leads.choices import LeadStatus
    from salescope.leads.models import Lead
    from salescope.org.choices import Role
    from salescope.org.models import User

    admin = User.objects.unrestricted().get(username="admin")
    people = list(User.objects.unrestricted().filter(role=Role.SALESPERSON).order_by("pk"))
    if not Lead.objects.unrestricted().filter(company__startswith="基准线索").exists():
        rules = [
            ("上海", "workload", people[:1]),
            ("北京", "round_robin", people[:3]),
            ("广东, 四川", "workload", people),
            ("", "round_robin", people[1:]),
        ]
        for priority, (provinces, strategy, members) in enumerate(rules, start=1):
            services.create_distribution_rule(
                actor=admin,
                name=f"基准规则{priority}",
                priority=priority,
                provinces=provinces,
                members=members,
                strategy=strategy,
            )
        places = ["上海", "北京", "广东", "四川", "浙江", "西藏"]
        Lead.objects.bulk_create(
            [
                Lead(
                    contact_name=f"联系人{n}",
                    company=f"基准线索{n}",
                    phone="13800000000",
                    province=places[n % len(places)],
                    status=LeadStatus.POOL,
                    qualified=True,
                )
                for n in range(count)
            ],
            batch_size=2000,
        )
    waiting = Lead.objects.unrestricted().filter(qualified=True, owner__isnull=True).count()
    results = []

    def distribute() -> None:
        with transaction.atomic():
            results.append(services.distribute_leads(actor=admin))
            transaction.set_rollback(True)

    timed(f"{db} distribution of {waiting:,} leads", runs, distribute)
    done = results[-1]
    assert done.assigned + done.pooled == waiting, done
    print(f"  assigned {done.assigned:,}, left in the pool {done.pooled:,}")


if __name__ == "__main__":
    main()
