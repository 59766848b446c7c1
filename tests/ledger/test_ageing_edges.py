"""The ageing is exact on every bucket's edge days, for any bounds, grouping and page: each
invoice due on the first or last day of a bucket lands in that bucket, by the rule
(``rules.bucket_of``), counted here invoice by invoice without the database's sums; overdue
(past due, not due today) and paid-off or void invoices are left as the rule says."""

import datetime as dt
import itertools
from collections import defaultdict
from decimal import Decimal

import pytest

from salescope.core.money import from_fen
from salescope.ledger import queries, rules
from salescope.ledger.models import Invoice

AS_OF = dt.date(2025, 6, 30)


def _edge_days(bounds):
    """Days late on both sides of every bound, and around today."""
    days = {-2, -1, 0, 1}
    for bound in bounds:
        days |= {bound - 1, bound, bound + 1}
    days.add(bounds[-1] + 400)
    return sorted(d for d in days if d >= -2)


def _invoices(world, bounds):
    customers = [world.east_dealer, world.east_shop, world.south_dealer]
    made = []
    for n, (late, customer) in enumerate(itertools.product(_edge_days(bounds), customers)):
        amount = 10_000 + 37 * n
        made.append(
            Invoice(
                number=f"EDGE-{n}",
                customer=customer,
                owner_id=customer.owner_id,
                issue_date=AS_OF - dt.timedelta(days=late + 30 + n % 5),
                due_date=AS_OF - dt.timedelta(days=late),
                month=AS_OF.replace(day=1),
                amount_fen=amount,
                paid_fen=(n % 3) * 1_000,
                status="open",
            )
        )
    # Not open at all, or issued after as_of: in no bucket.
    made.append(
        Invoice(
            number="EDGE-void",
            customer=customers[0],
            owner_id=customers[0].owner_id,
            issue_date=AS_OF,
            due_date=AS_OF,
            month=AS_OF.replace(day=1),
            amount_fen=999,
            status="void",
        )
    )
    made.append(
        Invoice(
            number="EDGE-later",
            customer=customers[0],
            owner_id=customers[0].owner_id,
            issue_date=AS_OF + dt.timedelta(days=1),
            due_date=AS_OF + dt.timedelta(days=31),
            month=AS_OF.replace(day=1),
            amount_fen=777,
        )
    )
    Invoice.objects.bulk_create(made)


def _by_rule(bounds, key):
    buckets = rules.buckets(bounds)
    rows = defaultdict(lambda: defaultdict(int))
    overdue = [0, 0]
    for invoice in Invoice.objects.unrestricted().filter(status="open", issue_date__lte=AS_OF):
        late = (AS_OF - invoice.due_date).days
        balance = invoice.amount_fen - invoice.paid_fen
        row = rows[key(invoice)]
        row[rules.bucket_of(late, buckets).key] += balance
        row["total"] += balance
        if late > 0:
            overdue[0] += 1
            overdue[1] += balance
    return rows, overdue


@pytest.mark.parametrize("bounds", [(30, 60, 90), (0, 7), (1,), (15, 45, 90, 180, 365)])
@pytest.mark.parametrize("group_by", [None, "customer", "owner"])
def test_each_edge_day_lands_in_its_bucket(world, bounds, group_by):
    _invoices(world, bounds)
    keys = {
        None: lambda i: None,
        "customer": lambda i: i.customer_id,
        "owner": lambda i: i.owner_id,
    }
    want, overdue = _by_rule(bounds, keys[group_by])
    report = queries.receivables_ageing(
        viewer=world.personas["finance"], as_of=AS_OF, group_by=group_by, bounds=bounds
    )
    names = [b.key for b in report["buckets"]] + ["total"]
    got = {row["key"]: {n: row[n] for n in names} for row in report["rows"]}
    assert got == {k: {n: from_fen(v[n]) for n in names} for k, v in want.items()}
    assert report["total"] == {n: from_fen(sum(v[n] for v in want.values())) for n in names}
    assert report["overdue"] == {"count": overdue[0], "balance": from_fen(overdue[1])}
    assert all(isinstance(v, Decimal) for v in report["total"].values())


def test_a_page_of_customers_keeps_every_rows_totals(world):
    bounds = (30, 60, 90)
    _invoices(world, bounds)
    want, overdue = _by_rule(bounds, lambda i: i.customer_id)
    ranked = sorted(want, key=lambda k: (-want[k]["total"], k))
    full = queries.receivables_ageing(
        viewer=world.personas["finance"], as_of=AS_OF, group_by="customer"
    )
    for offset in range(len(ranked) + 1):
        page = queries.receivables_ageing(
            viewer=world.personas["finance"],
            as_of=AS_OF,
            group_by="customer",
            limit=1,
            offset=offset,
            with_overdue=offset % 2 == 0,
        )
        assert [r["key"] for r in page["rows"]] == ranked[offset : offset + 1]
        assert page["row_count"] == len(ranked)
        assert page["total"] == full["total"]
        if offset % 2:
            assert page["overdue"] is None
        else:
            assert page["overdue"] == {"count": overdue[0], "balance": from_fen(overdue[1])}
