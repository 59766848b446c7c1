"""Full-text search over market intelligence (issue 16 E1: ≤ 200 ms over 1M entries on both
databases). Builds a throwaway database with ``--entries`` intelligence entries (bulk inserts;
search_text exactly as the service segments it, jieba run once per distinct title and body), then
times the intelligence list's first page (``queries.list_intelligence`` + the list page's
capped paging: count as far as needed and 20 rows) for Chinese queries of different selectivity,
as a salesperson, a team lead, the director and marketing.

    .venv/bin/python bench/bench_intelligence_search.py --db sqlite [--entries 1000000] [--runs 20]
    .venv/bin/python bench/bench_intelligence_search.py --db postgres [--entries 1000000]

``--name`` keeps one person's bench database apart from another's (the SQLite file under
``/tmp/intel-search-bench-<name>-sqlite``, the PostgreSQL database ``bench_intel_search_<name>``);
``--reuse`` searches the database the last run of that name built. Each line gives the wall
time (p50, p95) and the CPU time per search (this process, plus the PostgreSQL backend's),
and the load average, since the machine is shared.
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

COMPETITORS = ["蓝月亮", "立白", "奥妙", "超能", "汰渍", "雕牌", "威露士", "碧浪"]
PRODUCTS = ["洗衣液", "洗衣粉", "洗洁精", "柔顺剂", "消毒液", "皂粉", "洗衣凝珠", "沐浴露"]
MOVES = [
    "降价促销",
    "推出小包装",
    "买一送一",
    "新品上市",
    "加大堆头陈列",
    "经销商返利提高",
    "终端断货",
    "涨价百分之五",
    "换新包装",
    "进驻社区团购",
]
PLACES = ["上海", "杭州", "南京", "苏州", "广州", "深圳", "北京", "成都", "武汉", "西安"]
NEEDS = [
    "客户希望增加小包装规格",
    "经销商要求延长账期",
    "门店反映陈列位置不足",
    "客户投诉破损",
    "超市要求配合店庆活动",
    "消费者关注环保配方",
    "批发商希望提高返利",
    "物流配送不及时",
]
QUERIES = ["小包装", "蓝月亮 降价", "经销商 返利", "断货", "威露士 社区团购 杭州", "完全无关"]
VIEWERS = ["zhangwei", "lina", "liuyang", "sunli"]


def setup_env(db: str, reuse: bool, name: str = "") -> None:
    suffix = f"{name}-{db}" if name else db
    var = Path(os.environ.get("BENCH_VAR_DIR", f"/tmp/intel-search-bench-{suffix}"))  # noqa: S108 - a throwaway benchmark database
    var.mkdir(parents=True, exist_ok=True)
    os.environ["SALESCOPE_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "salescope.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("DATABASE_URL", None)
    if db == "postgres":
        import psycopg

        server = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
        default = f"bench_intel_search_{name}" if name else "bench_intel_search"
        database = os.environ.get("BENCH_PG_DATABASE", default)
        if not reuse:
            with psycopg.connect(f"{server}/postgres", autocommit=True) as c:
                c.execute(f"DROP DATABASE IF EXISTS {database}")
                c.execute(f"CREATE DATABASE {database}")
        os.environ["DATABASE_URL"] = f"{server}/{database}"
    elif not reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{var}/salescope.sqlite3{suffix}").unlink(missing_ok=True)


def build(entries: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from salescope.feedback.choices import IntelKind
    from salescope.feedback.models import Intelligence
    from salescope.feedback.search import segment
    from salescope.org import demo
    from salescope.org.models import User

    demo.load(lambda _line: None)
    people = list(User.objects.unrestricted().filter(unit__isnull=False).select_related("unit"))
    rng = random.Random(16)
    titles = [f"{c}{p}{m}" for c in COMPETITORS for p in PRODUCTS for m in MOVES]
    bodies = [f"{place}{need}，{p}" for place in PLACES for need in NEEDS for p in PRODUCTS]
    title_words = {t: segment(t).split() for t in titles}
    body_words = {b: segment(b).split() for b in bodies}
    competitor_words = {c: segment(c).split() for c in COMPETITORS}
    unit_words = {u.unit_id: segment(u.unit.name).split() for u in people}
    kinds = IntelKind.values
    today = timezone.localdate()
    start = time.perf_counter()
    batch = 20_000
    for offset in range(0, entries, batch):
        rows = []
        for _ in range(min(batch, entries - offset)):
            author = rng.choice(people)
            title, body, competitor = (
                rng.choice(titles),
                rng.choice(bodies),
                rng.choice(COMPETITORS),
            )
            # == segment(title, body, competitor, region): segment() treats each text on its own
            words = dict.fromkeys(
                title_words[title]
                + body_words[body]
                + competitor_words[competitor]
                + unit_words[author.unit_id]
            )
            rows.append(
                Intelligence(
                    author=author,
                    kind=rng.choice(kinds),
                    title=title,
                    body=body,
                    competitor=competitor,
                    region_id=author.unit_id,
                    observed_on=today - dt.timedelta(days=rng.randrange(730)),
                    search_text=" ".join(words),
                )
            )
        with transaction.atomic():
            Intelligence.objects.bulk_create(rows, batch_size=5000)
        done = offset + len(rows)
        if done % 200_000 == 0 or done == entries:
            print(f"  {done:,} entries in {time.perf_counter() - start:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--whole",
        action="store_true",
        help="search without the list's narrowing to the newest days (the old query, to compare)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="search the database the last run built (no build)"
    )
    parser.add_argument("--name", default="", help="keeps this bench's database apart")
    parser.add_argument("--queries", nargs="*", default=QUERIES, help="only these queries")
    parser.add_argument("--viewers", nargs="*", default=VIEWERS, help="only these usernames")
    args = parser.parse_args()
    setup_env(args.db, args.reuse, args.name)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not args.reuse:
        print(f"building {args.entries:,} intelligence entries on {args.db} …", flush=True)
        build(args.entries)

    from salescope.core.paging import capped_page
    from salescope.core.web import PAGE_SIZE
    from salescope.feedback import queries
    from salescope.org.models import User

    people = {u.username: u for u in User.objects.unrestricted().select_related("unit")}
    backend_cpu = _backend_cpu_reader()
    every: list[float] = []
    by_viewer: dict[str, list[float]] = {name: [] for name in args.viewers}
    cpu_by_viewer: dict[str, list[float]] = {name: [] for name in args.viewers}
    for q in args.queries:
        for name in args.viewers:
            viewer = people[name]

            def work(v=viewer, q=q):  # noqa: ANN001, ANN202
                # as the list page does (feedback.views.intelligence)
                if args.whole:
                    entries = queries.list_intelligence(viewer=v, q=q)
                    page = capped_page(entries, PAGE_SIZE, "1", None)
                else:
                    page = queries.intelligence_page(viewer=v, raw_page="1", q=q)
                return page, list(page.object_list)

            page, rows = work()
            whole = queries.list_intelligence(viewer=viewer, q=q)
            expected = list(whole.values_list("pk", flat=True)[:PAGE_SIZE])
            assert [e.pk for e in rows] == expected, (q, name)  # the newest matches first
            counted = whole.order_by()[: page.paginator.cap + 1].count()
            assert (page.paginator.count, page.paginator.capped) == (
                counted,
                counted > page.paginator.cap,
            ), (q, name)

            samples = []
            begin_cpu, begin_backend = time.process_time(), backend_cpu()
            for _ in range(args.runs):
                begin = time.perf_counter()
                work()
                samples.append((time.perf_counter() - begin) * 1000)
            # the mean over the runs: /proc counts the backend's CPU in 10 ms ticks
            spent = time.process_time() - begin_cpu + backend_cpu() - begin_backend
            cpu = [spent * 1000 / args.runs]
            every += samples
            by_viewer[name] += samples
            cpu_by_viewer[name] += cpu
            print(
                f"{q:<16} {name:<9} {_figures(samples)}  cpu {cpu[0]:6.1f} ms"
                f"  ({counted} counted)  load {_load()}",
                flush=True,
            )
    for name in args.viewers:
        print(
            f"{name:<9} ({ROLES.get(name, '')}) all queries: {_figures(by_viewer[name])}"
            f"  cpu {statistics.mean(cpu_by_viewer[name]):.1f} ms (mean)"
        )
    print(f"all searches ({args.db}, {args.entries:,} entries): {_figures(every)}  load {_load()}")


ROLES = {
    "zhangwei": "salesperson",
    "lina": "team lead",
    "liuyang": "director",
    "sunli": "marketing",
}


def _figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered):7.1f} ms  p95 {p95:7.1f} ms"


def _load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def _backend_cpu_reader():  # noqa: ANN202
    """CPU seconds the PostgreSQL backend serving this connection has used (it runs on this
    machine; /proc is readable), or a reader of 0 for SQLite, which runs in this process."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return lambda: 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    return read


if __name__ == "__main__":
    main()
