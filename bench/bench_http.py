"""The long lists and the ageing over HTTP, as a client meets them (issue 20 item 9): a live
server (``salescope serve``, gunicorn, one sync worker) started on a free port over a database
this script fills, then many requests one after another on a kept-alive connection, with an
API token (the API) or a signed-in session (the pages). Prints p50/p99 per endpoint, and the
server's CPU time per request (the machine is shared: wall time under load grows with the
other processes, CPU time does not).

    .venv/bin/python bench/bench_http.py --db postgres [--scale 1.0] [--lines 2] [--requests 200]
    .venv/bin/python bench/bench_http.py --db postgres --reuse --only 4,5   # the capped pagers only

At --scale 1: the demo organisation with 500 more salespeople, 100,000 customers, 2,000
products, ``--lines`` million sales lines and 1,000,000 open invoices. Endpoints: the API's
customer list for a regional manager and a team lead (goal p50 ≤ 5 ms, p99 ≤ 25 ms), the
customer and sales-line pages of a team lead (the capped pager, goal ≤ 20 ms), the API's
ageing by customer and the receivables page (goal ≤ 1 s).
"""

# ruff: noqa: S108, S603 - a throwaway database under /tmp; our own server, started by path

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_ledger import (  # noqa: E402
    build_master_data,
    fill_invoices,
    fill_ledger,
    setup_env,
    timed,
)

TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(master: int) -> float:
    """User + system CPU of the server's processes (the gunicorn master and its workers)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == master or ppid == master:
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def start_server(port: int) -> subprocess.Popen:
    env = dict(os.environ, PORT=str(port), WEB_CONCURRENCY="1")
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/salescope"), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode})")
        time.sleep(0.2)
    raise SystemExit("the server did not answer /api/v1/health in 60 s")


def bench(port: int, master: int, label: str, path: str, headers: dict, runs: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get() -> tuple[int, int]:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, len(response.read())

    for _ in range(3):  # warm: the worker's first request loads code and caches
        status, size = get()
    if status != 200:
        raise SystemExit(f"{label}: GET {path} answered {status}")
    times = []
    cpu = cpu_seconds(master)
    for _ in range(runs):
        start = time.perf_counter()
        status, _size = get()
        times.append((time.perf_counter() - start) * 1000)
        assert status == 200, (label, status)
    cpu = (cpu_seconds(master) - cpu) / runs * 1000
    times.sort()
    p50, p99 = times[len(times) // 2], times[max(0, int(len(times) * 0.99) - 1)]
    print(
        f"  FIGURE {label}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {times[-1]:.1f} ms over "
        f"{runs} requests; server CPU {cpu:.1f} ms per request; {size:,} bytes "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--lines", type=float, default=2.0, help="sales lines, in millions")
    parser.add_argument("--requests", type=int, default=200, help="per list endpoint")
    parser.add_argument("--name", default="bench_http")
    parser.add_argument("--reuse", action="store_true", help="time the data of the last run again")
    parser.add_argument(
        "--only", default="", help="comma-separated endpoint numbers (1-based, in order) to time"
    )
    args = parser.parse_args()
    parts = [n.strip() for n in args.only.split(",") if n.strip()]
    if not all(n.isdigit() and 1 <= int(n) <= 7 for n in parts):
        parser.error("--only takes endpoint numbers 1 to 7, comma-separated")
    only = {int(n) for n in parts}
    if args.reuse:  # as setup_env leaves it, without dropping the database
        os.environ.update(
            SALESCOPE_VAR_DIR=f"/tmp/{args.name}-{args.db}",
            DJANGO_SETTINGS_MODULE="salescope.settings",
            LOG_LEVEL="WARNING",
        )
        if args.db == "postgres":
            os.environ["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{args.name}"
    else:
        setup_env(args.db, args.name)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from salescope.org import services
    from salescope.org.choices import UnitKind
    from salescope.org.models import OrgUnit, User

    n_customers, n_invoices = int(100_000 * args.scale), int(1_000_000 * args.scale)
    n_lines = int(1_000_000 * args.lines * args.scale)
    print(
        f"== bench_http on {args.db}: {n_customers:,} customers, {n_lines:,} sales lines, "
        f"{n_invoices:,} open invoices"
    )
    if not args.reuse:
        call_command("migrate", verbosity=0)
        (_sellers, prods, custs, person_region, _regions), _ = timed(
            "master data", build_master_data, 500, n_customers, 2000
        )
        timed(f"fill {n_lines:,} sales lines", fill_ledger, n_lines, custs, prods, person_region)
        timed(f"fill {n_invoices:,} open invoices (SQL)", fill_invoices, n_invoices, custs)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    people = User.objects.unrestricted()
    admin = people.get(username="admin")
    regional = people.get(username="wangqiang")
    team = (
        OrgUnit.objects.unrestricted()
        .filter(kind=UnitKind.TEAM, manager__isnull=False)
        .order_by("path")
        .first()
    )
    assert team is not None
    lead = people.get(pk=team.manager_id)

    def token(user: User) -> dict:
        raw = services.create_token(actor=user, user=user, name="bench").raw
        return {"Authorization": f"Bearer {raw}"}

    def session(user: User) -> dict:
        settings.ALLOWED_HOSTS = ["*"]
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        return {"Cookie": f"{name}={client.cookies[name].value}"}

    tokens = {u.username: token(u) for u in (admin, regional, lead)}
    sessions = {u.username: session(u) for u in (admin, lead)}
    connection.close()
    port = free_port()
    server = start_server(port)
    print(f"  server: salescope serve on port {port}, 1 worker (pid {server.pid})")
    runs = args.requests
    try:
        for number, (label, path, headers, n) in enumerate(
            (
                (
                    f"API customers, regional manager {regional.username}",
                    "/api/v1/customers?limit=50",
                    tokens[regional.username],
                    runs,
                ),
                (
                    f"API customers, team lead {lead.username}",
                    "/api/v1/customers?limit=50",
                    tokens[lead.username],
                    runs,
                ),
                (
                    f"API sales lines, team lead {lead.username}",
                    "/api/v1/sales-lines?limit=50",
                    tokens[lead.username],
                    runs,
                ),
                (
                    f"customer page (capped pager), team lead {lead.username}",
                    "/customers/",
                    sessions[lead.username],
                    runs,
                ),
                (
                    f"sales-line page (capped pager), team lead {lead.username}",
                    "/ledger/lines/",
                    sessions[lead.username],
                    runs,
                ),
                (
                    f"API ageing by customer over {n_invoices:,} open invoices, admin",
                    "/api/v1/receivables/ageing?as_of=2025-12-31&group_by=customer",
                    tokens[admin.username],
                    max(5, runs // 20),
                ),
                (
                    "receivables page (ageing by customer + overdue pager), admin",
                    "/ledger/receivables/?as_of=2025-12-31",
                    sessions[admin.username],
                    max(5, runs // 20),
                ),
            ),
            start=1,
        ):
            if not only or number in only:
                bench(port, server.pid, label, path, headers, n)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
