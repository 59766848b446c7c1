"""The first import (issue 19): a sales-line file that brings its customers and products with it
(``--create-missing``) into an empty ledger. Generates its own data into a throwaway database.

    .venv/bin/python bench/bench_first_import.py [--db sqlite|postgres] [--lines 1000000]
        [--customers 100000] [--products 20000]

Prints lines/s for the whole import (read, validate, create master data, merge, rollups).
"""

# ruff: noqa: S108 - a throwaway database under /tmp

import argparse
import csv
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_ledger import setup_env  # noqa: E402


def write_file(path: Path, lines: int, customers: int, products: int) -> None:
    rng = random.Random(19)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["订单 ID", "行号", "订单日期", "客户 ID", "客户名称", "产品 ID", "产品名称"]
            + ["类别", "子类别", "品牌", "数量", "销售额"]
        )
        for i in range(lines):
            c = rng.randrange(customers)
            p = rng.randrange(products)
            out.writerow(
                [
                    f"CN-{i // 4:07d}",
                    i % 4 + 1,
                    f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    f"NEW-C{c:06d}",
                    f"新客户{c}",
                    f"NEW-P{p:05d}",
                    f"新产品{p}",
                    f"类别{p % 6}",
                    f"子类别{p % 40}",
                    f"品牌{p % 15}",
                    1 + i % 9,
                    f"{(1 + i % 9) * 12.5:.2f}",
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument(
        "--name", default="bench_first_import", help="PostgreSQL database and var dir /tmp/NAME-DB"
    )
    args = parser.parse_args()
    setup_env(args.db, args.name)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from salescope.customers.models import Customer
    from salescope.ledger.importing.sales_lines import ImportOptions, import_sales_lines
    from salescope.org import demo
    from salescope.org.models import User

    demo.load(lambda _line: None)
    admin = User.objects.unrestricted().get(username="admin")
    path = Path(f"/tmp/bench-first-import-{args.lines}.csv")
    write_file(path, args.lines, args.customers, args.products)
    from bench.bench_ledger import backend_cpu

    start, cpu, db = time.perf_counter(), time.process_time(), backend_cpu()
    result = import_sales_lines(actor=admin, path=path, options=ImportOptions(create_missing=True))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    db_cpu = (backend_cpu() or 0) - db if db is not None else 0.0
    print(
        f"{args.db}: {args.lines:,} lines, created {result.created_customers:,} customers and "
        f"{result.created_products:,} products in {seconds:.2f} s = "
        f"{args.lines / seconds:,.0f} lines/s wall; CPU {cpu:.2f} s of this process + "
        f"{db_cpu:.2f} s of the database backend = {args.lines / (cpu + db_cpu):,.0f} lines per "
        f"CPU-second (load average {os.getloadavg()[0]:.1f}; accepted {result.accepted:,}, "
        f"rejected {result.rejected:,}); phases {result.seconds}"
    )
    assert result.accepted == args.lines, result.errors[:5]
    assert Customer.objects.unrestricted().filter(code__startswith="NEW-C").count() == (
        result.created_customers
    )


if __name__ == "__main__":
    main()
