"""Benchmark of the sales explorer (H2, issue 18). Generates its own ledger into a throwaway
database (the generator of bench_ledger.py: people, customers, products, lines over two years),
builds every rollup from the lines, then times pivots of two dimensions × month.

    .venv/bin/python bench/bench_explorer.py --db sqlite [--scale 1.0]
    .venv/bin/python bench/bench_explorer.py --db postgres [--scale 1.0]

At --scale 1: 10M lines, 500 people, 100k customers, 5k products. Prints per pivot the table
that answered it, its rows, the median of 5 runs through ``explorer.pivot`` as the director
(company-wide) and as a regional manager, the same through the API (``GET
/api/v1/sales/pivot``) for the pivots rollups answer, and the raw scan of the lines for the
same question (a day range forces the lines), once.
"""

# ruff: noqa: S108, S608, T201 - a throwaway database, SQL of our own, a script that prints

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PIVOTS = [
    ("region × category(level 1) × month", ["region", "category"], ["month"], 1),
    ("salesperson × month", ["salesperson"], ["month"], None),
    ("product × region × month", ["product", "region"], ["month"], None),
    ("brand × quarter", ["brand"], ["quarter"], None),
    ("customer × month", ["customer"], ["month"], None),
    ("customer × channel × month", ["customer", "channel"], ["month"], None),
    ("team × category × month", ["team", "category"], ["month"], None),
    ("product × customer × month (the lines)", ["product", "customer"], ["month"], None),
]


CPU_MS: list[float] = []  # the last median_ms's CPU per run: this process + the database's


def median_ms(fn, runs: int) -> float:
    import bench_ledger

    times = []
    cpu, db = time.process_time(), bench_ledger.backend_cpu()
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    db_after = bench_ledger.backend_cpu() if db is not None else None
    used = time.process_time() - cpu + ((db_after - db) if db is not None and db_after else 0)
    CPU_MS[:] = [used * 1000 / runs]
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-raw", action="store_true", help="skip the raw scans of the lines")
    parser.add_argument(
        "--name", default="bench_explorer", help="PostgreSQL database and var dir /tmp/NAME-DB"
    )
    args = parser.parse_args()
    import bench_ledger

    bench_ledger.setup_env(args.db, database=args.name)
    os.environ["HEAVY_REQUESTS_PER_WINDOW"] = "1000000"

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    settings.HEAVY_REQUESTS_PER_WINDOW = 1_000_000
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from salescope.ledger import explorer, rollups
    from salescope.ledger.models import (
        CustomerRollup,
        PersonRollup,
        ProductRollup,
        RegionRollup,
        SalesLine,
        SalesRollup,
    )
    from salescope.org.models import User

    total = int(10_000_000 * args.scale)
    people = max(20, int(500 * args.scale))
    customers = max(200, int(100_000 * args.scale))
    products = max(100, int(5_000 * args.scale))
    print(
        f"== bench_explorer on {connection.vendor}: {total:,} lines, {people} people, "
        f"{customers:,} customers, {products:,} products"
    )
    (_sellers, prods, custs, person_region, _regions), _ = bench_ledger.timed(
        "master data", bench_ledger.build_master_data, people, customers, products
    )
    bench_ledger.timed(
        "fill the ledger (SQL)", bench_ledger.fill_ledger, total, custs, prods, person_region
    )
    bench_ledger.timed("build every rollup from the lines", rollups.rebuild_all)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    for model in (
        SalesLine,
        SalesRollup,
        RegionRollup,
        PersonRollup,
        ProductRollup,
        CustomerRollup,
    ):
        print(f"  {model._meta.db_table}: {model.objects.unrestricted().count():,} rows")
    # A month's re-aggregation, as an everyday import into this ledger pays it.
    month = SalesLine.objects.unrestricted().order_by("-month").values_list("month", flat=True)[0]
    bench_ledger.timed(
        f"re-aggregate the explorer's rollups of one month ({month:%Y-%m})",
        rollups.rebuild_detail_months,
        [month],
    )

    director = User.objects.unrestricted().get(username="liuyang")
    manager = User.objects.unrestricted().get(username="wangqiang")
    client = Client()
    client.force_login(director)
    year = {"date_from": "2024-01-01", "date_to": "2024-12-31"}
    import datetime as dt

    print(f"  pivots over {year['date_from']} … {year['date_to']} (sell-in), median of {args.runs}")
    for label, rows, columns, level in PIVOTS:
        spec = explorer.PivotSpec.build(
            rows=rows,
            columns=columns,
            date_from=dt.date(2024, 1, 1),
            date_to=dt.date(2024, 12, 31),
            category_level=level,
        )
        result = explorer.pivot(viewer=director, spec=spec)
        as_director = median_ms(lambda s=spec: explorer.pivot(viewer=director, spec=s), args.runs)
        director_cpu = CPU_MS[0]
        as_manager = median_ms(lambda s=spec: explorer.pivot(viewer=manager, spec=s), args.runs)
        source = result["source"]
        params = {"rows": ",".join(rows), "columns": ",".join(columns), **year}
        if level:
            params["category_level"] = str(level)
        api = ""
        if source != "salesline":
            response = client.get("/api/v1/sales/pivot", params)
            assert response.status_code == 200, response.content[:300]
            api_ms = median_ms(lambda p=params: client.get("/api/v1/sales/pivot", p), args.runs)
            api = f", API {api_ms:,.0f} ms"
        raw = ""
        if not args.no_raw:
            forced = explorer.PivotSpec.build(
                rows=rows,
                columns=columns,
                date_from=dt.date(2024, 1, 1),
                date_to=dt.date(2024, 12, 30),  # not a month's end: the lines answer
                category_level=level,
            )
            start = time.perf_counter()
            explorer.pivot(viewer=director, spec=forced)
            raw = f", raw lines {(time.perf_counter() - start) * 1000:,.0f} ms"
        print(
            f"  {label}: {source}, {result['row_count']:,} rows × {result['column_count']} "
            f"columns; director {as_director:,.0f} ms (CPU {director_cpu:,.0f} ms), regional "
            f"manager {as_manager:,.0f} ms{api}{raw} (load average {os.getloadavg()[0]:.1f})"
        )


if __name__ == "__main__":
    main()
