"""Benchmark of org.visibility on the real lists (issues 3 and 20). Generates its own data into a
throwaway database.

    .venv/bin/python bench/bench_visibility.py --db sqlite   [--scale 1.0] [--runs 30]
    .venv/bin/python bench/bench_visibility.py --db postgres [--scale 1.0] [--runs 30]

At --scale 1: an organisation of 2,000 people in 300 units (company → 6 regions → branches →
teams), 100,000 customers and 1,000,000 sales lines owned by its salespeople. For viewers at
each level — a salesperson, a team lead, a branch manager, a regional manager, the sales
director — it times the two long lists as their pages ask for them, in the pages' orders:
customers by code and sales lines newest first (date, then id), each a page of 50 and the
pager's capped count (``core.paging``). It asserts that each list takes at most four queries
whatever the viewer's share of the table (the count and the page; for anyone not company-wide,
one read of what they manage, resolved to ids so the planner sees the real selectivity; on
SQLite, for a manager, the head count that decides whether to walk the table in its order), and
prints the plans of the team lead's and the regional manager's.
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

PAGE = 50


def setup_env(db: str, *, reuse: bool = False, name: str = "bench_org") -> None:
    var = Path(f"/tmp/{name}-{db}")  # noqa: S108 - a throwaway benchmark database
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
                c.execute(f'DROP DATABASE IF EXISTS "{name}"')
                c.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    elif not reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{var}/salescope.sqlite3{suffix}").unlink(missing_ok=True)


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


def fill_customers_and_lines(sellers: list[int], customers: int, lines: int) -> float:
    """``customers`` customers and ``lines`` sales lines, each owned by a random salesperson
    (200 products in 12 categories; the lines' customers and products drawn at random)."""
    from django.db import connection

    from salescope.catalog.models import Brand, Category, Product
    from salescope.customers.models import Customer
    from salescope.ledger.models import SalesLine
    from salescope.org.models import OrgUnit

    rng = random.Random(7)
    start = time.perf_counter()
    categories = [Category.objects.create(code=f"BC{i}", name=f"类{i}") for i in range(12)]
    brands = [Brand.objects.create(code=f"BB{i}", name=f"牌{i}") for i in range(6)]
    Product.objects.bulk_create(
        [
            Product(sku=f"BSKU{i}", name=f"品{i}", category=categories[i % 12], brand=brands[i % 6])
            for i in range(200)
        ]
    )
    products = list(
        Product.objects.unrestricted().values_list("pk", "brand_id", "category_id").order_by("pk")
    )
    region = OrgUnit.objects.unrestricted().get(code="R0")
    Customer.objects.bulk_create(
        [
            Customer(
                code=f"K{i:06d}",
                name=f"客户{i}",
                name_normalized=f"客户{i}",
                owner_id=sellers[rng.randrange(len(sellers))],
                kind="dealer" if i % 5 == 0 else "end_customer",
            )
            for i in range(customers)
        ],
        batch_size=5000,
    )
    custs = list(Customer.objects.unrestricted().values_list("pk", flat=True))
    table = SalesLine._meta.db_table
    columns = (
        "line_key, line_id, document, date, month, kind, customer_id, product_id, brand_id,"
        " category_id, salesperson_id, region_id, channel, sale_location, quantity_milli,"
        " unit_price_fen, amount_fen, cost_fen, gross_profit_fen, discount_fen, cross_territory"
    )
    batch = 50_000
    with connection.cursor() as cursor:
        for offset in range(0, lines, batch):
            chunk = []
            for n in range(offset, min(lines, offset + batch)):
                day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(365))
                amount = rng.randint(100, 1_000_000)
                product, brand, category = products[rng.randrange(len(products))]
                chunk.append(
                    (f"L{n}", f"L{n}", "", day, day.replace(day=1), "sell_in",
                     custs[rng.randrange(len(custs))], product, brand, category,
                     sellers[rng.randrange(len(sellers))], region.pk, "", "", 1000, amount,
                     amount, amount // 2, amount - amount // 2, 0, False)
                )  # fmt: skip
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * 21)
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
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


