"""The receivables ageing over 1M open invoices of 100k customers (issue 20 item 9: ≤ 1 s).

    .venv/bin/python bench/bench_ageing.py --db sqlite [--scale 1.0] [--reuse]
    .venv/bin/python bench/bench_ageing.py --db postgres --name wt_me [--scale 1.0] [--reuse]

Builds the master data (500 people, 100k customers) and 1M open invoices (bench_ledger's
generators), then times ``ledger.queries.receivables_ageing`` as its callers ask it: the
receivables page (by customer, its first 200 rows), the API (by customer, a page of 500 rows;
by owner; the total), for the administrator and for a regional manager. Each figure is the
median of 5 calls, wall and CPU time of this process (and on PostgreSQL the backend's CPU),
with the load average. The result is checked against an independent computation: every open
invoice read row by row and bucketed in Python (``rules.buckets``), to the fen, for each row
shown and for the totals. ``--reuse`` keeps a database the last run built (same scale).
"""

# ruff: noqa: S108, S608 - a throwaway database under /tmp, generated SQL of our own numbers

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

AS_OF = dt.date(2025, 12, 31)


def setup(db: str, name: str, reuse: bool) -> bool:
    """Environment for the database ``name``; True if a previous run's data is kept."""
    var = Path(f"/tmp/{name}-{db}")
    var.mkdir(parents=True, exist_ok=True)
    os.environ["SALESCOPE_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "salescope.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    if db == "postgres":
        import psycopg

        server = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
        os.environ["DATABASE_URL"] = f"{server}/{name}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as c:
            exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if reuse and exists:
                return True
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
        return False
    os.environ.pop("DATABASE_URL", None)
    if reuse and (var / "salescope.sqlite3").exists():
        return True
    for suffix in ("", "-wal", "-shm"):
        Path(f"{var}/salescope.sqlite3{suffix}").unlink(missing_ok=True)
    return False


def independent(as_of: dt.date, owners: set[int] | None) -> tuple[dict, dict]:
    """Open balance per customer and bucket, from the rows themselves (no SQL aggregation)."""
    from django.db import connection

    from salescope.ledger import rules

    buckets = rules.buckets(rules.DEFAULT_BUCKETS)
    per_customer: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    total: dict[str, int] = defaultdict(int)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT customer_id, owner_id, due_date, amount_fen, paid_fen FROM ledger_invoice "
            "WHERE status = 'open' AND issue_date <= %s",
            [as_of],
        )
        for customer, owner, due, amount, paid in cur.fetchall():
            if owners is not None and owner not in owners:
                continue
            if isinstance(due, str):
                due = dt.date.fromisoformat(due)
            late = (as_of - due).days
            key = rules.bucket_of(late, buckets).key
            balance = amount - paid
            per_customer[customer][key] += balance
            per_customer[customer]["total"] += balance
            total[key] += balance
            total["total"] += balance
    return per_customer, total


def check(report, per_customer, total) -> None:
    from salescope.core.money import from_fen

    keys = [b.key for b in report["buckets"]] + ["total"]
    for key in keys:
        assert report["total"][key] == from_fen(total[key]), (key, report["total"][key])
    assert report["row_count"] == len(per_customer), (report["row_count"], len(per_customer))
    ranked = sorted(per_customer.items(), key=lambda item: (-item[1]["total"], item[0]))
    for row, (customer, sums) in zip(report["rows"], ranked, strict=False):
        assert row["key"] == customer, (row["key"], customer)
        for key in keys:
            assert row[key] == from_fen(sums[key]), (customer, key, row[key], sums[key])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--name", default="bench_ageing", help="database and /tmp/NAME-DB")
    parser.add_argument("--reuse", action="store_true", help="keep the last run's data")
    parser.add_argument("--times", type=int, default=5)
    args = parser.parse_args()
    kept = setup(args.db, args.name, args.reuse)
    import django

    django.setup()
    from bench_ledger import backend_cpu, build_master_data, fill_invoices
    from django.core.management import call_command
    from django.db import connection

    from salescope.ledger import queries
    from salescope.org.models import User
    from salescope.org.visibility import visible

    n_invoices, n_customers = int(1_000_000 * args.scale), int(100_000 * args.scale)
    print(
        f"== bench_ageing on {args.db} ({connection.settings_dict['NAME']}): {n_invoices:,} open "
        f"invoices, {n_customers:,} customers; load average {os.getloadavg()[0]:.1f}"
    )
    call_command("migrate", verbosity=0)
    if not kept:
        start = time.perf_counter()
        _sellers, _prods, custs, _regions, _ = build_master_data(500, n_customers, 10)
        fill_invoices(n_invoices, custs)
        print(f"  built in {time.perf_counter() - start:.0f} s")
    admin = User.objects.unrestricted().get(username="admin")
    manager = User.objects.unrestricted().get(username="wangqiang")
    for viewer in (admin, manager):
        owners = None
        if viewer is manager:
            from salescope.ledger.models import Invoice

            owners = set(
                visible(Invoice.objects.all(), viewer=viewer)
                .values_list("owner_id", flat=True)
                .distinct()
            )
        per_customer, total = independent(AS_OF, owners)
        for group, limit, caller in (
            ("customer", 200, "receivables page"),
            ("customer", 500, "API page"),
            ("owner", None, "API"),
            (None, None, "API total"),
        ):
            page = caller.startswith("receivables")

            def call(g=group, n=limit, v=viewer, page=page):
                # As the callers ask: the page shows the overdue heading, the API does not.
                return queries.receivables_ageing(
                    viewer=v, as_of=AS_OF, group_by=g, limit=n, with_overdue=page
                )

            report = call()
            if group == "customer":
                check(report, per_customer, total)
            times, cpus, dbs = [], [], []
            for _ in range(args.times):
                start, cpu, db = time.perf_counter(), time.process_time(), backend_cpu()
                call()
                times.append((time.perf_counter() - start) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
                if db is not None:
                    dbs.append(((backend_cpu() or 0) - db) * 1000)
            db_text = f" + {statistics.median(dbs):.0f} ms CPU of the backend" if dbs else ""
            print(
                f"  FIGURE ageing {caller}, {viewer.username}, group_by={group}, first {limit} of "
                f"{report['row_count']:,} rows: median {statistics.median(times):.0f} ms wall "
                f"(min {min(times):.0f}), {statistics.median(cpus):.0f} ms CPU of this process"
                f"{db_text} (goal ≤ 1000 ms; load average {os.getloadavg()[0]:.1f})"
            )
    print("  results checked against an independent bucketing of every open invoice")


if __name__ == "__main__":
    main()
