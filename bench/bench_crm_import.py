"""Benchmark of importing another CRM's export of opportunities (issue 15: 100k in ≤ 10 s).

    .venv/bin/python bench/bench_crm_import.py --db sqlite   [--rows 100000] [--runs 3]
    .venv/bin/python bench/bench_crm_import.py --db postgres [--rows 100000] [--runs 3]

Generates its own data into a throwaway database: the demo organisation, one pipeline of four
open stages, 2,000 customers, and a GBK CSV of --rows opportunities with Chinese headers
(外部编号, 商机名称, 客户, 金额, 阶段, 预计成交日期, 负责人, 来源), a tenth of the accounts written
with half-width brackets or other case/spacing (data-quality findings), 2% unknown accounts
(kept as incomplete) and 0.1% bad amounts (refused). Times, as the sales director, through
``pipeline.services.import_opportunities`` (the CLI, page and API all call it):

* first import: every row new (the opportunities and their first stage-history rows);
* re-import of the same file: nothing changes (idempotence, every row compared);

each over --runs (the first import after emptying the deals), reporting min and median wall
time and this process's CPU time (``time.process_time``; PostgreSQL's own CPU is not in it),
with the load average when measured.
"""

# ruff: noqa: S108, S311, T201 - a throwaway database under /tmp; a benchmark prints

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_env(db: str, pg_name: str = "bench_crm_import") -> None:
    var = Path(f"/tmp/crm-import-bench-{db}")
    var.mkdir(parents=True, exist_ok=True)
    os.environ["SALESCOPE_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "salescope.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("DATABASE_URL", None)
    if db == "postgres":
        import psycopg

        url = "postgresql://postgres@127.0.0.1:5432/postgres"
        with psycopg.connect(url, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {pg_name}")
            c.execute(f"CREATE DATABASE {pg_name}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{pg_name}"
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{var}/salescope.sqlite3{suffix}").unlink(missing_ok=True)


def build(rows: int, folder: Path) -> Path:
    from salescope.customers.models import Customer
    from salescope.org import demo
    from salescope.org.choices import Role
    from salescope.org.models import User
    from salescope.pipeline import services

    demo.load(lambda _line: None)
    admin = User.objects.unrestricted().get(username="admin")
    stages = [{"name": f"阶段{i}", "probability": 10 + 20 * i} for i in range(4)]
    stages += [
        {"name": "赢单", "probability": 100, "kind": "won", "forecast_category": "closed"},
        {"name": "输单", "probability": 0, "kind": "lost", "forecast_category": "omitted"},
    ]
    services.create_pipeline(actor=admin, name="基准", stages=stages)
    people = list(User.objects.unrestricted().filter(role=Role.SALESPERSON))
    rng = random.Random(15)
    Customer.objects.bulk_create(
        [
            Customer(code=f"B{i:05d}", name=f"客户{i}（上海）有限公司", owner=rng.choice(people))
            for i in range(2000)
        ]
    )
    stage_names = [s["name"] for s in stages]
    lines = ["外部编号,商机名称,客户,金额,阶段,预计成交日期,负责人,来源"]
    for i in range(rows):
        customer = rng.randrange(2000)
        account = f"客户{customer}（上海）有限公司"
        roll = rng.random()
        if roll < 0.1:
            account = f"客户{customer}(上海)有限公司"  # half-width: a finding
        elif roll < 0.12:
            account = f"无此客户{customer}"  # unknown: kept as incomplete
        amount = (
            "abc" if rng.random() < 0.001 else f"{rng.randrange(1000, 2_000_000)}.{i % 100:02d}"
        )
        lines.append(
            f"X{i:07d},商机{i},{account},{amount},{rng.choice(stage_names)},"
            f"2027-{rng.randrange(1, 13)}-{rng.randrange(1, 29)},"
            f"{rng.choice(people).full_name},展会"
        )
    path = folder / "opportunities.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    return path


def timed(run) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--pg-name", default="bench_crm_import", help="the PostgreSQL database to (re)create"
    )
    args = parser.parse_args()
    setup_env(args.db, args.pg_name)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from salescope.org.models import User
    from salescope.pipeline import services
    from salescope.pipeline.models import Opportunity, StageChange

    folder = Path(os.environ["SALESCOPE_VAR_DIR"])
    path = build(args.rows, folder)
    director = User.objects.unrestricted().get(username="liuyang")
    print(f"{args.db}: {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB GBK CSV")
    figures: dict[str, list[tuple[float, float, float]]] = {"first": [], "again": []}
    for run in range(args.runs):
        StageChange.objects.unrestricted().all().delete()
        Opportunity.objects.unrestricted().all().delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE pipeline_opportunity")
        for label in ("first", "again"):
            load = os.getloadavg()[0]
            wall, cpu, result = timed(
                lambda: services.import_opportunities(actor=director, path=path)
            )
            figures[label].append((wall, cpu, load))
            print(
                f"  run {run + 1} {label:5}: wall {wall:6.2f} s  cpu {cpu:6.2f} s  load {load:4.1f}"
                f"  created {result.created:,} unchanged {result.unchanged:,} "
                f"refused {result.rejected:,} findings {len(result.findings):,} "
                f"incomplete {result.extra.get('incomplete', 0):,}"
            )
    for label, rows in figures.items():
        walls, cpus = [r[0] for r in rows], [r[1] for r in rows]
        print(
            f"{label:5}: wall min {min(walls):.2f} s median {statistics.median(walls):.2f} s; "
            f"cpu min {min(cpus):.2f} s median {statistics.median(cpus):.2f} s; "
            f"load {', '.join(f'{r[2]:.1f}' for r in rows)}"
        )


if __name__ == "__main__":
    main()
