"""Budget vs spend (issue 21, A8): 500 people × 12 months of expense budgets against 1M expense
records, in a throwaway database.

    .venv/bin/python bench/bench_expenses.py [--people 500] [--records 1000000] [--runs 15]
    DATABASE_URL is ignored; --db postgres uses postgres://postgres@127.0.0.1:5432/bench_expenses

It builds: the demo org, ``--people`` salespeople, an approved plan with one expense-budget
target per person and month (plus a year cell per person above them, so the budget reader has
to pick the month cells), one approved claim per person and month holding ``--records``
records in all, and the approved-spending rollup (``SpendRollup``) derived from them as finance
approval keeps it. It then times ``expenses.queries.budget_vs_spend`` for the director (by
person and by unit), a team lead, the expense-budget actuals analytics reads by person, and,
for comparison, the same sums straight from the records, and prints the query plans. It checks
that the report's spend equals the records' sum.
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
YEAR = 2026


def setup_env(db: str, reuse: bool = False) -> None:
    var = Path(f"/tmp/expenses-bench-{db}")  # noqa: S108 - a throwaway benchmark database
    var.mkdir(parents=True, exist_ok=True)
    os.environ["SALESCOPE_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "salescope.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    if reuse:
        if db == "postgres":
            os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/bench_expenses"
        return
    if db == "postgres":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS bench_expenses")
            c.execute("CREATE DATABASE bench_expenses")
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/bench_expenses"
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{var}/salescope.sqlite3{suffix}").unlink(missing_ok=True)
        os.environ.pop("DATABASE_URL", None)


def median_ms(fn, runs: int) -> tuple[float, float, float]:
    """Median and worst wall milliseconds, and the median of this process's CPU milliseconds
    (the machine is shared: the rest of the wall time is waiting for a core)."""
    times, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(times), max(times), statistics.median(cpus)


def build(people: int, records: int, rng: random.Random):
    from django.db import connection, transaction

    from salescope.expenses.models import Claim, Expense, ExpenseCategory, SpendRollup
    from salescope.org import demo
    from salescope.org.choices import Role, UnitKind
    from salescope.org.models import OrgUnit, User
    from salescope.plans.models import Plan, Target

    demo.load(lambda _line: None)
    teams = list(OrgUnit.objects.unrestricted().filter(kind=UnitKind.TEAM).order_by("path"))
    User.objects.bulk_create(
        [
            User(
                username=f"xb{j:04d}",
                full_name=f"业务员{j}",
                role=Role.SALESPERSON,
                unit=teams[j % len(teams)],
                password="!",  # noqa: S106 - unusable password marker
            )
            for j in range(people)
        ]
    )
    sellers = list(User.objects.unrestricted().filter(username__startswith="xb").order_by("pk"))
    director = User.objects.unrestricted().get(username="liuyang")
    hq = OrgUnit.objects.unrestricted().get(code="HQ")
    months = [dt.date(YEAR, m, 1) for m in range(1, 13)]
    month_ends = [
        (m.replace(month=m.month + 1) if m.month < 12 else dt.date(YEAR + 1, 1, 1))
        - dt.timedelta(days=1)
        for m in months
    ]
    plan = Plan.objects.create(
        name="费用预算",
        fiscal_year=YEAR,
        period_start=months[0],
        period_end=dt.date(YEAR, 12, 31),
        scope_unit=hq,
        owner=director,
        status="approved",
    )
    cells = []
    budgets = {}
    for person in sellers:
        monthly = rng.randint(8_000_00, 15_000_00)
        cells.append(
            Target(
                plan=plan,
                metric="expense_budget",
                unit_id=person.unit_id,
                person=person,
                period_start=months[0],
                period_end=dt.date(YEAR, 12, 31),
                grain="year",
                value=monthly * 12,
                is_leaf=False,
            )
        )
        for month, end in zip(months, month_ends, strict=True):
            budgets[(person.pk, month)] = monthly
            cells.append(
                Target(
                    plan=plan,
                    metric="expense_budget",
                    unit_id=person.unit_id,
                    person=person,
                    period_start=month,
                    period_end=end,
                    grain="month",
                    value=monthly,
                )
            )
    Target.objects.bulk_create(cells, batch_size=2000)
    category = ExpenseCategory.objects.unrestricted().get(code="travel")
    with transaction.atomic():
        Claim.objects.bulk_create(
            [
                Claim(
                    claimant=p,
                    unit_id=p.unit_id,
                    title=f"{m:%Y-%m}",
                    status="approved",
                    total_fen=0,
                )
                for p in sellers
                for m in months
            ],
            batch_size=2000,
        )
        claim_of = {
            (c, t): pk
            for pk, c, t in Claim.objects.unrestricted().values_list("pk", "claimant_id", "title")
        }
        table = Expense._meta.db_table
        columns = (
            "person_id, category_id, spent_on, month, amount_fen, note, claim_id, created_at, "
            "version"
        )
        sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, '', %s, %s, 1)"  # noqa: S608
        now = dt.datetime.now(dt.UTC)
        batch = []
        total = 0
        with connection.cursor() as cursor:
            for i in range(records):
                person = sellers[i % len(sellers)]
                month = months[(i // len(sellers)) % 12]
                day = month + dt.timedelta(days=rng.randint(0, 27))
                fen = rng.randint(10_00, 110_00)
                total += fen
                claim = claim_of[(person.pk, f"{month:%Y-%m}")]
                batch.append((person.pk, category.pk, day, month, fen, claim, now))
                if len(batch) >= 50_000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
        # The rollup as finance approval keeps it: one row per person and month.
        rollup = SpendRollup._meta.db_table
        cursor = connection.cursor()
        cursor.execute(
            f"INSERT INTO {rollup} (person_id, month, amount_fen, records) "  # noqa: S608
            f"SELECT person_id, month, SUM(amount_fen), COUNT(*) FROM {table} "
            "GROUP BY person_id, month"
        )
    if connection.vendor == "sqlite":
        connection.cursor().execute("ANALYZE")
    else:
        connection.cursor().execute("ANALYZE")
    return sellers, director, total, budgets


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--reuse", action="store_true", help="time the database built last")
    args = parser.parse_args()
    setup_env(args.db, reuse=args.reuse)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Sum

    call_command("migrate", verbosity=0)
    from salescope.analytics import manual
    from salescope.expenses import queries
    from salescope.expenses.models import Expense, SpendRollup
    from salescope.org.models import User

    start = time.perf_counter()
    if args.reuse:
        director = User.objects.unrestricted().get(username="liuyang")
        total = int(Expense.objects.unrestricted().aggregate(t=Sum("amount_fen"))["t"] or 0)
        budgets = {}
    else:
        sellers, director, total, budgets = build(args.people, args.records, random.Random(21))
    count = Expense.objects.unrestricted().count()
    print(
        f"{'reused' if args.reuse else 'built'} {count:,} records"
        f" in {time.perf_counter() - start:.1f} s ({args.db})"
    )
    date_from, date_to = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    report = queries.budget_vs_spend(
        viewer=director, date_from=date_from, date_to=date_to, by="person"
    )
    spend = sum(row.spend for row in report.rows)
    budget = sum(row.budget for row in report.rows)
    over = sum(1 for row in report.rows if row.over)
    assert spend == total, (spend, total)
    assert not budgets or budget == sum(budgets.values()), (budget, sum(budgets.values()))
    print(
        f"report: {len(report.rows)} rows × {len(report.months)} months, spend {spend / 100:,.2f}"
        f" = the records' sum, budget {budget / 100:,.2f}, {over} people over budget"
    )
    lead = User.objects.unrestricted().get(username="lina")

    def show(label, fn):
        median, worst, cpu = median_ms(fn, args.runs)
        print(f"  {label:<56} median {median:6.1f} ms (CPU {cpu:6.1f})  max {worst:6.1f} ms")

    show(
        "budget vs spend, director, by person (500 × 12)",
        lambda: queries.budget_vs_spend(
            viewer=director, date_from=date_from, date_to=date_to, by="person"
        ),
    )
    show(
        "budget vs spend, director, by unit",
        lambda: queries.budget_vs_spend(
            viewer=director, date_from=date_from, date_to=date_to, by="unit"
        ),
    )
    show(
        "budget vs spend, team lead (one team)",
        lambda: queries.budget_vs_spend(
            viewer=lead, date_from=date_from, date_to=date_to, by="person"
        ),
    )
    show(
        "expense-budget actuals by person × month (analytics)",
        lambda: manual.manual_actuals(
            viewer=director,
            metric="expense_budget",
            date_from=date_from,
            date_to=date_to,
            group_by=("salesperson", "month"),
        ),
    )
    raw = (
        Expense.objects.unrestricted()
        .filter(claim__status__in=["approved", "paid"], month__gte=date_from, month__lte=date_to)
        .values_list("person_id", "month")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    if args.records <= 100_000 or os.environ.get("BENCH_RAW"):
        show("for comparison: the same sums from the records", lambda: list(raw.all()))
    rollup = (
        SpendRollup.objects.unrestricted()
        .filter(month__gte=date_from, month__lte=date_to)
        .values_list("person_id", "month", "amount_fen")
    )
    print(f"plan of the rollup read ({connection.vendor}):\n{rollup.explain()}")


if __name__ == "__main__":
    main()
