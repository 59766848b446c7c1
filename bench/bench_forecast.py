"""Forecast accuracy and speed (issue 18, H5/H4).

1. Accuracy on generated series with a known answer (trend + yearly season + noise, a share of
   them intermittent): backtest WAPE of every candidate model and of seasonal-naive, the
   chosen model's, and the WAPE of the chosen forecast against the true next six months.
2. Accuracy on the demo history, when ``--demo-db`` names a database loaded by
   ``salescope demo`` (product × region and category × region series from the ledger).
3. Time to fit ``--series`` series × 36 months (backtest at two origins, choice, refit of the
   chosen model, 6 months ahead) in ``--workers`` processes. Target: 10,000 series ≤ 60 s.
4. Projected stock for ``--products`` × ``--warehouses`` × ``--weeks`` (monthly demand spread
   over weeks, supply by week, projection and risk per row; the pure vectorised rules).
   Target: 5,000 × 20 × 26 ≤ 2 s.
5. With ``--stock-query``: the same projection through the database on a throwaway SQLite
   database (or ``DATABASE_URL``) holding that many stock rows, a forecast run with a product
   series per product × region, and open incoming supply; ``--demand targets`` reads approved
   plans' quantity targets per SKU instead (one leaf cell per product × region × month). Timed:
   what the page and the API run (``queries.demand_vs_stock`` as the system: read, project,
   rank every row at risk, count them, build the first page of 50 rows, and a page deep in the
   list), what the stock-out warning runs (``queries.first_stock_outs``: every product at risk),
   and for comparison the whole list as objects (``queries.stock_risks``). The page's rows are
   checked against the whole list. ``--keep-db`` reuses the database of an earlier run with the
   same sizes instead of generating it again.

Every figure: wall and process CPU time (the pool's workers counted as children), and the load.

    .venv/bin/python bench/bench_forecast.py [--series 10000] [--workers 2]
        [--demo-db /path/salescope.sqlite3] [--products 5000 --warehouses 20 --weeks 26]
        [--stock-query [--demand forecast|targets] [--keep-db]] [--skip-accuracy] [--skip-fit]
"""

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from salescope.forecasting import engine, rules  # noqa: E402

MONTHS = 36
HORIZON = 6


def generated(n: int, seed: int = 7) -> tuple[list[list[float]], list[list[float]]]:
    """``n`` series of 36 + 6 months: level, trend, a yearly wave, noise; every fifth one
    intermittent (sales in about a third of the months)."""
    rng = np.random.default_rng(seed)
    histories, futures = [], []
    t = np.arange(MONTHS + HORIZON)
    for i in range(n):
        level = rng.uniform(50, 500)
        if i % 5 == 4:
            y = np.where(rng.random(t.size) < 0.33, rng.poisson(level / 10, t.size), 0)
        else:
            trend = rng.uniform(-0.5, 2.0) * level / 100
            wave = rng.uniform(0.1, 0.4) * level * np.sin(2 * np.pi * (t - rng.integers(12)) / 12)
            y = np.maximum(level + trend * t + wave + rng.normal(0, 0.05 * level, t.size), 0)
        histories.append([float(v) for v in y[:MONTHS]])
        futures.append([float(v) for v in y[MONTHS:]])
    return histories, futures


def accuracy(label: str, histories, futures=None) -> None:
    results = engine.fit_many(histories, horizon=HORIZON)
    per_model: dict[str, list[float]] = defaultdict(list)
    chosen: dict[str, int] = defaultdict(int)
    for result in results:
        chosen[result.model] += 1
        for name, score in result.scores.items():
            if score is not None:
                per_model[name].append(score)
    print(f"\n{label}: {len(histories)} series")
    print("  backtest WAPE (median over the series each model was tried on):")
    for name, scores in sorted(per_model.items()):
        print(f"    {name:18s} {statistics.median(scores) * 100:6.1f}%  ({len(scores)} series)")
    chosen_scores = [r.wape for r in results if r.wape is not None]
    base = [r.baseline_wape for r in results if r.baseline_wape is not None]
    print(f"    {'chosen':18s} {statistics.median(chosen_scores) * 100:6.1f}%")
    print(f"  chosen models: {dict(chosen)}")
    if futures is not None:
        actual = np.array(futures)
        forecast = np.array([r.forecast for r in results])
        naive = np.array([rules.seasonal_naive(h, HORIZON) for h in histories])
        total = np.abs(actual).sum()
        print(
            "  WAPE on the true next 6 months, all series pooled: chosen "
            f"{np.abs(forecast - actual).sum() / total * 100:.1f}%, seasonal-naive "
            f"{np.abs(naive - actual).sum() / total * 100:.1f}%"
        )
    if base:
        print(f"  seasonal-naive backtest WAPE (median): {statistics.median(base) * 100:.1f}%")


