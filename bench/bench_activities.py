"""Field activity's pages at demo scale (issue 16): a throwaway database loaded with
``salescope demo`` (≈40 people, a month of visits, checklists and reports), then

* the work surface's contexts (today's visits, the team's day, the inbox block) for a
  salesperson, a team lead and the sales director;
* the team calendar (person × day, a month) and uncovered customers for the director;
* drafting every field person's daily report (the evening job), per report.

    .venv/bin/python bench/bench_activities.py [--runs 20]

Figures are server-side Python + SQL time (no HTTP, no template rendering). The issue's
targets are at larger scale (50 people × a month, 2,000 reports): this bench says where the
demo stands, not that those are reached.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    var = Path("/tmp/activities-bench")  # noqa: S108 - a throwaway benchmark database
    var.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{var}/salescope.sqlite3{suffix}").unlink(missing_ok=True)
    os.environ["SALESCOPE_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "salescope.settings"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115, PTH123
    from salescope.activities import queries, rules, services
    from salescope.notifications import queries as inbox
    from salescope.org.models import User

    people = {u.username: u for u in User.objects.unrestricted().select_related("unit")}

    def timed(label: str, work) -> None:  # noqa: ANN001
        work()
        samples = []
        for _ in range(args.runs):
            start = time.perf_counter()
            work()
            samples.append((time.perf_counter() - start) * 1000)
        print(
            f"{label:<58} median {statistics.median(samples):7.1f} ms  max {max(samples):7.1f} ms"
        )

    for name in ("zhangwei", "lina", "liuyang"):
        viewer = people[name]
        timed(
            f"work surface contexts ({name})",
            lambda v=viewer: (queries.my_day(v), queries.team_day(v), inbox.home_section(v)),
        )
    director = people["liuyang"]
    first, last = rules.month_of(timezone.localdate())
    team = queries.team_of(viewer=director)
    timed(
        f"team calendar, {len(team)} people × {(last - first).days + 1} days (director)",
        lambda: queries.team_calendar(viewer=director, start=first, end=last),
    )
    timed(
        "uncovered customers (director)",
        lambda: queries.uncovered_customers(viewer=director, day=timezone.localdate()),
    )
    field = services.people_in_the_field()
    start = time.perf_counter()
    for person in field:
        services.draft_report(actor=None, author=person, kind="daily", day=timezone.localdate())
    took = time.perf_counter() - start
    each = took / len(field)
    print(
        f"drafting {len(field)} daily reports: {took:.2f} s "
        f"({each * 1000:.1f} ms each → 2,000 people ≈ {each * 2000:.0f} s)"
    )


if __name__ == "__main__":
    main()
