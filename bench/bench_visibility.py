"""Benchmark of org.visibility (issue 3). Generates its own data into a throwaway database.

    .venv/bin/python bench/bench_visibility.py --db sqlite   [--scale 1.0] [--runs 30]
    .venv/bin/python bench/bench_visibility.py --db postgres [--scale 1.0] [--runs 30]

At --scale 1: an organisation of 2,000 people in 300 units (company → 6 regions → branches →
teams) and 1,000,000 owned records (a bench-only table shaped like every sales record: owner,
unit, amount, date; owner indexed). For viewers at each level — a salesperson, a team lead, a
branch manager, a regional manager, the sales director — it times ``visible()`` narrowing the
whole table and fetching the first page of 50 newest records (one SQL statement), counts the
visible rows (the pager's total), and prints the query plan. It also checks that the list takes
the same number of queries whatever the viewer's share of the table.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE = 50


def setup_env(db: str, *, reuse: bool = False) -> None:
    var = Path(f"/tmp/org-bench-{db}")  # noqa: S108 - a throwaway benchmark database
    var.mkdir(parents=True, exist_ok=True)
    os.environ["SALESCOPE_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "salescope.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("DATABASE_URL", None)
    if db == "postgres":
        import psycopg

        if not reuse:
            url = "postgresql://postgres@127.0.0.1:5432/postgres"
            with psycopg.connect(url, autocommit=True) as c:
                c.execute("DROP DATABASE IF EXISTS bench_org")
                c.execute("CREATE DATABASE bench_org")
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/bench_org"
    elif not reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{var}/salescope.sqlite3{suffix}").unlink(missing_ok=True)


def define_model():  # noqa: ANN201
    from django.conf import settings
    from django.db import models

    from salescope.org.choices import Role
    from salescope.org.visibility import Ownership

    class BenchDeal(models.Model):
        owner = models.ForeignKey(
            settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+"
        )
        unit = models.ForeignKey(
            "org.OrgUnit", null=True, on_delete=models.DO_NOTHING, related_name="+"
        )
        amount_fen = models.BigIntegerField()
        day = models.DateField()

        ownership = Ownership(person="owner", roles={Role.FINANCE: {"view"}})

        class Meta:
            app_label = "bench_visibility"
            db_table = "bench_deal"

        def __str__(self) -> str:
            return str(self.pk)

    return BenchDeal


def build_org(people: int, units: int) -> dict:
    """company → 6 regions → branches → teams, managers on every unit, people in the teams."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from salescope.org import services
    from salescope.org.choices import Role, UnitKind
    from salescope.org.models import OrgUnit, User

    rng = random.Random(3)
    with transaction.atomic():
        company = services.create_unit(actor=None, name="公司", code="C", kind=UnitKind.COMPANY)
        regions = [
            services.create_unit(
                actor=None, name=f"大区{i}", code=f"R{i}", kind=UnitKind.REGION, parent=company
            )
            for i in range(6)
        ]
        n_branches = max(6, (units - 7) // 6)
        branches = [
            services.create_unit(
                actor=None,
                name=f"分公司{i}",
                code=f"B{i}",
                kind=UnitKind.BRANCH,
                parent=regions[i % 6],
            )
            for i in range(n_branches)
        ]
        teams = [
            services.create_unit(
                actor=None,
                name=f"组{i}",
                code=f"T{i}",
                kind=UnitKind.TEAM,
                parent=branches[i % n_branches],
            )
            for i in range(units - 7 - n_branches)
        ]
        password = make_password(None)
        all_units = [company, *regions, *branches, *teams]
        User.objects.bulk_create(
            [
                User(
                    username=f"m{i:04d}",
                    full_name=f"经理{i}",
                    role=Role.MANAGER,
                    unit=unit,
                    password=password,
                )
                for i, unit in enumerate(all_units)
            ]
        )
        managers = {
            u.username: u for u in User.objects.unrestricted().filter(username__startswith="m")
        }
        for i, unit in enumerate(all_units):
            OrgUnit.objects.unrestricted().filter(pk=unit.pk).update(manager=managers[f"m{i:04d}"])
        sellers = people - len(all_units) - 1
        User.objects.bulk_create(
            [
                User(
                    username=f"s{j:05d}",
                    full_name=f"业务员{j}",
                    role=Role.SALESPERSON,
                    unit=teams[rng.randrange(len(teams))],
                    password=password,
                )
                for j in range(sellers)
            ]
        )
        director = User.objects.create(
            username="director", full_name="总监", role=Role.SALES_DIRECTOR, unit=company
        )
    people_ids = list(User.objects.unrestricted().values_list("pk", "unit_id"))
    return {
        "company": company,
        "region": regions[0],
        "branch": branches[0],
        "team": teams[0],
        "people": people_ids,
        "director": director,
        "managers": managers,
        "all_units": all_units,
    }


def existing_org() -> dict:
    from salescope.org.models import OrgUnit, User

    all_units = list(
        OrgUnit.objects.unrestricted().filter(code__regex=r"^[CRBT][0-9]*$").order_by("pk")
    )
    return {
        "region": OrgUnit.objects.unrestricted().get(code="R0"),
        "branch": OrgUnit.objects.unrestricted().get(code="B0"),
        "team": OrgUnit.objects.unrestricted().get(code="T0"),
        "director": User.objects.unrestricted().get(username="director"),
        "managers": {
            u.username: u for u in User.objects.unrestricted().filter(username__startswith="m")
        },
        "all_units": all_units,
    }


def fill_records(model, people: list[tuple[int, int]], rows: int) -> float:  # noqa: ANN001
    from django.db import connection

    rng = random.Random(7)
    start = time.perf_counter()
    batch = 50_000
    table = model._meta.db_table
    with connection.cursor() as cursor:
        for offset in range(0, rows, batch):
            chunk = []
            for _ in range(min(batch, rows - offset)):
                owner, unit = people[rng.randrange(len(people))]
                day = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                chunk.append((owner, unit, rng.randint(100, 10_000_000), day))
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(
                    f"COPY {table} (owner_id, unit_id, amount_fen, day) FROM STDIN"
                ) as copy:
                    for row in chunk:
                        copy.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO {table} (owner_id, unit_id, amount_fen, day) "  # noqa: S608
                    "VALUES (%s, %s, %s, %s)",
                    chunk,
                )
        cursor.execute("ANALYZE")
    return time.perf_counter() - start