def main() -> None:  # noqa: PLR0915 - a benchmark script reads top to bottom
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--reuse", action="store_true", help="measure the data of the last run again"
    )
    parser.add_argument(
        "--name", default="bench_org", help="PostgreSQL database and var dir /tmp/NAME-DB"
    )
    args = parser.parse_args()
    setup_env(args.db, reuse=args.reuse, name=args.name)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from salescope.core.paging import capped_page
    from salescope.customers import queries as customer_queries
    from salescope.customers import views as customer_views
    from salescope.ledger import queries as ledger_queries
    from salescope.ledger.models import SalesLine
    from salescope.org.choices import Role
    from salescope.org.models import User

    people = max(50, int(2000 * args.scale))
    units = max(20, int(300 * args.scale))
    customers = max(1_000, int(100_000 * args.scale))
    lines = max(10_000, int(1_000_000 * args.scale))
    print(
        f"Database: {connection.vendor}; {people} people, {units} units, {customers:,} customers,"
        f" {lines:,} sales lines"
    )
    if args.reuse:
        org = existing_org()
        lines = SalesLine.objects.unrestricted().count()
        print(f"  reusing the data of the last run: {lines:,} lines")
    else:
        call_command("migrate", verbosity=0)
        org = build_org(people, units)
        sellers = list(
            User.objects.unrestricted()
            .filter(role=Role.SALESPERSON, username__startswith="s")
            .values_list("pk", flat=True)
        )
        loaded = fill_customers_and_lines(sellers, customers, lines)
        print(f"  loaded {customers:,} customers and {lines:,} lines in {loaded:.1f} s")

    managers = org["managers"]
    index = {u.pk: i for i, u in enumerate(org["all_units"])}

    def manager_of(unit):  # noqa: ANN001, ANN202
        return managers[f"m{index[unit.pk]:04d}"]

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

    def customer_list(viewer):  # noqa: ANN001, ANN202 - the customer page's two queries
        qs = customer_queries.list_customers(viewer=viewer, fields=customer_views.INDEX_FIELDS)
        page = capped_page(qs, PAGE, "1")
        return page.paginator.count, list(page)

    def line_list(viewer):  # noqa: ANN001, ANN202 - the sales-line page's two queries
        page = capped_page(ledger_queries.list_lines(viewer=viewer), PAGE, "1")
        return page.paginator.count, list(page)

    lists = [("customers by code", customer_list), ("lines newest first", line_list)]
    results: dict[tuple[str, str], tuple[float, float]] = {}
    queries_taken: dict[str, set[int]] = {name: set() for name, _fn in lists}
    for label, viewer in viewers:
        viewer = User.objects.unrestricted().get(pk=viewer.pk)  # as a request would load it
        print(f"\n{label}:")
        for name, fn in lists:
            fn(viewer)  # once: a running server has its caches (content types) loaded
            with CaptureQueriesContext(connection) as captured:
                count, rows = fn(viewer)
            queries_taken[name].add(len(captured))
            shown = f"{count:,}" if count <= 1000 else "1,000+"
            print(f"  {name}: sees {shown}; first page {len(rows)} rows; {len(captured)} queries")
            cpu = time.process_time()
            results[label, name] = measure(
                f"{name}: page of {PAGE} + capped count", lambda v=viewer, f=fn: f(v), args.runs
            )
            cpu = (time.process_time() - cpu) / (args.runs + 1) * 1000
            print(f"  {'':<58} {cpu:7.2f} ms CPU of this process per list")
        if label in ("team lead", "regional manager"):
            customers_qs = customer_queries.list_customers(
                viewer=viewer, fields=customer_views.INDEX_FIELDS
            )
            lines_qs = ledger_queries.list_lines(viewer=viewer)
            for name, qs in (("customers", customers_qs), ("lines", lines_qs)):
                print(f"  plan of the {name} page:")
                print(explain(qs[:PAGE]))
                print(f"  plan of the {name} capped count's rows:")
                print(explain(qs.order_by()[:1001].values("pk")))

    # The claim the docstring makes: a bounded number of queries whatever the viewer's share.
    for name, taken in queries_taken.items():
        assert max(taken) <= 4, f"{name}: {sorted(taken)} queries (want the count and the page,"
        " the viewer's reach in the org and, on SQLite, the head count)"
    print(f"\nQueries per list, over the viewers: {dict(queries_taken)}. Load {os.getloadavg()}")
    print("Summary (page of 50 + capped count, median / p95 ms):")
    for (label, name), (median, p95) in results.items():
        print(f"  {label:<32} {name:<20} {median:7.2f} / {p95:7.2f}")


if __name__ == "__main__":
    main()
