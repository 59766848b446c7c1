"""Settings a heavy read asks of PostgreSQL for one transaction (elsewhere: nothing to set)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def read_session(*, roomy: bool = True, serial: bool = False) -> Iterator[None]:
    """The queries inside run in one transaction with, on PostgreSQL:

    ``roomy``: room for big aggregations — hashes of 100k customers' sums in memory (the default
    4 MB ``work_mem`` sorted 1M invoices on disk instead; the explorer's customer × year at 10M
    lines was hashed in 5 batches on disk, product × customer, 700k groups, in 33) and no JIT
    compilation (~0.27 s of a 1M-invoice ageing, 90–510 ms of each explorer query).

    ``serial``: no parallel workers — where every worker would meet nearly every group, so their
    partial sums only add a second aggregation (1M open invoices by customer, quiet: 0.80–1.05 s
    → 0.52–0.55 s), or where they walk rows far ahead of a page that needs few (a search)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        if roomy:
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL jit = off")
        if serial:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


@contextmanager
def for_one_query(**settings: str) -> Iterator[None]:
    """Inside ``read_session``: PostgreSQL ``settings`` (``work_mem="256MB"``,
    ``enable_sort="off"``) for the queries inside only, then the session's own again.
    Elsewhere, or outside a transaction: nothing."""
    if not settings or connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield
        return
    before = {}
    with connection.cursor() as cursor:
        for name, value in settings.items():
            cursor.execute("SELECT current_setting(%s)", [name])
            (before[name],) = cursor.fetchone()
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
    yield
    # (After an error the transaction rolls back, and the settings with it.)
    with connection.cursor() as cursor:
        for name, value in before.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
