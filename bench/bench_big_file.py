"""A 200 MB sales-line file, UTF-8 and GBK, imported through the real path (issue 20: "a 200 MB
import file (streamed, bounded memory)").

    .venv/bin/python bench/bench_big_file.py --db sqlite [--mb 20,200] [--encodings utf-8,gbk]
    .venv/bin/python bench/bench_big_file.py --db postgres --name wt_me

For each size and encoding: generates the CSV (what an ERP export looks like: document, line,
date, customer, product, quantity, price, amount, salesperson, kind; 5 % of lines repeat an
earlier key or name an unknown customer), then imports it with
``ledger.importing.sales_lines.import_sales_lines`` in a child process of its own and prints
that process's resident memory before the import, its peak (VmHWM) and the growth, with wall
and CPU time and lines per second, and the load average. Memory that does not grow with the
file size is the point: compare the rows of two sizes. Each import goes into an empty ledger
(the database is emptied of sales lines before each).

First figures (SQLite, load 6–7, 5 % refused lines): the reader streams (tests/reliability),
but the import's resident memory grows with the file, about 340 bytes per line: 40 MB
(570k lines) peak +434–453 MB, 120 MB (1.71M lines) +800 MB, resident 445 → 824 MB across the
quarters of the batches. Not the Python heap (tracemalloc stays flat), not the cyclic garbage
(a gc.collect() per batch changes nothing), not the duplicate-key frame (11 MB at 541k keys):
still to be found (SQLite's page caches hold at most 2 × 64 MB). PostgreSQL grows alike (40 MB:
+376 MB, 328 → 425 MB across the batches), and reading the 40 MB file alone through
``read_table(...).frames(50_000)`` stays at 147–183 MB (peak 186 MB from 105 MB): what grows
lies after the reader, in validation, duplicate detection or the writer.

Found (PostgreSQL, RSS logged after each step of each batch): (1) the rollup sums of a first
load, kept in polars at the lines' full grain until the end — about 100 bytes a line, then
summed and grouped again at the end (30 MB file: 323 → 537 MB in ``finish`` alone); (2) the
duplicate-key check's left join, which hashed every key seen so far once per batch (a 60 MB
file crept 188 → 486 MB; with the keys kept but joined the other way, 188 → ~400 MB and flat).
Now the delta stays in the database (``merge.SUMS_KEPT_ROWS``, ``rollups.apply_delta``) and the
check hashes only the batch's keys. PostgreSQL, load 8, with the first fix only: 40 MB
+355 MB, 120 MB +462 MB, 200 MB +766 MB (resident 443 → 858 MB across the quarters); with both
(load 5–8): 40 MB +321 MB (331, 363, 363, 336 MB across the quarters), 120 MB +470 MB (346,
368, 405, 377), 200 MB +568 MB (389, 465, 497, 550). Not yet flat at 200 MB: what still grows
with the file is the keys seen (about 20 bytes a line, 57 MB at 200 MB, in one chunk per batch)
and the refused lines' errors (5 % here, all kept for the error report). The rest is the
batch's working set and what polars' allocator (jemalloc) keeps for a while after it is freed;
``malloc_trim`` after each batch changed little (glibc's arenas are not where it is).
SQLite (load 3–4), both fixes: 40 MB +420 MB, 120 MB +684 MB (404 → 690 MB across the
quarters): there the import's own page cache (``PRAGMA cache_size`` 256 MB in
``merge.LineWriter``, DESIGN.md's "larger page cache for the import") fills as the transaction
dirties pages — bounded, but on top of the rest. With 64 MB (the connection's default) the
120 MB file took +512 MB and was faster (42.6 s instead of 59.0 s wall), not yet changed: the
daily import into a 10M-line SQLite ledger must be measured with it first.

Then the rest went out of the process: the keys seen past 500,000 to a temporary table
(``importing/sightings.py``), the refused lines to a temporary file as they come, with only
their count, the first 1,000 and one row per distinct problem kept (``importing/refused.py``),
and a SQLite bulk load got 64 MB of page cache (an everyday import keeps 256 MB). Before →
after, ``--mb 40,200 --encodings utf-8``, load 6–10 (other sessions at work): PostgreSQL 40 MB
+318 → +317 MB (51.4 → 44.0 s wall), SQLite 40 MB +356 → +348 MB (125.3 → 96.1 s wall, 21.5 →
20.3 s CPU). The 200 MB rows of those runs were unfair: the child emptied the ledger but not
the rollups, so the second size applied a delta to the first one's rollups (it empties both
now). Alone, ``--mb 200``: PostgreSQL, load 3.5–4, +476 → +348 MB (resident across the
quarters 434, 444, 514, 495 → 323, 321, 348, 346 MB; 104.4 → 94.3 s wall, importer CPU 17.1
→ 16.3 s; at load 6.6–7.8, beside the SQLite runs: +457 → +326 MB, 156.7 → 185.8 s wall, 18.4
→ 16.8 s CPU); SQLite, load 5–6, +878 → +405 MB (455, 614, 750, 766 → 455, 427, 433, 423 MB;
225.7 → 157.8 s wall, 91.0 → 85.0 s CPU). What is left, about 300 MB at any size, is a
batch's working set and what polars' allocator keeps.
"""

# ruff: noqa: S108, S603 - a throwaway database under /tmp; runs itself as the child

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

HEADER = ["单号", "行号", "日期", "客户编码", "产品编码", "数量", "单价", "金额", "业务员", "类型"]


def environment(db: str, name: str) -> None:
    import bench_ledger

    bench_ledger.point_env(db, name, Path(f"/tmp/{name}-{db}"))


