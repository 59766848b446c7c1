"""Field activity's pages and jobs at the scale of issue 16, on a throwaway database loaded with
``salescope demo`` plus the bench's own data:

* a team of ``--team`` (50) salespeople under one team lead, each with 10 customers and a month
  of visits (three a working day; the past ones checked in and out);
* ``--field`` (2,000) more salespeople, each with a day of facts (two visits done with their
  checklist answers, one planned, a customer added today).

Then it times (server-side Python + SQL; no HTTP, no template rendering):

* the work surface's contexts (today's visits, the team's day, the inbox block) for a team
  member and the team lead (target ≤ 50 ms);
* the team calendar (person × day, a month) for the team lead (target ≤ 150 ms);
* drafting every field person's daily report, the evening job as the command runs it
  (``services.draft_reports`` in batches of 500; target ≤ 30 s for 2,000), checked against
  drafting a sample one by one.

    .venv/bin/python bench/bench_activities.py --db sqlite [--runs 20]
    .venv/bin/python bench/bench_activities.py --db postgres   # BENCH_PG_DATABASE, default
                                                               # bench_activities
"""

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_env(db: str) -> None:
    var = Path(os.environ.get("BENCH_VAR_DIR", f"/tmp/activities-bench-{db}"))  # noqa: S108
    var.mkdir(parents=True, exist_ok=True)
    os.environ["SALESCOPE_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "salescope.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("DATABASE_URL", None)
    if db == "postgres":
        import psycopg

        server = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
        name = os.environ.get("BENCH_PG_DATABASE", "bench_activities")
        with psycopg.connect(f"{server}/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name}")
            c.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = f"{server}/{name}"
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{var}/salescope.sqlite3{suffix}").unlink(missing_ok=True)


def _people(unit, prefix: str, count: int):  # noqa: ANN001, ANN202
    from salescope.core.roles import Role
    from salescope.org.models import User

    User.objects.bulk_create(
        [
            User(
                username=f"{prefix}{i:04d}",
                full_name=f"{prefix}{i:04d}",
                role=Role.SALESPERSON,
                unit=unit,
                password="!",  # noqa: S106 - no password: cannot sign in
            )
            for i in range(count)
        ],
        batch_size=500,
    )
    return list(User.objects.unrestricted().filter(username__startswith=prefix).order_by("pk"))


def _customers(people, per_person: int, prefix: str, created_at=None):  # noqa: ANN001, ANN202
    from salescope.customers.models import Customer

    rows = []
    for person in people:
        for j in range(per_person):
            name = f"{prefix}{person.pk}-{j}超市"
            rows.append(
                Customer(
                    code=f"{prefix}{person.pk}-{j}",
                    name=name,
                    name_normalized=name,
                    kind="end_customer",
                    tier=random.choice("ABC"),  # noqa: S311 - bench data
                    owner=person,
                    status="active",
                )
            )
    made = Customer.objects.bulk_create(rows, batch_size=1000)
    if created_at is not None:
        Customer.objects.unrestricted().filter(code__startswith=prefix).update(
            created_at=created_at
        )
    by_owner: dict[int, list] = {}
    for customer in Customer.objects.unrestricted().filter(code__startswith=prefix).order_by("pk"):
        by_owner.setdefault(customer.owner_id, []).append(customer)
    return by_owner if made else {}


def _visit(person, customer, day, slot, done, tz):  # noqa: ANN001, ANN202
    from salescope.activities.models import Visit

    came = dt.datetime.combine(day, dt.time(9 + 2 * slot), tzinfo=tz)
    return Visit(
        owner=person,
        customer=customer,
        visit_type="routine",
        planned_date=day,
        planned_time=dt.time(9 + 2 * slot),
        status="done" if done else "planned",
        checked_in_at=came if done else None,
        checked_out_at=came + dt.timedelta(minutes=random.randrange(15, 90)) if done else None,  # noqa: S311
        distance_m=random.randrange(0, 800) if done else None,  # noqa: S311
        outcome=random.choice(["order_taken", "follow_up", "payment"]) if done else "",  # noqa: S311
        cost_fen=random.randrange(0, 5000) if done else 0,  # noqa: S311
    )


def build(team_size: int, field_size: int) -> tuple:
    from django.db import transaction
    from django.utils import timezone

    from salescope.activities import rules
    from salescope.activities.models import ChecklistAnswer, ChecklistItem, Visit
    from salescope.core.roles import Role
    from salescope.org import services as org
    from salescope.org.models import OrgUnit, User

    random.seed(16)
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    top = OrgUnit.objects.unrestricted().filter(parent__isnull=True).order_by("path").first()
    with transaction.atomic():
        team_unit = org.create_unit(
            actor=None, name="华东大客户组", code="BENCH-TEAM", kind="team", parent=top
        )
        lead = org.create_person(
            actor=None,
            username="bench_lead",
            full_name="组长",
            role=Role.MANAGER,
            unit=team_unit,
        )
        OrgUnit.objects.unrestricted().filter(pk=team_unit.pk).update(manager=lead)
        team = _people(team_unit, "bench_t", team_size)
        customers = _customers(team, 10, "BT")
        first, last = rules.month_of(today)
        visits = []
        for person in team:
            for day in rules.days(first, last):
                if day.weekday() >= 5:
                    continue
                for slot, customer in enumerate(random.sample(customers[person.pk], 3)):
                    visits.append(_visit(person, customer, day, slot, day < today, tz))
        Visit.objects.bulk_create(visits, batch_size=1000)
        print(f"  a team of {len(team)} with {len(visits):,} visits this month", flush=True)

        field_unit = org.create_unit(
            actor=None, name="外勤大军", code="BENCH-FIELD", kind="branch", parent=top
        )
        field = _people(field_unit, "bench_f", field_size)
        stock = _customers(field, 1, "BF")
        _customers(field, 1, "BN", created_at=timezone.now())  # a customer added today
        visits = [
            _visit(person, stock[person.pk][0], today, slot, slot < 2, tz)
            for person in field
            for slot in range(3)
        ]
        Visit.objects.bulk_create(visits, batch_size=1000)
        items = list(ChecklistItem.objects.unrestricted().order_by("pk")[:3])
        done = Visit.objects.unrestricted().filter(
            owner__in=field, planned_date=today, status="done"
        )
        answers = [
            ChecklistAnswer(visit_id=pk, item=item, done=random.random() < 0.7)  # noqa: S311
            for pk in done.values_list("pk", flat=True)
            for item in items
        ]
        ChecklistAnswer.objects.bulk_create(answers, batch_size=1000)
        print(
            f"  {len(field):,} more in the field with {len(visits):,} visits and "
            f"{len(answers):,} checklist answers today",
            flush=True,
        )
    lead = User.objects.unrestricted().select_related("unit").get(pk=lead.pk)
    return lead, team, field


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--team", type=int, default=50)
    parser.add_argument("--field", type=int, default=2000)
    args = parser.parse_args()
    setup_env(args.db)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115, PTH123
    print(f"building on {args.db} …", flush=True)
    lead, team, field = build(args.team, args.field)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    from salescope.activities import queries, rules, services
    from salescope.activities.models import WorkReport
    from salescope.notifications import queries as inbox

    def timed(label: str, work) -> None:  # noqa: ANN001
        work()
        samples = []
        for _ in range(args.runs):
            start = time.perf_counter()
            work()
            samples.append((time.perf_counter() - start) * 1000)
        samples.sort()
        p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
        print(f"{label:<58} p50 {statistics.median(samples):7.1f} ms  p95 {p95:7.1f} ms")

    member = team[0]
    for name, viewer in (("team member", member), ("team lead", lead)):
        timed(
            f"work surface contexts ({name})",
            lambda v=viewer: (queries.my_day(v), queries.team_day(v), inbox.home_section(v)),
        )
    today = timezone.localdate()
    first, last = rules.month_of(today)
    calendar = queries.team_calendar(viewer=lead, start=first, end=last)
    cells = sum(len(cell) for row in calendar["rows"] for cell in row["days"])
    assert len(calendar["rows"]) == args.team, "the calendar lists the team"
    assert cells > 0, "and their visits"
    timed(
        f"team calendar, {len(calendar['rows'])} people × {(last - first).days + 1} days "
        f"({cells:,} visits)",
        lambda: queries.team_calendar(viewer=lead, start=first, end=last),
    )

    everyone = services.people_in_the_field()
    sample = random.Random(7).sample(field, 20)
    begin, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    for i in range(0, len(everyone), 500):  # as `salescope activities draft-reports` does
        services.draft_reports(kind="daily", day=today, people=everyone[i : i + 500])
    took = time.perf_counter() - begin
    after = resource.getrusage(resource.RUSAGE_SELF)
    used = (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)
    reports = WorkReport.objects.unrestricted().filter(kind="daily", period_start=today)
    assert reports.count() == len(everyone), "one report each"
    for person in sample:  # the same facts as drafting that one person's report
        drafted = reports.get(author=person).facts
        assert drafted == services.facts_for(person, today, today), person
        assert drafted["visits_made"] == 2, person
        assert drafted["new_customers"], person
    print(
        f"drafting {len(everyone):,} daily reports: {took:.2f} s wall, {used:.2f} s CPU "
        f"(this process; {took / len(everyone) * 1000:.2f} ms each)"
    )
    start = time.perf_counter()
    for person in sample:  # one by one, as a person's own "draft" button does
        services.draft_report(actor=None, author=person, kind="daily", day=today)
    each = (time.perf_counter() - start) / len(sample)
    print(
        f"one report at a time (draft_report, {len(sample)} people): {each * 1000:.1f} ms each "
        f"→ {len(everyone):,} ≈ {each * len(everyone):.0f} s"
    )
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
