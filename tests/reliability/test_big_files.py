"""A big import file is streamed: reading it and importing it take memory by the batch, not
by the file (issue 20, "a 200 MB import file (streamed, bounded memory)").

Each test reads or imports a generated file and a ten times larger one through the real code
(``core.importing.readers.read_table``, ``ledger.importing.sales_lines.import_sales_lines``),
with small batches and byte chunks so that even the small file spans several, and compares
the peak of the Python heap (``tracemalloc``) of the two runs: a reader that held the file,
its rows or its lines would need about ten times more for the larger one. (Not XLSX: openpyxl
reads its shared-strings part whole, so a sheet of distinct texts takes memory by its size.)
The full-size figures (a 200 MB CSV and a GBK one, peak RSS and time) come from
``bench/bench_big_file.py``."""

import csv
import datetime as dt
import gc
import tracemalloc

import pytest

from salescope.core.importing import readers
from salescope.core.importing.readers import read_table
from salescope.ledger.importing import sales_lines
from salescope.ledger.importing.sales_lines import ImportOptions, import_sales_lines
from salescope.ledger.models import SalesLine

HEADER = ["单号", "行号", "日期", "客户编码", "产品编码", "数量", "单价", "金额", "业务员", "类型"]
SMALL = 3_000  # about 180 kB of CSV
BATCH = 500
CHUNK = 16 * 1024  # the reader's byte chunk, here smaller than the small file


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch):
    monkeypatch.setattr(readers, "CHUNK", CHUNK)


def rows(count, prefix, quoted=False):
    day0 = dt.date(2025, 1, 1)
    customers = ("C-EAST-1", "C-EAST-2", "C-SOUTH-1")
    products = (("P-JUICE-1L", 850), ("P-COLA", 300), ("P-CHIPS", 600))
    for n in range(count):
        sku, price = products[n % 3]
        quantity = 1 + n % 40
        note = "进货\n补货" if quoted and n % 7 == 0 else "进货"
        yield [
            f"{prefix}-{n // 4}",
            str(n % 4 + 1),
            (day0 + dt.timedelta(days=n % 365)).isoformat(),
            customers[n % 3],
            sku,
            str(quantity),
            f"{price / 100:.2f}",
            f"{quantity * price / 100:.2f}",
            "",
            note if quoted else "进货",
        ]


