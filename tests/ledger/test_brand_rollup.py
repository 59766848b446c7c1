"""The brand rollup (month × kind × region × category × brand) always equals the lines' sums at
its grain — after first loads, everyday imports, corrections that move a line to another month,
product, person or channel, bulk loads, a month's repair, the coarser rollups' refresh and a
full rebuild — also for lines of a product without a brand or a category."""

from collections import defaultdict
from importlib import import_module
from types import SimpleNamespace

from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescope.catalog.models import Product
from salescope.ledger import rollups
from salescope.ledger.importing.sales_lines import ImportOptions, import_sales_lines
from salescope.ledger.models import BrandRollup, ProductRollup, SalesLine
from tests.ledger.test_rollup_delta import (
    CHANNELS,
    CUSTOMERS,
    DATES,
    HEADER,
    KINDS,
    PEOPLE,
    import_each,
)
from tests.ledger.world import write_csv

KEYS = ("month", "kind", "region_id", "category_id", "brand_id")
MEASURES = ("amount_fen", "quantity_milli", "cost_fen", "gross_profit_fen")
LOOSE = "P-LOOSE"  # a product of no brand and no category

line = st.tuples(
    st.integers(1, 6),  # few line numbers: later files correct earlier lines
    st.sampled_from(DATES),
    st.sampled_from(CUSTOMERS),
    st.sampled_from(["P-JUICE-1L", "P-COLA", "P-CHIPS", LOOSE]),
    st.integers(0, 50),
    st.integers(0, 100_000),  # fen
    st.sampled_from(PEOPLE),
    st.sampled_from(KINDS),
    st.sampled_from(CHANNELS),
)
files = st.lists(st.lists(line, max_size=8, unique_by=lambda row: row[0]), min_size=1, max_size=4)


def lines_summed() -> dict[tuple, tuple]:
    """The lines as stored, summed in Python at the brand rollup's grain."""
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for row in SalesLine.objects.unrestricted().values_list(*KEYS, *MEASURES):
        bucket = sums[row[: len(KEYS)]]
        for i, value in enumerate([*row[len(KEYS) :], 1]):
            bucket[i] += value
    return {key: tuple(values) for key, values in sums.items()}


def stored() -> dict[tuple, tuple]:
    rows = BrandRollup.objects.unrestricted().values_list(*KEYS, *MEASURES, "lines")
    found = {row[: len(KEYS)]: row[len(KEYS) :] for row in rows}
    assert len(found) == BrandRollup.objects.unrestricted().count()  # a row per key
    return found


def assert_brands_equal_the_lines() -> None:
    assert stored() == lines_summed()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(files=files, batch=st.sampled_from([2, 20_000]), bulk=st.booleans())
def test_the_brand_rollup_equals_the_lines_after_imports_corrections_repairs_and_rebuilds(
    world, tmp_path, files, batch, bulk
):
    Product.objects.unrestricted().get_or_create(
        sku=LOOSE, defaults={"name": "散装", "list_price_fen": 100}
    )
    SalesLine.objects.unrestricted().all().delete()
    for model in rollups.EXPLORER_ROLLUPS:
        model.objects.unrestricted().all().delete()
    import_each(
        world,
        tmp_path,
        files,
        lambda _result: assert_brands_equal_the_lines(),
        batch=batch,
        bulk=bulk,
    )
    months = sorted({m for m, *_rest in lines_summed()})
    if not months:
        return
    # A month's repair of the explorer's rollups, the coarser rollups' refresh, a full rebuild:
    # each restores rows spoilt, and rows of keys that hold no lines.
    for repair in (
        lambda: rollups.rebuild_detail_months(months[:1]),
        lambda: rollups.refresh_coarser(),
        lambda: rollups.refresh_coarser(months[:1]),
        lambda: rollups.refresh_coarser(iter(months[:1])),  # months given once, as an iterator
        lambda: rollups.rebuild_all(),
    ):
        BrandRollup.objects.unrestricted().filter(month__in=months[:1]).update(amount_fen=1)
        BrandRollup.objects.create(month=months[0], kind="sell_in", brand_id=None, lines=0)
        repair()
        assert_brands_equal_the_lines()


def test_the_brand_rollup_is_the_product_rollup_without_the_product(world, tmp_path):
    # What the migration that introduced it wrote, and what every path derives: the product
    # rollup's rows summed without the product.
    rows = [
        ["SO-7", 1, "2025-01-15", "C-EAST-1", "P-JUICE-1L", 2, "17.00", "zhangwei", "进货"],
        ["SO-7", 2, "2025-01-20", "C-EAST-1", "P-COLA", 5, "15.00", "zhangwei", "进货"],
        ["SO-7", 3, "2025-02-01", "C-SOUTH-1", "P-CHIPS", 1, "6.00", "chenjing", "流向"],
    ]
    path = write_csv(tmp_path / "a.csv", HEADER, rows)
    import_sales_lines(actor=world.personas["admin"], path=path, options=ImportOptions())
    summed: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for row in ProductRollup.objects.unrestricted().values_list(*KEYS, *MEASURES, "lines"):
        for i, value in enumerate(row[len(KEYS) :]):
            summed[row[: len(KEYS)]][i] += value
    assert stored() == {key: tuple(values) for key, values in summed.items()}
    # The migration's own fill of an empty brand rollup gives the same rows.
    BrandRollup.objects.unrestricted().all().delete()
    migration = import_module("salescope.ledger.migrations.0018_brand_rollup")
    migration.derive_brands(None, SimpleNamespace(connection=connection))
    assert stored() == {key: tuple(values) for key, values in summed.items()}
    # 华远's two products, a category each, in January; 田园's chips in February.
    months = BrandRollup.objects.unrestricted().values_list("month", "lines")
    assert sorted((str(month)[:7], lines) for month, lines in months) == [
        ("2025-01", 1),
        ("2025-01", 1),
        ("2025-02", 1),
    ]
