"""The ledger routes in the leak and permission matrices (tests/visibility). Records are built
directly for ``owner`` (the services would refuse some personas, which is the permission
matrix's business, not the factory's)."""

import datetime as dt
import itertools

from salescope.ledger.models import Collection, ImportJob, Invoice, Order
from tests.customers.leaks import make_customer
from tests.visibility.registry import Target, exempt, register

_serial = itertools.count(1)
DAY = dt.date(2025, 3, 1)

exempt("ledger:sales-export", "the path parameter is the file format, not a record")
exempt("/api/v1/imports/master-data/{kind}", "the path parameter is what to import, not a record")


def _order(owner):
    return Order.objects.create(
        number=f"LEAK-O{next(_serial)}",
        customer=make_customer(owner),
        owner=owner,
        date=DAY,
        amount_fen=100,
    )


@register("ledger:order", "ledger:order-confirm", "ledger:order-release")
def order_page(personas, owner):
    order = _order(owner)
    return Target(params={"pk": order.pk}, obj=order)


@register(
    "/api/v1/orders/{order_id}",
    "/api/v1/orders/{order_id}/confirm",
    "/api/v1/orders/{order_id}/release",
)
def order_api(personas, owner):
    order = _order(owner)
    return Target(
        params={"order_id": order.pk},
        obj=order,
        bodies={"POST": {"version": order.version, "reason": "测试"}},
    )


def _invoice(owner, customer=None):
    return Invoice.objects.create(
        number=f"LEAK-I{next(_serial)}",
        customer=customer or make_customer(owner),
        owner=owner,
        issue_date=DAY,
        due_date=DAY,
        month=DAY,
        amount_fen=10000,
    )


@register("/api/v1/invoices/{invoice_id}")
def invoice_api(personas, owner):
    invoice = _invoice(owner)
    return Target(params={"invoice_id": invoice.pk}, obj=invoice)


@register("/api/v1/collections/{collection_id}/allocate")
def collection_api(personas, owner):
    customer = make_customer(owner)
    invoice = _invoice(owner, customer)
    collection = Collection.objects.create(
        number=f"LEAK-R{next(_serial)}",
        customer=customer,
        owner=owner,
        date=DAY,
        month=DAY,
        amount_fen=5000,
    )
    return Target(
        params={"collection_id": collection.pk},
        obj=collection,
        bodies={"POST": [{"invoice_id": invoice.pk, "amount": "10.00"}]},
    )


def _job(owner):
    return ImportJob.objects.create(
        kind="sales_lines",
        filename="leak.csv",
        stored_path=f"/nonexistent/leak-{next(_serial)}.csv",
        created_by=owner,
        status="done",
    )


@register("ledger:import-job", "ledger:import-errors")
def job_page(personas, owner):
    job = _job(owner)
    return Target(params={"pk": job.pk}, obj=job)


@register("/api/v1/imports/{job_id}")
def job_api(personas, owner):
    job = _job(owner)
    return Target(params={"job_id": job.pk}, obj=job)


def _saved_view(owner):
    from salescope.ledger.models import SavedView

    return SavedView.objects.unrestricted().create(
        owner=owner,
        name=f"LEAK-V{next(_serial)}",
        spec={"rows": ["month"], "columns": [], "filters": {"kind": "sell_in"}},
    )


exempt("ledger:explorer-export", "the path parameter is the file format, not a record")


@register("ledger:explorer-view", "ledger:explorer-view-delete")
def saved_view_page(personas, owner):
    view = _saved_view(owner)
    return Target(params={"pk": view.pk}, obj=view)


@register("/api/v1/sales/views/{view_id}", "/api/v1/sales/views/{view_id}/pivot")
def saved_view_api(personas, owner):
    view = _saved_view(owner)
    return Target(params={"view_id": view.pk}, obj=view)
