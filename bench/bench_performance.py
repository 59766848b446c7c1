# ruff: noqa: S108, S608 - a throwaway database under /tmp; the SQL holds generated numbers only
"""Evaluation (issue 17, G1–G4): the KPI library for N people × one month over a generated
ledger, visits, collections and orders, and the scorecards computed from it.

    .venv/bin/python bench/bench_performance.py [--db sqlite|postgres] [--people 2000]
        [--lines 10000000] [--visits 1000000] [--scale 1.0] [--runs 3]
        [--name bench_performance] [--reuse]

``--scale`` multiplies the lines, visits, collections and orders (not the people): the full
figure (10M lines, 1M visits, 2,000 people) takes long to generate on a shared machine. The
facts are spread over two years (2023–2024); the month measured is 2024-06. Figures are
server-side Python + SQL time of ``performance.queries.kpi_report`` as the administrator (and
a team lead), and of computing every scorecard of the month (``services.compute_scorecards``)
(every salesperson, one template): wall and this process's CPU time (``time.process_time``;
PostgreSQL's own share shows in the wall time only). Read ``uptime`` beside them.

``--name`` picks the PostgreSQL database and the SQLite var dir (``/tmp/NAME-DB``), so two
people can run it at once. ``--reuse`` keeps the data a previous run with the same people,
lines and visits generated there (generating 10M lines takes long on a shared machine): only
the month's scorecards and the bench's templates are removed, so the first computation is
measured again.
"""

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def fill_visits(total: int, custs) -> None:
    """``total`` visits (80 % done and timed, costs), spread over the two years."""
    from django.db import connection

    pg = connection.vendor == "postgresql"
    if pg:
        seq = f"SELECT generate_series(1, {total}) AS n"
        day = "(DATE '2023-01-01' + (s.n % 730)::int)"
        start = f"({day} + TIME '09:00' + ((s.n % 240) * INTERVAL '1 minute'))"
        end = f"({start} + ((10 + s.n % 90) * INTERVAL '1 minute'))"
        now = "now()"
    else:
        seq = (
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r "
            f"WHERE n < {total}) SELECT n FROM r"
        )
        day = "date('2023-01-01', '+' || (s.n % 730) || ' days')"
        start = f"datetime({day}, '+' || (60 + s.n % 240) || ' minutes')"
        end = f"datetime({day}, '+' || (70 + s.n % 240 + s.n % 90) || ' minutes')"
        now = "datetime('now')"
    done = "CASE WHEN s.n % 5 = 0 THEN 'planned' ELSE 'done' END"
    timed_in = f"CASE WHEN s.n % 5 = 0 THEN NULL ELSE {start} END"
    timed_out = f"CASE WHEN s.n % 5 = 0 THEN NULL ELSE {end} END"
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO activities_visit (owner_id, customer_id, visit_type, purpose,"
            " planned_date, status, from_rule, checked_in_at, checked_out_at, outcome, notes,"
            " cost_fen, order_number, created_at, version) "
            f"SELECT c.sp, c.cid, 'routine', '', {day}, {done}, false, {timed_in}, {timed_out},"
            f" '', '', (s.n % 50) * 100, '', {now}, 1 "
            f"FROM ({seq}) s JOIN bench_cust c ON c.k = (s.n * 7) % {len(custs)}"
        )
        cur.execute(
            "INSERT INTO ledger_collection (number, customer_id, owner_id, date, month,"
            " amount_fen, allocated_fen, method, note) "
            f"SELECT 'RC' || s.n, c.cid, c.sp, {day}, "
            + ("date_trunc('month', " + day + ")::date" if pg else f"date({day}, 'start of month')")
            + f", 1000 * (1 + s.n % 500), 0, '', '' FROM ({seq}) s "
            f"JOIN bench_cust c ON c.k = (s.n * 3) % {len(custs)}"
        )
        cur.execute(
            "INSERT INTO ledger_order (number, customer_id, owner_id, date, status, amount_fen,"
            " hold_reason, release_reason, created_at, version) "
            f"SELECT 'OR' || s.n, c.cid, c.sp, {day}, 'confirmed', 1000, '', '', {now}, 1 "
            f"FROM ({seq}) s JOIN bench_cust c ON c.k = (s.n * 11) % {len(custs)}"
        )
        cur.execute("ANALYZE")


META = "bench_performance_meta"


def reusable(people: int, lines: int, visits: int) -> bool:
    """Whether the database holds what a previous run generated with these sizes."""
    from django.db import connection

    if META not in connection.introspection.table_names():
        return False
    with connection.cursor() as cur:
        cur.execute(f"SELECT people, lines, visits FROM {META}")
        return cur.fetchone() == (people, lines, visits)


def mark_generated(people: int, lines: int, visits: int) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE {META} (people INTEGER, lines BIGINT, visits BIGINT)")
        cur.execute(f"INSERT INTO {META} VALUES (%s, %s, %s)", [people, lines, visits])