def demo_history(path: str) -> list[list[float]]:
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "salescope.settings"
    import django

    django.setup()
    from django.utils import timezone

    from salescope.forecasting import services

    history_to = services.last_complete_month(timezone.localdate())
    series = services._history(history_to)
    out = []
    for figures in series.values():
        amounts = figures["amount"]
        start = next((i for i, v in enumerate(amounts) if v), None)
        if start is not None:
            out.append([float(v) for v in amounts[start:]])
    return out


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the pool's workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _load() -> str:
    return "load " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def speed(n: int, workers: int) -> None:
    histories, _ = generated(n, seed=11)
    engine.fit_series(histories[0], horizon=HORIZON)  # imports statsforecast once
    started, cpu = time.perf_counter(), _cpu()
    engine.fit_many(histories, horizon=HORIZON, workers=workers)
    elapsed, cpu = time.perf_counter() - started, _cpu() - cpu
    print(
        f"\nfit {n} series × {MONTHS} months in {workers} process(es): wall {elapsed:.1f} s, "
        f"CPU {cpu:.1f} s ({cpu / n * 1000:.2f} ms CPU a series; 10,000 series ≈ "
        f"{cpu / n * 10_000:.0f} s CPU), {_load()}"
    )


def projection(products: int, warehouses: int, weeks: int) -> None:
    rng = np.random.default_rng(3)
    rows = products * warehouses
    as_of = dt.date(2026, 7, 15)
    starts = rules.week_starts(as_of, weeks)
    months = sorted(
        {w.replace(day=1) for w in starts} | {(starts[-1] + dt.timedelta(6)).replace(day=1)}
    )
    started, cpu = time.perf_counter(), time.process_time()
    monthly = rng.uniform(0, 400, (rows, len(months)))  # demand per row and month
    # days of each week in each month ÷ days in the month: weekly demand = monthly @ share
    share = np.zeros((len(months), weeks))
    for j, week in enumerate(starts):
        for d in range(7):
            day = week + dt.timedelta(days=d)
            m = months.index(day.replace(day=1))
            share[m, j] += 1 / rules._days_in_month(day.replace(day=1))
    demand = monthly @ share
    stock = rng.integers(0, 3000, rows).astype(float)
    incoming = np.zeros((rows, weeks))
    arrivals = rng.integers(0, weeks, rows)
    incoming[np.arange(rows), arrivals] = rng.integers(0, 2000, rows)
    projected = rules.project_matrix(stock, incoming, demand)
    risk = rules.assess_matrix(stock, projected, demand, 26)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"\nprojected stock {products} products × {warehouses} warehouses × {weeks} weeks "
        f"({rows:,} rows), vectorised rules: wall {elapsed:.2f} s, CPU {cpu:.2f} s, {_load()}; "
        f"stock-out {int((risk['kind'] == 1).sum()):,}, "
        f"overstock {int((risk['kind'] == 2).sum()):,}"
    )
    # The same rows through the per-row rules (what the page's query ran before), on a sample.
    sample = min(rows, 2000)
    started = time.perf_counter()
    for i in range(sample):
        need = demand[i].tolist()
        proj = rules.project(start=stock[i], incoming=incoming[i].tolist(), demand=need)
        rules.assess(start=stock[i], weeks=starts, projection=proj, demand=need, overstock_weeks=26)
    per_row = (time.perf_counter() - started) / sample
    print(f"  per-row rules: {per_row * 1e6:.0f} µs a row → {per_row * rows:.1f} s for all rows")


