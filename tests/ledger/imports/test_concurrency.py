"""R12: two concurrent imports of the same file make no duplicates and allocate nothing twice."""

import threading

import pytest
from django.db import connection

from salescope.core.importing.common import ImportOptions
from salescope.customers.importing import import_customers
from salescope.customers.models import Customer
from salescope.ledger.importing.collections import import_collections
from salescope.ledger.importing.invoices import import_invoices
from salescope.ledger.models import Allocation, Collection, Invoice
from tests.ledger.world import write_csv


def in_two_threads(run):
    errors, results = [], []

    def worker():
        try:
            results.append(run())
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors, results


@pytest.mark.django_db(transaction=True)
def test_concurrent_customer_and_collection_imports(personas, tmp_path):
    from tests.ledger.world import build_world

    world = build_world(personas)
    admin = world.personas["admin"]
    customers = write_csv(
        tmp_path / "c.csv", ["客户编码", "客户名称"], [[f"K-{i}", f"客户{i}"] for i in range(30)]
    )
    errors, results = in_two_threads(
        lambda: import_customers(actor=admin, path=customers, options=ImportOptions())
    )
    assert errors == []
    assert sorted((r.created, r.unchanged) for r in results) == [(0, 30), (30, 0)]
    assert Customer.objects.unrestricted().filter(code__startswith="K-").count() == 30

    invoices = write_csv(
        tmp_path / "i.csv",
        ["发票号", "客户编码", "开票日期", "金额"],
        [["INV-1", "C-EAST-1", "2025-01-01", "100"], ["INV-2", "C-EAST-1", "2025-02-01", "100"]],
    )
    import_invoices(actor=admin, path=invoices, options=ImportOptions())
    collections = write_csv(
        tmp_path / "r.csv",
        ["回款单号", "客户编码", "回款日期", "回款金额"],
        [["R-1", "C-EAST-1", "2025-03-01", "150"]],
    )
    errors, results = in_two_threads(
        lambda: import_collections(actor=admin, path=collections, options=ImportOptions())
    )
    assert errors == []
    assert Collection.objects.unrestricted().count() == 1
    assert sorted(
        Allocation.objects.unrestricted().values_list("invoice__number", "amount_fen")
    ) == [
        ("INV-1", 10_000),
        ("INV-2", 5_000),
    ]
    assert sorted(Invoice.objects.unrestricted().values_list("number", "paid_fen", "status")) == [
        ("INV-1", 10_000, "paid"),
        ("INV-2", 5_000, "open"),
    ]
