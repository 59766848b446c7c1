"""Invoices, collections and allocation, ageing and DSO (F3); the credit hold (F4)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from salescope.core.errors import Conflict, PermissionDenied, ValidationFailed
from salescope.core.models import AuditEntry
from salescope.ledger import queries, rules, services
from salescope.ledger.models import Allocation, Collection, Invoice


def invoice(world, number, amount, issue, customer=None, terms=None):
    return services.issue_invoice(
        actor=world.personas["finance"],
        customer=customer or world.east_dealer,
        number=number,
        issue_date=issue,
        amount=amount,
        due_date=issue + dt.timedelta(days=terms) if terms is not None else None,
    )


def test_buckets_split_days_overdue_as_documented():
    keys = [b.key for b in rules.buckets()]
    assert keys == ["not_due", "d0_30", "d31_60", "d61_90", "d91_plus"]
    found = [rules.bucket_of(days, rules.buckets()).key for days in (-1, 0, 30, 31, 90, 91)]
    assert found == ["not_due", "d0_30", "d0_30", "d31_60", "d61_90", "d91_plus"]


def test_collection_pays_oldest_invoices_first_and_ageing_ties_to_balances(world):
    as_of = dt.date(2025, 6, 30)
    invoice(world, "I-1", "100.00", dt.date(2025, 1, 1), terms=30)  # due 01-31: 150 days late
    invoice(world, "I-2", "200.00", dt.date(2025, 5, 1), terms=30)  # due 05-31: 30 days late
    invoice(world, "I-3", "300.00", dt.date(2025, 6, 20), terms=30)  # not due
    services.record_collection(
        actor=world.personas["finance"],
        customer=world.east_dealer,
        number="R-1",
        date=as_of,
        amount="150.00",
    )
    balances = dict(Invoice.objects.unrestricted().values_list("number", "paid_fen"))
    assert balances == {"I-1": 10000, "I-2": 5000, "I-3": 0}
    assert Invoice.objects.unrestricted().get(number="I-1").status == "paid"
    report = queries.receivables_ageing(viewer=world.personas["finance"], as_of=as_of)
    assert report["total"] == {
        "not_due": Decimal("300.00"),
        "d0_30": Decimal("150.00"),
        "d31_60": Decimal("0.00"),
        "d61_90": Decimal("0.00"),
        "d91_plus": Decimal("0.00"),
        "total": Decimal("450.00"),
    }


def test_custom_buckets_and_grouping_by_owner(world):
    as_of = dt.date(2025, 6, 30)
    invoice(world, "I-1", "10.00", dt.date(2025, 5, 1), terms=0)  # 60 days late
    invoice(world, "I-2", "20.00", dt.date(2025, 6, 1), terms=0, customer=world.south_dealer)
    report = queries.receivables_ageing(
        viewer=world.personas["admin"], as_of=as_of, group_by="owner", bounds=(29, 59)
    )
    rows = {r["label"]: (r["d0_29"], r["d30_59"], r["d60_plus"]) for r in report["rows"]}
    zero = Decimal("0.00")
    assert rows == {"张伟": (zero, zero, Decimal("10.00")), "陈静": (Decimal("20.00"), zero, zero)}


def test_salesperson_sees_only_their_receivables_finance_sees_all(world):
    as_of = dt.date(2025, 6, 30)
    invoice(world, "I-1", "10.00", dt.date(2025, 5, 1))
    invoice(world, "I-2", "20.00", dt.date(2025, 5, 1), customer=world.south_dealer)
    mine = queries.receivables_ageing(viewer=world.personas["salesperson"], as_of=as_of)
    everyone = queries.receivables_ageing(viewer=world.personas["finance"], as_of=as_of)
    assert (mine["total"]["total"], everyone["total"]["total"]) == (
        Decimal("10.00"),
        Decimal("30.00"),
    )


def test_dso_is_receivables_over_invoiced_sales_times_days(world):
    as_of = dt.date(2025, 6, 30)
    invoice(world, "I-1", "900.00", dt.date(2025, 6, 1))
    services.record_collection(
        actor=world.personas["finance"],
        customer=world.east_dealer,
        number="R-1",
        date=as_of,
        amount="600.00",
    )
    assert queries.dso(viewer=world.personas["finance"], as_of=as_of, days=90) == Decimal("30.0")
    assert rules.dso(0, 0, 90) is None


def test_allocation_over_the_open_amount_is_refused_and_changes_nothing(world):
    inv = invoice(world, "I-1", "100.00", dt.date(2025, 1, 1))
    col = services.record_collection(
        actor=world.personas["finance"],
        customer=world.east_dealer,
        number="R-1",
        date=dt.date(2025, 2, 1),
        amount="500.00",
        allocate=False,
    )
    audits = AuditEntry.objects.count()
    with pytest.raises(Conflict):
        services.allocate_collection(
            actor=world.personas["finance"],
            collection=col,
            allocations=[(inv, "60.00"), (inv, "60.00")],
        )
    assert (
        Invoice.objects.unrestricted().get().paid_fen,
        Collection.objects.unrestricted().get().allocated_fen,
    ) == (0, 0)
    assert Allocation.objects.unrestricted().count() == 0
    assert AuditEntry.objects.count() == audits


def test_salesperson_may_not_record_collections(world):
    with pytest.raises(PermissionDenied):
        services.record_collection(
            actor=world.personas["salesperson"],
            customer=world.east_dealer,
            number="R-1",
            date=dt.date(2025, 2, 1),
            amount="1.00",
        )
    assert Collection.objects.unrestricted().count() == 0


def _order(world, number, quantity):
    return services.create_order(
        actor=world.personas["salesperson"],
        customer=world.east_dealer,
        number=number,
        date=timezone.localdate(),
        lines=[{"product": world.juice_1l, "quantity": quantity}],
    )


def test_order_within_the_limit_is_confirmed(world):
    order = _order(world, "SO-1", 100)  # 850.00 within 10,000.00
    order = services.confirm_order(
        actor=world.personas["salesperson"], order=order, expected_version=order.version
    )
    assert order.status == "confirmed"


def test_order_over_the_limit_is_held_and_released_by_finance_with_reason(world, api_client):
    order = _order(world, "SO-2", 2000)  # 17,000.00 > 10,000.00
    client = api_client(world.personas["salesperson"])
    held = client.post(
        f"/api/v1/orders/{order.pk}/confirm",
        {"version": order.version},
        content_type="application/json",
    ).json()
    assert held["status"] == "credit_hold"
    assert "credit limit" in held["hold_reason"] or "信用" in held["hold_reason"]
    refused = client.post(
        f"/api/v1/orders/{order.pk}/release",
        {"version": held["version"], "reason": "老客户"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    released = (
        api_client(world.personas["finance"])
        .post(
            f"/api/v1/orders/{order.pk}/release",
            {"version": held["version"], "reason": "预付款已到"},
            content_type="application/json",
        )
        .json()
    )
    assert (released["status"], released["release_reason"]) == ("confirmed", "预付款已到")
    actions = list(
        AuditEntry.objects.filter(object_type="ledger.order")
        .values_list("action", flat=True)
        .order_by("id")
    )
    assert actions == ["ledger.order.created", "ledger.order.held", "ledger.order.released"]


def test_overdue_debt_beyond_policy_holds_even_a_small_order(world):
    invoice(world, "I-OLD", "1.00", timezone.localdate() - dt.timedelta(days=200), terms=30)
    order = _order(world, "SO-3", 1)
    order = services.confirm_order(
        actor=world.personas["salesperson"], order=order, expected_version=order.version
    )
    assert order.status == "credit_hold"


def test_release_needs_a_reason(world):
    order = _order(world, "SO-4", 5000)
    order = services.confirm_order(
        actor=world.personas["admin"], order=order, expected_version=order.version
    )
    with pytest.raises(ValidationFailed):
        services.release_credit_hold(
            actor=world.personas["admin"], order=order, expected_version=order.version, reason="  "
        )


def test_grouped_ageing_keeps_a_page_of_rows_and_the_totals_of_all(world):
    """Ageing by customer keeps the largest balances first, a page of them (limit, offset),
    while the totals, the overdue heading and ``row_count`` are those of every row."""
    as_of = dt.date(2025, 6, 30)
    invoice(world, "I-1", "10.00", dt.date(2025, 5, 1), terms=0)
    invoice(world, "I-2", "30.00", dt.date(2025, 6, 1), terms=0, customer=world.south_dealer)
    invoice(world, "I-3", "20.00", dt.date(2025, 6, 20), terms=30, customer=world.east_shop)
    finance = world.personas["finance"]
    full = queries.receivables_ageing(viewer=finance, as_of=as_of, group_by="customer")
    assert [r["total"] for r in full["rows"]] == [
        Decimal("30.00"),
        Decimal("20.00"),
        Decimal("10.00"),
    ]
    page = queries.receivables_ageing(
        viewer=finance, as_of=as_of, group_by="customer", limit=1, offset=1
    )
    assert [(r["key"], r["label"], r["total"]) for r in page["rows"]] == [
        (world.east_shop.pk, full["rows"][1]["label"], Decimal("20.00"))
    ]
    assert (page["row_count"], page["total"], page["overdue"]) == (
        3,
        full["total"],
        {"count": 2, "balance": Decimal("40.00")},
    )
    assert page["total"]["total"] == Decimal("60.00")
    past_the_end = queries.receivables_ageing(
        viewer=finance, as_of=as_of, group_by="customer", limit=5, offset=3
    )
    assert (past_the_end["rows"], past_the_end["row_count"]) == ([], 3)
    assert past_the_end["total"] == full["total"]
    by_unit = queries.receivables_ageing(viewer=finance, as_of=as_of, group_by="unit")
    south, east = world.south_dealer.owner.unit, world.east_dealer.owner.unit
    assert {r["key"]: (r["label"], r["total"]) for r in by_unit["rows"]} == {
        south.pk: (south.name, Decimal("30.00")),
        east.pk: (east.name, Decimal("30.00")),
    }


def test_ageing_api_pages_its_rows(world, api_client):
    as_of = dt.date(2025, 6, 30)
    invoice(world, "I-1", "10.00", dt.date(2025, 5, 1), terms=0)
    invoice(world, "I-2", "30.00", dt.date(2025, 6, 1), terms=0, customer=world.south_dealer)
    client = api_client(world.personas["finance"])
    url = f"/api/v1/receivables/ageing?as_of={as_of}&group_by=customer"
    body = client.get(f"{url}&limit=1").json()
    assert [(r["key"], r["total"]) for r in body["rows"]] == [(world.south_dealer.pk, "30.00")]
    assert (body["row_count"], body["total"]["total"]) == (2, "40.00")
    body = client.get(f"{url}&limit=1&offset=1").json()
    assert [(r["key"], r["total"]) for r in body["rows"]] == [(world.east_dealer.pk, "10.00")]
    assert client.get(f"{url}&limit=0").status_code == 422
    assert client.get(f"{url}&limit=1001").status_code == 422