def fresh_database(db: str, name: str) -> None:
    if db == "postgres":
        import psycopg

        server = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
        with psycopg.connect(f"{server}/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
    else:
        var = Path(os.environ["SALESCOPE_VAR_DIR"])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{var}/salescope.sqlite3{suffix}").unlink(missing_ok=True)


def write_file(path: Path, megabytes: float, encoding: str, custs, prods, sellers) -> int:
    """Lines until the file holds ``megabytes``; returns how many."""
    rng = random.Random(7)
    people = [s.username for s in sellers]
    goal = int(megabytes * 1_000_000)
    day0 = dt.date(2025, 1, 1)
    lines = 0
    with path.open("w", encoding=encoding, newline="") as out:
        out.write(",".join(HEADER) + "\r\n")
        written = 0
        while written < goal:
            block = []
            for _ in range(10_000):
                n = lines
                code = custs[rng.randrange(len(custs))][1]
                if n % 40 == 7:
                    code = "UNKNOWN-CUSTOMER"
                doc = n // 4 if n % 40 != 13 else max(0, n // 4 - 1)  # a repeated key now and then
                sku, price = prods[rng.randrange(len(prods))]
                qty = rng.randint(1, 40)
                block.append(
                    f"D{doc:09d},{n % 4 + 1},{day0 + dt.timedelta(days=n % 365)},{code},{sku},"
                    f"{qty},{price / 100:.2f},{qty * price / 100:.2f},{people[n % len(people)]},"
                    "进货\r\n"
                )
                lines += 1
            text = "".join(block)
            out.write(text)
            written += len(text.encode(encoding))
    return lines


def status(field: str) -> int:
    """A line of /proc/self/status in kB (VmRSS: resident now; VmHWM: the peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def child(path: str) -> None:
    """Import ``path`` into this database; print one JSON line of figures."""
    import django

    django.setup()
    from django.db import connection

    from salescope.ledger import models
    from salescope.ledger.importing.sales_lines import ImportOptions, import_sales_lines
    from salescope.ledger.models import SalesLine
    from salescope.org.models import User

    admin = User.objects.unrestricted().get(username="admin")
    # An empty ledger, rollups included: left behind, the first size's rollups made every
    # later size apply a delta to them instead of writing new months, and disagree with it.
    for model in (
        SalesLine,
        models.SalesRollup,
        models.RegionRollup,
        models.PersonRollup,
        models.ProductRollup,
        models.BrandRollup,
        models.CustomerRollup,
    ):
        model.objects.unrestricted().all().delete()
    connection.close()
    connection.ensure_connection()
    before = status("VmRSS")
    start, cpu = time.perf_counter(), time.process_time()
    seen: list[tuple[int, int]] = []

    def progress(done: int, _total: int) -> None:
        seen.append((done, status("VmRSS")))

    result = import_sales_lines(actor=admin, path=path, options=ImportOptions(), progress=progress)
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    # Resident memory as the batches went by: at a quarter, half, three quarters, the end.
    marks = [seen[min(len(seen) - 1, len(seen) * q // 4)] for q in (1, 2, 3, 4)] if seen else []
    print(
        json.dumps(
            {
                "rss_before_kb": before,
                "peak_kb": status("VmHWM"),
                "wall": wall,
                "cpu": used,
                "accepted": result.accepted,
                "rejected": result.rejected,
                "encoding": result.encoding,
                "stored": SalesLine.objects.unrestricted().count(),
                "rss_during_kb": marks,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--name", default="bench_big_file", help="database and /tmp/NAME-DB")
    parser.add_argument("--mb", default="20,200", help="file sizes in MB, comma-separated")
    parser.add_argument("--encodings", default="utf-8,gbk")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    environment(args.db, args.name)
    if args.child:
        child(args.child)
        return
    fresh_database(args.db, args.name)
    import django

    django.setup()
    from bench_ledger import build_master_data
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    sellers, prods, custs, _regions, _ = build_master_data(500, 20_000, 2000)
    prods = [(sku, price) for _pk, sku, _b, _c, price in prods]
    folder = Path(os.environ["SALESCOPE_VAR_DIR"])
    print(
        f"== bench_big_file on {args.db}: sizes {args.mb} MB, encodings {args.encodings}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    for encoding in args.encodings.split(","):
        for megabytes in (float(m) for m in args.mb.split(",")):
            path = folder / f"big-{megabytes:g}MB-{encoding}.csv"
            start = time.perf_counter()
            lines = write_file(path, megabytes, encoding, custs, prods, sellers)
            size = path.stat().st_size / 1_000_000
            print(
                f"  wrote {path.name}: {size:.0f} MB, {lines:,} lines, "
                f"{time.perf_counter() - start:.0f} s"
            )
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--db",
                    args.db,
                    "--name",
                    args.name,
                    "--child",
                    str(path),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            assert figures["accepted"] + figures["rejected"] == lines, figures
            assert figures["stored"] == figures["accepted"], figures
            child_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            print(
                f"  FIGURE import {size:.0f} MB {encoding} ({figures['encoding']}): "
                f"{lines:,} lines ({figures['rejected']:,} refused) in {figures['wall']:.1f} s "
                f"wall, {figures['cpu']:.1f} s CPU of the importer "
                f"({lines / figures['wall']:,.0f} lines/s); resident memory "
                f"{figures['rss_before_kb'] / 1024:.0f} MB before, peak "
                f"{figures['peak_kb'] / 1024:.0f} MB (+"
                f"{(figures['peak_kb'] - figures['rss_before_kb']) / 1024:.0f} MB; resident after "
                f"each quarter of the batches: "
                f"{', '.join(f'{kb / 1024:.0f}' for _n, kb in figures['rss_during_kb'])} MB); "
                f"child process "
                f"CPU {child_cpu:.1f} s; load average {os.getloadavg()[0]:.1f}"
            )
            path.unlink()


if __name__ == "__main__":
    main()
