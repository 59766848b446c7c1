"""Benchmarks of plans and target tracking (issue 5). Generates its own data into a throwaway
database (nothing from the real one is touched).

    .venv/bin/python bench/bench_plans.py --db sqlite [--scale 1.0] [--history]
    .venv/bin/python bench/bench_plans.py --db postgres [--scale 1.0] [--history]

At --scale 1: the demo org plus 500 salespeople, 50 product categories, and the ledger's
month × salesperson × category rollup for two years (600k rollup rows — what a 10M-line ledger
rolls up to at this grain). Measures:

* decomposing a company-year target to people × 12 months × 50 categories (300k cells) and
  saving it (equal shares; ``--history`` also times last year's share + seasonality);
* target vs actual for all people × 12 months (as the director), median of 7 runs;
* one person's year (as that person), median of 21 runs.

Prints the figures and the query plans of the two reads.
"""

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


def setup_env(db: str, reuse: bool = False, name: str = "plans") -> None:
    var = Path(f"/tmp/{name}-bench-{db}")  # noqa: S108 - a throwaway benchmark database
    var.mkdir(parents=True, exist_ok=True)
    os.environ["SALESCOPE_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "salescope.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    if db == "postgres":
        import psycopg

        if not reuse:
            with psycopg.connect(
                "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
            ) as c:
                c.execute(f"DROP DATABASE IF EXISTS bench_{name}")
                c.execute(f"CREATE DATABASE bench_{name}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/bench_{name}"
    elif reuse:
        os.environ.pop("DATABASE_URL", None)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{var}/salescope.sqlite3{suffix}").unlink(missing_ok=True)
        os.environ.pop("DATABASE_URL", None)


def timed(label, fn, *args, profile=True, **kwargs):
    """Wall time and this process's CPU time (the machine is shared: CPU time shows how much
    of the wall time is ours; the rest is the database server or waiting for a core)."""
    if profile and os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        start, cpu = time.perf_counter(), time.process_time()
        result = profiler.runcall(fn, *args, **kwargs)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    else:
        start, cpu = time.perf_counter(), time.process_time()
        result = fn(*args, **kwargs)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"  {label}: {elapsed:.2f} s (process CPU {cpu:.2f} s)")
    return result, elapsed


def median_ms(fn, runs: int) -> tuple[float, float]:
    """Median wall and median process-CPU milliseconds over ``runs``."""
    times, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(times), statistics.median(cpus)


def build(people: int, categories: int, rng: random.Random):
    from django.db import connection

    from salescope.catalog.models import Category
    from salescope.ledger.models import SalesRollup
    from salescope.ledger.rollups import refresh_coarser
    from salescope.org import demo
    from salescope.org.choices import Role, UnitKind
    from salescope.org.models import OrgUnit, User

    demo.load(lambda _line: None)
    User.objects.unrestricted().filter(role=Role.SALESPERSON).update(is_active=False)
    teams = list(OrgUnit.objects.unrestricted().filter(kind=UnitKind.TEAM).order_by("path"))
    units = {u.pk: u for u in OrgUnit.objects.unrestricted().all()}

    def region_of(unit):
        while unit.kind != UnitKind.REGION:
            unit = units[unit.parent_id]
        return unit.pk

    User.objects.bulk_create(
        [
            User(
                username=f"p{j:04d}",
                full_name=f"业务员{j}",
                role=Role.SALESPERSON,
                unit=teams[j % len(teams)],
                password="!",  # noqa: S106 - unusable password marker
            )
            for j in range(people)
        ]
    )
    sellers = list(
        User.objects.unrestricted().filter(username__startswith="p", role=Role.SALESPERSON)
    )
    for i in range(categories):
        Category.objects.create(code=f"C{i:03d}", name=f"类别{i}", path=f"{i + 1}/")
    cats = list(Category.objects.unrestricted().order_by("pk"))
    months = [dt.date(2025, m, 1) for m in range(1, 13)] + [
        dt.date(2026, m, 1) for m in range(1, 11)
    ]
    rows = []
    for person in sellers:
        region = region_of(units[person.unit_id])
        level = rng.uniform(0.6, 1.4)
        for month in months:
            season = 1.0 + 0.3 * ((month.month % 12) in (1, 2, 9, 10))
            for cat in cats:
                amount = int(rng.uniform(2_000_00, 12_000_00) * level * season)
                rows.append(
                    (month, "sell_in", person.pk, region, cat.pk, amount, 1, amount // 3, 20)
                )
    columns = (
        "month, kind, salesperson_id, region_id, category_id, amount_fen, quantity_milli, "
        "cost_fen, lines"
    )
    table = SalesRollup._meta.db_table
    marks = ", ".join(["%s"] * 9)
    sql = f"INSERT INTO {table} ({columns}, gross_profit_fen) VALUES ({marks}, 0)"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 50_000):
            cursor.executemany(sql, rows[start : start + 50_000])
    # The region and salesperson × month rollups, derived as the ledger derives them: target
    # tracking by person reads the latter (``ledger.queries.rollup_queryset``).
    refresh_coarser(months)
    return sellers, len(rows)


def explain(qs) -> str:
    try:
        return qs.explain()
    except Exception as error:  # noqa: BLE001 - a plan is informative only
        return f"(no plan: {error})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--history", action="store_true", help="also time last-year methods")
    parser.add_argument("--reuse", action="store_true", help="keep the generated rollups")
    parser.add_argument(
        "--name", default="plans", help="scratch name: /tmp/NAME-bench-DB, database bench_NAME"
    )
    args = parser.parse_args()
    if not args.name.isidentifier():
        parser.error("--name must be letters, digits and underscores")
    setup_env(args.db, reuse=args.reuse, name=args.name)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries

    call_command("migrate", verbosity=0)
    from salescope.analytics.targets import target_variance
    from salescope.org.models import OrgUnit, User
    from salescope.plans import services
    from salescope.plans.choices import Axis, Method, Metric
    from salescope.plans.models import Target
    from salescope.plans.services import Step

    rng = random.Random(5)
    people = max(8, int(500 * args.scale))
    categories = max(2, int(50 * args.scale)) if args.scale < 1 else 50
    print(f"== bench_plans on {connection.vendor}: {people} people, {categories} categories")
    if args.reuse:
        from salescope.ledger.models import PersonRollup, SalesRollup
        from salescope.ledger.rollups import refresh_coarser
        from salescope.org.models import User as Person

        sellers = list(Person.objects.filter(username__startswith="p", role="salesperson"))
        rollup_rows = 0
        if (
            not PersonRollup.objects.unrestricted().exists()
            and SalesRollup.objects.unrestricted().exists()
        ):
            # Data generated before the salesperson × month rollup existed: derive it.
            timed("derive the coarser rollups", refresh_coarser, profile=False)
    else:
        (sellers, rollup_rows), _ = timed(
            "generate rollups", build, people, categories, rng, profile=False
        )
    print(f"  rollup rows: {rollup_rows:,}")
    director = User.objects.unrestricted().get(username="liuyang")
    hq = OrgUnit.objects.unrestricted().get(code="HQ")

    def plan_and_decompose(method, season):
        plan = services.create_plan(
            actor=director, name=f"bench {method}", fiscal_year=2026, scope_unit=hq
        )
        root = services.set_plan_target(
            actor=director, plan=plan, metric=Metric.SALES_AMOUNT, value=2_000_000_000_00
        )
        steps = [Step(Axis.ORG, method)] * 4 + [
            Step(Axis.MONTH, season),
            Step(Axis.PRODUCT, method),
        ]
        created = services.decompose_target(actor=director, target=root, steps=steps)
        return plan, created

    (plan, created), seconds = timed(
        "decompose company year → people × months × categories (equal) and save",
        plan_and_decompose,
        Method.EQUAL,
        Method.EQUAL,
    )
    print(f"  cells created: {created:,} ({created / seconds:,.0f} cells/s)")
    if args.history:
        (_hplan, hcreated), hsec = timed(
            "decompose by last year's share + seasonality and save",
            plan_and_decompose,
            Method.LAST_YEAR,
            Method.SEASONALITY,
        )
        print(f"  cells created: {hcreated:,}")
    with (
        connection.cursor() as cursor
    ):  # fresh statistics, as autovacuum / a nightly job keeps them
        cursor.execute("ANALYZE")
    as_of = dt.date(2026, 10, 20)

    def all_people():
        return target_variance(
            viewer=director,
            plan=plan,
            metric=Metric.SALES_AMOUNT,
            group_by=["salesperson", "month"],
            as_of=as_of,
        )

    report = all_people()
    print(f"  rows (people × months): {len(report.rows):,}; total target {report.total.target:,}")
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(all_people)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    ms, cpu = median_ms(all_people, 7)
    print(
        f"  target vs actual, all people × 12 months (director): median {ms:.0f} ms"
        f" (process CPU {cpu:.0f} ms)"
    )
    person = sellers[len(sellers) // 2]

    def one_person():
        return target_variance(
            viewer=person,
            plan=plan,
            metric=Metric.SALES_AMOUNT,
            group_by=["month"],
            as_of=as_of,
            filters={"person": person.pk},
        )

    assert len(one_person().rows) == 12
    ms, cpu = median_ms(one_person, 21)
    print(f"  one person's year (as that person): median {ms:.1f} ms (process CPU {cpu:.1f} ms)")
    print("  load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    from django.conf import settings

    settings.DEBUG = True
    reset_queries()
    one_person()
    print(f"  queries for one person's year: {len(connection.queries)}")
    settings.DEBUG = False
    from django.db.models import Sum

    from salescope.analytics.targets import _levels
    from salescope.ledger.models import SalesRollup
    from salescope.plans.models import Dim

    mask = Dim.MONTH | Dim.PERSON
    levels = _levels(plan, "sales_amount")
    print(f"\n-- levels (dims, parent_dims, is_leaf) of the plan: {levels}")
    fixed = [(d, p) for d, p, _leaf in levels if d & mask == mask and p & mask != mask]
    for d, p in sorted(set(fixed)):
        print(f"\n-- plan: targets partition for salesperson × month, level ({d}, {p})")
        print(
            explain(
                Target.objects.unrestricted()
                .filter(plan=plan, metric="sales_amount", dims=d, parent_dims=p)
                .values_list("period_start", "person_id")
                .annotate(total=Sum("value"))
                .order_by()
            )
        )
        print("\n-- plan: one person's cells of that level")
        print(
            explain(
                Target.objects.unrestricted()
                .filter(
                    plan=plan, metric="sales_amount", person_id=person.pk, dims=d, parent_dims=p
                )
                .values_list("period_start")
                .annotate(total=Sum("value"))
                .order_by()
            )
        )
    print("\n-- plan: rollup actuals by salesperson × month")
    print(
        explain(
            SalesRollup.objects.unrestricted()
            .filter(month__gte="2026-01-01", month__lte="2026-12-01", kind="sell_in")
            .values_list("salesperson_id", "month")
            .annotate(total=Sum("amount_fen"))
            .order_by()
        )
    )


if __name__ == "__main__":
    main()