def measure(label: str, fn, runs: int) -> tuple[float, float]:  # noqa: ANN001
    fn()  # warm the cache once: figures are for a running server
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    median = statistics.median(times)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"  {label:<58} median {median:7.2f} ms   p95 {p95:7.2f} ms")
    return median, p95


def explain(queryset) -> str:  # noqa: ANN001
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    return "\n".join("    " + " | ".join(str(c) for c in row) for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--reuse", action="store_true", help="measure the data of the last run again"
    )
    args = parser.parse_args()
    setup_env(args.db, reuse=args.reuse)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from salescope.org.models import User
    from salescope.org.visibility import visible

    people = max(50, int(2000 * args.scale))
    units = max(20, int(300 * args.scale))
    rows = max(10_000, int(1_000_000 * args.scale))
    print(f"Database: {connection.vendor}; {people} people, {units} units, {rows:,} records")
    model = define_model()
    if args.reuse:
        org = existing_org()
        rows = model.objects.count()
        print(f"  reusing the data of the last run: {rows:,} records")
    else:
        call_command("migrate", verbosity=0)
        with connection.schema_editor() as editor:
            editor.create_model(model)
        org = build_org(people, units)
        loaded = fill_records(model, org["people"], rows)
        print(f"  loaded {rows:,} owned records in {loaded:.1f} s")

    managers = org["managers"]
    by_unit = {u.pk: u for u in org["all_units"]}

    def manager_of(unit):  # noqa: ANN001, ANN202
        index = [u.pk for u in org["all_units"]].index(unit.pk)
        return managers[f"m{index:04d}"]

    seller = User.objects.unrestricted().filter(
        username__startswith="s", unit=org["team"]
    ).first() or (User.objects.unrestricted().filter(username__startswith="s").first())
    viewers = [
        ("salesperson", seller),
        ("team lead", manager_of(org["team"])),
        ("branch manager", manager_of(org["branch"])),
        ("regional manager", manager_of(org["region"])),
        ("sales director (company-wide)", org["director"]),
    ]
    del by_unit
    results = {}
    for label, viewer in viewers:
        viewer = User.objects.unrestricted().get(pk=viewer.pk)  # as a request would load it
        narrowed = visible(model.objects.all(), viewer=viewer)
        first_page = narrowed.order_by("-id")[:PAGE]
        total = narrowed.count()
        print(f"\n{label}: sees {total:,} of {rows:,} records ({100 * total / rows:.1f}%)")
        with CaptureQueriesContext(connection) as queries:
            list(first_page)
        print(f"  queries for the first page: {len(queries)}")
        results[label] = measure(
            f"narrow + first page of {PAGE} (newest first)",
            lambda v=viewer: list(visible(model.objects.all(), viewer=v).order_by("-id")[:PAGE]),
            args.runs,
        )
        measure(
            "count of visible records (pager total)",
            lambda v=viewer: visible(model.objects.all(), viewer=v).count(),
            max(5, args.runs // 3),
        )
        if label == "regional manager":
            print("  query plan (first page):")
            print(explain(first_page))

    print("\nSummary (narrow + first page, median / p95 ms):")
    for label, (median, p95) in results.items():
        print(f"  {label:<32} {median:7.2f} / {p95:7.2f}")


if __name__ == "__main__":
    main()