def reuse_env(db: str, database: str) -> None:
    """``bench_ledger.setup_env`` without dropping the database."""
    import os

    var = Path(f"/tmp/{database}-{db}")
    var.mkdir(parents=True, exist_ok=True)
    os.environ["SALESCOPE_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "salescope.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    if db == "postgres":
        import psycopg

        server = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
        with psycopg.connect(f"{server}/postgres", autocommit=True) as c:
            found = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if found.fetchone() is None:
                c.execute(f'CREATE DATABASE "{database}"')
        os.environ["DATABASE_URL"] = f"{server}/{database}"
    else:
        os.environ.pop("DATABASE_URL", None)


def forget_scorecards(month: dt.date) -> None:
    """A reused database: remove the month's scorecards and the bench's templates, so the
    first computation is measured again."""
    from salescope.performance.models import Scorecard, ScorecardTemplate

    Scorecard.objects.unrestricted().filter(month=month).delete()
    ScorecardTemplate.objects.unrestricted().filter(name="bench").delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--name", default="bench_performance", help="PostgreSQL database, var dir /tmp/NAME-DB"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data a previous run generated"
    )
    args = parser.parse_args()
    import bench_ledger as ledger_bench

    lines = int(args.lines * args.scale)
    visits = int(args.visits * args.scale)
    if args.reuse:
        reuse_env(args.db, args.name)
    else:
        ledger_bench.setup_env(args.db, database=args.name)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    month = dt.date(2024, 6, 1)
    print(f"{args.db}: {args.people} people, {lines:,} lines, {visits:,} visits")
    if args.reuse and reusable(args.people, lines, visits):
        print("  reusing the data generated before")
        forget_scorecards(month)
    else:
        if args.reuse:  # nothing (or other sizes) there: start afresh
            from django.db import connection

            connection.close()
            ledger_bench.setup_env(args.db, database=args.name)
            call_command("migrate", verbosity=0)
        generate(args.people, lines, visits)
    from salescope.org.models import User
    from salescope.performance import queries

    admin = User.objects.unrestricted().get(username="admin")
    lead = User.objects.unrestricted().get(username="lina")

    def measure(label: str, work) -> None:  # noqa: ANN001
        samples, cpus = [], []
        for _ in range(args.runs):
            start, cpu = time.perf_counter(), time.process_time()
            result = work()
            samples.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
        print(
            f"  {label}: wall median {statistics.median(samples):.2f} s, "
            f"min {min(samples):.2f} s, max {max(samples):.2f} s; "
            f"cpu median {statistics.median(cpus):.2f} s"
        )
        return result

    report = measure(
        f"KPIs, all people × {month:%Y-%m} (admin)",
        lambda: queries.kpi_report(viewer=admin, month=month),
    )
    print(
        f"    rows {len(report.rows)}, visits {report.total.facts.visits:,}, sales fen "
        f"{report.total.facts.sales_fen:,}"
    )
    measure(
        f"KPIs by unit × {month:%Y-%m} (admin)",
        lambda: queries.kpi_report(viewer=admin, month=month, group_by="unit"),
    )
    measure(
        f"KPIs, team lead's people × {month:%Y-%m}",
        lambda: queries.kpi_report(viewer=lead, month=month),
    )
    from salescope.performance import services
    from salescope.performance.models import Scorecard

    services.ensure_default_criteria()
    items = [
        {"kind": "kpi", "code": "sales", "weight": 40, "rule": "capped", "target": "2000"},
        {
            "kind": "kpi",
            "code": "visits_per_day",
            "weight": 20,
            "rule": "threshold",
            "target": "1",
            "threshold": "0.1",
        },
        {"kind": "kpi", "code": "cost_per_visit", "weight": 10, "rule": "capped", "target": "20"},
        {
            "kind": "kpi",
            "code": "lost_customers",
            "weight": 10,
            "rule": "bands",
            "bands": [["0", "100"], ["2", "60"]],
        },
        {"kind": "rating", "code": "teamwork", "weight": 20, "rule": "linear"},
    ]
    draft = services.create_template(
        actor=admin, name="bench", role="salesperson", effective_from=month, items=items
    )
    template = services.publish_template(
        actor=admin, template=draft, expected_version=1, today=month - dt.timedelta(days=1)
    )
    start, cpu = time.perf_counter(), time.process_time()
    counts = services.compute_scorecards(actor=admin, template=template, month=month)
    print(
        f"  scorecards computed (first time, writes every card): "
        f"wall {time.perf_counter() - start:.2f} s, cpu {time.process_time() - cpu:.2f} s "
        f"{counts}"
    )
    measure(
        "scorecards recomputed, unchanged month (writes nothing)",
        lambda: services.compute_scorecards(actor=admin, template=template, month=month),
    )
    cards = Scorecard.objects.unrestricted().filter(month=month).count()
    print(f"    scorecards in the month: {cards}")


def generate(people: int, lines: int, visits: int) -> None:
    import bench_ledger as ledger_bench

    sellers, prods, custs, person_region, _regions = ledger_bench.build_master_data(
        people, max(people * 25, 1000), 2000
    )
    ledger_bench.timed(
        "generate lines", ledger_bench.fill_ledger, lines, custs, prods, person_region
    )
    ledger_bench.timed("generate visits, collections, orders", fill_visits, visits, custs)
    from salescope.ledger import rollups

    ledger_bench.timed("rebuild rollups", rollups.rebuild_all)
    from django.db import connection

    if connection.vendor == "postgresql":
        # The rollups were written after the ANALYZE of the generation: without statistics
        # the planner guessed 29 rows of the customer rollup for 100k and sorted them on disk
        # (autovacuum would analyze them in time; the bench does not wait for it).
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    mark_generated(people, lines, visits)


if __name__ == "__main__":
    main()
