"""Benchmark of the opportunity import *page* (issue 18): how long the web request that uploads
another CRM's export holds a web worker, and how long the background job then takes.

    .venv/bin/python bench/bench_import_page.py --db sqlite   [--rows 100000] [--name NAME]
    .venv/bin/python bench/bench_import_page.py --db postgres [--rows 100000] [--name NAME]

Generates the data of ``bench_crm_import.py`` (the demo organisation, 2,000 customers, a GBK CSV
of --rows opportunities) into a throwaway database, signs the sales director in with Django's
test client and POSTs the file to ``/pipeline/import/``. Where the page imports in the request
(before issue 18) the POST's time is the whole import; where it queues a job (302 to the job's
page) the worker's run (``ledger.jobs.work(once=True)``) is timed after it. Prints wall time,
this process's CPU time and the load average for each step.
"""

# ruff: noqa: S108, T201 - a throwaway database under /tmp; a benchmark prints

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def timed(run):  # noqa: ANN001, ANN201
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, load, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--name", default="import_page", help="keeps benches apart")
    args = parser.parse_args()
    import bench_crm_import

    bench_crm_import.setup_env(args.db, f"bench_{args.name}")
    var = Path(f"/tmp/bench-{args.name}-{args.db}")
    var.mkdir(parents=True, exist_ok=True)
    os.environ["SALESCOPE_VAR_DIR"] = str(var)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{var}/salescope.sqlite3{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from salescope.ledger import jobs
    from salescope.org.models import User
    from salescope.pipeline.models import Opportunity

    path = bench_crm_import.build(args.rows, var)
    director = User.objects.unrestricted().get(username="liuyang")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_HOST="localhost")
    client.force_login(director)
    print(f"{args.db}: {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB GBK CSV")

    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    with path.open("rb") as handle:  # encoded before the clock starts: the browser's part
        body = encode_multipart(BOUNDARY, {"file": handle})

    def post():  # noqa: ANN202
        return client.generic("POST", "/pipeline/import/", body, content_type=MULTIPART_CONTENT)

    client.get("/pipeline/import/")  # a running server has loaded its URLs and API already
    wall, cpu, load, response = timed(post)
    stored = Opportunity.objects.unrestricted().count()
    print(
        f"  page request: wall {wall:6.2f} s  cpu {cpu:6.2f} s  load {load:4.1f}  "
        f"status {response.status_code}  deals stored {stored:,}"
    )
    if response.status_code == 302:
        wall, cpu, load, ran = timed(lambda: jobs.work(once=True))
        print(
            f"  worker job:   wall {wall:6.2f} s  cpu {cpu:6.2f} s  load {load:4.1f}  "
            f"tasks {ran}  deals stored {Opportunity.objects.unrestricted().count():,}"
        )


if __name__ == "__main__":
    main()
