"""Generated facts for two months (October and November 2026) for the personas' salespeople:
sales lines (sell-in and sell-through), collections, visits with times and costs, orders
(some cancelled), customers created in November; rollups rebuilt from the lines. The raw rows
are returned as pandas frames for independent computations."""

import datetime as dt
import random
from dataclasses import dataclass

import pandas as pd
from django.utils import timezone

from salescope.activities.models import Visit
from salescope.catalog import services as catalog_services
from salescope.catalog.models import Product
from salescope.customers.models import Customer
from salescope.ledger import rollups
from salescope.ledger.models import Collection, Order, SalesLine
from salescope.org.models import User

OCT = dt.date(2026, 10, 1)
NOV = dt.date(2026, 11, 1)
SELLERS = ("zhangwei", "yangfan", "chenjing", "lina")


@dataclass
class Facts:
    people: dict[str, User]
    customers: list[Customer]
    lines: pd.DataFrame
    collections: pd.DataFrame
    visits: pd.DataFrame
    orders: pd.DataFrame
    new_customers: pd.DataFrame


def build_facts(personas: dict[str, User], seed: int = 11) -> Facts:
    rng = random.Random(seed)  # noqa: S311 - seeded test data
    people = {u.username: u for u in User.objects.unrestricted().filter(username__in=SELLERS)}
    category = catalog_services.ensure_category("饮料", code="DRINK")
    brand = catalog_services.ensure_brand("华远", "HY")
    product = Product.objects.create(
        sku="P-KPI", name="橙汁", brand=brand, category=category, list_price_fen=900, cost_fen=500
    )
    customers = []
    for number in range(16):
        owner = people[SELLERS[number % len(SELLERS)]]
        customer = Customer(code=f"K-{number}", name=f"客户{number}", kind="dealer", owner=owner)
        customer.save()
        customers.append(customer)
    # Customers 0–5 were created in November (new customers), the rest long before.
    zone = timezone.get_current_timezone()
    for number, customer in enumerate(customers):
        created = (
            dt.datetime(2026, 11, 3 + number, 10, tzinfo=zone)
            if number < 6
            else dt.datetime(2025, 1, 1, 10, tzinfo=zone)
        )
        Customer.objects.unrestricted().filter(pk=customer.pk).update(created_at=created)
    lines, collections, visits, orders = [], [], [], []
    for number in range(400):
        month = rng.choice((OCT, NOV))
        customer = rng.choice(customers)
        if customer.code in {"K-12", "K-13", "K-14", "K-15"}:
            month = OCT  # bought in October only: lost in November
        day = month + dt.timedelta(days=rng.randint(0, 29))
        seller = customer.owner
        amount = rng.randint(1, 5_000_000)
        cost = rng.randint(0, amount)
        kind = rng.choice(("sell_in", "sell_in", "sell_in", "sell_through"))
        lines.append(
            SalesLine(
                line_key=f"L-{number}",
                line_id=f"L-{number}",
                date=day,
                month=month,
                kind=kind,
                customer=customer,
                product=product,
                brand=brand,
                category=category,
                salesperson=seller,
                quantity_milli=1000,
                unit_price_fen=amount,
                amount_fen=amount,
                cost_fen=cost,
                gross_profit_fen=amount - cost,
            )
        )
    SalesLine.objects.bulk_create(lines)
    rollups.rebuild_months([OCT, NOV])
    for number in range(60):
        month = rng.choice((OCT, NOV))
        customer = rng.choice(customers)
        collections.append(
            Collection(
                number=f"R-{number}",
                customer=customer,
                owner=customer.owner,
                date=month + dt.timedelta(days=rng.randint(0, 27)),
                month=month,
                amount_fen=rng.randint(1, 3_000_000),
            )
        )
    Collection.objects.bulk_create(collections)
    for _number in range(150):
        customer = rng.choice(customers)
        day = rng.choice((OCT, NOV)) + dt.timedelta(days=rng.randint(0, 29))
        status = rng.choice(("done", "done", "done", "planned", "cancelled"))
        start = dt.datetime.combine(day, dt.time(9, rng.randint(0, 59)), tzinfo=zone)
        timed = status == "done" and rng.random() < 0.8
        visits.append(
            Visit(
                owner=customer.owner,
                customer=customer,
                planned_date=day,
                status=status,
                checked_in_at=start if timed else None,
                checked_out_at=start + dt.timedelta(seconds=rng.randint(300, 9000))
                if timed
                else None,
                cost_fen=rng.randint(0, 20_000),
            )
        )
    Visit.objects.bulk_create(visits)
    for number in range(50):
        customer = rng.choice(customers)
        orders.append(
            Order(
                number=f"O-{number}",
                customer=customer,
                owner=customer.owner,
                date=rng.choice((OCT, NOV)) + dt.timedelta(days=rng.randint(0, 29)),
                status=rng.choice(("confirmed", "invoiced", "cancelled")),
                amount_fen=rng.randint(100, 100000),
            )
        )
    Order.objects.bulk_create(orders)
    frame = pd.DataFrame
    return Facts(
        people=people,
        customers=customers,
        lines=frame(
            [
                {
                    "person": x.salesperson_id,
                    "customer": x.customer_id,
                    "month": x.month,
                    "kind": x.kind,
                    "amount": x.amount_fen,
                    "profit": x.gross_profit_fen,
                }
                for x in lines
            ]
        ),
        collections=frame(
            [{"person": x.owner_id, "month": x.month, "amount": x.amount_fen} for x in collections]
        ),
        visits=frame(
            [
                {
                    "person": x.owner_id,
                    "month": x.planned_date.replace(day=1),
                    "status": x.status,
                    "cost": x.cost_fen,
                    "seconds": (x.checked_out_at - x.checked_in_at).total_seconds()
                    if x.checked_in_at
                    else None,
                }
                for x in visits
            ]
        ),
        orders=frame(
            [
                {"person": x.owner_id, "month": x.date.replace(day=1), "status": x.status}
                for x in orders
            ]
        ),
        new_customers=frame(
            [{"person": c.owner_id, "new": n < 6} for n, c in enumerate(customers)]
        ),
    )
