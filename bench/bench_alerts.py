"""Benchmark of the early warnings (B2, issue 18): every warning kind evaluated over a large
generated ledger. Generates its own data into a throwaway database.

    .venv/bin/python bench/bench_alerts.py --db sqlite [--scale 1.0]
    .venv/bin/python bench/bench_alerts.py --db postgres [--scale 1.0] [--name bench_alerts]
    .venv/bin/python bench/bench_alerts.py --db sqlite --scale 1.0 --reuse

--reuse keeps the generated data: the first run saves a pristine copy (SQLite: the database
file beside it, ``salescope.sqlite3.pristine``; PostgreSQL: the database ``NAME_pristine``) and
later runs start from a fresh copy of it instead of generating again (a copy of the same scale).

At --scale 1: 10M sales lines over two years, 1M invoices, 100k customers (tiers A/B/C, a
fifth with a credit limit), 500 people, 300k visits, confirmed orders, 窜货 lines. Times each
check on its own (read + rule, no writes), then the whole evaluation twice: the first run raises
every warning and sends the inbox messages, the second is the daily steady state (refresh).
The goal: every kind over 10M lines, 1M invoices, 100k customers ≤ 30 s.
"""

# ruff: noqa: S608 - generated SQL of our own numbers

import argparse
import datetime as dt
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_ledger import (  # noqa: E402 - after the path is set
    build_master_data,
    fill_invoices,
    fill_ledger,
    setup_env,
)

AS_OF = dt.date(2025, 1, 10)  # the generated lines run 2023-01-01 … 2024-12-31


def timed(label: str, fn, *args, **kwargs):  # noqa: ANN001, ANN201
    start, cpu = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    elapsed, used = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"  {label}: {elapsed:.2f} s wall, {used:.2f} s CPU of this process "
        f"(load average {os.getloadavg()[0]:.1f})",
        flush=True,
    )
    return result, elapsed


def shape_data(n_customers: int, n_visits: int) -> None:
    """Tiers, credit limits, visits, confirmed orders, overdue invoices and 窜货 lines."""
    from django.db import connection

    from salescope.activities.models import CoverageRule

    pg = connection.vendor == "postgresql"
    shift = "due_date - 200" if pg else "date(due_date, '-200 days')"
    shift_issue = "issue_date - 200" if pg else "date(issue_date, '-200 days')"
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE customers_customer SET tier = CASE id % 10 WHEN 0 THEN 'A' WHEN 1 THEN 'B'"
            " WHEN 2 THEN 'B' WHEN 3 THEN 'C' ELSE '' END,"
            " credit_limit_fen = CASE WHEN id % 5 = 0 THEN 150000 ELSE NULL END"
        )
        cur.execute(f"UPDATE ledger_invoice SET due_date = {shift}, issue_date = {shift_issue}")
        # A fiftieth of the customers stopped buying in September (lost), a thirtieth bought
        # nothing in December (a sudden drop).
        sept, dec = (
            ("DATE '2024-09-01'", "DATE '2024-12-01'") if pg else ("'2024-09-01'", "'2024-12-01'")
        )
        cur.execute(f"DELETE FROM ledger_salesline WHERE customer_id % 50 = 0 AND date >= {sept}")
        cur.execute(f"DELETE FROM ledger_salesline WHERE customer_id % 30 = 1 AND month = {dec}")
        late = "DATE '2024-10-01'" if pg else "'2024-10-01'"
        flag = "true" if pg else "1"
        cur.execute(
            f"UPDATE ledger_salesline SET cross_territory = {flag}, kind = 'sell_through',"
            f" sale_location = '杭州' WHERE date >= {late} AND id % 997 = 0"
        )
        if pg:
            seq = f"SELECT generate_series(1, {n_visits}) AS n"
            day = "(DATE '2024-06-01' + (s.n % 220)::int)"
        else:
            seq = (
                "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r "
                f"WHERE n < {n_visits}) SELECT n FROM r"
            )
            day = "date('2024-06-01', '+' || (s.n % 220) || ' days')"
        cur.execute(
            "INSERT INTO activities_visit (owner_id, customer_id, visit_type, purpose,"
            " planned_date, status, from_rule, notes, cost_fen, order_number, created_at,"
            " version, outcome) "
            f"SELECT c.owner_id, c.id, 'routine', '', {day}, 'done', {flag}, '', 0, '',"
            f" CURRENT_TIMESTAMP, 1, '' FROM ({seq}) s JOIN customers_customer c"
            f" ON c.id = (SELECT MIN(id) FROM customers_customer) + (s.n * 7) % {n_customers}"
        )
        cur.execute(
            "INSERT INTO ledger_order (number, customer_id, owner_id, date, status, amount_fen,"
            " hold_reason, release_reason, created_at, version) "
            "SELECT 'SO' || id, id, owner_id, '2025-01-05', 'confirmed', 300000, '', '',"
            " CURRENT_TIMESTAMP, 1 FROM customers_customer WHERE id % 7 = 0"
        )
        cur.execute("ANALYZE")
    CoverageRule.objects.bulk_create(
        [
            CoverageRule(tier="A", visits=4, period="month"),
            CoverageRule(tier="B", visits=1, period="month"),
            CoverageRule(tier="C", visits=1, period="week"),
        ]
    )


def _pristine(db: str, name: str, scale: float) -> Path | str:
    return (
        Path(f"/tmp/{name}-{db}/salescope.sqlite3.pristine-{scale}")  # noqa: S108 - bench data
        if db == "sqlite"
        else f"{name}_pristine_{str(scale).replace('.', '_')}"
    )