def _stock_db(products: int, warehouses: int, demand: str, keep: bool = False) -> dt.date:
    """A throwaway database with ``products`` × ``warehouses`` stock rows (each warehouse in a
    region of its own), one forecast run with a product series per product × region for the
    next months (or, for ``demand == "targets"``, an approved plan with a quantity leaf cell per
    product × region × month) and an open incoming supply per product in a random warehouse
    and week. Returns the day to project from."""
    as_of = dt.date(2026, 7, 15)
    sizes = f"{products} {warehouses} {demand} {os.environ.get('DATABASE_URL', '')}"
    var = Path("/tmp/forecast-stock-bench")  # noqa: S108 - a throwaway benchmark database
    marker = var / "sizes"
    if not os.environ.get("DATABASE_URL"):
        var.mkdir(parents=True, exist_ok=True)
        os.environ["SALESCOPE_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "salescope.settings"
    if keep and marker.exists() and marker.read_text() == sizes:
        import django

        django.setup()
        print("  data: the database of an earlier run with the same sizes (--keep-db)")
        return as_of
    marker.unlink(missing_ok=True)
    if not os.environ.get("DATABASE_URL"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{var}/salescope.sqlite3{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from salescope.catalog.models import IncomingSupply, Product, StockLevel, Warehouse
    from salescope.core.periods import add_months
    from salescope.forecasting.models import ForecastRun, ForecastSeries, ForecastValue
    from salescope.org.models import OrgUnit, User
    from salescope.plans.models import Plan, Target

    if os.environ.get("DATABASE_URL"):
        call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", verbosity=0)
    rng = np.random.default_rng(5)
    history_to = dt.date(2026, 6, 1)
    months = [add_months(history_to, i + 1) for i in range(8)]
    with transaction.atomic():
        root = OrgUnit.objects.create(name="公司", code="B-ROOT", kind="company", path="0001.")
        regions = OrgUnit.objects.bulk_create(
            OrgUnit(
                name=f"区域{i}", code=f"B-R{i}", kind="region", parent=root, path=f"0001.{i:04d}."
            )
            for i in range(1, warehouses + 1)
        )
        houses = Warehouse.objects.bulk_create(
            Warehouse(code=f"W{i}", name=f"仓{i}", region=region)
            for i, region in enumerate(regions)
        )
        items = Product.objects.bulk_create(
            Product(sku=f"B-{i}", name=f"产品{i}") for i in range(products)
        )
        StockLevel.objects.bulk_create(
            (
                StockLevel(product=p, warehouse=w, on_hand=int(rng.integers(0, 3000)))
                for p in items
                for w in houses
            ),
            batch_size=5000,
        )
        IncomingSupply.objects.bulk_create(
            (
                IncomingSupply(
                    product=p,
                    warehouse=houses[int(rng.integers(len(houses)))],
                    kind="purchase",
                    quantity=int(rng.integers(0, 2000)),
                    expected_date=as_of + dt.timedelta(days=int(rng.integers(0, 180))),
                )
                for p in items
            ),
            batch_size=5000,
        )
        if demand == "targets":
            owner = User.objects.create(username="bench-owner", unit=root)
            plan = Plan.objects.create(
                name="bench",
                fiscal_year=2026,
                period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2027, 12, 31),
                scope_unit=root,
                owner=owner,
                status="approved",
            )
            Target.objects.bulk_create(
                (
                    Target(
                        plan=plan,
                        metric="quantity",
                        axis="month",
                        product=p,
                        unit=region,
                        period_start=month,
                        period_end=add_months(month, 1) - dt.timedelta(days=1),
                        grain="month",
                        value=int(rng.integers(0, 40_000)),  # hundredths of a unit
                    )
                    for p in items
                    for region in regions
                    for month in months
                ),
                batch_size=5000,
            )
        else:
            run = ForecastRun.objects.create(
                history_to=history_to, horizon=len(months), status="done"
            )
            series = ForecastSeries.objects.bulk_create(
                (
                    ForecastSeries(
                        run=run,
                        level="product",
                        product=p,
                        region=r,
                        model="ETS",
                        history_months=36,
                    )
                    for p in items
                    for r in regions
                ),
                batch_size=5000,
            )
            ForecastValue.objects.bulk_create(
                (
                    ForecastValue(
                        series=s,
                        month=m,
                        amount_fen=0,
                        quantity_milli=int(rng.integers(0, 400_000)),
                    )
                    for s in series
                    for m in months
                ),
                batch_size=5000,
            )
    marker.write_text(sizes)
    return as_of


def _timed(label: str, runs: int, fn):  # noqa: ANN001, ANN202 - a bench helper
    figures, result = [], None
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        result = fn()
        figures.append((time.perf_counter() - started, time.process_time() - cpu))
        print(f"  {label}: wall {figures[-1][0]:.2f} s, CPU {figures[-1][1]:.2f} s, {_load()}")
    return result, min(figures)


def stock_query(  # noqa: PLR0913 - the bench's sizes
    products: int, warehouses: int, weeks: int, demand: str, runs: int = 3, keep: bool = False
) -> None:
    as_of = _stock_db(products, warehouses, demand, keep)
    from salescope.core.ownership import SYSTEM
    from salescope.forecasting import queries

    size = 50  # the page's rows (core.web.PAGE_SIZE)

    def page() -> tuple[int, list, list]:
        data = queries.demand_vs_stock(viewer=SYSTEM, as_of=as_of, weeks=weeks, demand=demand)
        risks = data["risks"]
        deep = max(len(risks) // 2 // size * size, 0)
        return len(risks), risks[:size], risks[deep : deep + size]

    (count, first, middle), (wall, cpu) = _timed(f"page ({demand}): count + 2 pages", runs, page)
    warned, (w_wall, w_cpu) = _timed(
        "stock-out warning: every product at risk",
        runs,
        lambda: queries.first_stock_outs(as_of=as_of, weeks=weeks, demand=demand),
    )
    everything, (a_wall, a_cpu) = _timed(
        "whole list as objects (report)",
        1,
        lambda: queries.stock_risks(as_of=as_of, weeks=weeks, demand=demand),
    )
    deep = max(count // 2 // size * size, 0)
    assert count == len(everything), (count, len(everything))
    assert first == everything[:size]
    assert middle == everything[deep : deep + size]
    short = {r.product.pk for r in everything if r.kind == "stock_out"}
    assert {r.product.pk for r in warned} == short
    print(
        f"\nstock risks through the database, {products} products × {warehouses} warehouses × "
        f"{weeks} weeks, demand = {demand}, {count:,} rows at risk "
        f"({sum(r.kind == 'stock_out' for r in everything):,} stock-out, "
        f"{sum(r.kind == 'overstock' for r in everything):,} overstock; "
        f"{len(short):,} products short), best of {runs}:\n"
        f"  page and API (count + page 1 + page {deep // size + 1}): wall {wall:.2f} s, "
        f"CPU {cpu:.2f} s\n"
        f"  stock-out warning ({len(warned):,} products): wall {w_wall:.2f} s, CPU {w_cpu:.2f} s\n"
        f"  whole list as objects (report, once): wall {a_wall:.2f} s, CPU {a_cpu:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--accuracy-series", type=int, default=300)
    parser.add_argument("--demo-db", default="")
    parser.add_argument("--products", type=int, default=5_000)
    parser.add_argument("--warehouses", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--stock-query", action="store_true")
    parser.add_argument("--demand", choices=["forecast", "targets"], default="forecast")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--skip-fit", action="store_true")
    args = parser.parse_args()
    if not args.skip_accuracy:
        histories, futures = generated(args.accuracy_series)
        accuracy("generated seasonal series (known answer)", histories, futures)
        if args.demo_db:
            accuracy("demo history", demo_history(args.demo_db))
    projection(args.products, args.warehouses, args.weeks)
    if args.stock_query:
        stock_query(args.products, args.warehouses, args.weeks, args.demand, keep=args.keep_db)
    if not args.skip_fit:
        speed(args.series, args.workers)


if __name__ == "__main__":
    main()