def write(path, count, prefix, encoding="utf-8", quoted=False):
    with path.open("w", encoding=encoding, newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        out.writerows(rows(count, prefix, quoted))
    return path


def peak_of(action):
    """The highest Python heap use while ``action`` runs, above what was in use before."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        action()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def assert_bounded(small, large):
    # Ten times the rows; a reader that kept them would need several times more. Allow half
    # again plus 256 KiB for what a longer run touches once (a bigger line number, a cache).
    assert large < small * 1.5 + 256 * 1024, (small, large)


def read_all(path):
    def action():
        rows_read = 0
        for frame in read_table(path).frames(BATCH):
            rows_read += frame.height
        assert rows_read == counted[path]

    counted = {}
    return action, counted


@pytest.mark.parametrize(
    ("suffix", "encoding", "quoted"),
    [
        (".csv", "utf-8", False),
        (".csv", "gbk", False),
        (".csv", "utf-8", True),
    ],
    ids=["csv-utf8", "csv-gbk", "csv-quoted-line-breaks"],
)
def test_reading_a_ten_times_larger_file_takes_no_more_memory(tmp_path, suffix, encoding, quoted):
    peaks = []
    for count in (SMALL, 10 * SMALL):
        path = write(tmp_path / f"f{count}{suffix}", count, "SO", encoding, quoted)
        action, counted = read_all(path)
        counted[path] = count
        action()  # once unmeasured: first-use caches (codecs, polars, openpyxl) are not the file's
        peaks.append(peak_of(action))
    assert_bounded(*peaks)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_importing_a_ten_times_larger_file_takes_no_more_memory(
    world, tmp_path, monkeypatch, encoding
):
    monkeypatch.setattr(sales_lines, "BATCH", BATCH)
    monkeypatch.setattr(sales_lines, "FIRST_BATCH", BATCH // 2)
    admin = world.personas["admin"]

    def run(path, count):
        result = import_sales_lines(actor=admin, path=path, options=ImportOptions())
        assert (result.accepted, result.rejected, result.created) == (count, 0, count)

    warm = write(tmp_path / "warm.csv", SMALL, "W", encoding)
    run(warm, SMALL)  # unmeasured: master data caches, first-use imports
    peaks = []
    for count, prefix in ((SMALL, "A"), (10 * SMALL, "B")):
        path = write(tmp_path / f"{prefix}.csv", count, prefix, encoding)
        peaks.append(peak_of(lambda p=path, n=count: run(p, n)))
    assert SalesLine.objects.unrestricted().count() == 12 * SMALL
    assert_bounded(*peaks)


def test_a_first_load_holds_its_rollup_sums_by_a_bound_not_by_the_file(
    world, tmp_path, monkeypatch
):
    # A first load sums its lines for the rollups as it writes them (at the lines' full grain,
    # about one row a line). Held in this process until the end, they grew with the file
    # (native memory, which tracemalloc does not see: a 120 MB file took 800 MB more); past
    # ``SUMS_KEPT_ROWS`` they go to the database, and the rollups still equal the lines.
    from salescope.ledger.importing import merge
    from tests.ledger.test_rollup_delta import GRAINS, expected_rollups, stored_rollups

    monkeypatch.setattr(sales_lines, "BATCH", BATCH)
    monkeypatch.setattr(sales_lines, "FIRST_BATCH", BATCH // 2)
    monkeypatch.setattr(merge, "BULK_MIN_ROWS", 1)
    monkeypatch.setattr(merge, "SUMS_KEPT_ROWS", 2 * BATCH, raising=False)
    held = []
    add = merge.LineWriter._add_sums

    def recording(self, frame):
        add(self, frame)
        held.append(sum(sums.height for sums in self._sums))

    monkeypatch.setattr(merge.LineWriter, "_add_sums", recording)
    admin = world.personas["admin"]
    peaks = []
    for count, prefix in ((SMALL, "A"), (10 * SMALL, "B")):
        for model in (SalesLine, *GRAINS):
            model.objects.unrestricted().all().delete()
        held.clear()
        path = write(tmp_path / f"{prefix}.csv", count, prefix)
        result = import_sales_lines(actor=admin, path=path, options=ImportOptions())
        assert (result.accepted, result.created) == (count, count)
        assert stored_rollups() == expected_rollups()
        peaks.append(max(held))
    assert max(peaks) <= 2 * BATCH + BATCH, peaks


def refusing_rows(count, prefix):
    """``rows``, where every other line names an unknown customer and one in 40 repeats the
    key of a line some batches before it."""
    for n, row in enumerate(rows(count, prefix)):
        if n % 2 == 0:
            row[3] = "C-NOPE"
        if n % 40 == 13 and n >= 4 * BATCH:
            earlier = n - 3 * BATCH
            row[:2] = [f"{prefix}-{earlier // 4}", str(earlier % 4 + 1)]
        yield row


def write_refusing(path, count, prefix):
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        out.writerows(refusing_rows(count, prefix))
    return path


def test_an_import_refusing_ten_times_more_lines_takes_no_more_memory(world, tmp_path, monkeypatch):
    # The refused lines were all kept as dictionaries until the end (bench_big_file, 5 %
    # refused: some 60 MB at 200 MB); now they go to a file as they come, and the report
    # reads them back from it.
    monkeypatch.setattr(sales_lines, "BATCH", BATCH)
    monkeypatch.setattr(sales_lines, "FIRST_BATCH", BATCH // 2)
    admin = world.personas["admin"]

    def run(path, count):
        result = import_sales_lines(actor=admin, path=path, options=ImportOptions())
        refused = count // 2 + (count - 4 * BATCH) // 40
        assert (result.accepted, result.rejected) == (count - refused, refused)
        assert sum(1 for _error in result.every_error()) == refused

    run(write_refusing(tmp_path / "warm.csv", SMALL, "W"), SMALL)
    peaks = []
    for count, prefix in ((SMALL, "A"), (10 * SMALL, "B")):
        path = write_refusing(tmp_path / f"{prefix}.csv", count, prefix)
        peaks.append(peak_of(lambda p=path, n=count: run(p, n)))
    assert_bounded(*peaks)


def test_the_keys_seen_are_held_by_a_bound_not_by_the_file(world, tmp_path, monkeypatch):
    # Each line's key is checked against every key seen before it in the file. Held in this
    # process (in polars, which tracemalloc does not see), they grew with the file: 57 MB more
    # at 200 MB than at 40 MB. Past ``KEPT_KEYS`` they go to the database, and a key repeated
    # batches later is still refused against its first line.
    from salescope.ledger.importing import sightings

    monkeypatch.setattr(sales_lines, "BATCH", BATCH)
    monkeypatch.setattr(sales_lines, "FIRST_BATCH", BATCH // 2)
    monkeypatch.setattr(sightings, "KEPT_KEYS", 2 * BATCH)
    held = []
    split = sightings.FirstSightings.split

    def recording(self, staged):
        answer = split(self, staged)
        held.append(self.seen.height)
        return answer

    monkeypatch.setattr(sightings.FirstSightings, "split", recording)
    admin = world.personas["admin"]
    count = 10 * SMALL
    path = write_refusing(tmp_path / "keys.csv", count, "K")
    result = import_sales_lines(actor=admin, path=path, options=ImportOptions())
    repeated = [e for e in result.every_error() if e["reason"].startswith("duplicate of line")]
    assert len(repeated) == (count - 4 * BATCH) // 40
    # Line n + 2 repeats the key of line n + 2 - 3 * BATCH.
    assert all(e["reason"] == f"duplicate of line {e['line'] - 3 * BATCH}" for e in repeated)
    assert result.accepted == SalesLine.objects.unrestricted().count()
    assert max(held) <= 2 * BATCH + BATCH, max(held)