def restore(db: str, name: str, scale: float) -> bool:
    """Start from the saved copy of generated data at this scale, if there is one."""
    pristine = _pristine(db, name, scale)
    if db == "sqlite":
        assert isinstance(pristine, Path)
        if not pristine.exists():
            return False
        var = pristine.parent
        os.environ["SALESCOPE_VAR_DIR"] = str(var)
        os.environ["DJANGO_SETTINGS_MODULE"] = "salescope.settings"
        os.environ["LOG_LEVEL"] = "WARNING"
        os.environ.pop("DATABASE_URL", None)
        for suffix in ("-wal", "-shm"):
            Path(f"{var}/salescope.sqlite3{suffix}").unlink(missing_ok=True)
        shutil.copyfile(pristine, var / "salescope.sqlite3")
        return True
    import psycopg

    server = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [pristine]).fetchone():
            return False
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')
        c.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pristine}"')
    os.environ["SALESCOPE_VAR_DIR"] = f"/tmp/{name}-{db}"  # noqa: S108 - bench data
    os.environ["DJANGO_SETTINGS_MODULE"] = "salescope.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DATABASE_URL"] = f"{server}/{name}"
    return True


def save(db: str, name: str, scale: float) -> None:
    """Keep a copy of the freshly generated data for later ``--reuse`` runs."""
    from django.db import connection

    pristine = _pristine(db, name, scale)
    if db == "sqlite":
        assert isinstance(pristine, Path)
        with connection.cursor() as cur:
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        shutil.copyfile(pristine.parent / "salescope.sqlite3", pristine)
        return
    import psycopg

    connection.close()
    server = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{pristine}"')
        c.execute(f'CREATE DATABASE "{pristine}" TEMPLATE "{name}"')


def each_check() -> None:
    """Each kind's read and rule on its own (the raiser collects; nothing is written)."""
    from django.db import transaction

    from salescope.analytics import alert_checks, services

    limits = alert_checks.thresholds()
    print("  plan of the sales-history read:")
    print("   ", alert_checks.customer_history_query(AS_OF, limits).explain())
    checks = {
        "sudden drop (customers, people) + customer lost": alert_checks.check_sales_history,
        "no visits": alert_checks.check_visits,
        "overdue receivable": alert_checks.check_receivables,
        "credit limit breached": alert_checks.check_credit,
        "cross-territory sale": alert_checks.check_cross_territory,
    }
    for label, check in checks.items():
        with transaction.atomic():
            result = services.Evaluation()
            raiser = services._Raiser(result)  # noqa: SLF001 - the evaluator's own collector
            customers = alert_checks.Customers()
            timed(label, check, raiser, customers, AS_OF, limits)
            print(f"    found {result.raised:,} (unrouted {result.unrouted})")
            transaction.set_rollback(True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--name", default="bench_alerts")
    parser.add_argument("--reuse", action="store_true", help="start from the saved copy")
    args = parser.parse_args()
    s = args.scale
    reused = args.reuse and restore(args.db, args.name, s)
    if not reused:
        setup_env(args.db, args.name)
    import django

    django.setup()
    from django.conf import settings

    # Generated amounts are small (≈ 1,000 yuan a customer-month): a drop is worth a warning
    # from 100 yuan of expectation here (the default is 10,000).
    settings.SALESCOPE_ALERT_THRESHOLDS = {"drop_min_expected_fen": 100_00}
    from django.core.management import call_command
    from django.db import connection

    from salescope.analytics import services
    from salescope.analytics.models import Alert
    from salescope.ledger import rollups
    from salescope.notifications.models import Notification

    n_lines, n_invoices, n_customers = int(10_000_000 * s), int(1_000_000 * s), int(100_000 * s)
    n_visits = int(300_000 * s)
    print(
        f"== bench_alerts on {args.db}, scale {s}: lines {n_lines:,}, invoices "
        f"{n_invoices:,}, customers {n_customers:,}, visits {n_visits:,}, as of {AS_OF}"
    )
    call_command("migrate", verbosity=0)
    if reused:
        print("  data: the saved copy of an earlier run at this scale")
    else:
        (_sellers, prods, custs, person_region, _regions), _ = timed(
            "master data", build_master_data, 500, n_customers, 2000
        )
        timed("fill ledger", fill_ledger, n_lines, custs, prods, person_region)
        timed("fill invoices", fill_invoices, n_invoices, custs)
        timed("shape data", shape_data, n_customers, n_visits)
        timed("rollups", rollups.rebuild_all)
        if args.reuse:
            timed("save a copy for --reuse", save, args.db, args.name, s)
    connection.close()
    from django.urls import reverse

    reverse("analytics:inbox")  # the URLconf is imported once per process, not per warning
    print("-- each check (read + rule)")
    each_check()
    print("-- whole evaluation")
    first, t1 = timed("first run (raise all, inbox)", services.evaluate_alerts, as_of=AS_OF)
    print(f"    {first.as_dict()} new by kind {first.by_kind} unrouted {first.unrouted}")
    print(
        f"    alerts {Alert.objects.unrestricted().count():,}, inbox messages "
        f"{Notification.objects.unrestricted().count():,}"
    )
    second, t2 = timed("second run (daily refresh)", services.evaluate_alerts, as_of=AS_OF)
    print(f"    {second.as_dict()}")
    later = AS_OF + dt.timedelta(days=1)
    third, t3 = timed("next day", services.evaluate_alerts, as_of=later)
    print(f"    {third.as_dict()}")
    print(f"== goal ≤ 30 s: first {t1:.1f} s, steady {t2:.1f} s, next day {t3:.1f} s")


if __name__ == "__main__":
    main()
