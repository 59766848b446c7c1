"""Benchmarks of the sales ledger (issue 4). Generates its own data into a throwaway database.

    .venv/bin/python bench/bench_ledger.py --db sqlite [--scale 1.0]
    .venv/bin/python bench/bench_ledger.py --db postgres [--scale 1.0]

At --scale 1: a 1M-line CSV import with 5% bad rows into an empty ledger; a 10M-line ledger;
an incremental 100k-line daily import into it (rollups updated); the summary region ×
category × month over it; ageing over 1M open invoices; the customer list of a manager over
100k customers. Prints figures and query plans.

    .venv/bin/python bench/bench_ledger.py --db postgres --customers-only --name bench_me

--customers-only builds the master data and measures only the customer list (section 5);
--name picks the PostgreSQL database and the var dir (/tmp/NAME-DB), so two people can run it.
"""

# ruff: noqa: S108, S608 - a throwaway database under /tmp, generated SQL of our own numbers

import argparse
import csv
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_env(db: str, database: str = "bench_ledger") -> None:
    default = database == "bench_ledger"
    var = Path(f"/tmp/ledger-bench-{db}" if default else f"/tmp/{database}-{db}")
    var.mkdir(parents=True, exist_ok=True)
    os.environ["SALESCOPE_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "salescope.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    if db == "postgres":
        import psycopg

        # BENCH_PG_SERVER picks another server, e.g. one with production-sized buffers.
        server = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
        with psycopg.connect(f"{server}/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{database}"')
            c.execute(f'CREATE DATABASE "{database}"')
            settings = ("shared_buffers", "max_wal_size", "work_mem")
            print(
                "  server",
                server,
                {name: c.execute(f"SHOW {name}").fetchone()[0] for name in settings},
            )
        os.environ["DATABASE_URL"] = f"{server}/{database}"
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{var}/salescope.sqlite3{suffix}").unlink(missing_ok=True)
        os.environ.pop("DATABASE_URL", None)


CPU: dict[str, float] = {}


def timed(label: str, fn, *args, **kwargs):
    """Wall time, and this process's CPU time (the machine is shared: under load the wall
    time of a CPU-bound step grows with the other processes, its CPU time does not)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    elapsed, used = time.perf_counter() - start, time.process_time() - cpu
    CPU[label] = used
    print(
        f"  {label}: {elapsed:.2f} s wall, {used:.2f} s CPU of this process "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    return result, elapsed


def build_master_data(people: int, customers: int, products: int):
    from salescope.catalog import services as catalog_services
    from salescope.catalog.models import Product
    from salescope.customers.models import Customer
    from salescope.org import demo
    from salescope.org.choices import Role, UnitKind
    from salescope.org.models import OrgUnit, User

    demo.load(lambda _line: None)
    teams = list(OrgUnit.objects.unrestricted().filter(kind=UnitKind.TEAM).order_by("path"))
    regions = {u.pk: u for u in OrgUnit.objects.unrestricted().filter(kind=UnitKind.REGION)}
    units = {u.pk: u for u in OrgUnit.objects.unrestricted().all()}

    def region_of(unit):
        while unit.kind != UnitKind.REGION:
            unit = units[unit.parent_id]
        return unit.pk

    User.objects.bulk_create(
        [
            User(
                username=f"b{j:04d}",
                full_name=f"销售{j}",
                role=Role.SALESPERSON,
                unit=teams[j % len(teams)],
                password="!",  # noqa: S106 - the unusable-password marker
            )
            for j in range(people)
        ]
    )
    sellers = list(User.objects.unrestricted().filter(username__startswith="b").order_by("pk"))
    tops = [catalog_services.ensure_category(f"大类{i}") for i in range(6)]
    cats = [catalog_services.ensure_category(f"小类{i}", tops[i % 6]) for i in range(48)]
    brands = [catalog_services.ensure_brand(f"品牌{i}") for i in range(12)]
    Product.objects.bulk_create(
        [
            Product(
                sku=f"SKU{i:05d}",
                name=f"产品{i}",
                brand=brands[i % 12],
                category=cats[i % 48],
                list_price_fen=100 + i % 5000,
                cost_fen=60 + i % 3000,
            )
            for i in range(products)
        ]
    )
    Customer.objects.bulk_create(
        [
            Customer(
                code=f"K{i:06d}",
                name=f"客户{i}",
                name_normalized=f"客户{i}",
                owner=sellers[i % people],
                kind="dealer" if i % 5 == 0 else "end_customer",
            )
            for i in range(customers)
        ],
        batch_size=5000,
    )
    prods = list(
        Product.objects.unrestricted()
        .values_list("pk", "sku", "brand_id", "category_id", "list_price_fen")
        .order_by("pk")
    )
    custs = list(
        Customer.objects.unrestricted().values_list("pk", "code", "owner_id").order_by("pk")
    )
    person_region = {s.pk: region_of(units[s.unit_id]) for s in sellers}
    return sellers, prods, custs, person_region, regions


def write_csv(
    path: Path,
    lines: int,
    custs,
    prods,
    sellers,
    bad_share: float,
    day0: dt.date,
    days: int,
    prefix: str,
) -> int:
    rng = random.Random(42)
    bad = 0
    people = {s.pk: s.username for s in sellers}
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "单号",
                "行号",
                "日期",
                "客户编码",
                "产品编码",
                "数量",
                "单价",
                "金额",
                "业务员",
                "渠道",
                "类型",
            ]
        )
        for n in range(lines):
            cid, ccode, owner = custs[rng.randrange(len(custs))]
            pid, sku, _b, _c, price = prods[rng.randrange(len(prods))]
            qty = rng.randint(1, 40)
            day = day0 + dt.timedelta(days=n % days)
            row = [
                f"{prefix}{n // 4}",
                n % 4 + 1,
                day.isoformat(),
                ccode,
                sku,
                qty,
                f"{price / 100:.2f}",
                f"{price * qty / 100:.2f}",
                people[owner],
                ("商超", "便利店", "餐饮", "电商")[n % 4],
                "进货",
            ]
            if rng.random() < bad_share:
                bad += 1
                kind = rng.randrange(5)
                if kind == 0:
                    row[2] = "2025-02-30"
                elif kind == 1:
                    row[3] = "NOPE"
                elif kind == 2:
                    row[5] = "十"
                elif kind == 3:
                    row[5] = -qty
                else:
                    row[7] = "=SUM(A1)"
            out.writerow(row)
    return bad


def fill_ledger(total: int, custs, prods, person_region) -> None:
    """Append ``total`` generated lines with one INSERT … SELECT (not timed as an import)."""
    from django.db import connection

    vendor = connection.vendor
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE bench_cust (k INTEGER PRIMARY KEY, cid BIGINT, sp BIGINT, rg BIGINT)"
        )
        cur.execute(
            "CREATE TEMP TABLE bench_prod (k INTEGER PRIMARY KEY, pid BIGINT, brand BIGINT,"
            " cat BIGINT, price BIGINT)"
        )
        rows = [(k, cid, owner, person_region[owner]) for k, (cid, _c, owner) in enumerate(custs)]
        cur.executemany("INSERT INTO bench_cust VALUES (%s, %s, %s, %s)", rows)
        cur.executemany(
            "INSERT INTO bench_prod VALUES (%s, %s, %s, %s, %s)",
            [(k, p, b, c, price) for k, (p, _s, b, c, price) in enumerate(prods)],
        )
        nc, np_ = len(custs), len(prods)
        if vendor == "postgresql":
            seq = f"SELECT generate_series(1, {total}) AS n"
            day = "(DATE '2023-01-01' + (s.n % 730)::int)"
            month = f"date_trunc('month', {day})::date"
            key = "'F' || s.n"
            cross = "false"
        else:
            seq = (
                "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r "
                f"WHERE n < {total}) SELECT n FROM r"
            )
            day = "date('2023-01-01', '+' || (s.n % 730) || ' days')"
            month = f"date({day}, 'start of month')"
            key = "'F' || s.n"
            cross = "0"
        cur.execute(
            "INSERT INTO ledger_salesline (line_key, line_id, document, line_no, date, month, kind,"
            " customer_id, product_id, brand_id, category_id, salesperson_id, region_id, channel,"
            " sale_location, quantity_milli, unit_price_fen, amount_fen, cost_fen,"
            " gross_profit_fen, discount_fen, cross_territory) "
            f"SELECT {key}, {key}, '', NULL, {day}, {month}, 'sell_in', c.cid, p.pid, p.brand,"
            " p.cat, c.sp, c.rg, '商超', '', 1000 * (1 + s.n % 20), p.price,"
            " p.price * (1 + s.n % 20), p.price * (1 + s.n % 20) / 2,"
            f" p.price * (1 + s.n % 20) - p.price * (1 + s.n % 20) / 2, 0, {cross} "
            f"FROM ({seq}) s JOIN bench_cust c ON c.k = s.n % {nc} "
            f"JOIN bench_prod p ON p.k = (s.n / 7) % {np_}"
        )
        if vendor == "postgresql":
            cur.execute("ANALYZE")
        else:
            cur.execute("ANALYZE")


def fill_invoices(total: int, custs) -> None:
    from django.db import connection

    vendor = connection.vendor
    nc = len(custs)
    with connection.cursor() as cur:
        if vendor == "postgresql":
            seq = f"SELECT generate_series(1, {total}) AS n"
            issue = "(DATE '2025-01-01' + (s.n % 300)::int)"
            due = "(DATE '2025-01-31' + (s.n % 300)::int)"
            month = f"date_trunc('month', {issue})::date"
        else:
            seq = (
                "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r "
                f"WHERE n < {total}) SELECT n FROM r"
            )
            issue = "date('2025-01-01', '+' || (s.n % 300) || ' days')"
            due = "date('2025-01-31', '+' || (s.n % 300) || ' days')"
            month = f"date({issue}, 'start of month')"
        cur.execute(
            "INSERT INTO ledger_invoice (number, customer_id, owner_id, order_id, issue_date, "
            "due_date, month, amount_fen, paid_fen, status, version) "
            f"SELECT 'BI' || s.n, c.cid, c.sp, NULL, {issue}, {due}, {month}, 10000 + s.n % 99999,"
            f" (s.n % 3) * 1000, 'open', 1 FROM ({seq}) s JOIN bench_cust c ON c.k = s.n % {nc}"
        )
        cur.execute("ANALYZE")


def plan(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cur.execute(prefix + sql, params)
        return "\n".join("    " + " ".join(str(c) for c in row) for row in cur.fetchall())


def repeat(fn, times: int) -> list[float]:
    out = []
    for _ in range(times):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:  # noqa: C901 - a benchmark script reads top to bottom
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--import-only", action="store_true", help="stop after the import figure")
    parser.add_argument(
        "--customers-only",
        action="store_true",
        help="build the master data and measure only the customer list (section 5)",
    )
    parser.add_argument(
        "--name", default="bench_ledger", help="PostgreSQL database and var dir /tmp/NAME-DB"
    )
    args = parser.parse_args()
    s = args.scale
    setup_env(args.db, args.name)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries  # noqa: F401

    from salescope.ledger import queries, rollups
    from salescope.ledger.importing.sales_lines import ImportOptions, import_sales_lines
    from salescope.ledger.models import SalesLine
    from salescope.org.models import User

    n_import, n_ledger, n_daily = int(1_000_000 * s), int(10_000_000 * s), int(100_000 * s)
    n_invoices, n_customers = int(1_000_000 * s), int(100_000 * s)
    print(
        f"== bench_ledger on {args.db}, scale {s}: import {n_import:,}, ledger {n_ledger:,}, "
        f"daily {n_daily:,}, invoices {n_invoices:,}, customers {n_customers:,}"
    )
    call_command("migrate", verbosity=0)
    (sellers, prods, custs, person_region, _regions), _ = timed(
        "master data (500 people, customers, 2000 products)",
        build_master_data,
        500,
        n_customers,
        2000,
    )
    admin = User.objects.unrestricted().get(username="admin")
    manager = User.objects.unrestricted().get(username="wangqiang")
    if args.customers_only:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")  # as the full run has done by section 5 (and autovacuum would)
        customer_list(manager, n_customers)
        return
    tmp = Path(os.environ["SALESCOPE_VAR_DIR"])

    # 1. A 1M-line CSV with 5% bad rows into the empty ledger.
    path = tmp / "import.csv"
    bad, _ = timed(
        "write import CSV",
        write_csv,
        path,
        n_import,
        custs,
        prods,
        sellers,
        0.05,
        dt.date(2025, 1, 1),
        365,
        "D",
    )
    result, elapsed = timed(
        "import (validate + stage + upsert + rollups)",
        import_sales_lines,
        actor=admin,
        path=path,
        options=ImportOptions(),
    )
    stored = SalesLine.objects.unrestricted().count()
    print(
        f"  accepted {result.accepted:,} rejected {result.rejected:,} (written bad {bad:,}); "
        f"stored {stored:,}; seconds per phase {result.seconds}"
    )
    cpu = CPU["import (validate + stage + upsert + rollups)"]
    print(
        f"  FIGURE import: {n_import / elapsed:,.0f} lines/s wall, {n_import / cpu:,.0f} lines "
        "per CPU-second of this process (goal ≥ 100,000)"
    )
    again, elapsed2 = timed(
        "re-import same file", import_sales_lines, actor=admin, path=path, options=ImportOptions()
    )
    print(
        f"  re-import: created {again.created} updated {again.updated} unchanged "
        f"{again.unchanged:,} → {n_import / elapsed2:,.0f} lines/s; phases {again.seconds}"
    )
    if args.import_only:
        return

    # 2. Grow the ledger to 10M lines, then a 100k-line daily import.
    missing = max(0, n_ledger - stored)
    timed(
        f"fill ledger with {missing:,} generated lines (SQL)",
        fill_ledger,
        missing,
        custs,
        prods,
        person_region,
    )
    timed("rebuild all rollups", rollups.rebuild_all)
    print(f"  ledger lines: {SalesLine.objects.unrestricted().count():,}")
    daily = tmp / "daily.csv"
    write_csv(daily, n_daily, custs, prods, sellers, 0.0, dt.date(2025, 12, 30), 1, "Y")
    result, elapsed = timed(
        "daily import into the big ledger",
        import_sales_lines,
        actor=admin,
        path=daily,
        options=ImportOptions(),
    )
    goal = "20,000" if args.db == "sqlite" else "50,000"
    print(
        f"  FIGURE daily import: {n_daily / elapsed:,.0f} lines/s wall, "
        f"{n_daily / CPU['daily import into the big ledger']:,.0f} per CPU-second of this "
        f"process (goal ≥ {goal}); created {result.created:,}, months {result.months}; "
        f"phases {result.seconds}"
    )

    # 3. Summary region × category × month over the whole ledger.
    def summary():
        return queries.rollup_totals(
            viewer=admin,
            date_from=dt.date(2023, 1, 1),
            date_to=dt.date(2025, 12, 31),
            group_by=["region", "category", "month"],
        )

    rows = summary()
    times = repeat(summary, 7)
    print(
        f"  FIGURE summary region×category×month: median {statistics.median(times):.0f} ms, "
        f"max {max(times):.0f} ms over {len(rows)} rows (goal ≤ 600 ms)"
    )
    print(
        "  plan:\n"
        + plan(
            "SELECT region_id, category_id, month, SUM(amount_fen) FROM ledger_regionrollup "
            "WHERE kind = %s AND month >= %s AND month <= %s "
            "GROUP BY region_id, category_id, month",
            ["sell_in", dt.date(2023, 1, 1), dt.date(2025, 12, 1)],
        )
    )

    def manager_summary():
        return queries.rollup_totals(
            viewer=manager,
            date_from=dt.date(2023, 1, 1),
            date_to=dt.date(2025, 12, 31),
            group_by=["region", "category", "month"],
        )

    times = repeat(manager_summary, 5)
    print(
        f"  summary for a regional manager (person rollup + visibility): median "
        f"{statistics.median(times):.0f} ms"
    )

    # 4. Ageing over 1M open invoices.
    timed(f"fill {n_invoices:,} open invoices (SQL)", fill_invoices, n_invoices, custs)
    as_of = dt.date(2025, 12, 31)
    for group in (None, "owner"):
        times = repeat(
            lambda g=group: queries.receivables_ageing(viewer=admin, as_of=as_of, group_by=g), 5
        )
        print(
            f"  FIGURE ageing over {n_invoices:,} open invoices, group_by={group}: median "
            f"{statistics.median(times):.0f} ms (goal ≤ 1000 ms)"
        )
    customer_list(manager, n_customers)


def customer_list(manager, n_customers: int) -> None:
    """5. Customer list of a manager over 100k customers: what the page queries (one page of
    50 with the columns it shows, and the pager's count, capped as core/paging.py explains),
    then an exact count, the whole request, and both plans."""
    from django.conf import settings
    from django.test import Client

    from salescope.core.paging import capped_page
    from salescope.customers import queries as customer_queries
    from salescope.customers import views as customer_views

    def customer_page():
        qs = customer_queries.list_customers(viewer=manager, fields=customer_views.INDEX_FIELDS)
        page = capped_page(qs, 50, "1")
        return page.paginator.count, list(page)

    customer_page()
    cpu = time.process_time()
    times = sorted(repeat(customer_page, 200))
    cpu = (time.process_time() - cpu) / 200 * 1000
    p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99) - 1]
    print(
        f"  FIGURE customer list (manager, page of 50 + capped count over {n_customers:,}): "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms (goal p50 ≤ 5, p99 ≤ 25); "
        f"{cpu:.1f} ms CPU of this process per page (load average {os.getloadavg()[0]:.1f})"
    )
    visible_count = customer_queries.list_customers(viewer=manager).count()
    times = sorted(repeat(lambda: customer_queries.list_customers(viewer=manager).count(), 50))
    print(
        f"  (an exact count of the {visible_count:,} customers the manager sees: "
        f"p50 {times[25]:.1f} ms)"
    )
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(manager)
    client.get("/customers/")
    times = sorted(repeat(lambda: client.get("/customers/"), 100))
    print(
        f"  customer list page (full request, template): p50 {times[50]:.1f} ms, "
        f"p99 {times[98]:.1f} ms"
    )
    qs = customer_queries.list_customers(viewer=manager, fields=customer_views.INDEX_FIELDS)
    sql, params = qs[:50].query.sql_with_params()
    print("  plan of the page:\n" + plan(sql, params))
    sql, params = qs.order_by()[:1001].values("pk").query.sql_with_params()
    print("  plan of the capped count's rows:\n" + plan(sql, params))


if __name__ == "__main__":
    main()
