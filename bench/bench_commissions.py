"""Commission statements for N people × one month (issue 17: 2,000 people ≤ 2 s).

A throwaway database (SQLite under /tmp, or ``DATABASE_URL``) with a company of ``--people``
salespeople in teams of 100, a sales plan decomposed to person × month, sales rollups (three
categories a person) for the month, ``--void`` invoices written off in the month before, and
one approved commission plan on sales for the whole company. Then, timed:

* the first computation (every statement created, with clawbacks);
* recomputing the unchanged month (must write nothing);
* recomputing after the month's sales changed for everyone (every draft updated).

    .venv/bin/python bench/bench_commissions.py [--people 2000] [--void 200]

Figures are server-side Python + SQL time of ``commissions.services.compute_statements``:
wall and this process's CPU time (``time.process_time``; on PostgreSQL the server's share is
in the wall time only). The machine is shared: read ``uptime`` beside them.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PERIOD = dt.date(2026, 11, 1)


def _setup() -> None:
    if not os.environ.get("DATABASE_URL"):
        var = Path("/tmp/commissions-bench")  # noqa: S108 - a throwaway benchmark database
        var.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{var}/salescope.sqlite3{suffix}").unlink(missing_ok=True)
        os.environ["SALESCOPE_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "salescope.settings"
    import django

    django.setup()
    from django.core.management import call_command

    if os.environ.get("DATABASE_URL"):
        call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", verbosity=0)


def _company(people: int, rng: random.Random):  # noqa: ANN202
    from salescope.org import services as org
    from salescope.org.choices import Role, UnitKind

    admin_unit = org.create_unit(actor=None, name="总部", code="HQ", kind=UnitKind.COMPANY)
    director = org.create_person(
        actor=None, username="director", full_name="总监", role=Role.SALES_DIRECTOR, unit=admin_unit
    )
    staff = []
    for team_index in range((people + 99) // 100):
        team = org.create_unit(
            actor=None,
            name=f"销售{team_index + 1}组",
            code=f"T{team_index:03d}",
            kind=UnitKind.TEAM,
            parent=admin_unit,
        )
        for i in range(min(100, people - team_index * 100)):
            staff.append(
                org.create_person(
                    actor=None,
                    username=f"p{team_index:03d}{i:02d}",
                    full_name=f"业务员{team_index}-{i}",
                    unit=team,
                )
            )
    return admin_unit, director, staff


def _sales_plan(director, company):  # noqa: ANN001, ANN202
    from salescope.plans import services as plans
    from salescope.plans.choices import Axis, Metric
    from salescope.plans.services import Step

    plan = plans.create_plan(actor=director, name="2026", fiscal_year=2026, scope_unit=company)
    root = plans.set_plan_target(
        actor=director, plan=plan, metric=Metric.SALES_AMOUNT, value=2_400_000_000_00
    )
    plans.decompose_target(
        actor=director, target=root, steps=[Step(Axis.ORG), Step(Axis.ORG), Step(Axis.MONTH)]
    )
    return plan


def _facts(staff, rng: random.Random, void: int) -> None:  # noqa: ANN001
    from salescope.customers.models import Customer
    from salescope.ledger import rollups
    from salescope.ledger.models import Invoice, SalesRollup

    rows = [
        SalesRollup(
            month=PERIOD,
            kind="sell_in",
            salesperson=person,
            category_id=category,
            amount_fen=rng.randint(0, 80_000_00),
            lines=10,
        )
        for person in staff
        for category in (1, 2, 3)
    ]
    SalesRollup.objects.bulk_create(rows, batch_size=2000)
    rollups.refresh_coarser()
    customer = Customer.objects.create(code="C1", name="客户", owner=staff[0])
    october = dt.date(2026, 10, 1)
    Invoice.objects.bulk_create(
        [
            Invoice(
                number=f"V{i}",
                customer=customer,
                owner=staff[i % len(staff)],
                issue_date=october,
                due_date=october,
                month=october,
                amount_fen=rng.randint(1_00, 10_000_00),
                status="void",
            )
            for i in range(void)
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--void", type=int, default=200)
    args = parser.parse_args()
    _setup()
    from django.db import connection

    from salescope.commissions import services
    from salescope.commissions.models import Statement
    from salescope.ledger.models import SalesRollup

    rng = random.Random(17)
    start = time.perf_counter()
    company, director, staff = _company(args.people, rng)
    sales_plan = _sales_plan(director, company)
    _facts(staff, rng, args.void)
    plan = services.create_plan(
        actor=director,
        name="提成",
        base="sales_amount",
        target_plan=sales_plan,
        tiers=[(0, 100), (8000, 200), (10000, 300)],
        cap_fen=3_000_00,
        valid_from=dt.date(2026, 1, 1),
    )
    services.approve_plan(actor=director, plan=plan, expected_version=plan.version)
    services.assign(actor=director, plan=plan, unit=company)
    print(f"{connection.vendor}: {len(staff)} people set up in {time.perf_counter() - start:.1f} s")

    def timed(label: str) -> None:
        start, cpu = time.perf_counter(), time.process_time()
        result = services.compute_statements(actor=director, period=PERIOD)
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(
            f"{label:<44} wall {took * 1000:6.0f} ms  cpu {cpu * 1000:6.0f} ms  {result.as_dict()}"
        )

    timed("first computation (all created)")
    timed("recompute, unchanged month")
    # visibility: the benchmark changes its own data as the system
    SalesRollup.objects.unrestricted().filter(month=PERIOD).update(amount_fen=12_345_00)
    from salescope.ledger import rollups

    rollups.refresh_coarser()
    timed("recompute after sales changed (drafts updated)")
    print(f"statements stored: {Statement.objects.unrestricted().count()}")


if __name__ == "__main__":
    main()
