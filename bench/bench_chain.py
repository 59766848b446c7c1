"""Benchmark of chained decomposition (issue 21, A3): one action takes a company-year target
to every salesperson × 12 months × 50 product categories (300k cells at --scale 1), each step
with its own method, and saves it. Generates its own data into a throwaway database (the data
of ``bench_plans.py``: the demo org plus 500 salespeople, 50 categories, two years of rollups).

    .venv/bin/python bench/bench_chain.py --db sqlite [--scale 1.0] [--history]
    .venv/bin/python bench/bench_chain.py --db postgres [--scale 1.0] [--history]

Measures, each as ONE call of ``decompose_target`` (one transaction, one audit entry):

* the preview of the chain (computed, nothing written);
* company → region → branch → team → person (custom weights, then equal) → month → category;
* ``--history``: the same by last year's share and seasonality;
* "the same for every part": the regions kept, the chain below applied to each of them.
"""

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_plans import build, setup_env, timed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--history", action="store_true", help="also time last-year methods")
    parser.add_argument("--name", default="chain", help="scratch name (database bench_NAME)")
    args = parser.parse_args()
    if not args.name.isidentifier():
        parser.error("--name must be letters, digits and underscores")
    setup_env(args.db, name=args.name)

    import django

    django.setup()
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Sum

    call_command("migrate", verbosity=0)
    from salescope.org.models import OrgUnit, User
    from salescope.plans import services
    from salescope.plans.choices import Axis, Method, Metric
    from salescope.plans.models import Target
    from salescope.plans.services import Step

    rng = random.Random(21)
    people = max(8, int(500 * args.scale))
    categories = max(2, int(50 * args.scale)) if args.scale < 1 else 50
    print(f"== bench_chain on {connection.vendor}: {people} people, {categories} categories")
    (_sellers, rollup_rows), _ = timed(
        "generate rollups", build, people, categories, rng, profile=False
    )
    print(f"  rollup rows: {rollup_rows:,}")
    director = User.objects.unrestricted().get(username="liuyang")
    hq = OrgUnit.objects.unrestricted().get(code="HQ")

    def chain(method, season):
        first = (
            Step(Axis.ORG, Method.CUSTOM, [Decimal(4), Decimal(3), Decimal(2), Decimal(1)])
            if method == Method.EQUAL
            else Step(Axis.ORG, method)
        )
        return [
            first,
            Step(Axis.ORG, method),
            Step(Axis.ORG, method),
            Step(Axis.ORG, method),
            Step(Axis.MONTH, season),
            Step(Axis.PRODUCT, method),
        ]

    def new_root(label):
        plan = services.create_plan(
            actor=director, name=f"bench chain {label}", fiscal_year=2026, scope_unit=hq
        )
        return services.set_plan_target(
            actor=director, plan=plan, metric=Metric.SALES_AMOUNT, value=2_000_000_000_00
        )

    def check(root, created):
        cells = Target.objects.unrestricted().filter(plan_id=root.plan_id)
        leaves = cells.filter(is_leaf=True).aggregate(s=Sum("value"), n=Count("id"))
        assert leaves["s"] == root.value, (leaves, root.value)
        print(f"  cells created: {created:,}; leaves {leaves['n']:,} sum exactly to the root")

    root = new_root("equal")
    preview, _ = timed(
        "preview the chain (nothing written)",
        services.preview_decomposition,
        actor=director,
        target=root,
        steps=chain(Method.EQUAL, Method.EQUAL),
    )
    print(f"  preview: {preview.cells:,} cells in {len(preview.levels)} steps")
    created, seconds = timed(
        "ONE chained action: company → region (weights) → branch → team → person → month "
        "→ category, saved",
        services.decompose_target,
        actor=director,
        target=root,
        steps=chain(Method.EQUAL, Method.EQUAL),
    )
    print(f"  {created / seconds:,.0f} cells/s")
    check(root, created)

    if args.history:
        hroot = new_root("history")
        created, _ = timed(
            "ONE chained action by last year's share + seasonality, saved",
            services.decompose_target,
            actor=director,
            target=hroot,
            steps=chain(Method.LAST_YEAR, Method.SEASONALITY),
        )
        check(hroot, created)

    eroot = new_root("each")
    services.decompose_target(actor=director, target=eroot, steps=chain(Method.EQUAL, "equal")[:1])
    eroot.refresh_from_db()
    created, _ = timed(
        "the same for every region: branch → team → person → month → category, saved",
        services.decompose_target,
        actor=director,
        target=eroot,
        steps=chain(Method.EQUAL, Method.EQUAL)[1:],
        each_child=True,
    )
    check(eroot, created)


if __name__ == "__main__":
    main()
