"""Property (R12): importing the same file twice changes nothing the second time, whatever
mix of good, bad and repeated rows the file holds, and counts equal rows stored."""

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescope.catalog.importing import import_products
from salescope.core.importing.common import ImportOptions
from salescope.customers.importing import import_customers
from salescope.customers.models import Customer
from tests.ledger.world import write_csv

codes = st.sampled_from(["K-1", "K-2", "K-3", "K-4", "C-EAST-2", ""])
names = st.sampled_from(["甲", "乙公司", "", "=1+1", "Ünïcode Ltd"])
limits = st.one_of(
    st.decimals(min_value=-10, max_value=10**7, places=3, allow_nan=False).map(str),
    st.sampled_from(["", "abc", "1,000.00", "¥2,000"]),
)
kinds = st.sampled_from(["", "终端", "经销商", "分销商", "大客户", "dealer", "?"])
rows = st.lists(st.tuples(codes, names, kinds, limits), max_size=12)


def snapshot():
    return list(
        Customer.objects.unrestricted()
        .order_by("code")
        .values_list("code", "name", "kind", "credit_limit_fen", "version")  # noqa: E501
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=rows)
def test_importing_customers_twice_is_idempotent(world, tmp_path, rows):
    path = write_csv(tmp_path / "c.csv", ["客户编码", "客户名称", "类型", "信用额度"], rows)
    admin = world.personas["admin"]
    with transaction.atomic():
        first = import_customers(actor=admin, path=path, options=ImportOptions())
        after_first = snapshot()
        second = import_customers(actor=admin, path=path, options=ImportOptions())
        assert snapshot() == after_first
        assert (second.created, second.updated) == (0, 0)
        assert second.unchanged == second.accepted == first.accepted
        assert second.errors == first.errors
        assert first.accepted + first.rejected == len(rows)
        assert first.created + first.updated + first.unchanged == first.accepted
        new_codes = {c for c, *_rest in after_first if c.startswith("K-")}
        assert first.created == len(new_codes)  # counts reported = rows stored
        transaction.set_rollback(True)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["P-1", "P-2", "P-COLA"]),
            st.sampled_from(["新品", "可乐 330ml"]),
            st.sampled_from(["", "田园", "新品牌"]),
            st.sampled_from(["", "饮料/果汁", "坚果", "零食>坚果"]),
            st.sampled_from(["", "1.999", "3", "-1"]),
        ),
        max_size=8,
    )
)
def test_importing_products_twice_is_idempotent(world, tmp_path, rows):
    path = write_csv(tmp_path / "p.csv", ["SKU", "name", "brand", "category", "price"], rows)
    admin = world.personas["admin"]
    with transaction.atomic():
        first = import_products(actor=admin, path=path, options=ImportOptions())
        second = import_products(actor=admin, path=path, options=ImportOptions())
        assert (second.created, second.updated, second.unchanged) == (0, 0, first.accepted)
        assert second.as_dict()["created_brands"] == second.as_dict()["created_categories"] == 0
        transaction.set_rollback(True)


invoice_rows = st.lists(
    st.tuples(
        st.sampled_from(["I-1", "I-2", "I-3", "I-4"]),
        st.sampled_from(["C-EAST-1", "C-EAST-2", "C-SOUTH-1", "C-NOPE"]),
        st.sampled_from(["2025-01-05", "2025-02-30", "2025/3/1"]),
        st.sampled_from(["100", "250.555", "0", "-1", "x"]),
    ),
    max_size=6,
)
collection_rows = st.lists(
    st.tuples(
        st.sampled_from(["R-1", "R-2", "R-3"]),
        st.sampled_from(["C-EAST-1", "C-EAST-2", "C-SOUTH-1"]),
        st.sampled_from(["80", "300", "1000"]),
        st.sampled_from(["", "I-1", "I-2；I-1", "I-3", "I-9"]),
    ),
    max_size=5,
)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(invoices=invoice_rows, collections=collection_rows)
def test_receivable_imports_twice_are_idempotent_and_tied(world, tmp_path, invoices, collections):
    from salescope.ledger.importing.collections import import_collections
    from salescope.ledger.importing.invoices import import_invoices
    from tests.ledger.imports.test_receivables import assert_tied, ledger_state

    inv = write_csv(tmp_path / "i.csv", ["发票号", "客户编码", "开票日期", "金额"], invoices)
    col = write_csv(
        tmp_path / "r.csv",
        ["回款单号", "客户编码", "回款金额", "发票号", "回款日期"],
        [[*row, "2025-04-01"] for row in collections],
    )
    finance = world.personas["finance"]
    with transaction.atomic():
        for _run in range(2):
            import_invoices(actor=finance, path=inv, options=ImportOptions())
            import_collections(actor=finance, path=col, options=ImportOptions())
            if _run == 0:
                after_first = ledger_state()
            assert_tied()
        assert ledger_state() == after_first
        transaction.set_rollback(True)
